package dev.zerokube.overlay.wire.rules;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.Mac;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Converts rule entries to and from the JSON objects a 1.14.1 controller stores (ZT1-06 §5).
 *
 * <p>The JSON is modelled without a JSON library, as a {@code Map<String, Object>} whose values are
 * {@code String}, {@code Long}, {@code Boolean} or {@code null} (any {@link Number} is accepted on
 * input). {@link #render} gives exactly the object 1.14.1 renders (keys sorted, as its JSON
 * library keeps them); {@link #parse} reads leniently the way 1.14.1 does (booleans from numbers
 * and strings, integers from strings, values masked to their width, IPv4 prefix clamped to 32 and
 * IPv6 prefix to 128, unparsable addresses as zero) and reports the rules the controller
 * silently drops (unknown {@code type}, {@code INTEGER_RANGE}) as empty.
 */
public final class ControllerRuleJson {
    private static final long MASK_40 = 0xff_ffff_ffffL;

    private ControllerRuleJson() {}

    /**
     * The controller's JSON object for {@code entry}, or empty for PRIORITY and reserved types
     * (1.14.1 renders those as an empty object). Actions carry no {@code not}/{@code or} keys.
     */
    public static Optional<Map<String, Object>> render(RuleEntry entry) {
        Map<String, Object> r = new TreeMap<>();
        RuleType type = entry.type();
        if (type == null || type.jsonName() == null) {
            return Optional.empty();
        }
        r.put("type", type.jsonName());
        switch (entry) {
            case RuleEntry.Action a -> {
                return Optional.of(r);
            }
            case RuleEntry.Forward f -> {
                r.put("address", Address.fromLow40Bits(f.address()).toString());
                r.put("flags", f.flags());
                if (f.type() != RuleType.ACTION_REDIRECT) {
                    r.put("length", (long) f.length());
                }
                return Optional.of(r);
            }
            case RuleEntry.AddressMatch m -> r.put("zt", m.address().toString());
            case RuleEntry.ValueMatch m -> {
                switch (m.type()) {
                    case MATCH_VLAN_ID -> r.put("vlanId", m.value());
                    case MATCH_VLAN_PCP -> r.put("vlanPcp", m.value());
                    case MATCH_VLAN_DEI -> r.put("vlanDei", m.value());
                    case MATCH_IP_PROTOCOL -> r.put("ipProtocol", m.value());
                    case MATCH_ETHERTYPE -> r.put("etherType", m.value());
                    case MATCH_RANDOM -> r.put("probability", m.value());
                    case MATCH_CHARACTERISTICS -> r.put("mask", String.format("%016x", m.value()));
                    default -> throw new IllegalStateException(m.type().toString());
                }
            }
            case RuleEntry.MacMatch m -> r.put("mac", m.mac().toString());
            case RuleEntry.IpMatch m -> r.put("ip", InetEndpoint.of(m.ip(), m.prefixBits()).toString());
            case RuleEntry.IpTosMatch m -> {
                r.put("mask", (long) m.mask());
                r.put("start", (long) m.start());
                r.put("end", (long) m.end());
            }
            case RuleEntry.IcmpMatch m -> {
                r.put("icmpType", (long) m.icmpType());
                r.put("icmpCode", m.checksCode() ? (Object) (long) m.icmpCode() : null);
            }
            case RuleEntry.RangeMatch m -> {
                r.put("start", (long) m.start());
                r.put("end", (long) m.end());
            }
            case RuleEntry.TagMatch m -> {
                r.put("id", m.id());
                r.put("value", m.value());
            }
            case RuleEntry.IntegerRangeMatch m -> {
                r.put("start", String.format("%016x", m.start()));
                r.put("end", String.format("%016x", m.end()));
                r.put("idx", (long) m.index());
                r.put("little", (m.format() & 0x80) != 0);
                r.put("bits", (long) ((m.format() & 63) + 1));
            }
            case RuleEntry.Unknown u -> throw new IllegalStateException("unreachable");
        }
        r.put("not", entry.not());
        r.put("or", entry.or());
        return Optional.of(r);
    }

