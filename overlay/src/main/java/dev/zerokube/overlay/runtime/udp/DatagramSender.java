package dev.zerokube.overlay.runtime.udp;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import dev.zerokube.overlay.runtime.sys.LazyMemory;
import dev.zerokube.overlay.runtime.sys.Libc;
import dev.zerokube.overlay.wire.InetEndpoint;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Queues one input batch's datagrams for one {@link UdpSocket} and sends them with one
 * {@code sendmmsg} at the end of the batch ({@link #flush}). With UDP GSO on, consecutive
 * datagrams to one remote become one message that the kernel cuts every segment-size bytes
 * ({@code UDP_SEGMENT}): every datagram of such a message has the first one's length except the
 * last, which may be shorter (the kernel's rule), at most {@link #SEGMENTS_MAX} of them in at most
 * {@link #GSO_BYTES_MAX} bytes. The node's even fragments make the two datagrams of a full frame
 * equal, so a TSO burst of full frames becomes one message.
 *
 * <p>Where the kernel refuses a GSO message (a segment over the route's MTU: {@code EMSGSIZE},
 * or {@code EINVAL} on older kernels; a device without checksum offload: {@code EIO}), its
 * datagrams are sent one by one and GSO stays off for this sender. Where the socket's buffer is
 * full ({@code EAGAIN}) the unsent messages wait and {@link #flush} says so: the caller watches
 * for writable, says so ({@link #writable}) and flushes again. Meanwhile new datagrams join the
 * queue (a GSO message keeps growing); those that find it full are dropped and counted, as the
 * kernel drops what finds its buffers full; nothing blocks the node's thread.
 *
 * <p>Native memory is made once; queuing copies the datagram and allocates nothing. The node's
 * thread only.
 */
public final class DatagramSender {
    /** Segments per GSO message: the kernel's {@code UDP_MAX_SEGMENTS} on every kernel with GSO (newer ones take 128). */
    public static final int SEGMENTS_MAX = 64;
    /** Bytes per GSO message: below the 65,507-byte UDP payload limit of IPv4. */
    public static final int GSO_BYTES_MAX = 65_000;
    /** {@code CMSG_SPACE(sizeof(uint16_t))}: one {@code UDP_SEGMENT} control message. */
    private static final long CONTROL_BYTES = 24;
    private static final long CONTROL_LENGTH = MsgHdr.CMSG_HEADER_BYTES + 2;

    private final UdpSocket socket;
    private final int messagesMax;
    private final long bufferBytes;
    private final MemorySegment msgs;
    private final MemorySegment iovs;
    private final MemorySegment names;
    private final MemorySegment controls;
    private final MemorySegment buffer;
    private final long bufferAddress;
    private final MemorySegment callState;
    /** Datagrams in each queued message (1: a plain datagram). */
    private final int[] segments;
    /** Segment size of each queued message. */
    private final int[] segmentSize;

    // the queue: messages [sent, count) wait; the last one is open for more segments unless closed
    private int count;
    private int sent;
    private long used;
    private InetEndpoint openRemote;
    private boolean openEnded;
    private boolean gso;
    private boolean blocked;
    private int lastErrno;

    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong gsoSends = new AtomicLong();
    private final AtomicLong gsoDatagrams = new AtomicLong();
    private final AtomicLong gsoRefusals = new AtomicLong();
    private final AtomicLong waits = new AtomicLong();

    /**
     * @param arena owns the native queue (closed by the caller after the socket)
     * @param messagesMax messages per {@code sendmmsg}
     * @param bufferBytes bytes the queued datagrams may take (at least {@link #GSO_BYTES_MAX})
     * @param gso whether consecutive datagrams to one remote are gathered into GSO messages
     */
    public DatagramSender(Arena arena, UdpSocket socket, int messagesMax, int bufferBytes, boolean gso) {
        if (messagesMax < 1 || bufferBytes < GSO_BYTES_MAX) {
            throw new IllegalArgumentException("messagesMax >= 1 and bufferBytes >= " + GSO_BYTES_MAX);
        }
        this.socket = socket;
        this.messagesMax = messagesMax;
        this.bufferBytes = bufferBytes;
        this.gso = gso;
        // one more message than queued: the scratch for datagrams sent alone (TTL, GSO fallback)
        int slots = messagesMax + 1;
        this.msgs = arena.allocate(MsgHdr.MMSGHDR_BYTES * slots, 8);
        this.iovs = arena.allocate(MsgHdr.IOVEC_BYTES * slots, 8);
        this.names = arena.allocate((long) SockAddr.BYTES * slots, 8);
        this.controls = arena.allocate(CONTROL_BYTES * slots, 8);
        this.buffer = LazyMemory.allocate(arena, bufferBytes); // resident only as far as bursts reached
        this.bufferAddress = buffer.address();
        this.callState = Libc.newCallState(arena);
        this.segments = new int[messagesMax];
        this.segmentSize = new int[messagesMax];
        for (int i = 0; i < slots; i++) {
            MsgHdr.link(msgs, i, names.asSlice((long) i * SockAddr.BYTES, SockAddr.BYTES),
                    iovs.asSlice(i * MsgHdr.IOVEC_BYTES, MsgHdr.IOVEC_BYTES),
                    controls.asSlice(i * CONTROL_BYTES, CONTROL_BYTES));
            controls.set(JAVA_LONG, i * CONTROL_BYTES + MsgHdr.CMSG_LENGTH, CONTROL_LENGTH);
            controls.set(JAVA_INT, i * CONTROL_BYTES + MsgHdr.CMSG_LEVEL, Libc.SOL_UDP);
            controls.set(JAVA_INT, i * CONTROL_BYTES + MsgHdr.CMSG_TYPE, Libc.UDP_SEGMENT);
        }
    }

    /**
     * Queues a datagram (copied; the array is only lent). Returns false, counting a failure, when
     * the socket cannot reach {@code remote} (IPv6 on an IPv4 socket, nil) or the queue is full
     * while the socket's buffer is.
     */
    public boolean add(InetEndpoint remote, byte[] data, int off, int len) {
        if (len > GSO_BYTES_MAX) {
            return fail(1);
        }
        if (gso && count > sent && canAppend(remote, len)) {
            int m = count - 1;
            MemorySegment.copy(data, off, buffer, JAVA_BYTE, used, len);
            used += len;
            segments[m]++;
            MsgHdr.setIovecLength(iovs, m, messageBytes(m) + len);
            if (len < segmentSize[m]) {
                openEnded = true;
            }
            if (segments[m] == 2) {
                MsgHdr.setControlLength(msgs, m, CONTROL_BYTES);
                controls.set(JAVA_SHORT_UNALIGNED, m * CONTROL_BYTES + MsgHdr.CMSG_HEADER_BYTES, (short) segmentSize[m]);
            }
            return true;
        }
        if (count == messagesMax || used + len > bufferBytes) {
            flush(); // does nothing while blocked: the writable event comes first
            if (count == messagesMax || used + len > bufferBytes) {
                return fail(1);
            }
        }
        int m = count;
        int nameLength = SockAddr.write(remote, socket.isIpv6(), names, (long) m * SockAddr.BYTES);
        if (nameLength == 0) {
            return fail(1);
        }
        MemorySegment.copy(data, off, buffer, JAVA_BYTE, used, len);
        start(m, nameLength, bufferAddress + used, len);
        used += len;
        segments[m] = 1;
        segmentSize[m] = len;
        count++;
        openRemote = remote;
        openEnded = false;
        return true;
    }

    private boolean canAppend(InetEndpoint remote, int len) {
        int m = count - 1;
        return !openEnded && len <= segmentSize[m] && segments[m] < SEGMENTS_MAX
                && messageBytes(m) + len <= GSO_BYTES_MAX && used + len <= bufferBytes
                && (remote == openRemote || remote.equals(openRemote));
    }

    private long messageBytes(int m) {
        return iovs.get(JAVA_LONG, m * MsgHdr.IOVEC_BYTES + MsgHdr.IOVEC_LENGTH);
    }

    private void start(int m, int nameLength, long address, long len) {
        MsgHdr.setNameLength(msgs, m, nameLength);
        iovs.set(JAVA_LONG, m * MsgHdr.IOVEC_BYTES + MsgHdr.IOVEC_BASE, address);
        MsgHdr.setIovecLength(iovs, m, len);
        MsgHdr.setControlLength(msgs, m, 0);
        MsgHdr.setFlags(msgs, m, 0);
    }

    /**
     * Sends what is queued. Returns true when the queue is empty afterwards; false when the
     * socket's buffer is full ({@link #isBlocked}): flush again once it is writable.
     */
    public boolean flush() {
        if (blocked) {
            return false; // until writable() says there is room: another try now would only fail
        }
        while (sent < count) {
            MemorySegment from = sent == 0 ? msgs : msgs.asSlice(sent * MsgHdr.MMSGHDR_BYTES); // rare: after a partial send
            int n = Libc.sendmmsg(callState, socket.fd(), from, count - sent, 0);
            if (n > 0) {
                for (int m = sent; m < sent + n; m++) {
                    if (segments[m] > 1) {
                        gsoSends.lazySet(gsoSends.get() + 1);
                        gsoDatagrams.lazySet(gsoDatagrams.get() + segments[m]);
                    }
                }
                sent += n;
                continue;
            }
            int e = Libc.errno(callState);
            if (e == Libc.EINTR) {
                continue;
            }
            if (e == Libc.EAGAIN) {
                blocked = true;
                waits.lazySet(waits.get() + 1);
                return false;
            }
            lastErrno = e;
            if (segments[sent] > 1 && isGsoRefusal(e)) {
                gso = false;
                gsoRefusals.lazySet(gsoRefusals.get() + 1);
                sendAlone(sent);
            } else {
                fail(segments[sent]);
            }
            sent++;
        }
        count = 0;
        sent = 0;
        used = 0;
        openRemote = null;
        blocked = false;
        return true;
    }

    /**
     * Whether {@code errno} is the kernel refusing a UDP_SEGMENT send: a segment over the route's
     * MTU (EMSGSIZE on current kernels, EINVAL on older ones) or a device without checksum offload
     * (EIO). Such a message is worth sending again one datagram at a time.
     */
    public static boolean isGsoRefusal(int errno) {
        return errno == Libc.EMSGSIZE || errno == Libc.EINVAL || errno == Libc.EIO;
    }

    /** Sends the datagrams of GSO message {@code m} one by one (the kernel refused the message). */
    private void sendAlone(int m) {
        long base = iovs.get(JAVA_LONG, m * MsgHdr.IOVEC_BYTES + MsgHdr.IOVEC_BASE);
        long total = messageBytes(m);
        int nameLength = MsgHdr.nameLength(msgs, m);
        MemorySegment.copy(names, (long) m * SockAddr.BYTES, names, (long) messagesMax * SockAddr.BYTES, SockAddr.BYTES);
        for (long at = 0; at < total; at += segmentSize[m]) {
            sendScratch(nameLength, base + at, Math.min(segmentSize[m], total - at));
        }
    }

    /**
     * Sends one datagram at once with its own TTL (hop limit), after what is queued (the NAT-opening
     * datagram of ZT1-07 §5.4: rare, so the socket option is set and restored around it). Returns
     * false, counting a failure, where it could not be sent.
     */
    public boolean sendWithTtl(InetEndpoint remote, byte[] data, int off, int len, int ttl) {
        flush(); // while blocked, this one goes ahead of what waits: a NAT probe, order does not matter
        int nameLength = SockAddr.write(remote, socket.isIpv6(), names, (long) messagesMax * SockAddr.BYTES);
        if (nameLength == 0 || len > bufferBytes - used) {
            return fail(1);
        }
        MemorySegment.copy(data, off, buffer, JAVA_BYTE, used, len);
        boolean ttlSet = socket.setTtl(ttl); // refused: sent with the default TTL, as NodeHost allows
        boolean ok = sendScratch(nameLength, bufferAddress + used, len);
        if (ttlSet) {
            socket.setTtl(0);
        }
        return ok;
    }

    private boolean sendScratch(int nameLength, long address, long len) {
        int m = messagesMax;
        start(m, nameLength, address, len);
        long r;
        do {
            r = Libc.sendmsg(callState, socket.fd(), msgs.asSlice(m * MsgHdr.MMSGHDR_BYTES, MsgHdr.MMSGHDR_BYTES), 0);
        } while (r < 0 && Libc.errno(callState) == Libc.EINTR);
        if (r < 0) {
            lastErrno = Libc.errno(callState);
            return fail(1);
        }
        return true;
    }

    private boolean fail(long datagrams) {
        failures.lazySet(failures.get() + datagrams);
        return false;
    }

    /** Whether the last flush stopped at a full socket buffer: nothing is tried until {@link #writable}. */
    public boolean isBlocked() {
        return blocked;
    }

    /** The socket has room again (its writable event): the next {@link #flush} sends what waits. */
    public void writable() {
        blocked = false;
    }

    /** How often the socket's buffer was full and the queue waited for room. */
    public long waits() {
        return waits.get();
    }

    /** Whether datagrams are still gathered into GSO messages (false without GSO, or after a refusal). */
    public boolean gsoOn() {
        return gso;
    }

    /** Datagrams that could not be sent (not reachable from this socket, refused, or dropped at a full queue). */
    public long failures() {
        return failures.get();
    }

    /** GSO messages the kernel took, and the datagrams in them. */
    public long gsoSends() {
        return gsoSends.get();
    }

    public long gsoDatagrams() {
        return gsoDatagrams.get();
    }

    /** GSO messages the kernel refused (their datagrams were then sent one by one). */
    public long gsoRefusals() {
        return gsoRefusals.get();
    }

    /** The {@code errno} of the last failed send. */
    public int lastErrno() {
        return lastErrno;
    }

    /** Drops whatever is queued (closing). */
    public void discard() {
        count = 0;
        sent = 0;
        used = 0;
        openRemote = null;
        blocked = false;
    }
}
