package dev.zerokube.overlay.runtime.port;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Turns what a TAP with {@code IFF_VNET_HDR} and TSO offloads hands over into plain Ethernet
 * frames of at most MTU + 14 bytes, so that the overlay's wire format stays ZeroTier's whatever
 * the kernel batched (DATAPATH.md, "virtio-net header").
 *
 * <p>Input: a virtio-net header followed by one Ethernet frame. Header (10 bytes, host byte order,
 * {@code linux/virtio_net.h}):
 * <pre>
 *   [1] flags        bit 0 NEEDS_CSUM: the L4 checksum is partial (pseudo-header sum only)
 *                    bit 1 DATA_VALID
 *   [1] gso_type     0 none, 1 TCPv4, 3 UDP, 4 TCPv6, 5 UDP_L4; bit 7 ECN
 *   [2] hdr_len      Ethernet + IP + TCP header bytes (a hint; recomputed here)
 *   [2] gso_size     payload bytes per segment (the MSS)
 *   [2] csum_start   offset in the frame where checksumming starts (the L4 header)
 *   [2] csum_offset  offset of the checksum field from csum_start (16 TCP, 6 UDP)
 * </pre>
 * Output, to a {@link FrameConsumer}:
 * <ul>
 *   <li>gso_type none: the frame as is, its checksum completed first if NEEDS_CSUM (the field
 *       holds the pseudo-header sum: sum from csum_start to the end, complement, store);
 *   <li>TCPv4/TCPv6: the super-frame cut into segments of gso_size payload bytes, each with a copy
 *       of the headers: TCP sequence number advanced, FIN and PSH kept only on the last segment and
 *       CWR only on the first, IPv4 total length, identification (+1 per segment) and header
 *       checksum, or the IPv6 payload length, and a complete TCP checksum.
 * </ul>
 * Segments are built in place: segment i's headers are written just before its payload, over the
 * tail of segment i-1, which the consumer has already had. So the input buffer is changed, and
 * nothing is allocated or copied except the headers. Only IPv4 and IPv6 without extension
 * headers directly in an untagged Ethernet frame are segmented (what the kernel's TCP stack
 * hands a TAP); anything else with a GSO type is dropped and reported.
 *
 * <p>Not thread-safe: one instance per reading thread (it keeps a header scratch).
 */
public final class TsoSegmenter {
    /** Length of the virtio-net header ({@code struct virtio_net_hdr}). */
    public static final int VNET_HDR_LEN = 10;
    public static final int FLAG_NEEDS_CSUM = 0x01;
    public static final int FLAG_DATA_VALID = 0x02;
    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    public static final int GSO_UDP = 3;
    public static final int GSO_TCPV6 = 4;
    public static final int GSO_UDP_L4 = 5;
    public static final int GSO_ECN = 0x80;

    /** Result: the input was shorter than a virtio-net header or an Ethernet header. */
    public static final int DROP_TOO_SHORT = -1;
    /** Result: a GSO type other than TCPv4/TCPv6, or a GSO frame that is not plain IP + TCP. */
    public static final int DROP_UNSUPPORTED = -2;
    /** Result: header fields disagree with the frame (offsets past the end, bad lengths). */
    public static final int DROP_MALFORMED = -3;