    /** Renders each entry; entries without a JSON form are left out. */
    public static List<Map<String, Object>> renderAll(List<RuleEntry> entries) {
        List<Map<String, Object>> out = new ArrayList<>(entries.size());
        for (RuleEntry e : entries) {
            render(e).ifPresent(out::add);
        }
        return out;
    }

    /**
     * The entry 1.14.1's controller makes of a JSON rule, or empty when it drops the rule (unknown
     * or missing {@code type}, and {@code INTEGER_RANGE}, which 1.14.1 parses without setting
     * its type and then discards).
     *
     * @throws IllegalArgumentException for a CHARACTERISTICS {@code mask} that is neither a number
     *     nor a string (1.14.1 fails the whole request on it)
     */
    public static Optional<RuleEntry> parse(Map<String, ?> r) {
        RuleType type = RuleType.ofJsonName(jsonString(r.get("type"), ""));
        if (type == null || type == RuleType.MATCH_INTEGER_RANGE) {
            return Optional.empty();
        }
        boolean not = jsonBool(r.get("not"), false);
        boolean or = jsonBool(r.get("or"), false);
        RuleEntry e = switch (type) {
            case ACTION_DROP, ACTION_ACCEPT, ACTION_BREAK, ACTION_PRIORITY -> new RuleEntry.Action(type, not, or);
            case ACTION_TEE, ACTION_WATCH, ACTION_REDIRECT -> new RuleEntry.Forward(type, not, or,
                    strtoull(jsonString(r.get("address"), "0"), 16) & MASK_40,
                    jsonInt(r.get("flags"), 0) & 0xffffffffL,
                    type == RuleType.ACTION_REDIRECT ? 0 : (int) (jsonInt(r.get("length"), 0) & 0xffff));
            case MATCH_SOURCE_ZEROTIER_ADDRESS, MATCH_DEST_ZEROTIER_ADDRESS -> new RuleEntry.AddressMatch(type, not, or,
                    Address.fromLow40Bits(strtoull(jsonString(r.get("zt"), "0"), 16)));
            case MATCH_VLAN_ID -> new RuleEntry.ValueMatch(type, not, or, jsonInt(r.get("vlanId"), 0) & 0xffff);
            case MATCH_VLAN_PCP -> new RuleEntry.ValueMatch(type, not, or, jsonInt(r.get("vlanPcp"), 0) & 0xff);
            case MATCH_VLAN_DEI -> new RuleEntry.ValueMatch(type, not, or, jsonInt(r.get("vlanDei"), 0) & 0xff);
            case MATCH_IP_PROTOCOL -> new RuleEntry.ValueMatch(type, not, or, jsonInt(r.get("ipProtocol"), 0) & 0xff);
            case MATCH_ETHERTYPE -> new RuleEntry.ValueMatch(type, not, or, jsonInt(r.get("etherType"), 0) & 0xffff);
            case MATCH_RANDOM -> new RuleEntry.ValueMatch(type, not, or,
                    jsonInt(r.get("probability"), 0) & 0xffffffffL);
            case MATCH_CHARACTERISTICS -> new RuleEntry.ValueMatch(type, not, or, characteristics(r));
            case MATCH_MAC_SOURCE, MATCH_MAC_DEST -> new RuleEntry.MacMatch(type, not, or,
                    new Mac(parseMac(jsonString(r.get("mac"), "0"))));
            case MATCH_IPV4_SOURCE, MATCH_IPV4_DEST -> ipMatch(type, not, or, jsonString(r.get("ip"), "0.0.0.0"), 4);
            case MATCH_IPV6_SOURCE, MATCH_IPV6_DEST -> ipMatch(type, not, or, jsonString(r.get("ip"), "::0"), 16);
            case MATCH_IP_TOS -> new RuleEntry.IpTosMatch(not, or, (int) (jsonInt(r.get("mask"), 0) & 0xff),
                    (int) (jsonInt(r.get("start"), 0) & 0xff), (int) (jsonInt(r.get("end"), 0) & 0xff));
            case MATCH_ICMP -> {
                int icmpType = (int) (jsonInt(r.get("icmpType"), 0) & 0xff);
                Object code = r.get("icmpCode");
                yield code == null
                        ? new RuleEntry.IcmpMatch(not, or, icmpType, 0, 0)
                        : new RuleEntry.IcmpMatch(not, or, icmpType, (int) (jsonInt(code, 0) & 0xff),
                                RuleEntry.IcmpMatch.FLAG_CHECK_CODE);
            }
            case MATCH_IP_SOURCE_PORT_RANGE, MATCH_IP_DEST_PORT_RANGE, MATCH_FRAME_SIZE_RANGE -> {
                long start = jsonInt(r.get("start"), 0) & 0xffff;
                yield new RuleEntry.RangeMatch(type, not, or, (int) start, (int) (jsonInt(r.get("end"), start) & 0xffff));
            }
            case MATCH_TAGS_DIFFERENCE, MATCH_TAGS_BITWISE_AND, MATCH_TAGS_BITWISE_OR, MATCH_TAGS_BITWISE_XOR,
                    MATCH_TAGS_EQUAL, MATCH_TAG_SENDER, MATCH_TAG_RECEIVER -> new RuleEntry.TagMatch(type, not, or,
                    jsonInt(r.get("id"), 0) & 0xffffffffL, jsonInt(r.get("value"), 0) & 0xffffffffL);
            case MATCH_INTEGER_RANGE -> throw new IllegalStateException("unreachable");
        };
        return Optional.of(e);
    }

