package dev.zerokube.overlay.runtime;

import dev.zerokube.overlay.node.Node;
import dev.zerokube.overlay.runtime.port.FrameConsumer;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Carries frames from a virtual port's read thread to the node's event loop: a single-producer,
 * single-consumer ring of preallocated frame buffers, drained on the loop into
 * {@link Node#onFrame}.
 *
 * <p>Why a ring and not {@link NodeService#execute} per frame: a task per frame would allocate a
 * closure and a copy of the frame each time. Here the read thread copies each frame into the next
 * free slot (the port's buffer is only lent for the call) and schedules one drain task on the
 * loop when none is pending, so the loop gets one task per burst and nothing is allocated per
 * frame. When the ring is full the read thread waits (parks briefly and retries): the TAP's own
 * kernel queue then fills and the host's stack backs off, as it would with a slow NIC, instead of
 * frames being dropped here after they were read.
 */
final class PortFrameQueue implements FrameConsumer {
    /** Slots in the ring; a 64 KiB TSO super-frame is cut into about 45 frames. */
    static final int SLOTS = 256;
    /** Frames handed to the node per drain task before the loop gets to run other work. */
    static final int DRAIN_BATCH_MAX = 64;
    private static final long FULL_WAIT_NANOS = 20_000;
    /** A slot's first size: a frame at ZeroTier's default MTU (2800) with its Ethernet header. */
    static final int FRAME_BYTES_TYPICAL = 2800 + 14;
    private static final int MASK = SLOTS - 1;

    private final NetworkId id;
    private final NodeService service;
    private final byte[][] slots = new byte[SLOTS][];
    private final int[] lengths = new int[SLOTS];
    // head: next slot the loop reads; tail: next slot the port thread fills
    private final AtomicLong head = new AtomicLong();
    private final AtomicLong tail = new AtomicLong();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Consumer<Node> drain = this::drain;
    private volatile boolean closed;
    private volatile long framesTooLong;
    private volatile long framesNotJoined;

    PortFrameQueue(NetworkId id, NodeService service) {
        this.id = id;
        this.service = service;
    }

    /** On the port's read thread. */
    @Override
    public void onFrame(byte[] frame, int off, int len) {
        if (len > NetworkConfig.MTU_MAX + 14) {
            framesTooLong++;
            return;
        }
        long t = tail.get();
        while (t - head.get() >= SLOTS) {
            if (closed) {
                return;
            }
            schedule();
            LockSupport.parkNanos(FULL_WAIT_NANOS);
        }
        int slot = (int) (t & MASK);
        byte[] buffer = slots[slot];
        if (buffer == null || buffer.length < len) {
            // Made on first need, as large as the frames seen: 256 slots of MTU_MAX (2.5 MiB per
            // network) were most of an idle sidecar's live heap; at the default MTU they hold
            // 0.7 MiB once warm, and a slot grows (rarely, never per frame) for a bigger frame.
            // The consumer sees it: the slot is read after the tail's volatile write below.
            buffer = new byte[Math.max(len, FRAME_BYTES_TYPICAL)];
            slots[slot] = buffer;
        }
        System.arraycopy(frame, off, buffer, 0, len);
        lengths[slot] = len;
        tail.set(t + 1);
        schedule();
    }

    private void schedule() {
        if (!drainScheduled.get() && drainScheduled.compareAndSet(false, true) && !closed) {
            service.execute(drain);
        }
    }

    /** On the node's thread: hands queued frames to the node. */
    private void drain(Node node) {
        long h = head.get();
        long t = tail.get();
        long end = Math.min(t, h + DRAIN_BATCH_MAX);
        if (h < end) {
            long nowMs = service.nowMs();
            for (; h < end; h++) {
                int slot = (int) (h & MASK);
                if (!closed) {
                    try {
                        node.onFrame(id, slots[slot], 0, lengths[slot], nowMs);
                    } catch (IllegalArgumentException notJoined) {
                        // left while the port was still open: its frames go nowhere until it closes
                        framesNotJoined++;
                    }
                }
                head.set(h + 1);
            }
        }
        drainScheduled.set(false);
        if (tail.get() != head.get()) {
            schedule();
        }
    }

    /** Frames queued and not yet handed to the node. */
    long pending() {
        return tail.get() - head.get();
    }

    /** Bytes the slots hold (tests: they grow with the frames seen, not to MTU_MAX up front). */
    long slotBytes() {
        long n = 0;
        for (byte[] b : slots) {
            n += b == null ? 0 : b.length;
        }
        return n;
    }

    /** Frames longer than any network's MTU allows (never handed on). */
    long framesTooLong() {
        return framesTooLong;
    }

    /** Frames read after the node had left the network. */
    long framesNotJoined() {
        return framesNotJoined;
    }

    /** Stops handing frames on and releases a read thread waiting for room. */
    void close() {
        closed = true;
    }
}
