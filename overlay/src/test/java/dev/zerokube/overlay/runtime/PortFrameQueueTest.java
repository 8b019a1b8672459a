package dev.zerokube.overlay.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.FrameDropReason;
import dev.zerokube.overlay.node.NodeConfig;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import dev.zerokube.overlay.node.sim.SimIdentities;
import dev.zerokube.overlay.testing.LoopbackRig;
import dev.zerokube.overlay.wire.NetworkId;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/*
 * Goal: the hand-off from a port's read thread to the node's loop carries every frame, in order
 * of arrival, with back-pressure instead of loss when the ring is full, and allocates nothing per
 * frame on either thread (only per drain task); its slots are made as frames need them, at the
 * default MTU's size, and grow only for a bigger frame. Method: a real NodeService joined to a network
 * it has no config for (so Node.onFrame counts each frame as dropped, which also counts what
 * arrived); 200 000 frames pushed from the test thread as a port's thread would; allocation of
 * both threads read from the JVM's per-thread counters, averaged over the frames.
 */
@Timeout(60)
class PortFrameQueueTest {
    private static final int FRAMES = 200_000;

    @Test
    void everyFrameReachesTheNodeWithoutAllocationPerFrame() throws Exception {
        Identity id = SimIdentities.get(4);
        var planet = LoopbackRig.planet(SimIdentities.get(0), LoopbackRig.freeUdpPort(), 3);
        NetworkId nwid = new NetworkId(0x1d71939404000001L);
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (NodeService s = NodeService.start(id, NodeConfig.of(planet),
                NodeService.Options.loopback().withValidator(SimIdentities.VALIDATOR))) {
            s.call(n -> {
                n.join(nwid, s.nowMs());
                return null;
            }).get();
            long loopThread = s.call(n -> Thread.currentThread().threadId()).get();
            PortFrameQueue q = new PortFrameQueue(nwid, s);
            assertEquals(0, q.slotBytes(), "no slot before a frame needs it");
            byte[] frame = new byte[100];
            Arrays.fill(frame, 0, 6, (byte) 0xff);
            frame[6] = 0x02;
            frame[12] = 0x08;
            long droppedBefore = totalDrops(s);
            for (int i = 0; i < 1_000; i++) { // warm up (JIT, Netty's task queue chunks)
                q.onFrame(frame, 0, frame.length);
            }
            assertTrue(LoopbackRig.await(10_000, () -> q.pending() == 0) >= 0);
            assertEquals((long) PortFrameQueue.SLOTS * PortFrameQueue.FRAME_BYTES_TYPICAL, q.slotBytes(),
                    "small frames: every slot at the default MTU's size, not MTU_MAX");
            byte[] jumbo = Arrays.copyOf(frame, 9014);
            q.onFrame(jumbo, 0, jumbo.length);
            q.onFrame(new byte[NetworkConfig.MTU_MAX + 15], 0, NetworkConfig.MTU_MAX + 15); // too long: dropped
            assertTrue(LoopbackRig.await(10_000, () -> q.pending() == 0) >= 0);
            assertEquals((long) (PortFrameQueue.SLOTS - 1) * PortFrameQueue.FRAME_BYTES_TYPICAL + 9014, q.slotBytes(),
                    "one slot grew for the jumbo frame");
            assertEquals(1, q.framesTooLong());
            long loopBefore = threads.getThreadAllocatedBytes(loopThread);
            long selfBefore = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < FRAMES; i++) {
                q.onFrame(frame, 0, frame.length);
            }
            long selfAfter = threads.getCurrentThreadAllocatedBytes();
            assertTrue(LoopbackRig.await(20_000, () -> q.pending() == 0) >= 0, "drained");
            long loopAfter = threads.getThreadAllocatedBytes(loopThread);
            assertEquals(FRAMES + 1_001, totalDrops(s) - droppedBefore, "every frame reached Node.onFrame");
            double selfPerFrame = (double) (selfAfter - selfBefore) / FRAMES;
            double loopPerFrame = (double) (loopAfter - loopBefore) / FRAMES;
            System.out.printf("PortFrameQueueTest: port thread %.2f B/frame, loop thread %.2f B/frame%n", selfPerFrame,
                    loopPerFrame);
            // a copy or a task per frame would cost at least the frame's 100 bytes or a 16-byte object each
            assertTrue(selfPerFrame < 8, "port thread allocates " + selfPerFrame + " B per frame");
            assertTrue(loopPerFrame < 8, "loop thread allocates " + loopPerFrame + " B per frame");
        }
    }

    private static long totalDrops(NodeService s) {
        return s.call(n -> Arrays.stream(FrameDropReason.values()).mapToLong(n::frameDropCount).sum()).join();
    }
}
