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
 * watch is closed; a polled port whose reads fail is dropped from the watch at once (its descriptor
 * stays readable, so watching it further would spin the loop); on NIO there is no watch (the
 * caller reads on its own thread). Method: a pipe from Netty's unix helpers as the descriptor;
 * bounded waits.
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
    void aPolledPortThatFailsIsNoLongerWatched() throws Exception {
        try (Loops loops = Loops.create(1);
                NodeService service = NodeService.start(SimIdentities.get(1), config(), NodeService.Options.loopback(), loops)) {
            assumeTrue(service.isEpoll(), "skipped: no epoll transport here");
            FileDescriptor[] pipe = FileDescriptor.pipe();
            try {
                // a port whose descriptor stays readable (nothing is ever read from the pipe) and
                // whose reads fail from the first: as a TAP whose device went away
                AtomicInteger reads = new AtomicInteger();
                java.io.IOException broken = new java.io.IOException("read from TAP zt0: No such device");
                FailingPort port = new FailingPort(pipe[0].intValue(), reads, broken);
                List<java.io.IOException> failures = new CopyOnWriteArrayList<>();
                NodeService.ReadableWatch watch = PolledPortReader.start(dev.zerokube.overlay.wire.NetworkId.parse("8056c2e21c000001"),
                        port, service, failures::add);
                write(pipe[1], 1);
                assertTrue(LoopbackRig.await(5_000, () -> !failures.isEmpty()) >= 0, "the failure was reported");
                Thread.sleep(300);
                service.call(n -> null).get();
                int after = reads.get();
                Thread.sleep(300);
                service.call(n -> null).get();
                assertEquals(after, reads.get(), "no more reads once failed (the loop would spin on the readable pipe)");
                assertTrue(after <= 3, "stopped at once: " + after + " reads");
                assertEquals(List.of(broken), failures, "reported once");
                watch.close(); // idempotent after the reader dropped it
            } finally {
                pipe[0].close();
                pipe[1].close();
            }
        }
    }

    /** A polled port over a pipe whose every read fails. */
    private static final class FailingPort implements dev.zerokube.overlay.runtime.port.PolledPort {
        private final int fd;
        private final AtomicInteger reads;
        private final java.io.IOException failure;
        private volatile boolean failed;

        FailingPort(int fd, AtomicInteger reads, java.io.IOException failure) {
            this.fd = fd;
            this.reads = reads;
            this.failure = failure;
        }

        @Override
        public int startPolled(dev.zerokube.overlay.runtime.port.FrameConsumer consumer) {
            return fd;
        }

        @Override
        public boolean readReady(int maxReads) {
            reads.incrementAndGet();
            failed = true;
            return false;
        }

        @Override
        public java.io.IOException readFailure() {
            return failed ? failure : null;
        }

        @Override
        public String name() {
            return "failing";
        }

        @Override
        public void start(dev.zerokube.overlay.runtime.port.FrameConsumer consumer) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean write(byte[] frame, int off, int len) {
            return false;
        }

        @Override
        public void configure(dev.zerokube.overlay.runtime.port.PortConfig config) {
        }

        @Override
        public dev.zerokube.overlay.runtime.port.PortConfig config() {
            return null;
        }

        @Override
        public dev.zerokube.overlay.runtime.port.PortCounters counters() {
            return new dev.zerokube.overlay.runtime.port.PortCounters(0, 0, 0, 0, 0, 0, 0);
        }

        @Override
        public void close() {
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