    /**
     * Parses each JSON rule as the controller builds a config from its stored list: elements that
     * are not objects or that {@link #parse} drops are skipped.
     */
    public static List<RuleEntry> parseAll(List<?> rules) {
        List<RuleEntry> out = new ArrayList<>(rules.size());
        for (Object o : rules) {
            if (o instanceof Map<?, ?> m) {
                @SuppressWarnings("unchecked")
                Map<String, ?> obj = (Map<String, ?>) m;
                parse(obj).ifPresent(out::add);
            }
        }
        return out;
    }

    private static long characteristics(Map<String, ?> r) {
        if (!r.containsKey("mask")) {
            return 0;
        }
        Object v = r.get("mask");
        if (v instanceof Number n) {
            return toU64(n);
        }
        if (v instanceof String s) {
            return strtoull(s, 16);
        }
        throw new IllegalArgumentException("MATCH_CHARACTERISTICS mask must be a number or a hex string: " + v);
    }

    private static RuleEntry ipMatch(RuleType type, boolean not, boolean or, String text, int len) {
        // As InetAddress::fromString: text of 64 characters or more, or that is not an address of
        // the family the rule needs, leaves the address zero; the prefix is the "port" after '/'.
        byte[] ip = new byte[len];
        long prefix = 0;
        if (text.length() < 64) {
            int slash = text.indexOf('/');
            String addr = slash < 0 ? text : text.substring(0, slash);
            if (slash >= 0) {
                prefix = strtoull(text.substring(slash + 1), 10) & 0xffff;
            }
            boolean v6 = addr.indexOf(':') >= 0;
            boolean v4 = !v6 && addr.indexOf('.') >= 0;
            if (!v6 && !v4) {
                prefix = 0;
            } else if (v6 == (len == 16)) {
                byte[] parsed = v6 ? IpText.parseIpv6(addr) : IpText.parseIpv4(addr);
                if (parsed != null) {
                    ip = parsed;
                }
            }
        }
        int bits = (int) Math.min(prefix & 0xff, len * 8L);
        return new RuleEntry.IpMatch(type, not, or, ip, bits);
    }

