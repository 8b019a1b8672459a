package dev.zerokube.overlay.wire;

import dev.zerokube.overlay.codec.WireFormatException;
import java.util.Objects;

/**
 * LZ4 payload compression at the packet level (ZT1-02 §7): the payload {@code [28, n)} of a packet
 * is replaced by a raw {@link Lz4} block and the verb byte gets 0x80; the verb byte itself stays.
 *
 * <p>Order: compress when composing, before armor; uncompress after dearmor, before dispatch.
 * Never compress HELLO (its receiver parses it before decompressing, ZT1-02 §15 item 11).
 */
public final class Compression {
    private Compression() {}

    /**
     * 1.14.1's sender rule: if the packet {@code packet[off, off+len)} is not yet compressed and its
     * payload is longer than 64 bytes, compress the payload and keep the result only if it is
     * strictly shorter. Works in place, using {@code scratch} (at least {@code len} bytes).
     *
     * @return the new packet length ({@code len} when left as it was)
     */
    public static int compress(Lz4 lz4, byte[] packet, int off, int len, byte[] scratch) {
        Objects.checkFromIndexSize(off, len, packet.length);
        if (len < PacketHeader.MIN_LENGTH) {
            throw new IllegalArgumentException("packet of " + len + " bytes");
        }
        if (PacketHeader.isCompressed(packet, off)) {
            return len;
        }
        int payloadLength = len - PacketHeader.IDX_PAYLOAD;
        if (scratch.length < payloadLength) {
            throw new IllegalArgumentException("scratch of " + scratch.length + " bytes for a " + payloadLength
                    + "-byte payload");
        }
        int block = lz4.compressPayload(packet, off + PacketHeader.IDX_PAYLOAD, payloadLength, scratch, 0);
        if (block < 0) {
            return len;
        }
        System.arraycopy(scratch, 0, packet, off + PacketHeader.IDX_PAYLOAD, block);
        PacketHeader.setVerbByte(packet, off, PacketHeader.verbByte(packet, off) | PacketHeader.VERB_FLAG_COMPRESSED);
        return PacketHeader.IDX_PAYLOAD + block;
    }

    /**
     * 1.14.1's receiver rule for a dearmored packet {@code packet[off, off+len)}: writes the packet
     * with its payload decompressed (at most {@link PacketHeader#MAX_PAYLOAD_LENGTH} bytes) and the
     * 0x80 flag cleared to {@code out[outOff...]}, which needs room for
     * {@link PacketHeader#MAX_LENGTH} bytes. An uncompressed packet is copied as it is; a flagged
     * packet with an empty payload just loses the flag.
     *
     * @return the length written, or -1 if the block is invalid or decodes to nothing (drop the
     *         packet silently)
     */
    public static int uncompress(byte[] packet, int off, int len, byte[] out, int outOff) {
        Objects.checkFromIndexSize(off, len, packet.length);
        if (len < PacketHeader.MIN_LENGTH) {
            throw new IllegalArgumentException("packet of " + len + " bytes");
        }
        if (outOff < 0 || out.length - outOff < PacketHeader.MAX_LENGTH) {
            throw new IllegalArgumentException("output needs room for " + PacketHeader.MAX_LENGTH + " bytes");
        }
        System.arraycopy(packet, off, out, outOff, PacketHeader.IDX_PAYLOAD);
        int payloadLength = len - PacketHeader.IDX_PAYLOAD;
        if (!PacketHeader.isCompressed(packet, off)) {
            System.arraycopy(packet, off + PacketHeader.IDX_PAYLOAD, out, outOff + PacketHeader.IDX_PAYLOAD,
                    payloadLength);
            return len;
        }
        PacketHeader.setVerbByte(out, outOff, PacketHeader.verbByte(packet, off) & ~PacketHeader.VERB_FLAG_COMPRESSED);
        if (payloadLength == 0) {
            return PacketHeader.IDX_PAYLOAD;
        }
        int n;
        try {
            n = Lz4.decompress(packet, off + PacketHeader.IDX_PAYLOAD, payloadLength, out,
                    outOff + PacketHeader.IDX_PAYLOAD, PacketHeader.MAX_PAYLOAD_LENGTH);
        } catch (WireFormatException e) {
            return -1;
        }
        return n > 0 ? PacketHeader.IDX_PAYLOAD + n : -1;
    }
}