    static final int ETH_HEADER = 14;
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86dd;
    private static final int PROTO_TCP = 6;
    private static final int TCP_FIN = 0x01;
    private static final int TCP_PSH = 0x08;
    private static final int TCP_CWR = 0x80;
    private static final int UDP_CSUM_OFFSET = 6;
    // Largest header block: Ethernet 14 + IPv4 with options 60 + TCP with options 60.
    private static final int HEADERS_MAX = ETH_HEADER + 60 + 60;
    private static final VarHandle U16_NATIVE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.nativeOrder());
    private static final VarHandle U32_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private final byte[] headers = new byte[HEADERS_MAX];

    /**
     * Hands the frame(s) of one TAP read to {@code consumer}.
     *
     * @param buf virtio-net header then the frame, at {@code off}; changed in place
     * @param len bytes of header and frame
     * @return frames handed to the consumer (1 for a plain frame, the segment count for a
     *     super-frame), or a negative {@code DROP_*} code (nothing was handed on)
     */
    public int deliver(byte[] buf, int off, int len, FrameConsumer consumer) {
        if (len < VNET_HDR_LEN + ETH_HEADER) {
            return DROP_TOO_SHORT;
        }
        int flags = buf[off] & 0xff;
        int gsoType = buf[off + 1] & 0xff & ~GSO_ECN;
        int frame = off + VNET_HDR_LEN;
        int frameLen = len - VNET_HDR_LEN;
        if (gsoType == GSO_NONE) {
            if ((flags & FLAG_NEEDS_CSUM) != 0) {
                int csumStart = u16Native(buf, off + 6);
                int csumOffset = u16Native(buf, off + 8);
                if (csumStart > frameLen || csumStart + csumOffset + 2 > frameLen) {
                    return DROP_MALFORMED;
                }
                completeChecksum(buf, frame, frameLen, csumStart, csumOffset);
            }
            consumer.onFrame(buf, frame, frameLen);
            return 1;
        }
        if (gsoType != GSO_TCPV4 && gsoType != GSO_TCPV6) {
            return DROP_UNSUPPORTED;
        }
        return segment(buf, frame, frameLen, gsoType, u16Native(buf, off + 4), consumer);
    }

    /** Completes a partial L4 checksum in place: the field holds the pseudo-header sum. */
    static void completeChecksum(byte[] buf, int frame, int frameLen, int csumStart, int csumOffset) {
        int csum = Checksum.finish(Checksum.sum(buf, frame + csumStart, frameLen - csumStart));
        // In UDP a zero checksum means "none", so a computed zero is sent as its other form.
        if (csum == 0 && csumOffset == UDP_CSUM_OFFSET) {
            csum = 0xffff;
        }
        Checksum.putU16(buf, frame + csumStart + csumOffset, csum);
    }

    private int segment(byte[] buf, int frame, int frameLen, int gsoType, int gsoSize, FrameConsumer consumer) {
        int ethertype = Checksum.u16(buf, frame + 12);
        int ip = frame + ETH_HEADER;
        boolean v4 = gsoType == GSO_TCPV4;
        int ipHeaderLen;
        if (v4) {
            if (ethertype != ETHERTYPE_IPV4 || frameLen < ETH_HEADER + 20) {
                return DROP_UNSUPPORTED;
            }
            int versionIhl = buf[ip] & 0xff;
            ipHeaderLen = (versionIhl & 0x0f) * 4;
            if (versionIhl >>> 4 != 4 || ipHeaderLen < 20 || buf[ip + 9] != PROTO_TCP) {
                return DROP_UNSUPPORTED;
            }
        } else {
            if (ethertype != ETHERTYPE_IPV6 || frameLen < ETH_HEADER + 40) {
                return DROP_UNSUPPORTED;
            }
            ipHeaderLen = 40;
            if ((buf[ip] & 0xf0) != 0x60 || buf[ip + 6] != PROTO_TCP) {
                return DROP_UNSUPPORTED;
            }
        }
        int tcp = ip + ipHeaderLen;
        if (tcp + 20 > frame + frameLen) {
            return DROP_MALFORMED;
        }
        int tcpHeaderLen = ((buf[tcp + 12] & 0xff) >>> 4) * 4;
        int headerLen = ETH_HEADER + ipHeaderLen + tcpHeaderLen;
        if (tcpHeaderLen < 20 || headerLen > frameLen) {
            return DROP_MALFORMED;
        }
        int payload = frameLen - headerLen;
        if (gsoSize == 0 || payload == 0) {
            return DROP_MALFORMED;
        }
        int segments = (payload + gsoSize - 1) / gsoSize;
        System.arraycopy(buf, frame, headers, 0, headerLen);
        int seq0 = (int) U32_BE.get(buf, tcp + 4);
        int tcpFlags0 = buf[tcp + 13] & 0xff;
        int ipId0 = v4 ? Checksum.u16(buf, ip + 4) : 0;
        int ipOffset = ETH_HEADER;
        int tcpOffset = ETH_HEADER + ipHeaderLen;
        int addrOffset = v4 ? 12 : 8;
        int addrLen = v4 ? 4 : 16;
        for (int i = 0; i < segments; i++) {
            int seg = frame + i * gsoSize;
            int chunk = Math.min(gsoSize, payload - i * gsoSize);
            if (i > 0) {
                System.arraycopy(headers, 0, buf, seg, headerLen);
            }
            int segIp = seg + ipOffset;
            int segTcp = seg + tcpOffset;
            int l4Len = tcpHeaderLen + chunk;
            U32_BE.set(buf, segTcp + 4, seq0 + i * gsoSize);
            int tcpFlags = tcpFlags0;
            if (i > 0) {
                tcpFlags &= ~TCP_CWR;
            }
            if (i < segments - 1) {
                tcpFlags &= ~(TCP_FIN | TCP_PSH);
            }
            buf[segTcp + 13] = (byte) tcpFlags;
            if (v4) {
                Checksum.putU16(buf, segIp + 2, ipHeaderLen + l4Len);
                Checksum.putU16(buf, segIp + 4, ipId0 + i);
                Checksum.putU16(buf, segIp + 10, 0);
                Checksum.putU16(buf, segIp + 10, Checksum.finish(Checksum.sum(buf, segIp, ipHeaderLen)));
            } else {
                Checksum.putU16(buf, segIp + 4, l4Len);
            }
            Checksum.putU16(buf, segTcp + 16, 0);
            long sum = Checksum.pseudoHeader(buf, segIp + addrOffset, addrLen, PROTO_TCP, l4Len)
                    + Checksum.sum(buf, segTcp, l4Len);
            Checksum.putU16(buf, segTcp + 16, Checksum.finish(sum));
            consumer.onFrame(buf, seg, headerLen + chunk);
        }
        return segments;
    }

    private static int u16Native(byte[] b, int off) {
        return (short) U16_NATIVE.get(b, off) & 0xffff;
    }
}
