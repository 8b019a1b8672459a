package dev.zerokube.overlay.runtime.udp;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.zerokube.overlay.runtime.sys.LazyMemory;
import dev.zerokube.overlay.runtime.sys.Libc;
import dev.zerokube.overlay.wire.InetEndpoint;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads datagrams with {@code recvmmsg}: up to {@code slots} messages per system call, each into
 * its own native buffer with room for the sender's address and a control message. A message that
 * carries a {@code UDP_GRO} control message is a burst of one sender's datagrams that the kernel
 * merged; it is cut again every segment-size bytes. Each datagram is copied into one reused heap
 * array (the core works on arrays; JCE is fastest on them, DATAPATH.md) and handed over with its
 * sender's endpoint from an {@link EndpointCache}.
 *
 * <p>Allocates nothing per datagram once a sender is known. One thread only (the node's): any
 * number of sockets may share one receiver, since only one is read at a time.
 */
public final class DatagramReceiver {
    /** Where received datagrams go. */
    @FunctionalInterface
    public interface Handler {
        /** One datagram from {@code from}; the bytes are valid only during the call. */
        void datagram(InetEndpoint from, byte[] data, int off, int len);
    }

    /** Room per message for control messages: one {@code UDP_GRO} int needs 20 bytes. */
    static final int CONTROL_BYTES = 64;

    private final int slots;
    private final long slotBytes;
    private final MemorySegment msgs;
    private final MemorySegment controls;
    private final MemorySegment names;
    private final MemorySegment buffers;
    private final MemorySegment callState;
    private final byte[] datagram;
    private final EndpointCache endpoints = new EndpointCache();
    // written by the one reading thread (lazySet: no fence per datagram), read by any
    private final AtomicLong datagrams = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private int lastErrno;

    /**
     * @param arena owns the native buffers (closed by the caller after the last receive)
     * @param slots messages per {@code recvmmsg}
     * @param slotBytes bytes per message: 64 KiB where UDP GRO is on (a merged burst must fit),
     *     else the longest datagram expected
     * @param datagramBytesMax longer datagrams (after cutting bursts) are counted as dropped
     */
    public DatagramReceiver(Arena arena, int slots, int slotBytes, int datagramBytesMax) {
        if (slots < 1 || slotBytes < 1 || datagramBytesMax < 1) {
            throw new IllegalArgumentException("slots, slotBytes and datagramBytesMax must be positive");
        }
        this.slots = slots;
        this.slotBytes = slotBytes;
        this.msgs = arena.allocate(MsgHdr.MMSGHDR_BYTES * slots, 8);
        MemorySegment iovs = arena.allocate(MsgHdr.IOVEC_BYTES * slots, 8);
        this.names = arena.allocate((long) SockAddr.BYTES * slots, 8);
        this.controls = arena.allocate((long) CONTROL_BYTES * slots, 8);
        this.buffers = LazyMemory.allocate(arena, this.slotBytes * slots); // resident only where data came
        this.callState = Libc.newCallState(arena);
        this.datagram = new byte[datagramBytesMax];
        for (int i = 0; i < slots; i++) {
            MsgHdr.link(msgs, i, names.asSlice((long) i * SockAddr.BYTES, SockAddr.BYTES),
                    iovs.asSlice(i * MsgHdr.IOVEC_BYTES, MsgHdr.IOVEC_BYTES),
                    controls.asSlice((long) i * CONTROL_BYTES, CONTROL_BYTES));
            MsgHdr.setIovec(iovs, i, buffers.asSlice(i * this.slotBytes, this.slotBytes), this.slotBytes);
        }
    }

    /**
     * Reads what waits on {@code fd} with one {@code recvmmsg} and hands every datagram to
     * {@code handler}. Returns the number of messages read (a GRO burst is one), 0 when nothing
     * waits, or -1 on an error ({@link #lastErrno}).
     */
    public int receive(int fd, Handler handler) {
        for (int i = 0; i < slots; i++) {
            MsgHdr.setNameLength(msgs, i, SockAddr.BYTES);
            MsgHdr.setControlLength(msgs, i, CONTROL_BYTES);
            MsgHdr.setFlags(msgs, i, 0);
        }
        int n;
        do {
            n = Libc.recvmmsg(callState, fd, msgs, slots, Libc.MSG_DONTWAIT);
        } while (n < 0 && Libc.errno(callState) == Libc.EINTR);
        if (n < 0) {
            int e = Libc.errno(callState);
            if (e == Libc.EAGAIN) {
                return 0;
            }
            lastErrno = e;
            return -1;
        }
        for (int i = 0; i < n; i++) {
            deliver(i, handler);
        }
        return n;
    }

    private void deliver(int i, Handler handler) {
        int length = MsgHdr.messageLength(msgs, i);
        if ((MsgHdr.flags(msgs, i) & MsgHdr.MSG_TRUNC) != 0) {
            dropped.lazySet(dropped.get() + 1);
            return;
        }
        InetEndpoint from = endpoints.endpoint(names, (long) i * SockAddr.BYTES, MsgHdr.nameLength(msgs, i));
        int segment = groSegmentSize(i);
        if (segment <= 0) {
            segment = length;
        }
        long base = i * slotBytes;
        for (int at = 0; at < length; at += segment) {
            int len = Math.min(segment, length - at);
            datagrams.lazySet(datagrams.get() + 1);
            bytes.lazySet(bytes.get() + len);
            if (from == null || len > datagram.length) {
                dropped.lazySet(dropped.get() + 1);
                continue;
            }
            MemorySegment.copy(buffers, JAVA_BYTE, base + at, datagram, 0, len);
            handler.datagram(from, datagram, 0, len);
        }
    }

    /** The segment size of message {@code i}'s {@code UDP_GRO} control message, or 0 without one. */
    private int groSegmentSize(int i) {
        long controlLength = Math.min(MsgHdr.controlLength(msgs, i), CONTROL_BYTES);
        long base = (long) i * CONTROL_BYTES;
        long at = 0;
        while (at + MsgHdr.CMSG_HEADER_BYTES <= controlLength) {
            long len = controls.get(JAVA_LONG, base + at + MsgHdr.CMSG_LENGTH);
            if (len < MsgHdr.CMSG_HEADER_BYTES || at + len > controlLength) {
                return 0;
            }
            if (controls.get(JAVA_INT, base + at + MsgHdr.CMSG_LEVEL) == Libc.SOL_UDP
                    && controls.get(JAVA_INT, base + at + MsgHdr.CMSG_TYPE) == Libc.UDP_GRO
                    && len >= MsgHdr.CMSG_HEADER_BYTES + 4) {
                return controls.get(JAVA_INT_UNALIGNED, base + at + MsgHdr.CMSG_HEADER_BYTES);
            }
            at += MsgHdr.align(len);
        }
        return 0;
    }

    /** Datagrams received (a GRO burst counts each of its datagrams). */
    public long datagrams() {
        return datagrams.get();
    }

    public long bytes() {
        return bytes.get();
    }

    /** Datagrams dropped: truncated, longer than the longest expected, or from an unknown address family. */
    public long dropped() {
        return dropped.get();
    }

    /** The {@code errno} of the last failed receive. */
    public int lastErrno() {
        return lastErrno;
    }
}
