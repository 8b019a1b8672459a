package dev.zerokube.overlay.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.zerokube.overlay.node.NetworkStatus;
import dev.zerokube.overlay.runtime.port.NetNs;
import dev.zerokube.overlay.runtime.port.UserspacePort;
import dev.zerokube.overlay.testing.Frames;
import dev.zerokube.overlay.testing.LoopbackRig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/*
 * Goal: when the kernel refuses a UDP GSO send, nothing is lost: the datagrams go one by one and
 * GSO stays off. The kernel refuses one whose segments do not fit the route's MTU (EINVAL), as on
 * an underlay with a smaller MTU than 1427 + 28 bytes (tunnels, some CNIs), where the plain sends
 * get IP-fragmented instead. Method: the whole OverlayRig (root, controller node, two members with
 * userspace ports) in a throwaway namespace zk-gso-* whose loopback has MTU 1400; a burst of
 * MTU-sized frames from A must come out of B's port byte for byte and in order, with no GSO send
 * taken. Skipped with a message unless root.
 */
@Timeout(120)
class GsoFallbackNetnsTest {
    @Test
    void aBurstCrossesWhenTheKernelRefusesGso() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")) && exit("ip", "netns", "list") == 0,
                "needs root and iproute2 (network namespaces): skipped");
        String ns = "zk-gso-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        try {
            assertEquals(0, exit("ip", "netns", "add", ns));
            assertEquals(0, exit("ip", "-n", ns, "link", "set", "lo", "mtu", "1400", "up"));
            Path nsFile = Path.of("/var/run/netns", ns);
            List<String> log = new CopyOnWriteArrayList<>();
            try (OverlayRig rig = NetNs.call(nsFile, () -> new OverlayRig(17));
                    NodeService a = NetNs.call(nsFile, () -> rig.member(2));
                    NodeService b = NetNs.call(nsFile, () -> rig.member(3));
                    NetworkPorts portsA = NetworkPorts.attach(a, PortFactory.userspace(), log::add);
                    NetworkPorts portsB = NetworkPorts.attach(b, PortFactory.userspace(), log::add)) {
                rig.authorize(a);
                rig.authorize(b);
                rig.join(a);
                rig.join(b);
                assertTrue(LoopbackRig.await(30_000, () -> rig.ok(a) && rig.ok(b)) >= 0, "both members configured");
                assertTrue(LoopbackRig.await(10_000, () -> portsA.port(rig.nwid).isPresent() && portsB.port(rig.nwid).isPresent()
                        && portsA.port(rig.nwid).get().config() != null && portsB.port(rig.nwid).get().config() != null) >= 0,
                        "ports configured: " + log);
                NetworkStatus sa = rig.status(a).orElseThrow();
                NetworkStatus sb = rig.status(b).orElseThrow();
                UserspacePort pa = (UserspacePort) portsA.port(rig.nwid).orElseThrow();
                UserspacePort pb = (UserspacePort) portsB.port(rig.nwid).orElseThrow();
                long macA = sa.mac().value();
                long macB = sb.mac().value();
                int mtu = sa.config().orElseThrow().mtu();
                SplittableRandom random = new SplittableRandom(17);
                // until the paths and the peer are known, the first frames may go nowhere: send
                // bursts until one comes out whole, then check that one completely
                boolean crossed = false;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!crossed && System.nanoTime() < deadline) {
                    List<byte[]> burst = new ArrayList<>();
                    for (int i = 0; i < 40; i++) {
                        byte[] payload = new byte[mtu];
                        random.nextBytes(payload);
                        burst.add(Frames.ethernet(macB, macA, NetworkPortsTest.IPV4, payload));
                    }
                    while (pb.receiveToHost(0) != null) {
                        // drop what an earlier burst left
                    }
                    boolean taken = true;
                    for (byte[] f : burst) {
                        taken &= pa.sendFromHost(f, 0, f.length);
                    }
                    if (!taken) { // the port was still being set up (seen once): try again
                        Thread.sleep(100);
                        continue;
                    }
                    byte[] first = pb.receiveToHost(2_000);
                    if (first == null) {
                        continue;
                    }
                    int at = 0;
                    while (at < burst.size() && !java.util.Arrays.equals(burst.get(at), first)) {
                        at++;
                    }
                    if (at != 0) {
                        continue; // a burst sent before the path was up, partly delivered
                    }
                    for (int i = 1; i < burst.size(); i++) {
                        byte[] got = pb.receiveToHost(10_000);
                        assertNotNull(got, "frame " + i + " of the burst came out of B's port; A " + a.traffic());
                        assertArrayEquals(burst.get(i), got, "frame " + i + " byte for byte, in order");
                    }
                    crossed = true;
                }
                assertTrue(crossed, "a whole burst of " + mtu + "-byte frames crossed within 30 s; A " + a.traffic());
                NodeService.Traffic t = a.traffic();
                System.out.println("GsoFallbackNetnsTest: loopback MTU 1400, A " + t);
                assertEquals(0, t.gsoSends(), "the kernel took no GSO send of 1427-byte segments at MTU 1400");
            }
        } finally {
            exit("ip", "netns", "del", ns);
        }
    }

    private static int exit(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }
}
