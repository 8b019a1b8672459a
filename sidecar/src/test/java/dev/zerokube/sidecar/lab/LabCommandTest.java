package dev.zerokube.sidecar.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.NetworkStatus;
import dev.zerokube.overlay.node.sim.SimIdentities;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/*
 * Goal: `zerokube lab` brings up a root, the real controller and N nodes on 127.0.0.1, and every
 * node exchanges traffic with every other across the overlay, on direct paths; --seconds ends it
 * with exit 0 and it leaves nothing behind (temporary homes, namespaces). With --netns (root only,
 * skipped otherwise) each node has a real TAP in its own namespace and a person's `ip netns exec
 * zk-lab-1 ping` reaches node 2. Method: the command in-process with pre-made identities (no proof
 * of work), asserting on the lab's model (Lab.Snapshot), not only on the printed table; the netns
 * variant drives Lab directly, runs iproute2's ping, and removes any zk-lab-* namespace in finally.
 */
@Timeout(120)
class LabCommandTest {
    static List<Identity> identities(int nodes) {
        return IntStream.range(0, nodes + 2).mapToObj(SimIdentities::get).toList();
    }

    @Test
    void threeNodesExchangeTrafficOnDirectPathsAndTheLabCleansUp() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        LabCommand command = new LabCommand(LabCommandTest::identities);
        long start = System.nanoTime();
        int code = command.run(List.of("--nodes", "3", "--seconds", "6"), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, printed + err.toString(StandardCharsets.UTF_8));
        Lab.Snapshot s = command.lastSnapshot();
        assertNotNull(s);
        assertEquals(3, s.nodes().size());
        assertEquals(6, s.pairs().size(), "every ordered pair");
        for (Lab.NodeView n : s.nodes()) {
            assertEquals(NetworkStatus.Status.OK, n.status(), n.toString());
            assertEquals(Lab.IPV4_PREFIX + n.index(), n.ip());
            assertTrue(n.udpBytesIn() > 0 && n.udpBytesOut() > 0, n.toString());
        }
        for (Lab.PairView p : s.pairs()) {
            assertEquals(Lab.PathKind.DIRECT, p.path(), "pair " + p);
            assertEquals("127.0.0.1", p.via().ipString(), "the underlay is loopback only: " + p);
            assertTrue(p.bytesOut() > 0 && p.bytesIn() > 0, "bytes both ways: " + p);
            assertTrue(p.probesAnswered() > 0 && p.lastRttNanos() > 0, "answered probes: " + p);
        }
        assertTrue(printed.contains("zerokube lab: OK, every pair of the 3 nodes exchanged traffic (6 directions, 6 on a direct path)"),
                printed);
        assertTrue(printed.contains(" direct "), printed);
        assertNotNull(command.lastDir());
        assertFalse(Files.exists(command.lastDir()), "temporary homes deleted: " + command.lastDir());
        System.out.println("LabCommandTest: 3-node lab ran in " + (System.nanoTime() - start) / 1_000_000 + " ms; last table:\n"
                + LabCommand.table(s, List.of()));
    }

    @Test
    void netnsNodesGetRealTapsThatAPersonCanPingAcross() throws Exception {
        var why = LabNamespaces.unavailable();
        Assumptions.assumeTrue(why.isEmpty(), () -> "skipped: " + why.orElse("") + " (CI runs this as root)");
        List<String> log = new CopyOnWriteArrayList<>();
        try {
            // A namespace left by a lab that died is removed at the next start.
            LabNamespaces.run(List.of("ip", "netns", "add", LabNamespaces.PREFIX + "9"));
            try (Lab lab = Lab.start(new Lab.Options(2, true, identities(2), log::add))) {
                assertEquals(List.of("zk-lab-1", "zk-lab-2"), lab.namespaceNames());
                assertFalse(LabNamespaces.list().contains("zk-lab-9"), "stale namespace removed");
                Lab.Snapshot s = null;
                for (int round = 0; round < 15; round++) {
                    lab.probe();
                    Thread.sleep(1_000);
                    s = lab.snapshot();
                    if (s.silentPairs().isEmpty() && s.directPairs() == s.pairs().size()) {
                        break;
                    }
                }
                assertNotNull(s);
                assertTrue(s.silentPairs().isEmpty(), "every pair exchanged UDP through the TAPs: " + s.pairs() + "\n" + log);
                assertEquals(s.pairs().size(), s.directPairs(), s.pairs().toString());
                String addr = LabNamespaces.run(List.of("ip", "-n", "zk-lab-2", "-4", "addr"));
                assertTrue(addr.contains(Lab.IPV4_PREFIX + "2/24"), addr);
                String ping = LabNamespaces.run(List.of("ip", "netns", "exec", "zk-lab-1", "ping", "-c", "2", "-W", "3",
                        Lab.IPV4_PREFIX + "2"));
                assertTrue(ping.contains("2 received"), ping);
                assertTrue(LabCommand.table(s, lab.namespaceNames()).contains("ip netns exec zk-lab-1 ping 10.147.17.2"));
                System.out.println("LabCommandTest: netns lab\n" + LabCommand.table(s, lab.namespaceNames()) + ping);
            }
            assertTrue(LabNamespaces.list().stream().noneMatch(n -> n.startsWith(LabNamespaces.PREFIX)),
                    "namespaces removed at exit: " + LabNamespaces.list());
        } finally {
            for (String n : LabNamespaces.list()) {
                if (n.startsWith(LabNamespaces.PREFIX)) {
                    LabNamespaces.run(List.of("ip", "netns", "del", n));
                }
            }
        }
    }

    @Test
    void badArgumentsAreRefusedWithUsage() {
        assertEquals(3, LabCommand.parse(List.of()).nodes());
        assertEquals(new LabCommand.Options(5, true, 10), LabCommand.parse(List.of("--nodes", "5", "--netns", "--seconds", "10")));
        assertThrows(IllegalArgumentException.class, () -> LabCommand.parse(List.of("--nodes", "1")));
        assertThrows(IllegalArgumentException.class, () -> LabCommand.parse(List.of("--nodes")));
        assertThrows(IllegalArgumentException.class, () -> LabCommand.parse(List.of("--seconds", "x")));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(1, new LabCommand().run(List.of("--frobnicate"), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown argument --frobnicate"), err.toString());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage: zerokube lab"), err.toString());
    }
}
