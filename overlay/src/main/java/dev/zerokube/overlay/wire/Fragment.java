package dev.zerokube.overlay.wire;

import dev.zerokube.overlay.codec.WireFormatException;
import java.util.Arrays;

/**
 * A fragment of a packet too large for one datagram (ZT1-02 §6.2): fragments 1 .. total-1 of a
 * packet whose fragment 0 is the head, a normal packet with the 0x40 flag.
 *
 * <pre>
 * offset size field
 *  0     8    packet ID of the packet it belongs to (bytes 0..7 of the ARMORED head)
 *  8     5    destination address (copied from the head)
 * 13     1    0xff fragment indicator (a source address never starts with 0xff)
 * 14     1    (total pieces &lt;&lt; 4) | fragment number, 4 bits each; total counts the head
 * 15     1    hop count 0..7 (relays increment it)
 * 16     ...  the next slice of the armored packet (at least one byte)
 * </pre>
 *
 * <p>Fragments carry no source and no MAC: they are authenticated only with the whole packet after
 * reassembly ({@link Reassembler}). The static accessors read a datagram in place without
 * allocating (for the receive path); the record is the immutable decoded form (for tools, tests
 * and fuzzing); {@link #writeHeader} builds one in place (for {@link Fragmentation}).
 *
 * @param packetId    the packet ID (unsigned 64-bit, two's complement here)
 * @param destination the 40-bit destination address
 * @param number      fragment number, 1 .. total-1
 * @param total       total pieces including the head, 2 .. 15 (receivers accept at most
 *                    {@link #MAX_PIECES})
 * @param hops        hop count 0..7
 * @param payload     the slice of the packet this fragment carries (copied in and out)
 */
public record Fragment(long packetId, long destination, int number, int total, int hops, byte[] payload) {
    public static final int IDX_PACKET_ID = 0;
    public static final int IDX_DEST = 8;
    public static final int IDX_INDICATOR = 13;
    public static final int IDX_NUMBER = 14;
    public static final int IDX_HOPS = 15;
    public static final int IDX_PAYLOAD = 16;
    /** Fragment header length; a fragment carries at least one payload byte beyond it. */
    public static final int HEADER_LENGTH = 16;
    /** Value of byte 13 that marks a fragment (= the reserved address prefix). */
    public static final int INDICATOR = 0xff;
    /** 1.14.1's limit on pieces per packet, head included (the 4-bit field would allow 15). */
    public static final int MAX_PIECES = 7;
    /** The 4-bit field's limit. */
    public static final int MAX_PIECES_FIELD = 15;

