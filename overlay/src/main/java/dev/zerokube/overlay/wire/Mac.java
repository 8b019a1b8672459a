package dev.zerokube.overlay.wire;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.identity.Address;
import java.util.HexFormat;

/**
 * A 48-bit Ethernet MAC address, octet 0 most significant (ZT1-08 §1).
 *
 * <p>A member's MAC on a network is not configured but derived from its 40-bit node address and
 * the 64-bit network id ({@link #fromAddress}, ZT1-03 §2.4), which is why FRAME carries no MACs:
 * <pre>
 *   octet 0    = (nwid &amp; 0xfe) | 0x02, except that 0x52 becomes 0x32 (KVM uses 0x52)
 *   octet 1..5 = address byte 0..4 XOR network id byte 1..5 (byte k = (nwid &gt;&gt; 8k) &amp; 0xff)
 * </pre>
 * Text form: six lower-case two-digit hex octets separated by colons. On the wire: 6 bytes.
 * Ordering is numeric on the 48-bit value (used when sorting multicast groups).
 */
public record Mac(long value) implements Comparable<Mac> {
    /** Length on the wire. */
    public static final int LENGTH = 6;
    /** {@code ff:ff:ff:ff:ff:ff}. */
    public static final Mac BROADCAST = new Mac(0xffff_ffff_ffffL);
    /** {@code 00:00:00:00:00:00}, used as "absent". */
    public static final Mac NIL = new Mac(0);

    private static final long MASK = 0xffff_ffff_ffffL;
    private static final long ADDRESS_MASK = 0xff_ffff_ffffL;

    public Mac {
        if ((value & ~MASK) != 0) {
            throw new IllegalArgumentException("MAC must fit in 48 bits: " + Long.toHexString(value));
        }
    }

    /** The first octet of every member MAC on {@code networkId}. */
    public static int firstOctetForNetwork(long networkId) {
        int first = ((int) networkId & 0xfe) | 0x02;
        return first == 0x52 ? 0x32 : first;
    }

    /** The MAC of node {@code address} (40 bits) on network {@code networkId}. */
    public static Mac fromAddress(long address, long networkId) {
        return new Mac(fromAddressValue(address, networkId));
    }

    /** The MAC of node {@code address} on network {@code networkId}. */
    public static Mac fromAddress(Address address, NetworkId networkId) {
        return fromAddress(address.value(), networkId.value());
    }

    /** {@link #fromAddress} as a primitive, for the per-frame path. */
    public static long fromAddressValue(long address, long networkId) {
        if ((address & ~ADDRESS_MASK) != 0) {
            throw new IllegalArgumentException("address must fit in 40 bits: " + Long.toHexString(address));
        }
        return ((long) firstOctetForNetwork(networkId) << 40) | (address ^ networkIdMask(networkId));
    }

    /**
     * The node address this MAC would belong to on {@code networkId}: the low 40 bits with the
     * network id's bytes 1..5 XORed back out. The first octet is not checked (as in 1.14.1); use
     * {@link #isMemberMacOn} for that.
     */
    public long toAddress(long networkId) {
        return (value ^ networkIdMask(networkId)) & ADDRESS_MASK;
    }

    /**
     * Whether a unicast frame to this MAC goes to another member (ZT1-08 §1.2): its first octet is
     * the network's member first octet. No membership lookup is implied.
     */
    public boolean isMemberMacOn(long networkId) {
        return firstOctet() == firstOctetForNetwork(networkId);
    }

    // Network id bytes 1..5 placed so that byte 1 lands on MAC octet 1 (address byte 0).
    private static long networkIdMask(long networkId) {
        long m = 0;
        for (int k = 1; k <= 5; k++) {
            m |= ((networkId >>> (8 * k)) & 0xff) << (8 * (5 - k));
        }
        return m;
    }

    public int firstOctet() {
        return (int) (value >>> 40);
    }

    /** Bit 0 of octet 0: multicast, which includes broadcast. */
    public boolean isMulticast() {
        return (value & 0x0100_0000_0000L) != 0;
    }

    public boolean isBroadcast() {
        return value == MASK;
    }

    /** Bit 1 of octet 0. */
    public boolean isLocallyAdministered() {
        return (value & 0x0200_0000_0000L) != 0;
    }

    public boolean isNil() {
        return value == 0;
    }

    /** Parses {@code xx:xx:xx:xx:xx:xx} (either case). */
    public static Mac parse(String text) {
        if (text == null || text.length() != 17) {
            throw new IllegalArgumentException("MAC must be xx:xx:xx:xx:xx:xx: " + text);
        }
        long v = 0;
        for (int i = 0; i < 6; i++) {
            int at = i * 3;
            if (i > 0 && text.charAt(at - 1) != ':') {
                throw new IllegalArgumentException("MAC must be xx:xx:xx:xx:xx:xx: " + text);
            }
            char hi = text.charAt(at);
            char lo = text.charAt(at + 1);
            if (!HexFormat.isHexDigit(hi) || !HexFormat.isHexDigit(lo)) {
                throw new IllegalArgumentException("MAC must be xx:xx:xx:xx:xx:xx: " + text);
            }
            v = (v << 8) | (HexFormat.fromHexDigit(hi) << 4) | HexFormat.fromHexDigit(lo);
        }
        return new Mac(v);
    }

    public static Mac decode(ByteReader r, String field) throws WireFormatException {
        r.require(LENGTH, field);
        long hi = r.readU16(field);
        return new Mac((hi << 32) | r.readU32(field));
    }

    public void encode(ByteWriter w) {
        w.u16((int) (value >>> 32));
        w.u32(value);
    }

    /** The 6 octets, most significant first. */
    public byte[] toBytes() {
        byte[] b = new byte[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            b[i] = (byte) (value >>> (40 - 8 * i));
        }
        return b;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(17);
        HexFormat hex = HexFormat.of();
        for (int i = 0; i < LENGTH; i++) {
            if (i > 0) {
                sb.append(':');
            }
            sb.append(hex.toHexDigits((byte) (value >>> (40 - 8 * i))));
        }
        return sb.toString();
    }

    @Override
    public int compareTo(Mac o) {
        return Long.compare(value, o.value);
    }
}
