package dev.zerokube.overlay.runtime.port;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link VirtualPort} in memory, for tests and the lab: no TAP, no privileges. The "host" side
 * is this object's {@link #sendFromHost} and {@link #receiveToHost} methods.
 *
 * <p>Both directions are bounded queues of {@link #queueFramesMax} frames; a full queue drops the
 * frame and counts it, as a real interface's queue would. Each queued frame is a copy (this port
 * is not on the measured data path). Frames from the host reach the consumer either on the port's
 * thread after {@link #start}, or on the caller's thread through {@link #pump} for deterministic
 * tests that never call {@code start}.
 */
public final class UserspacePort implements VirtualPort {
    private final String name;
    private final int queueFramesMax;
    private final BlockingQueue<byte[]> fromHost;
    private final BlockingQueue<byte[]> toHost;
    private final AtomicLong framesFromHost = new AtomicLong();
    private final AtomicLong bytesFromHost = new AtomicLong();
    private final AtomicLong framesFromHostDropped = new AtomicLong();
    private final AtomicLong framesToHost = new AtomicLong();
    private final AtomicLong bytesToHost = new AtomicLong();
    private final AtomicLong framesToHostDropped = new AtomicLong();
    private volatile PortConfig config;
    private volatile boolean closed;
    private Thread thread;

    /**
     * @param name a name for logs and metrics
     * @param queueFramesMax capacity of each direction's queue, in frames
     */
    public UserspacePort(String name, int queueFramesMax) {
        this.name = Objects.requireNonNull(name, "name");
        if (queueFramesMax < 1) {
            throw new IllegalArgumentException("queueFramesMax must be positive: " + queueFramesMax);
        }
        this.queueFramesMax = queueFramesMax;
        this.fromHost = new ArrayBlockingQueue<>(queueFramesMax);
        this.toHost = new ArrayBlockingQueue<>(queueFramesMax);
    }

    @Override
    public String name() {
        return name;
    }

    public int queueFramesMax() {
        return queueFramesMax;
    }

    @Override
    public synchronized void start(FrameConsumer consumer) {
        Objects.requireNonNull(consumer, "consumer");
        if (thread != null) {
            throw new IllegalStateException("port " + name + " already started");
        }
        if (closed) {
            throw new IllegalStateException("port " + name + " is closed");
        }
        thread = Thread.ofPlatform().daemon().name("zk-port-" + name).start(() -> {
            try {
                while (!closed) {
                    byte[] frame = fromHost.poll(100, TimeUnit.MILLISECONDS);
                    if (frame != null) {
                        hand(consumer, frame);
                        if (fromHost.isEmpty()) {
                            consumer.onBatchEnd();
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /**
     * Hands every queued frame from the host to {@code consumer} on the calling thread (for ports
     * that were not started).
     *
     * @return frames handed over
     */
    public int pump(FrameConsumer consumer) {
        synchronized (this) {
            if (thread != null) {
                throw new IllegalStateException("port " + name + " runs its own thread; pump is for unstarted ports");
            }
        }
        int n = 0;
        for (byte[] frame; (frame = fromHost.poll()) != null; n++) {
            hand(consumer, frame);
        }
        if (n > 0) {
            consumer.onBatchEnd();
        }
        return n;
    }

    private void hand(FrameConsumer consumer, byte[] frame) {
        framesFromHost.incrementAndGet();
        bytesFromHost.addAndGet(frame.length);
        consumer.onFrame(frame, 0, frame.length);
    }

    /**
     * The host's stack sends a frame into the port (towards the node).
     *
     * @return false if the frame is shorter than an Ethernet header, longer than MTU + 14, the
     *     queue is full or the port closed (counted as dropped)
     */
    public boolean sendFromHost(byte[] frame, int off, int len) {
        Objects.checkFromIndexSize(off, len, frame.length);
        if (closed || !fits(len) || !fromHost.offer(Arrays.copyOfRange(frame, off, off + len))) {
            framesFromHostDropped.incrementAndGet();
            return false;
        }
        return true;
    }

    /** The next frame the node wrote to the host, waiting up to {@code timeoutMs}; null if none. */
    public byte[] receiveToHost(long timeoutMs) throws InterruptedException {
        return toHost.poll(timeoutMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean write(byte[] frame, int off, int len) {
        Objects.checkFromIndexSize(off, len, frame.length);
        if (closed || !fits(len) || !toHost.offer(Arrays.copyOfRange(frame, off, off + len))) {
            framesToHostDropped.incrementAndGet();
            return false;
        }
        framesToHost.incrementAndGet();
        bytesToHost.addAndGet(len);
        return true;
    }

    private boolean fits(int len) {
        PortConfig c = config;
        int max = (c == null ? dev.zerokube.overlay.wire.netconf.NetworkConfig.MTU_MAX : c.mtu()) + TsoSegmenter.ETH_HEADER;
        return len >= TsoSegmenter.ETH_HEADER && len <= max;
    }

    @Override
    public void configure(PortConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    public PortConfig config() {
        return config;
    }

    @Override
    public PortCounters counters() {
        return new PortCounters(framesFromHost.get(), bytesFromHost.get(), 0, framesFromHostDropped.get(),
                framesToHost.get(), bytesToHost.get(), framesToHostDropped.get());
    }

    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            t = thread;
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        fromHost.clear();
    }
}
