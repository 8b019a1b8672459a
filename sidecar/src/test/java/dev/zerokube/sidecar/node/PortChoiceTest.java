package dev.zerokube.sidecar.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.runtime.PortFactory;
import dev.zerokube.overlay.runtime.port.UserspacePort;
import dev.zerokube.overlay.runtime.port.VirtualPort;
import dev.zerokube.overlay.wire.NetworkId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/*
 * Goal: a node that cannot make TAPs says so once, and only when a network actually needs a port
 * of its own: a sidecar whose networks all got their TAPs from the node agent (--tap-socket) must
 * not warn about a fallback it never uses (the node agent e2e test saw that misleading warning).
 * Method: NodeCommand.portFactory with a stand-in probe that counts its calls and says TAPs cannot
 * be made; ports opened for networks with no handed-over TAP.
 */
class PortChoiceTest {
    private static final NetworkId FIRST = NetworkId.parse("8056c2e21c000001");
    private static final NetworkId SECOND = NetworkId.parse("8056c2e21c000002");
    private static final NetworkId HANDED = NetworkId.parse("1d71939404000001");

    @Test
    void theFallbackIsProbedAndSaidOnceWhenAPortIsFirstNeeded() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        AtomicInteger probes = new AtomicInteger();
        PortFactory f = NodeCommand.portFactory(false, Map.of(), log::add, () -> {
            probes.incrementAndGet();
            return Optional.of("open /dev/net/tun: Permission denied (errno 13)");
        });
        assertEquals(0, probes.get(), "nothing probed before a network needs a port");
        assertEquals(List.of(), log);
        try (VirtualPort a = f.open(FIRST); VirtualPort b = f.open(SECOND)) {
            assertInstanceOf(UserspacePort.class, a);
            assertInstanceOf(UserspacePort.class, b);
        }
        assertEquals(1, probes.get());
        assertEquals(1, log.size(), log.toString());
        assertTrue(log.getFirst().contains("level=warn component=ports event=userspace_fallback nwid=" + FIRST)
                && log.getFirst().contains("Permission denied"), log.getFirst());
    }

    @Test
    void withTapsHandedOverNothingIsSaidUntilAnotherNetworkNeedsAPort() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        AtomicInteger probes = new AtomicInteger();
        // The descriptor is never adopted here (no network HANDED is opened): any number will do.
        PortFactory f = NodeCommand.portFactory(false, Map.of(HANDED, 1_000), log::add, () -> {
            probes.incrementAndGet();
            return Optional.of("open /dev/net/tun: Permission denied (errno 13)");
        });
        assertEquals(0, probes.get());
        assertEquals(List.of(), log, "a sidecar that got its TAPs has nothing to warn about");
        try (VirtualPort other = f.open(SECOND)) {
            assertInstanceOf(UserspacePort.class, other);
        }
        assertEquals(1, probes.get());
        assertTrue(log.getFirst().contains("event=userspace_fallback nwid=" + SECOND), log.toString());
    }

    @Test
    void userspaceAsksForNoProbe() throws Exception {
        AtomicInteger probes = new AtomicInteger();
        List<String> log = new CopyOnWriteArrayList<>();
        PortFactory f = NodeCommand.portFactory(true, Map.of(), log::add, () -> {
            probes.incrementAndGet();
            return Optional.empty();
        });
        try (VirtualPort p = f.open(FIRST)) {
            assertInstanceOf(UserspacePort.class, p);
        }
        assertEquals(0, probes.get());
        assertEquals(List.of(), log);
    }
}
