package dev.zerokube.overlay.wire;

/**
 * Classification of one received UDP payload (ZT1-02 §2, §13 step 2), in 1.14.1's order:
 *
 * <ol>
 *   <li>exactly 13 bytes: a legacy LAN beacon (bytes 8..12 = the sender's address);</li>
 *   <li>16 bytes or fewer: too short;</li>
 *   <li>byte 13 = 0xff: a fragment (a real source address never starts with 0xff);</li>
 *   <li>28 bytes or more: a packet head (a whole packet, or fragment 0 of a fragmented one);</li>
 *   <li>anything else: too short.</li>
 * </ol>
 *
 * Datagrams longer than {@link PacketHeader#MAX_LENGTH} do not fit a 1.14.1 packet buffer and are
 * dropped whatever they hold.
 */
public final class Datagram {
    /** What a received datagram is. */
    public enum Kind {
        /** A packet head: header, verb and payload (whole, or the first piece if flagged 0x40). */
        PACKET,
        /** A fragment of a packet (byte 13 = 0xff), see {@link Fragment}. */
        FRAGMENT,
        /** A pre-1.0.4 LAN beacon of exactly 13 bytes: may be ignored. */
        BEACON,
        /** Too short to be a packet or a fragment: drop. */
        TOO_SHORT,
        /** Longer than a packet buffer: drop. */
        TOO_LONG
    }

    /** Length of a legacy LAN beacon. */
    public static final int BEACON_LENGTH = 13;

    private Datagram() {}

    /** Classifies {@code data[off, off+len)}; total for any length, never allocates. */
    public static Kind classify(byte[] data, int off, int len) {
        if (len > PacketHeader.MAX_LENGTH) {
            return Kind.TOO_LONG;
        }
        if (len == BEACON_LENGTH) {
            return Kind.BEACON;
        }
        if (len <= Fragment.HEADER_LENGTH) {
            return Kind.TOO_SHORT;
        }
        if ((data[off + Fragment.IDX_INDICATOR] & 0xff) == Fragment.INDICATOR) {
            return Kind.FRAGMENT;
        }
        return len >= PacketHeader.MIN_LENGTH ? Kind.PACKET : Kind.TOO_SHORT;
    }
}