    public Fragment {
        if ((destination >>> 40) != 0) {
            throw new IllegalArgumentException("destination wider than 40 bits");
        }
        if (total < 2 || total > MAX_PIECES_FIELD || number < 1 || number >= total) {
            throw new IllegalArgumentException("fragment " + number + " of " + total);
        }
        if (hops < 0 || hops > PacketHeader.MAX_HOPS) {
            throw new IllegalArgumentException("hops " + hops);
        }
        if (payload.length < 1 || payload.length > PacketHeader.MAX_LENGTH - HEADER_LENGTH) {
            throw new IllegalArgumentException("fragment payload length " + payload.length);
        }
        payload = payload.clone();
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** Length of the encoded fragment. */
    public int length() {
        return HEADER_LENGTH + payload.length;
    }

    /** Decodes {@code data[off, off+len)} strictly: every field in range, or a named error. */
    public static Fragment decode(byte[] data, int off, int len) throws WireFormatException {
        if (len <= HEADER_LENGTH) {
            throw new WireFormatException("fragment: length " + len + ", need at least " + (HEADER_LENGTH + 1));
        }
        if (len > PacketHeader.MAX_LENGTH) {
            throw new WireFormatException("fragment: length " + len + " exceeds " + PacketHeader.MAX_LENGTH);
        }
        if (!isFragment(data, off)) {
            throw new WireFormatException("fragment: indicator byte 13 is "
                    + (data[off + IDX_INDICATOR] & 0xff) + ", not 0xff");
        }
        int total = totalAt(data, off);
        int number = numberAt(data, off);
        if (total < 2 || number < 1 || number >= total) {
            throw new WireFormatException("fragment: number " + number + " of total " + total);
        }
        int hopsByte = data[off + IDX_HOPS] & 0xff;
        if (hopsByte > PacketHeader.MAX_HOPS) {
            throw new WireFormatException("fragment: hops byte " + hopsByte + " has bits above the 3-bit counter");
        }
        return new Fragment(packetIdAt(data, off), destinationAt(data, off), number, total, hopsByte,
                Arrays.copyOfRange(data, off + HEADER_LENGTH, off + len));
    }

    public static Fragment decode(byte[] data) throws WireFormatException {
        return decode(data, 0, data.length);
    }

    /** Writes this fragment at {@code out[off]}; returns its length. */
    public int encode(byte[] out, int off) {
        writeHeader(out, off, packetId, destination, number, total, hops);
        System.arraycopy(payload, 0, out, off + HEADER_LENGTH, payload.length);
        return length();
    }

    public byte[] encode() {
        byte[] out = new byte[length()];
        encode(out, 0);
        return out;
    }

    /** Writes a fragment header at {@code out[off]} (no allocation). */
    public static void writeHeader(byte[] out, int off, long packetId, long destination, int number, int total,
            int hops) {
        if (number < 0 || number > MAX_PIECES_FIELD || total < 0 || total > MAX_PIECES_FIELD) {
            throw new IllegalArgumentException("fragment " + number + " of " + total);
        }
        PacketHeader.writeLong(out, off + IDX_PACKET_ID, packetId);
        PacketHeader.writeAddress(out, off + IDX_DEST, destination);
        out[off + IDX_INDICATOR] = (byte) INDICATOR;
        out[off + IDX_NUMBER] = (byte) ((total << 4) | number);
        out[off + IDX_HOPS] = (byte) hops;
    }

    /** Whether byte 13 is the fragment indicator. */
    public static boolean isFragment(byte[] data, int off) {
        return (data[off + IDX_INDICATOR] & 0xff) == INDICATOR;
    }

    public static long packetIdAt(byte[] data, int off) {
        return PacketHeader.readLong(data, off + IDX_PACKET_ID);
    }

    public static long destinationAt(byte[] data, int off) {
        return PacketHeader.readAddress(data, off + IDX_DEST);
    }

    /** Fragment number (low nibble of byte 14). */
    public static int numberAt(byte[] data, int off) {
        return data[off + IDX_NUMBER] & 0x0f;
    }

    /** Total pieces including the head (high nibble of byte 14). */
    public static int totalAt(byte[] data, int off) {
        return (data[off + IDX_NUMBER] & 0xf0) >>> 4;
    }

    /** Hop count (low 3 bits of byte 15). */
    public static int hopsAt(byte[] data, int off) {
        return data[off + IDX_HOPS] & PacketHeader.FLAGS_HOPS_MASK;
    }

    /** Increments the hop count modulo 8, as a relay does (ZT1-02 §8.1). */
    public static void incrementHops(byte[] data, int off) {
        data[off + IDX_HOPS] = (byte) ((data[off + IDX_HOPS] + 1) & PacketHeader.FLAGS_HOPS_MASK);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fragment f && f.packetId == packetId && f.destination == destination
                && f.number == number && f.total == total && f.hops == hops && Arrays.equals(f.payload, payload);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(packetId) * 31 + Arrays.hashCode(payload) + number * 7 + total;
    }

    @Override
    public String toString() {
        return "Fragment[id=" + Long.toHexString(packetId) + ", dest=" + Long.toHexString(destination) + ", "
                + number + "/" + total + ", hops=" + hops + ", " + payload.length + " bytes]";
    }
}
