package dev.zerokube.overlay.identity;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import java.util.HexFormat;

/**
 * A ZeroTier address: a 40-bit unsigned integer, 5 bytes big-endian on the wire and 10 lowercase
 * hex digits as text (ZT1-01 §2).
 *
 * <p>The record holds any 40-bit value, because the wire carries values that are not node
 * addresses: zero means "none" (e.g. the terminator of a capability's custody chain) and a first
 * byte of 0xff marks a fragment. {@link #isReserved()} says whether a value can be a node's
 * address; {@link Identity} never holds a reserved one, and {@link #parse(String)}, which reads
 * what a user or a config file names as a node, rejects them.
 *
 * <p>Addresses compare as plain unsigned integers, as ZeroTier compares them.
 *
 * @param value the address in the low 40 bits; the upper 24 bits must be zero
 */
public record Address(long value) implements Comparable<Address> {
    /** Bytes of an address on the wire. */
    public static final int LENGTH = 5;
    /** Hex digits of an address in text. */
    public static final int HEX_LENGTH = 10;
    /** The mask of the 40 bits an address has. */
    public static final long MASK = 0xff_ffff_ffffL;
    /** A first byte that makes an address reserved: it flags fragments in packet byte 13. */
    public static final int RESERVED_PREFIX = 0xff;

    /** The "no address" value, also used by ZeroTier as a terminator and placeholder. */
    public static final Address NONE = new Address(0);

    public Address {
        if ((value & ~MASK) != 0) {
            throw new IllegalArgumentException("address 0x" + Long.toHexString(value) + " has more than 40 bits");
        }
    }

    /**
     * The address in the low 40 bits of {@code value}, dropping the rest, as ZeroTier does when it
     * builds an address from a 64-bit integer (for example the controller part of a network id).
     */
    public static Address fromLow40Bits(long value) {
        return new Address(value & MASK);
    }

    /**
     * Reads a node address: 1 to 10 hex digits, either case (ZeroTier's own parsers accept short
     * forms, and its output is always 10 lowercase digits).
     *
     * @throws IllegalArgumentException if the text is not 1–10 hex digits or names a reserved
     *     address, with a message saying which
     */
    public static Address parse(String text) {
        if (text.isEmpty() || text.length() > HEX_LENGTH) {
            throw new IllegalArgumentException("address '" + text + "' must be 1 to 10 hex digits");
        }
        long v = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!HexFormat.isHexDigit(c)) {
                throw new IllegalArgumentException("address '" + text + "' has a non-hex character at " + i);
            }
            v = (v << 4) | HexFormat.fromHexDigit(c);
        }
        Address address = new Address(v);
        if (address.isReserved()) {
            throw new IllegalArgumentException("address " + address + " is reserved (zero or first byte 0xff)");
        }
        return address;
    }

    /** Reads 5 big-endian bytes; any value is accepted (see the class comment). */
    public static Address decode(ByteReader reader, String field) throws WireFormatException {
        return new Address(reader.readU40(field));
    }

    /** Writes the 5 big-endian bytes. */
    public void encode(ByteWriter writer) {
        writer.u40(value);
    }

    /** Copies the 5 big-endian bytes into {@code out} at {@code offset}. */
    public void copyTo(byte[] out, int offset) {
        for (int i = 0; i < LENGTH; i++) {
            out[offset + i] = (byte) (value >>> (8 * (LENGTH - 1 - i)));
        }
    }

    /** The 5 big-endian bytes. */
    public byte[] toBytes() {
        byte[] out = new byte[LENGTH];
        copyTo(out, 0);
        return out;
    }

    /** The address in 5 big-endian bytes of {@code bytes} at {@code offset}. */
    public static Address fromBytes(byte[] bytes, int offset) {
        long v = 0;
        for (int i = 0; i < LENGTH; i++) {
            v = (v << 8) | (bytes[offset + i] & 0xff);
        }
        return new Address(v);
    }

    /**
     * Whether this value can never be a node's address: zero ("none") or a first byte of 0xff
     * (reserved so that byte 13 of a datagram can flag a fragment, ZT1-02 §6).
     */
    public boolean isReserved() {
        return value == 0 || (value >>> 32) == RESERVED_PREFIX;
    }

    /** Exactly 10 lowercase hex digits, zero-padded. */
    @Override
    public String toString() {
        String hex = Long.toHexString(value);
        return "0".repeat(HEX_LENGTH - hex.length()) + hex;
    }

    @Override
    public int compareTo(Address other) {
        return Long.compare(value, other.value);
    }
}
