package dev.zerokube.overlay.wire;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.identity.Address;
import java.util.HexFormat;

/**
 * A 64-bit ZeroTier network id. The top 40 bits are the controller's node address, the low 24
 * bits number the controller's networks (ZT1-03 §0, {@code node/Network.hpp: controller()}).
 *
 * <p>Text form: exactly 16 hex digits, lower case when written. On the wire: 8 bytes big-endian.
 * Every 64-bit value is a valid id (the ad-hoc ranges {@code ff…} are ids too); the value is
 * held in a {@code long} as two's complement.
 */
public record NetworkId(long value) implements Comparable<NetworkId> {
    /** Length on the wire. */
    public static final int LENGTH = 8;

    /** The 40-bit address of the controller that owns this network ({@code value >>> 24}). */
    public long controllerAddress() {
        return value >>> 24;
    }

    /** {@link #controllerAddress()} as an {@link Address}. */
    public Address controller() {
        return new Address(value >>> 24);
    }

    /** Parses exactly 16 hex digits (either case). */
    public static NetworkId parse(String text) {
        if (text == null || text.length() != 16 || !HexFormat.isHexDigit(text.charAt(0))) {
            throw new IllegalArgumentException("network id must be 16 hex digits: " + text);
        }
        try {
            return new NetworkId(Long.parseUnsignedLong(text, 16));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("network id must be 16 hex digits: " + text, e);
        }
    }

    public static NetworkId decode(ByteReader r) throws WireFormatException {
        return new NetworkId(r.readU64("network id"));
    }

    public void encode(ByteWriter w) {
        w.u64(value);
    }

    /** 16 lower-case hex digits. */
    @Override
    public String toString() {
        return HexFormat.of().toHexDigits(value);
    }

    @Override
    public int compareTo(NetworkId o) {
        return Long.compareUnsigned(value, o.value);
    }
}
