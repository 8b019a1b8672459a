package dev.zerokube.overlay.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.zerokube.overlay.node.NetworkStatus;
import dev.zerokube.overlay.runtime.port.NetNs;
import dev.zerokube.overlay.runtime.port.TestNamespace;
import dev.zerokube.overlay.runtime.port.VirtualPort;
import dev.zerokube.overlay.wire.InetEndpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/*
 * Goal: with real TAPs, two nodes' joined network carries the kernel's own traffic: each node's
 * TAP (named as zerotier-one names it) is made inside its own network namespace, configured from
 * the controller's config (address from the pool, MTU, MAC, route), and ping from one namespace
 * to the other's assigned address is answered across the overlay, each TAP read by its node's
 * event loop where the transport is epoll. Method: OverlayRig on
 * 127.0.0.1 (root, controller node, two member NodeServices in the host namespace) with a
 * PortFactory that opens each TAP inside a throwaway namespace zk-pw-* (NetNs), deleted in
 * finally; iproute2 and ping run inside the namespaces. Skipped with a message unless root.
 */
@Timeout(180)
class NetworkPortsTapTest {
    @Test
    void pingBetweenNamespacesAcrossTheOverlay() throws Exception {
        assumeRoot();
        String tag = "zk-pw-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        String nsA = tag + "-a";
        String nsB = tag + "-b";
        List<String> made = new ArrayList<>();
        try {
            for (String ns : List.of(nsA, nsB)) {
                run("ip", "netns", "add", ns);
                made.add(ns);
                run("ip", "-n", ns, "link", "set", "lo", "up");
            }
            try (OverlayRig rig = new OverlayRig(11);
                    OverlayRig.PortPair pair = rig.ports(rig::member, tapIn(nsA), tapIn(nsB))) {
                NetworkStatus sa = pair.statusA;
                NetworkStatus sb = pair.statusB;
                String dev = LocalApi.deviceName(rig.nwid);
                VirtualPort tapA = pair.portsA.port(rig.nwid).orElseThrow();
                assertEquals(dev, tapA.name());
                String shown = run("ip", "-n", nsA, "addr", "show", "dev", dev);
                InetEndpoint addrA = sa.assignedAddresses().getFirst();
                assertTrue(shown.contains(addrA.toString()), "the namespace shows the assigned address " + addrA + ": " + shown);
                assertTrue(shown.contains("mtu " + sa.config().orElseThrow().mtu()), shown);
                assertTrue(shown.toLowerCase(java.util.Locale.ROOT).contains(sa.mac().toString()), shown);

                String target = sb.assignedAddresses().getFirst().toInetAddress().getHostAddress();
                boolean answered = false;
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (!answered && System.nanoTime() < deadline) {
                    answered = TestNamespace.exitCode("ip", "netns", "exec", nsA, "ping", "-c", "1", "-W", "1", target) == 0;
                }
                assertTrue(answered, "a first ping from " + nsA + " to " + target + " answered within 30 s; " + pair.log
                        + "; A " + tapA.counters() + "; B " + pair.portsB.port(rig.nwid).orElseThrow().counters());
                if (Loops.epollAvailable()) {
                    assertTrue(pair.log.stream().filter(l -> l.contains("event=port_opened"))
                            .allMatch(l -> l.contains("read_on=node_loop")), "each TAP read by its node's loop: " + pair.log);
                }
                String out = run("ip", "netns", "exec", nsA, "ping", "-c", "5", "-i", "0.2", "-W", "2", target);
                assertTrue(out.contains("5 received"), "then every ping answered: " + out);
                System.out.println("NetworkPortsTapTest: " + out.lines().filter(l -> l.contains("rtt") || l.contains("received"))
                        .toList());
            }
        } finally {
            for (String ns : made) {
                TestNamespace.exitCode("ip", "netns", "del", ns);
            }
        }
    }

    // The node's own factory (DATA_VALID, merged writes), run inside the test's namespace.
    private static PortFactory tapIn(String namespace) {
        Path nsFile = Path.of("/var/run/netns", namespace);
        return id -> NetNs.call(nsFile, () -> PortFactory.tap().open(id));
    }

    private static void assumeRoot() {
        TestNamespace.assumeRoot();
        assumeTrue(TestNamespace.exitCode("ping", "-V") == 0, "skipped: ping is not installed");
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }
}
