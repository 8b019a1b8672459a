package dev.zerokube.overlay.wire;

/**
 * Offsets, constants and allocation-free accessors for the ZeroTier 1.x packet header
 * (ZT1-02 §1, §3), read and written in place in a caller's {@code byte[]} at an offset.
 *
 * <pre>
 * offset size field
 *  0     8    packet ID (random; Salsa20 nonce for ciphers 0/1; SIV[0..8) on the wire for cipher 3)
 *  8     5    destination address (big-endian, 40 bits)
 * 13     5    source address
 * 18     1    flags:  F F C C C H H H   0x80 legacy "encrypted" (iff cipher 1), 0x40 fragmented,
 *                                       0x38 cipher suite, 0x07 hop count (never authenticated)
 * 19     8    MAC: Poly1305 tag[0..8) (ciphers 0/1), SIV[8..16) (cipher 3), trusted path ID (cipher 2)
 * 27     1    verb byte:  Z r r V V V V V   0x80 = payload LZ4-compressed, 0x1f = verb
 * 28     ...  payload
 * </pre>
 *
 * <p>The accessors do not check lengths: callers classify the datagram first ({@link Datagram})
 * so that at least {@link #MIN_LENGTH} bytes are present. They never allocate.
 */
public final class PacketHeader {
    /** Offset of the 8-byte packet ID. */
    public static final int IDX_PACKET_ID = 0;
    /** Offset of the 5-byte destination address. */
    public static final int IDX_DEST = 8;
    /** Offset of the 5-byte source address. */
    public static final int IDX_SOURCE = 13;
    /** Offset of the flags / cipher / hops byte. */
    public static final int IDX_FLAGS = 18;
    /** Offset of the 8-byte MAC field. */
    public static final int IDX_MAC = 19;
    /** Offset of the verb byte, the first byte that ciphers 1 and 3 encrypt. */
    public static final int IDX_VERB = 27;
    /** Offset of the verb's payload. */
    public static final int IDX_PAYLOAD = 28;
    /** Header including the verb byte: the smallest valid packet (a NOP with no payload). */
    public static final int MIN_LENGTH = 28;
    /**
     * Capacity of a 1.14.1 packet buffer: the largest datagram accepted and the largest packet
     * after reassembly (= 7 x 1432). Larger ones are dropped.
     */
    public static final int MAX_LENGTH = 10024;
    /** Largest payload after LZ4 decompression: {@link #MAX_LENGTH} minus the header. */
    public static final int MAX_PAYLOAD_LENGTH = MAX_LENGTH - IDX_PAYLOAD;

    /** Protocol version 1.14.1 announces. */
    public static final int PROTOCOL_VERSION = 12;
    /** Lowest protocol version whose HELLO / OK(HELLO) 1.14.1 processes. */
    public static final int PROTOCOL_VERSION_MIN = 4;
    /** Hop counter maximum (3 bits). */
    public static final int MAX_HOPS = 7;
    /** Relays forward only while hops is below this. */
    public static final int RELAY_MAX_HOPS = 3;

    /** Legacy "encrypted" flag, set iff cipher = 1 and covered by the MAC. */
    public static final int FLAG_ENCRYPTED = 0x80;
    /** "More fragments follow": set in the head of a fragmented packet, before armoring. */
    public static final int FLAG_FRAGMENTED = 0x40;
    /** Cipher suite bits of the flags byte. */
    public static final int FLAGS_CIPHER_MASK = 0x38;
    /** Hop count bits of the flags byte: the only bits a relay changes, never authenticated. */
    public static final int FLAGS_HOPS_MASK = 0x07;
    /** Verb byte flag: the payload from offset 28 is a raw LZ4 block. */
    public static final int VERB_FLAG_COMPRESSED = 0x80;
    /** Verb number bits of the verb byte. */
    public static final int VERB_MASK = 0x1f;

    /** Cipher suite 0: Poly1305 MAC, no encryption (HELLO, bond QoS). */
    public static final int CIPHER_POLY1305_NONE = 0;
    /** Cipher suite 1: Salsa20/12 encryption + Poly1305 MAC. */
    public static final int CIPHER_POLY1305_SALSA2012 = 1;
    /** Cipher suite 2: no crypto, the MAC field carries a trusted path ID (ZT1-02 §11). */
    public static final int CIPHER_TRUSTED_PATH = 2;
    /** Cipher suite 3: AES-GMAC-SIV. */
    public static final int CIPHER_AES_GMAC_SIV = 3;

    private PacketHeader() {}

    /** The packet ID, big-endian (for cipher 3 packets on the wire: the first SIV half). */
    public static long packetId(byte[] packet, int off) {
        return readLong(packet, off + IDX_PACKET_ID);
    }

    public static void setPacketId(byte[] packet, int off, long packetId) {
        writeLong(packet, off + IDX_PACKET_ID, packetId);
    }

    /** The 40-bit destination address. */
    public static long destination(byte[] packet, int off) {
        return readAddress(packet, off + IDX_DEST);
    }

    public static void setDestination(byte[] packet, int off, long address) {
        writeAddress(packet, off + IDX_DEST, address);
    }

    /** The 40-bit source address. */
    public static long source(byte[] packet, int off) {
        return readAddress(packet, off + IDX_SOURCE);
    }

    public static void setSource(byte[] packet, int off, long address) {
        writeAddress(packet, off + IDX_SOURCE, address);
    }

