package dev.zerokube.overlay.wire.rules;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.Mac;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;

/**
 * One entry of a rule table (ZT1-06 §2–§4), immutable.
 *
 * <p>Every entry keeps the NOT ({@code 0x80}) and OR ({@code 0x40}) bits of its type byte, also on
 * actions where the evaluator ignores them, so a table re-encodes byte for byte. Each variant
 * holds exactly the fields 1.14.1 serializes for its types, at their wire widths (unsigned values
 * in {@code int}/{@code long}, checked in the constructors). Types 1.14.1 does not know are kept
 * as {@link Unknown} with their code and flags only, as 1.14.1 keeps them.
 */
public sealed interface RuleEntry {

    /** The six-bit type code ({@code typeByte() & 0x3f}). */
    int code();

    /** The NOT bit: inverts a match; carried but meaningless on actions. */
    boolean not();

    /** The OR bit: ORs a match into the running result; carried but meaningless on actions. */
    boolean or();

    /** The known type, or {@code null} for {@link Unknown}. */
    RuleType type();

    /** The type byte as written on the wire. */
    default int typeByte() {
        return code() | (not() ? RuleType.NOT_BIT : 0) | (or() ? RuleType.OR_BIT : 0);
    }

    default boolean isAction() {
        return RuleType.isAction(code());
    }

    /** DROP, ACCEPT, BREAK or PRIORITY: an action without a payload. */
    record Action(RuleType type, boolean not, boolean or) implements RuleEntry {
        private static final Set<RuleType> TYPES = EnumSet.of(
                RuleType.ACTION_DROP, RuleType.ACTION_ACCEPT, RuleType.ACTION_BREAK, RuleType.ACTION_PRIORITY);

        public Action {
            requireType(TYPES, type);
        }

        /** A plain action without flag bits. */
        public static Action of(RuleType type) {
            return new Action(type, false, false);
        }

        @Override
        public int code() {
            return type.code();
        }
    }

    /**
     * TEE, WATCH or REDIRECT. {@code address} is the full 64-bit wire field (only its low 40 bits
     * name a node; 1.14.1 keeps and re-sends the rest), {@code flags} a u32 no 1.14.1 code
     * interprets, {@code length} the u16 copy length (0 = whole frame; unused by REDIRECT).
     */
    record Forward(RuleType type, boolean not, boolean or, long address, long flags, int length)
            implements RuleEntry {
        private static final Set<RuleType> TYPES =
                EnumSet.of(RuleType.ACTION_TEE, RuleType.ACTION_WATCH, RuleType.ACTION_REDIRECT);

        public Forward {
            requireType(TYPES, type);
            requireUnsigned(flags, 32, "flags");
            requireUnsigned(length, 16, "length");
        }

        @Override
        public int code() {
            return type.code();
        }
    }

    /** SOURCE_ZEROTIER_ADDRESS or DEST_ZEROTIER_ADDRESS: a ZeroTier address (any 40 bits). */
    record AddressMatch(RuleType type, boolean not, boolean or, Address address) implements RuleEntry {
        private static final Set<RuleType> TYPES =
                EnumSet.of(RuleType.MATCH_SOURCE_ZEROTIER_ADDRESS, RuleType.MATCH_DEST_ZEROTIER_ADDRESS);

        public AddressMatch {
            requireType(TYPES, type);
            Objects.requireNonNull(address, "address");
        }

        @Override
        public int code() {
            return type.code();
        }
    }

    /**
     * A match on one integer: VLAN_ID (16 bits), VLAN_PCP, VLAN_DEI, IP_PROTOCOL (8), ETHERTYPE (16),
     * CHARACTERISTICS (64, a bit mask), RANDOM (32, probability out of 2^32 - 1).
     */
    record ValueMatch(RuleType type, boolean not, boolean or, long value) implements RuleEntry {
        public ValueMatch {
            requireUnsigned(value, bits(type), "value");
        }

