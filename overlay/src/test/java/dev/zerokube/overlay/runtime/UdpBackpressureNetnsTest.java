package dev.zerokube.overlay.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.zerokube.overlay.runtime.port.NetNs;
import dev.zerokube.overlay.runtime.port.TestNamespace;
import dev.zerokube.overlay.runtime.port.UserspacePort;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/*
 * Goal: when the underlay is slower than the node and its UDP socket's buffer fills, the node's
 * thread does not block or spin, the queued sends wait for the socket's writable event, and once
 * the underlay has caught up traffic flows again: a later burst crosses whole and in order. (Were
 * the writable event never asked for, the socket's queue would stay blocked and nothing would
 * leave again.) Method: the OverlayRig (root, controller node, two members with userspace ports)
 * in a throwaway namespace zk-bp-* whose loopback is slowed to 100 Mbit/s by a token bucket (tc
 * tbf), frames pushed into A's port as fast as it takes them until A reports a full socket
 * buffer, then a pause and a 40-frame burst checked byte for byte. Skipped with a message unless
 * root with tc and sch_tbf.
 */
@Timeout(180)
class UdpBackpressureNetnsTest {
    @Test
    void aFullSocketBufferWaitsForWritableAndTrafficFlowsAgain() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")) && TestNamespace.exitCode("ip", "netns", "list") == 0,
                "needs root and iproute2 (network namespaces): skipped");
        assumeTrue(Loops.epollAvailable(), "needs the epoll transport (FFM sockets): skipped");
        String ns = "zk-bp-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        try {
            assertEquals(0, TestNamespace.exitCode("ip", "netns", "add", ns));
            assertEquals(0, TestNamespace.exitCode("ip", "-n", ns, "link", "set", "lo", "up"));
            assumeTrue(TestNamespace.exitCode("tc", "-n", ns, "qdisc", "add", "dev", "lo", "root", "tbf", "rate", "100mbit", "burst", "64kb",
                    "limit", "256mb") == 0, "needs tc and the tbf qdisc: skipped");
            Path nsFile = Path.of("/var/run/netns", ns);
            try (OverlayRig rig = NetNs.call(nsFile, () -> new OverlayRig(23));
                    OverlayRig.PortPair pair = rig.ports(i -> NetNs.call(nsFile, () -> rig.member(i)),
                            PortFactory.userspace(), PortFactory.userspace())) {
                UserspacePort pa = pair.userspaceA();
                UserspacePort pb = pair.userspaceB();
                SplittableRandom random = new SplittableRandom(23);
                assertTrue(crossesWhole(pair, random, 30), "before the flood, a burst crosses; A " + pair.a.traffic());

                long waitsBefore = pair.a.traffic().sendWaits();
                List<byte[]> flood = pair.burst(random, 64);
                long frames = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (pair.a.traffic().sendWaits() == waitsBefore && System.nanoTime() < deadline) {
                    byte[] f = flood.get((int) (frames % flood.size()));
                    if (pa.sendFromHost(f, 0, f.length)) {
                        frames++;
                    } else {
                        Thread.onSpinWait();
                    }
                    if ((frames & 0xff) == 0) {
                        while (pb.receiveToHost(0) != null) {
                            // B's port is not what this test reads: keep it from filling
                        }
                    }
                }
                NodeService.Traffic flooded = pair.a.traffic();
                assertTrue(flooded.sendWaits() > waitsBefore, "A's socket buffer filled within 60 s (" + frames
                        + " frames pushed): " + flooded);
                System.out.println("UdpBackpressureNetnsTest: socket buffer full after " + frames + " frames; A " + flooded);

                assertTrue(crossesWhole(pair, random, 60), "after the flood, a burst crosses again; A " + pair.a.traffic());
                assertTrue(pair.a.call(n -> true).get(5, TimeUnit.SECONDS), "A's thread still answers");
            }
        } finally {
            TestNamespace.exitCode("ip", "netns", "del", ns);
        }
    }

    /** Sends 40-frame bursts until one comes out of B's port whole and in order (or the time is up). */
    private static boolean crossesWhole(OverlayRig.PortPair pair, SplittableRandom random, int seconds) throws Exception {
        UserspacePort pa = pair.userspaceA();
        UserspacePort pb = pair.userspaceB();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            List<byte[]> burst = pair.burst(random, 40);
            while (pb.receiveToHost(0) != null) {
                // drop what came before
            }
            boolean taken = true;
            for (byte[] f : burst) {
                taken &= pa.sendFromHost(f, 0, f.length);
            }
            if (!taken) {
                Thread.sleep(100);
                continue;
            }
            byte[] first;
            while ((first = pb.receiveToHost(2_000)) != null && !java.util.Arrays.equals(burst.getFirst(), first)) {
                // the tail of the flood, still draining through the slow loopback
            }
            if (first == null) {
                continue;
            }
            pair.assertArrivesInOrder(burst, 1);
            return true;
        }
        return false;
    }
}
