package dev.zerokube.overlay.wire;

/**
 * Splitting an outgoing packet into a head and fragments for one path MTU (ZT1-02 §6.1), in place
 * and without allocation.
 *
 * <p>Order on send (ZT1-02 §16 note 3): compose, compress, {@link #markFragmented} (the 0x40 flag
 * must be set <em>before</em> armoring because the MAC covers it), armor the whole packet, send
 * bytes {@code [0, headLength)} as the head, then {@link #writeFragment} for numbers
 * 1 .. {@code pieces-1}. Each fragment carries the next {@code mtu - 16} bytes and the armored
 * head's packet ID (for cipher 3 the SIV half, not the random ID).
 *
 * <p>Unlike 1.14.1 this refuses packets that would need more than {@link Fragment#MAX_PIECES}
 * pieces (ZT1-02 §15 item 13: receivers drop them, so sending them only wastes bandwidth).
 *
 * <p><b>Even pieces.</b> 1.14.1 fills the head up to the MTU and puts the rest in fragments
 * ({@code mtu} as the piece length below reproduces that byte for byte). A sender may instead cut
 * a packet into pieces of equal length ({@link #evenPieceLength}; pass it wherever these methods
 * take {@code mtu}): receivers, 1.14.1's included, join a head and fragments of any lengths
 * (ZT1-02 §6.3, "assemble"), and the same number of datagrams, each no longer than the MTU, goes
 * out. What it buys: a full 2800-byte FRAME becomes two 1427-byte datagrams instead of 1432 + 1422,
 * so a burst of them is a run of equal-sized datagrams the kernel can send as one UDP GSO buffer
 * (DATAPATH.md, "UDP GSO with ZeroTier fragments").
 */
public final class Fragmentation {
    /** Default physical MTU: the largest UDP payload sent per datagram. */
    public static final int DEFAULT_MTU = 1432;
    /** Smallest physical MTU a 1.14.1 configuration accepts (clamp). */
    public static final int MIN_CONFIGURED_MTU = 1400;
    /** Largest physical MTU a 1.14.1 configuration accepts (clamp). */
    public static final int MAX_CONFIGURED_MTU = 10324;
    /** Smallest MTU this class accepts: a head must hold a whole header. */
    public static final int MIN_MTU = PacketHeader.MIN_LENGTH;

    private Fragmentation() {}

    /** The largest packet deliverable at {@code mtu} in at most 7 pieces (9928 at 1432). */
    public static int maxPacketLength(int mtu) {
        checkMtu(mtu);
        long max = mtu + (long) (Fragment.MAX_PIECES - 1) * (mtu - Fragment.HEADER_LENGTH);
        return (int) Math.min(max, PacketHeader.MAX_LENGTH);
    }

    /** Number of datagrams (head included) a packet of {@code packetLength} bytes needs. */
    public static int pieces(int packetLength, int mtu) {
        checkMtu(mtu);
        if (packetLength <= mtu) {
            return 1;
        }
        int chunk = mtu - Fragment.HEADER_LENGTH;
        return 1 + (packetLength - mtu + chunk - 1) / chunk;
    }

    /**
     * The piece length that cuts a packet of {@code packetLength} bytes into as many datagrams as
     * {@code mtu} needs ({@link #pieces}), all of one length except a shorter last one, none
     * longer than {@code mtu}: {@code ceil((packetLength + 16 (pieces - 1)) / pieces)}. For a packet
     * that fits in one datagram it is {@code mtu} (nothing to even out).
     *
     * @throws IllegalArgumentException if the packet is longer than {@link #maxPacketLength(int)}
     */
    public static int evenPieceLength(int packetLength, int mtu) {
        if (packetLength > maxPacketLength(mtu)) {
            throw new IllegalArgumentException("packet of " + packetLength + " bytes cannot be sent at MTU " + mtu
                    + " (at most " + maxPacketLength(mtu) + ")");
        }
        int pieces = pieces(packetLength, mtu);
        if (pieces == 1) {
            return mtu;
        }
        int bytes = packetLength + (pieces - 1) * Fragment.HEADER_LENGTH;
        return (bytes + pieces - 1) / pieces;
    }

    /** Length of the head datagram: {@code min(packetLength, mtu)}. */
    public static int headLength(int packetLength, int mtu) {
        checkMtu(mtu);
        return Math.min(packetLength, mtu);
    }

    /**
     * Sets or clears the 0x40 flag of the (not yet armored) packet for {@code mtu} and returns the
     * number of pieces. Call before armoring.
     *
     * @throws IllegalArgumentException if the packet is shorter than a header or longer than
     *                                  {@link #maxPacketLength(int)}: the caller must compose
     *                                  smaller packets for this path
     */
    public static int markFragmented(byte[] packet, int off, int len, int mtu) {
        if (len < PacketHeader.MIN_LENGTH || len > maxPacketLength(mtu)) {
            throw new IllegalArgumentException("packet of " + len + " bytes cannot be sent at MTU " + mtu
                    + " (at most " + maxPacketLength(mtu) + ")");
        }
        int pieces = pieces(len, mtu);
        PacketHeader.setFragmented(packet, off, pieces > 1);
        return pieces;
    }

    /**
     * Writes fragment {@code number} (1 .. pieces-1) of the armored packet
     * {@code packet[off, off+len)} at {@code out[outOff]} and returns the datagram's length
     * (16 + at most {@code mtu - 16}). Hops are 0.
     */
    public static int writeFragment(byte[] packet, int off, int len, int mtu, int number, byte[] out, int outOff) {
        int pieces = pieces(len, mtu);
        if (number < 1 || number >= pieces || pieces > Fragment.MAX_PIECES_FIELD) {
            throw new IllegalArgumentException("fragment " + number + " of " + pieces);
        }
        int chunk = mtu - Fragment.HEADER_LENGTH;
        int start = mtu + (number - 1) * chunk;
        int n = Math.min(chunk, len - start);
        Fragment.writeHeader(out, outOff, PacketHeader.packetId(packet, off), PacketHeader.destination(packet, off),
                number, pieces, 0);
        System.arraycopy(packet, off + start, out, outOff + Fragment.HEADER_LENGTH, n);
        return Fragment.HEADER_LENGTH + n;
    }

    private static void checkMtu(int mtu) {
        if (mtu < MIN_MTU || mtu > MAX_CONFIGURED_MTU) {
            throw new IllegalArgumentException("MTU " + mtu + " outside " + MIN_MTU + ".." + MAX_CONFIGURED_MTU);
        }
    }
}