    private static long parseMac(String text) {
        // cleanMac removes '-' and ':', then pairs of characters are read as hex (a non-hex
        // character counts as 0) into at most six bytes; an odd last character is ignored.
        String s = text.replace("-", "").replace(":", "");
        long mac = 0;
        for (int b = 0; b < 6; b++) {
            int i = 2 * b;
            if (i + 1 >= s.length() || s.charAt(i) == 0 || s.charAt(i + 1) == 0) {
                mac <<= 8 * (6 - b);
                return mac;
            }
            mac = (mac << 8) | (nibble(s.charAt(i)) << 4) | nibble(s.charAt(i + 1));
        }
        return mac;
    }

    private static int nibble(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return 0;
    }

    /**
     * 1.14.1's {@code OSUtils::jsonString}: strings as is, numbers in decimal, booleans as 1/0.
     * Public because every lenient read of the controller's JSON records goes through these
     * readers (the controller package maps whole network and member records with them).
     */
    public static String jsonString(Object v, String dfl) {
        return switch (v) {
            case String s -> s;
            case Number n -> Long.toUnsignedString(toU64(n));
            case Boolean b -> b ? "1" : "0";
            case null, default -> dfl;
        };
    }

    /** 1.14.1's {@code OSUtils::jsonInt}: numbers cast to u64, decimal strings, booleans as 1/0. */
    public static long jsonInt(Object v, long dfl) {
        return switch (v) {
            case Number n -> toU64(n);
            case String s -> strtoull(s, 10);
            case Boolean b -> b ? 1 : 0;
            case null, default -> dfl;
        };
    }

    /** 1.14.1's {@code OSUtils::jsonBool}: numbers above 0, strings starting with t, T or 1. */
    public static boolean jsonBool(Object v, boolean dfl) {
        return switch (v) {
            case Boolean b -> b;
            case Number n -> toU64(n) != 0;
            case String s -> !s.isEmpty() && (s.charAt(0) == 't' || s.charAt(0) == 'T' || s.charAt(0) == '1');
            case null, default -> dfl;
        };
    }

    /** A JSON number converted to u64 the way a C++ cast does: integers wrap, fractions truncate. */
    private static long toU64(Number n) {
        return switch (n) {
            case BigInteger b -> b.longValue();
            case BigDecimal d -> d.toBigInteger().longValue();
            case Double d -> new BigDecimal(d.isNaN() || d.isInfinite() ? 0 : d).toBigInteger().longValue();
            case Float f -> new BigDecimal(f.isNaN() || f.isInfinite() ? 0 : f).toBigInteger().longValue();
            default -> n.longValue();
        };
    }

    /**
     * C's {@code strtoull}: leading white space, an optional sign (a minus negates modulo 2^64), an
     * optional {@code 0x} in base 16, then as many digits as parse; saturates on overflow; 0 if
     * no digits.
     */
    public static long strtoull(String s, int radix) {
        int i = 0;
        int n = s.length();
        while (i < n && (s.charAt(i) == ' ' || (s.charAt(i) >= '\t' && s.charAt(i) <= '\r'))) {
            i++;
        }
        boolean negative = false;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        if (radix == 16 && i + 2 < n && s.charAt(i) == '0' && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X')
                && s.charAt(i + 2) < 128 && Character.digit(s.charAt(i + 2), 16) >= 0) {
            i += 2;
        }
        BigInteger limit = BigInteger.ONE.shiftLeft(64);
        BigInteger value = BigInteger.ZERO;
        BigInteger r = BigInteger.valueOf(radix);
        boolean overflow = false;
        for (; i < n; i++) {
            char c = s.charAt(i);
            int d = c < 128 ? Character.digit(c, radix) : -1;
            if (d < 0) {
                break;
            }
            if (!overflow) {
                value = value.multiply(r).add(BigInteger.valueOf(d));
                if (value.compareTo(limit) >= 0) {
                    overflow = true;
                }
            }
        }
        if (overflow) {
            return -1L;
        }
        long v = value.longValue();
        return negative ? -v : v;
    }
}