    /** The whole flags byte (0..255). */
    public static int flags(byte[] packet, int off) {
        return packet[off + IDX_FLAGS] & 0xff;
    }

    public static void setFlags(byte[] packet, int off, int flags) {
        packet[off + IDX_FLAGS] = (byte) flags;
    }

    /** The cipher suite 0..7 (4..7 are undefined and fail dearmor). */
    public static int cipher(byte[] packet, int off) {
        return (packet[off + IDX_FLAGS] & FLAGS_CIPHER_MASK) >>> 3;
    }

    /**
     * Sets the cipher suite bits and the legacy 0x80 flag exactly as 1.14.1 does: 0x80 is set iff
     * the suite is 1. Fragmented flag and hops are kept.
     */
    public static void setCipher(byte[] packet, int off, int cipher) {
        if (cipher < 0 || cipher > 7) {
            throw new IllegalArgumentException("cipher suite " + cipher);
        }
        int f = packet[off + IDX_FLAGS] & (FLAG_FRAGMENTED | FLAGS_HOPS_MASK);
        f |= cipher << 3;
        if (cipher == CIPHER_POLY1305_SALSA2012) {
            f |= FLAG_ENCRYPTED;
        }
        packet[off + IDX_FLAGS] = (byte) f;
    }

    /** The hop count 0..7. */
    public static int hops(byte[] packet, int off) {
        return packet[off + IDX_FLAGS] & FLAGS_HOPS_MASK;
    }

    public static void setHops(byte[] packet, int off, int hops) {
        if (hops < 0 || hops > MAX_HOPS) {
            throw new IllegalArgumentException("hops " + hops);
        }
        packet[off + IDX_FLAGS] = (byte) ((packet[off + IDX_FLAGS] & ~FLAGS_HOPS_MASK) | hops);
    }

    /** Increments the hop count modulo 8, as a relay does (ZT1-02 §8.1). */
    public static void incrementHops(byte[] packet, int off) {
        int b = packet[off + IDX_FLAGS];
        packet[off + IDX_FLAGS] = (byte) ((b & ~FLAGS_HOPS_MASK) | ((b + 1) & FLAGS_HOPS_MASK));
    }

    /** Whether the 0x40 "more fragments follow" flag is set (meaningful in a packet head). */
    public static boolean isFragmented(byte[] packet, int off) {
        return (packet[off + IDX_FLAGS] & FLAG_FRAGMENTED) != 0;
    }

    public static void setFragmented(byte[] packet, int off, boolean fragmented) {
        int f = packet[off + IDX_FLAGS] & ~FLAG_FRAGMENTED;
        packet[off + IDX_FLAGS] = (byte) (fragmented ? f | FLAG_FRAGMENTED : f);
    }

    /** The 8-byte MAC field as a big-endian number (for cipher 2: the trusted path ID). */
    public static long mac(byte[] packet, int off) {
        return readLong(packet, off + IDX_MAC);
    }

    public static void setMac(byte[] packet, int off, long mac) {
        writeLong(packet, off + IDX_MAC, mac);
    }

    /** The trusted path ID of a cipher-2 packet: the MAC field, big-endian (ZT1-02 §11.2). */
    public static long trustedPathId(byte[] packet, int off) {
        return mac(packet, off);
    }

    /** The raw verb byte (only meaningful after dearmor for ciphers 1 and 3). */
    public static int verbByte(byte[] packet, int off) {
        return packet[off + IDX_VERB] & 0xff;
    }

    public static void setVerbByte(byte[] packet, int off, int verbByte) {
        packet[off + IDX_VERB] = (byte) verbByte;
    }

    /** The verb number 0..31 (bits 5-6 are ignored, as 1.14.1 does). */
    public static int verb(byte[] packet, int off) {
        return packet[off + IDX_VERB] & VERB_MASK;
    }

    /** Whether the payload is an LZ4 block (verb byte bit 0x80). */
    public static boolean isCompressed(byte[] packet, int off) {
        return (packet[off + IDX_VERB] & VERB_FLAG_COMPRESSED) != 0;
    }

    /**
     * Writes a fresh header: packet ID, addresses, flags 0 (cipher 0, hops 0, not fragmented), MAC
     * field zero and the verb byte. Returns {@link #IDX_PAYLOAD}, the offset (relative to
     * {@code off}) at which the caller writes the payload.
     */
    public static int writeHeader(byte[] packet, int off, long packetId, long destination, long source,
            int verbByte) {
        setPacketId(packet, off, packetId);
        setDestination(packet, off, destination);
        setSource(packet, off, source);
        packet[off + IDX_FLAGS] = 0;
        setMac(packet, off, 0);
        packet[off + IDX_VERB] = (byte) verbByte;
        return IDX_PAYLOAD;
    }

    static long readLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xff);
        }
        return v;
    }

    static void writeLong(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    static long readAddress(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 5; i++) {
            v = (v << 8) | (b[at + i] & 0xff);
        }
        return v;
    }

    static void writeAddress(byte[] b, int at, long address) {
        if ((address >>> 40) != 0) {
            throw new IllegalArgumentException("address wider than 40 bits: " + Long.toHexString(address));
        }
        for (int i = 4; i >= 0; i--) {
            b[at + i] = (byte) address;
            address >>>= 8;
        }
    }
}
