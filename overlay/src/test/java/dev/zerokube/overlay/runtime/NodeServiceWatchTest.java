package dev.zerokube.overlay.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.zerokube.overlay.node.NodeConfig;
import dev.zerokube.overlay.node.sim.SimIdentities;
import dev.zerokube.overlay.testing.LoopbackRig;
import io.netty.channel.unix.FileDescriptor;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/*
 * Goal: NodeService.watchReadable calls back on the node's own thread whenever a foreign
 * descriptor is readable, again while data stays unread (level-triggered), and never after its
 * watch is closed; on NIO there is no watch (the caller reads on its own thread). Method: a pipe
 * from Netty's unix helpers as the descriptor; bounded waits.
 */
class NodeServiceWatchTest {
    @Test
    void aReadableDescriptorIsReadOnTheNodesThreadUntilTheWatchCloses() throws Exception {
        try (Loops loops = Loops.create(1);
                NodeService service = NodeService.start(SimIdentities.get(1), config(), NodeService.Options.loopback(), loops)) {
            assumeTrue(service.isEpoll(), "skipped: no epoll transport here");
            FileDescriptor[] pipe = FileDescriptor.pipe();
            try {
                Thread nodeThread = service.call(n -> Thread.currentThread()).get();
                List<Thread> callers = new CopyOnWriteArrayList<>();
                AtomicInteger calls = new AtomicInteger();
                ByteBuffer sink = ByteBuffer.allocateDirect(16);
                AtomicInteger bytesRead = new AtomicInteger();
                NodeService.ReadableWatch watch = service.watchReadable(pipe[0].intValue(), node -> {
                    callers.add(Thread.currentThread());
                    calls.incrementAndGet();
                    try {
                        // one byte per call: what is left must bring the next call
                        bytesRead.addAndGet(pipe[0].read(sink, 0, 1));
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }).orElseThrow();
                write(pipe[1], 3);
                assertTrue(LoopbackRig.await(5_000, () -> bytesRead.get() == 3) >= 0, "three calls read three bytes: " + bytesRead);
                assertTrue(callers.stream().allMatch(t -> t == nodeThread), "on the node's thread: " + callers);
                watch.close();
                int before = calls.get();
                write(pipe[1], 1);
                Thread.sleep(300);
                service.call(n -> null).get(); // the loop has run since
                assertEquals(before, calls.get(), "no call after the watch closed");
            } finally {
                pipe[0].close();
                pipe[1].close();
            }
        }
    }

    @Test
    void nioOffersNoWatch() throws Exception {
        try (Loops loops = Loops.create(1, false);
                NodeService service = NodeService.start(SimIdentities.get(1), config(), NodeService.Options.loopback(), loops)) {
            assertTrue(service.watchReadable(0, node -> { }).isEmpty());
        }
    }

    private static NodeConfig config() {
        return NodeConfig.of(LoopbackRig.planet(SimIdentities.get(0), LoopbackRig.freeUdpPort(), 1));
    }

    private static void write(FileDescriptor fd, int bytes) throws java.io.IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(bytes);
        fd.write(b, 0, bytes);
    }
}
