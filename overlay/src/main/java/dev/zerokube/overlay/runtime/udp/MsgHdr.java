package dev.zerokube.overlay.runtime.udp;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;

/**
 * Offsets of {@code struct mmsghdr} (a {@code struct msghdr} and the byte count the kernel
 * returns), {@code struct iovec} and {@code struct cmsghdr} on 64-bit Linux, and the accessors
 * the receiver and sender share. Arrays of them are laid out back to back.
 */
final class MsgHdr {
    static final long MMSGHDR_BYTES = 64;
    static final long NAME = 0;
    static final long NAME_LENGTH = 8;
    static final long IOV = 16;
    static final long IOV_LENGTH = 24;
    static final long CONTROL = 32;
    static final long CONTROL_LENGTH = 40;
    static final long FLAGS = 48;
    static final long MSG_LENGTH = 56;

    static final long IOVEC_BYTES = 16;
    static final long IOVEC_BASE = 0;
    static final long IOVEC_LENGTH = 8;

    static final long CMSG_HEADER_BYTES = 16;
    static final long CMSG_LENGTH = 0;
    static final long CMSG_LEVEL = 8;
    static final long CMSG_TYPE = 12;

    /** {@code msg_flags} after a receive: the datagram was longer than the buffer. */
    static final int MSG_TRUNC = 0x20;

    private MsgHdr() {
    }

    /** Points message {@code i} of {@code msgs} at its name, single iovec and control buffer. */
    static void link(MemorySegment msgs, long i, MemorySegment name, MemorySegment iov, MemorySegment control) {
        long m = i * MMSGHDR_BYTES;
        msgs.set(ADDRESS, m + NAME, name);
        msgs.set(ADDRESS, m + IOV, iov);
        msgs.set(JAVA_LONG, m + IOV_LENGTH, 1L);
        msgs.set(ADDRESS, m + CONTROL, control);
    }

    static void setIovec(MemorySegment iovs, long i, MemorySegment base, long length) {
        iovs.set(ADDRESS, i * IOVEC_BYTES + IOVEC_BASE, base);
        iovs.set(JAVA_LONG, i * IOVEC_BYTES + IOVEC_LENGTH, length);
    }

    static void setIovecLength(MemorySegment iovs, long i, long length) {
        iovs.set(JAVA_LONG, i * IOVEC_BYTES + IOVEC_LENGTH, length);
    }

    static void setNameLength(MemorySegment msgs, long i, int length) {
        msgs.set(JAVA_INT, i * MMSGHDR_BYTES + NAME_LENGTH, length);
    }

    static int nameLength(MemorySegment msgs, long i) {
        return msgs.get(JAVA_INT, i * MMSGHDR_BYTES + NAME_LENGTH);
    }

    static void setControlLength(MemorySegment msgs, long i, long length) {
        msgs.set(JAVA_LONG, i * MMSGHDR_BYTES + CONTROL_LENGTH, length);
    }

    static long controlLength(MemorySegment msgs, long i) {
        return msgs.get(JAVA_LONG, i * MMSGHDR_BYTES + CONTROL_LENGTH);
    }

    static void setFlags(MemorySegment msgs, long i, int flags) {
        msgs.set(JAVA_INT, i * MMSGHDR_BYTES + FLAGS, flags);
    }

    static int flags(MemorySegment msgs, long i) {
        return msgs.get(JAVA_INT, i * MMSGHDR_BYTES + FLAGS);
    }

    static int messageLength(MemorySegment msgs, long i) {
        return msgs.get(JAVA_INT, i * MMSGHDR_BYTES + MSG_LENGTH);
    }

    /** {@code CMSG_ALIGN}: control messages start at multiples of 8 bytes. */
    static long align(long n) {
        return (n + 7) & ~7L;
    }
}
