package dev.zerokube.overlay.runtime;

import dev.zerokube.overlay.runtime.udp.DatagramSender;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.SegmentedDatagramPacket;
import java.net.InetSocketAddress;

/**
 * Gathers consecutive datagrams to one remote into UDP GSO sends: one buffer that the kernel cuts
 * every {@code segmentSize} bytes ({@code UDP_SEGMENT}), so a burst crosses the sender's UDP/IP
 * stack, the underlay and, with UDP GRO at the receiver, the receiver's stack as one packet
 * instead of one per datagram. That per-packet kernel work is what bounds the overlay's
 * throughput (DATAPATH.md: 2.4 to 5.2 Gbit/s in the prototype).
 *
 * <p>A batch holds datagrams of one length, optionally ended by one shorter datagram (the kernel's
 * rule: every segment has the segment size except the last). The node's even fragments
 * ({@code Fragmentation.evenPieceLength}) make the two datagrams of a full frame equal, so a TSO
 * burst of full frames is one batch. A datagram that does not fit the open batch (another
 * remote or channel, longer, after a shorter one, the batch full) sends the batch and starts the
 * next one. The caller sends what is open with {@link #flush} at the end of each input batch.
 *
 * <p>Allocates one buffer per batch (pooled), nothing per datagram; the buffer starts at the last
 * batch's size. Event loop thread only.
 */
final class GsoBatcher {
    /** Segments per send: the same limit as the FFM sender's. */
    static final int SEGMENTS_MAX = DatagramSender.SEGMENTS_MAX;
    /** Bytes per send: the same limit as the FFM sender's. */
    static final int BYTES_MAX = DatagramSender.GSO_BYTES_MAX;

    /** Where a finished send goes: a plain {@link DatagramPacket} or a {@link SegmentedDatagramPacket}. */
    @FunctionalInterface
    interface Sink {
        void send(Channel channel, DatagramPacket packet);
    }

    private final Sink sink;
    // the open batch; buf == null when none
    private Channel channel;
    private InetSocketAddress recipient;
    private ByteBuf buf;
    private int segmentSize;
    private int segments;
    private boolean ended;
    // bytes of the last batch sent: the next buffer's first size (a bulk flow's bursts alike, a
    // controller's lone datagrams alike), so neither grows a buffer nor takes 64 KiB for one datagram
    private int lastBatchBytes;

    GsoBatcher(Sink sink) {
        this.sink = sink;
    }

    /** Adds a datagram of {@code len} bytes for {@code to} on {@code ch} (copied; the array is only lent). */
    void add(Channel ch, InetSocketAddress to, byte[] data, int off, int len) {
        if (buf != null && !fits(ch, to, len)) {
            flush();
        }
        if (buf == null) {
            channel = ch;
            recipient = to;
            segmentSize = len;
            segments = 0;
            ended = false;
            buf = ch.alloc().directBuffer(Math.min(BYTES_MAX, Math.max(len, lastBatchBytes)), BYTES_MAX);
        }
        buf.writeBytes(data, off, len);
        segments++;
        if (len < segmentSize) {
            ended = true;
        }
    }

    private boolean fits(Channel ch, InetSocketAddress to, int len) {
        return ch == channel && (to == recipient || to.equals(recipient)) && !ended && len <= segmentSize
                && segments < SEGMENTS_MAX && buf.readableBytes() + len <= BYTES_MAX;
    }

    /** Sends the open batch, if any: as a plain datagram when it holds one. */
    void flush() {
        ByteBuf b = buf;
        if (b == null) {
            return;
        }
        buf = null;
        lastBatchBytes = b.readableBytes();
        Channel ch = channel;
        channel = null;
        DatagramPacket packet = segments == 1
                ? new DatagramPacket(b, recipient)
                : new SegmentedDatagramPacket(b, segmentSize, recipient);
        recipient = null;
        sink.send(ch, packet);
    }

    /** Drops an open batch without sending it (closing). */
    void discard() {
        if (buf != null) {
            buf.release();
            buf = null;
            channel = null;
            recipient = null;
        }
    }
}
