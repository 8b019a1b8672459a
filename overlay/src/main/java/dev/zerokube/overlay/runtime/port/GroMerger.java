package dev.zerokube.overlay.runtime.port;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * User-space GRO for TAP writes (DATAPATH.md, "tso-gro": +31 % throughput): consecutive
 * in-order TCP segments of one flow are merged into one GSO write, so the host's TCP stack
 * receives one 64 KiB packet instead of ~45 and sends fewer ACKs. The mirror of
 * {@link TsoSegmenter}.
 *
 * <p>Output: a virtio-net header ({@link TsoSegmenter} has the layout) then a frame. A merged
 * frame has flags NEEDS_CSUM, gso_type TCPv4/TCPv6, gso_size = the first segment's payload,
 * hdr_len, csum_start = the TCP header, csum_offset 16; the IPv4 total length and header
 * checksum, or the IPv6 payload length, cover the merged payload, and the TCP checksum field holds
 * the pseudo-header sum (folded, not complemented) as the kernel expects with NEEDS_CSUM. Anything
 * else is written as it came, behind a header with {@code plainFlags}.
 *
 * <p>A segment joins the held one when: same Ethernet header, IPv4 without options and not a
 * fragment (or IPv6 with TCP as next header), same IP header apart from length, id and checksum,
 * same ports, sequence number right after the held data, same ACK number, window and options,
 * flags ACK or ACK|PSH, the held segments all exactly gso_size long, and the result ≤ 65535
 * bytes of IP packet. The run is written after a PSH or a shorter segment, when something does not
 * join, or on {@link #flush}. Because the kernel does not verify a NEEDS_CSUM packet's checksum,
 * segments are checked here first unless {@code trusted} (frames that were authenticated end to
 * end); a segment whose checksum is wrong is written alone, for the kernel to drop and count.
 *
 * <p>Not thread-safe: one per writing thread. No allocation per frame.
 */
public final class GroMerger {
    /** Receives what to write: a virtio-net header and a frame, valid during the call. */
    @FunctionalInterface
    public interface Sink {
        boolean write(byte[] buf, int off, int len);
    }

    private static final int VNET = TsoSegmenter.VNET_HDR_LEN;
    private static final int ETH = TsoSegmenter.ETH_HEADER;
    private static final int IP_PACKET_MAX = 65_535;
    private static final int TCP_ACK = 0x10;
    private static final int TCP_PSH = 0x08;
    private static final int HEADERS_MAX = ETH + 40 + 60;
    private static final VarHandle U16_NATIVE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.nativeOrder());
    private static final VarHandle U32_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private final boolean trusted;
    private final int plainFlags;
    private final byte[] out;
    private int heldLen;          // frame bytes held at out[VNET..]; 0 = nothing held
    private int heldHeaderLen;
    private int heldIpHeaderLen;
    private boolean heldV4;
    private int heldSegments;
    private int gsoSize;
    private int nextSeq;
    private long merged;

    /**
     * @param trusted whether frames were authenticated end to end, so TCP checksums need no check
     * @param plainFlags virtio-net flags for frames written as they came (0 or DATA_VALID)
     * @param frameMax the longest frame offered (MTU + 14)
     */
    public GroMerger(boolean trusted, int plainFlags, int frameMax) {
        this.trusted = trusted;
        this.plainFlags = plainFlags;
        this.out = new byte[VNET + Math.max(frameMax, ETH + IP_PACKET_MAX)];
    }

    /** Segments that were merged into another's write so far (for counters and tests). */
    public long mergedSegments() {
        return merged;
    }

    /**
     * Takes one frame: holds it for merging, adds it to the held run, or writes it (after writing
     * what was held).
     *
     * @return false if a write this caused was refused by the sink
     */
    public boolean offer(byte[] frame, int off, int len, Sink sink) {
        int headerLen = mergeableHeaderLen(frame, off, len);
        if (headerLen < 0) {
            boolean ok = flush(sink);
            return writePlain(frame, off, len, sink) && ok;
        }
        int payload = len - headerLen;
        int flags = frame[off + headerLen - tcpHeaderLen(frame, off, headerLen) + 13] & 0xff;
        boolean ok = true;
        if (heldLen > 0 && joins(frame, off, len, headerLen, payload)) {
            System.arraycopy(frame, off + headerLen, out, VNET + heldLen, payload);
            heldLen += payload;
            heldSegments++;
            merged++;
            nextSeq += payload;
            out[VNET + heldHeaderLen - tcpHeaderLenHeld() + 13] = (byte) flags;
        } else {
            ok = flush(sink);
            System.arraycopy(frame, off, out, VNET, len);
            heldLen = len;
            heldHeaderLen = headerLen;
            heldV4 = Checksum.u16(frame, off + 12) == 0x0800;
            heldIpHeaderLen = heldV4 ? 20 : 40;
            heldSegments = 1;
            gsoSize = payload;
            nextSeq = (int) U32_BE.get(frame, off + ETH + heldIpHeaderLen + 4) + payload;
        }
        if ((flags & TCP_PSH) != 0 || payload < gsoSize) {
            ok &= flush(sink);
        }
        return ok;
    }

    /** Writes what is held, if anything. */
    public boolean flush(Sink sink) {
        if (heldLen == 0) {
            return true;
        }
        int len = heldLen;
        heldLen = 0;
        if (heldSegments == 1) {
            writeHeader(plainFlags, TsoSegmenter.GSO_NONE, 0, 0, 0, 0);
            return sink.write(out, 0, VNET + len);
        }
        int ip = VNET + ETH;
        int tcpOff = ETH + heldIpHeaderLen;
        int l4Len = len - tcpOff;
        if (heldV4) {
            Checksum.putU16(out, ip + 2, heldIpHeaderLen + l4Len);
            Checksum.putU16(out, ip + 10, 0);
            Checksum.putU16(out, ip + 10, Checksum.finish(Checksum.sum(out, ip, heldIpHeaderLen)));
        } else {
            Checksum.putU16(out, ip + 4, l4Len);
        }
        Checksum.putU16(out, VNET + tcpOff + 16,
                Checksum.fold(Checksum.pseudoHeader(out, ip + (heldV4 ? 12 : 8), heldV4 ? 4 : 16, 6, l4Len)));
        writeHeader(TsoSegmenter.FLAG_NEEDS_CSUM, heldV4 ? TsoSegmenter.GSO_TCPV4 : TsoSegmenter.GSO_TCPV6,
                heldHeaderLen, gsoSize, tcpOff, 16);
        return sink.write(out, 0, VNET + len);
    }

    private boolean writePlain(byte[] frame, int off, int len, Sink sink) {
        writeHeader(plainFlags, TsoSegmenter.GSO_NONE, 0, 0, 0, 0);
        System.arraycopy(frame, off, out, VNET, len);
        return sink.write(out, 0, VNET + len);
    }

    private void writeHeader(int flags, int gsoType, int hdrLen, int gso, int csumStart, int csumOffset) {
        out[0] = (byte) flags;
        out[1] = (byte) gsoType;
        U16_NATIVE.set(out, 2, (short) hdrLen);
        U16_NATIVE.set(out, 4, (short) gso);
        U16_NATIVE.set(out, 6, (short) csumStart);
        U16_NATIVE.set(out, 8, (short) csumOffset);
    }

    private int tcpHeaderLenHeld() {
        return ((out[VNET + ETH + heldIpHeaderLen + 12] & 0xff) >>> 4) * 4;
    }

    private static int tcpHeaderLen(byte[] f, int off, int headerLen) {
        // headerLen = ETH + ip + tcp; the IP header length is fixed per family here.
        int ipLen = Checksum.u16(f, off + 12) == 0x0800 ? 20 : 40;
        return headerLen - ETH - ipLen;
    }

    /**
     * The Ethernet + IP + TCP header length if the frame may take part in a merge (plain IPv4 or
     * IPv6 + TCP, flags ACK or ACK|PSH, some payload, a correct checksum unless trusted), else -1.
     */
    private int mergeableHeaderLen(byte[] f, int off, int len) {
        if (len < ETH + 20 + 20) {
            return -1;
        }
        int ethertype = Checksum.u16(f, off + 12);
        int ip = off + ETH;
        int ipLen;
        boolean v4;
        if (ethertype == 0x0800) {
            // IHL 5 (no options), protocol TCP, not a fragment (MF clear, offset 0).
            if ((f[ip] & 0xff) != 0x45 || f[ip + 9] != 6 || (Checksum.u16(f, ip + 6) & 0x3fff) != 0
                    || Checksum.u16(f, ip + 2) != len - ETH) {
                return -1;
            }
            ipLen = 20;
            v4 = true;
        } else if (ethertype == 0x86dd) {
            if (len < ETH + 40 + 20 || (f[ip] & 0xf0) != 0x60 || f[ip + 6] != 6 || Checksum.u16(f, ip + 4) != len - ETH - 40) {
                return -1;
            }
            ipLen = 40;
            v4 = false;
        } else {
            return -1;
        }
        int tcp = ip + ipLen;
        int tcpLen = ((f[tcp + 12] & 0xff) >>> 4) * 4;
        int headerLen = ETH + ipLen + tcpLen;
        int flags = f[tcp + 13] & 0xff;
        if (tcpLen < 20 || headerLen >= len || headerLen > HEADERS_MAX || (flags != TCP_ACK && flags != (TCP_ACK | TCP_PSH))) {
            return -1;
        }
        if (!trusted) {
            int l4Len = len - ETH - ipLen;
            long sum = Checksum.pseudoHeader(f, ip + (v4 ? 12 : 8), v4 ? 4 : 16, 6, l4Len) + Checksum.sum(f, tcp, l4Len);
            if (Checksum.fold(sum) != 0xffff) {
                return -1;
            }
        }
        return headerLen;
    }

    private boolean joins(byte[] f, int off, int len, int headerLen, int payload) {
        if (headerLen != heldHeaderLen || Checksum.u16(f, off + 12) != (heldV4 ? 0x0800 : 0x86dd)
                || heldLen - heldHeaderLen != gsoSize * heldSegments || payload > gsoSize
                || heldLen + payload - ETH > IP_PACKET_MAX) {
            return false;
        }
        int ip = ETH;
        int tcp = ETH + heldIpHeaderLen;
        if (!Arrays.equals(f, off, off + ip, out, VNET, VNET + ip)) {
            return false;
        }
        if (heldV4) {
            // Version..TOS, flags/fragment, TTL, protocol, addresses (skip length, id, checksum).
            if (!range(f, off, ip, ip + 2) || !range(f, off, ip + 6, ip + 10) || !range(f, off, ip + 12, ip + 20)) {
                return false;
            }
        } else if (!range(f, off, ip, ip + 4) || !range(f, off, ip + 6, ip + 40)) {
            return false;
        }
        // Ports; then ACK number, data offset; window; urgent pointer and options (not seq, flags, checksum).
        return range(f, off, tcp, tcp + 4) && (int) U32_BE.get(f, off + tcp + 4) == nextSeq
                && range(f, off, tcp + 8, tcp + 13) && range(f, off, tcp + 14, tcp + 16)
                && range(f, off, tcp + 18, headerLen);
    }

    private boolean range(byte[] f, int off, int from, int to) {
        return Arrays.equals(f, off + from, off + to, out, VNET + from, VNET + to);
    }
}