        /** The width in bits of the value of a ValueMatch type. */
        public static int bits(RuleType type) {
            if (type == null) {
                throw new IllegalArgumentException("type is null");
            }
            return switch (type) {
                case MATCH_VLAN_PCP, MATCH_VLAN_DEI, MATCH_IP_PROTOCOL -> 8;
                case MATCH_VLAN_ID, MATCH_ETHERTYPE -> 16;
                case MATCH_RANDOM -> 32;
                case MATCH_CHARACTERISTICS -> 64;
                default -> throw new IllegalArgumentException(type + " is not a single-value match");
            };
        }

        @Override
        public int code() {
            return type.code();
        }
    }

    /** MAC_SOURCE or MAC_DEST. */
    record MacMatch(RuleType type, boolean not, boolean or, Mac mac) implements RuleEntry {
        private static final Set<RuleType> TYPES = EnumSet.of(RuleType.MATCH_MAC_SOURCE, RuleType.MATCH_MAC_DEST);

        public MacMatch {
            requireType(TYPES, type);
            Objects.requireNonNull(mac, "mac");
        }

        @Override
        public int code() {
            return type.code();
        }
    }

    /**
     * IPV4_SOURCE/DEST (4 address bytes) or IPV6_SOURCE/DEST (16), with a prefix length byte. Host
     * bits are kept as given (they matter to the IPv6 evaluator, ZT1-06 §6.3.4); the prefix byte is
     * kept even when it exceeds the address width, as 1.14.1 does on decode.
     */
    record IpMatch(RuleType type, boolean not, boolean or, byte[] ip, int prefixBits) implements RuleEntry {
        public IpMatch {
            int len = switch (type) {
                case MATCH_IPV4_SOURCE, MATCH_IPV4_DEST -> 4;
                case MATCH_IPV6_SOURCE, MATCH_IPV6_DEST -> 16;
                case null, default -> throw new IllegalArgumentException(type + " is not an IP match");
            };
            if (ip == null || ip.length != len) {
                throw new IllegalArgumentException(type + " needs a " + len + "-byte address");
            }
            ip = ip.clone();
            requireUnsigned(prefixBits, 8, "prefixBits");
        }

        /** A copy of the address bytes (network order). */
        @Override
        public byte[] ip() {
            return ip.clone();
        }

        public boolean isIpv6() {
            return ip.length == 16;
        }

        @Override
        public int code() {
            return type.code();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof IpMatch m && m.type == type && m.not == not && m.or == or
                    && m.prefixBits == prefixBits && Arrays.equals(m.ip, ip);
        }

        @Override
        public int hashCode() {
            return (type.hashCode() * 31 + Arrays.hashCode(ip)) * 31 + typeByte() * 257 + prefixBits;
        }

        @Override
        public String toString() {
            return "IpMatch[" + type + (not ? " not" : "") + (or ? " or" : "") + " " + HexFormat.of().formatHex(ip)
                    + "/" + prefixBits + "]";
        }
    }

    /** IP_TOS: {@code (tos & mask)} within {@code [start, end]}, all bytes. */
    record IpTosMatch(boolean not, boolean or, int mask, int start, int end) implements RuleEntry {
        public IpTosMatch {
            requireUnsigned(mask, 8, "mask");
            requireUnsigned(start, 8, "start");
            requireUnsigned(end, 8, "end");
        }

        @Override
        public RuleType type() {
            return RuleType.MATCH_IP_TOS;
        }

        @Override
        public int code() {
            return RuleType.MATCH_IP_TOS.code();
        }
    }

    /**
     * ICMP: {@code icmpType}, {@code icmpCode} and the flag byte, whose bit {@link #FLAG_CHECK_CODE}
     * says whether the code is compared (the controller JSON's {@code icmpCode: null} clears it).
     */
    record IcmpMatch(boolean not, boolean or, int icmpType, int icmpCode, int flags) implements RuleEntry {
        /** Flag bit: compare the ICMP code too. */
        public static final int FLAG_CHECK_CODE = 0x01;

        public IcmpMatch {
            requireUnsigned(icmpType, 8, "icmpType");
            requireUnsigned(icmpCode, 8, "icmpCode");
            requireUnsigned(flags, 8, "flags");
        }

        public boolean checksCode() {
            return (flags & FLAG_CHECK_CODE) != 0;
        }

        @Override
        public RuleType type() {
            return RuleType.MATCH_ICMP;
        }

        @Override
        public int code() {
            return RuleType.MATCH_ICMP.code();
        }
    }

    /** IP_SOURCE_PORT_RANGE, IP_DEST_PORT_RANGE or FRAME_SIZE_RANGE: inclusive u16 bounds. */
    record RangeMatch(RuleType type, boolean not, boolean or, int start, int end) implements RuleEntry {
        private static final Set<RuleType> TYPES = EnumSet.of(RuleType.MATCH_IP_SOURCE_PORT_RANGE,
                RuleType.MATCH_IP_DEST_PORT_RANGE, RuleType.MATCH_FRAME_SIZE_RANGE);

        public RangeMatch {
            requireType(TYPES, type);
            requireUnsigned(start, 16, "start");
            requireUnsigned(end, 16, "end");
        }

        @Override
        public int code() {
            return type.code();
        }
    }

    /** One of the seven tag matches: u32 tag id and u32 operand value. */
    record TagMatch(RuleType type, boolean not, boolean or, long id, long value) implements RuleEntry {
        private static final Set<RuleType> TYPES = EnumSet.range(RuleType.MATCH_TAGS_DIFFERENCE, RuleType.MATCH_TAG_RECEIVER);

        public TagMatch {
            requireType(TYPES, type);
            requireUnsigned(id, 32, "id");
            requireUnsigned(value, 32, "value");
        }

        @Override
        public int code() {
            return type.code();
        }
    }

    /**
     * INTEGER_RANGE: the integer of {@code format} at {@code index} of the frame lies in
     * {@code [start, end]}. 1.14.1 holds the end as a u32 offset from {@code start}, so
     * {@code end - start} (mod 2^64) must fit in 32 bits; the wire carries the absolute end.
     * {@code format}: bits 0..5 = width - 1, bit 7 = little-endian (ZT1-06 §3.2).
     */
    record IntegerRangeMatch(boolean not, boolean or, long start, long end, int index, int format)
            implements RuleEntry {
        public IntegerRangeMatch {
            requireUnsigned(end - start, 32, "end - start");
            requireUnsigned(index, 16, "index");
            requireUnsigned(format, 8, "format");
        }

        @Override
        public RuleType type() {
            return RuleType.MATCH_INTEGER_RANGE;
        }

        @Override
        public int code() {
            return RuleType.MATCH_INTEGER_RANGE.code();
        }
    }

    /**
     * A reserved type code (actions 7..15, matches 16..23 and 52..63). Its payload is skipped on
     * decode and written empty, as 1.14.1 does; the evaluator still sees it (ZT1-06 §6.5).
     */
    record Unknown(int code, boolean not, boolean or) implements RuleEntry {
        public Unknown {
            requireUnsigned(code, 6, "code");
            if (RuleType.ofCode(code) != null) {
                throw new IllegalArgumentException("code " + code + " is a known type: " + RuleType.ofCode(code));
            }
        }

        @Override
        public RuleType type() {
            return null;
        }
    }

    private static void requireType(Set<RuleType> allowed, RuleType type) {
        if (type == null || !allowed.contains(type)) {
            throw new IllegalArgumentException(type + " is not one of " + allowed);
        }
    }

    private static void requireUnsigned(long value, int bits, String field) {
        if (bits < 64 && (value >>> bits) != 0) {
            throw new IllegalArgumentException(field + " " + Long.toUnsignedString(value) + " exceeds " + bits + " bits");
        }
    }
}
