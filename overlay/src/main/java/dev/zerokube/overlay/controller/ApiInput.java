package dev.zerokube.overlay.controller;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.rules.CompiledRules;
import dev.zerokube.overlay.rules.RuleCompiler;
import dev.zerokube.overlay.rules.RuleSyntaxException;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.netconf.Dns;
import dev.zerokube.overlay.wire.rules.ControllerRuleJson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;

/**
 * The controller HTTP API's POST bodies (ZT1-10 §4.4, §4.5) applied to stored records, sans-I/O.
 *
 * <p>Same fields and meanings as 1.14.1, but <b>strict</b> where 1.14.1 silently drops or
 * rewrites input: a body is applied entirely or refused entirely with an
 * {@link ApiInputException} naming the field, so a typo never changes policy unnoticed.
 * Differences from 1.14.1, on purpose:
 * <ul>
 *   <li>Unknown keys are refused. Keys the API itself returns (read-only ones such as {@code id},
 *       {@code revision}, {@code creationTime}, {@code vMajor}) and the keys 1.14.1 strips before
 *       saving ({@code clock}, {@code lastModified}, ...) are accepted and ignored, so a GET
 *       object posted back (as UIs do) is fine.
 *   <li>Values of the wrong type, route targets without {@code /bits} or with host bits set, IPs
 *       that do not parse, pools with start after end or overlapping another pool, a member IP
 *       already assigned to another member, MTU outside 1280..10000, rules that do not parse
 *       are refused (1.14.1: dropped, clamped or coerced).
 *   <li>{@code rulesSource} is writable: it is compiled ({@link RuleCompiler}, strict mode) and
 *       its rules, capabilities and tags replace the stored ones (and any given in the same
 *       body); a compile error is refused with its line and column. 1.14.1 ignores it.
 *   <li>A partial {@code v6AssignMode} object changes only the keys given (1.14.1 drops the
 *       others), and {@code remoteTraceLevel} keeps its stored value when absent (1.14.1 resets
 *       it to 0, quirk Q20).
 * </ul>
 */
public final class ApiInput {
    /** 1.14.1's {@code ZT_CONTROLLER_MAX_ARRAY_SIZE}. */
    public static final int ARRAY_SIZE_MAX = 16_384;
    public static final int MTU_MIN = 1280;
    public static final int MTU_MAX = 10_000;

    private static final Set<String> NETWORK_READ_ONLY = Set.of("id", "nwid", "objtype", "revision", "creationTime",
            "ssoEnabled", "clientId", "authorizationEndpoint", "certificateTimeoutWindowSize", "clock",
            "authorizedMemberCount", "activeMemberCount", "totalMemberCount", "lastModified");
    private static final Set<String> MEMBER_READ_ONLY = Set.of("id", "address", "nwid", "objtype", "revision",
            "creationTime", "identity", "lastAuthorizedTime", "lastDeauthorizedTime", "lastAuthorizedCredentialType",
            "lastAuthorizedCredential", "vMajor", "vMinor", "vRev", "vProto", "ssoExempt", "authenticationExpiryTime",
            "authenticationURL", "authenticationClientID", "clock", "physicalAddr", "recentLog", "lastModified",
            "lastRequestMetaData");

    private ApiInput() {}

    /**
     * The network after a POST of {@code body}: the stored record (or 1.14.1's defaults for a new
     * one, created at {@code nowMs}) with the body's fields applied. The revision is the stored
     * one; the store's save rule decides the next.
     */
    public static NetworkRecord applyToNetwork(NetworkId id, Optional<NetworkRecord> stored, Map<String, ?> body,
            long nowMs) throws ApiInputException {
        NetworkRecord base = stored.orElseGet(() -> NetworkRecord.builder(id, nowMs).build());
        Map<String, Object> json = new TreeMap<>(ControllerJson.toJson(base));
        Object rulesSource = body.get("rulesSource");
        for (Map.Entry<String, ?> e : body.entrySet()) {
            String key = e.getKey();
            Object v = e.getValue();
            switch (key) {
                case "name" -> json.put(key, string(key, v));
                case "private", "enableBroadcast" -> json.put(key, bool(key, v));
                case "multicastLimit" -> json.put(key, integer(key, v, 0, 0xffff_ffffL));
                case "mtu" -> json.put(key, integer(key, v, MTU_MIN, MTU_MAX));
                case "remoteTraceTarget" -> json.put(key, traceTarget(key, v));
                case "remoteTraceLevel" -> json.put(key, integer(key, v, 0, 0xffff_ffffL));
                case "v4AssignMode" -> json.put(key, v4AssignMode(v));
                case "v6AssignMode" -> json.put(key, v6AssignMode(v, base.v6AssignMode()));
                case "routes" -> json.put(key, routes(v));
                case "ipAssignmentPools" -> json.put(key, pools(v));
                case "rules" -> json.put(key, rules(key, v));
                case "capabilities" -> json.put(key, capabilities(v));
                case "tags" -> json.put(key, tags(v));
                case "dns" -> json.put(key, dns(v));
                case "authTokens" -> json.put(key, authTokens(v));
                case "rulesSource" -> { }
                default -> {
                    if (!NETWORK_READ_ONLY.contains(key)) {
                        throw new ApiInputException(key, "unknown field (network fields: ZT1-10 §4.4)");
                    }
                }
            }
        }
        if (rulesSource != null) {
            String source = string("rulesSource", rulesSource);
            json.put("rulesSource", source);
            if (!source.isBlank()) {
                CompiledRules compiled;
                try {
                    compiled = RuleCompiler.compile(source);
                } catch (RuleSyntaxException e) {
                    throw new ApiInputException("rulesSource", e.getMessage(), OptionalInt.of(e.line()),
                            OptionalInt.of(e.column()));
                }
                json.putAll(compiled.configJson());
            }
        }
        json.put("id", id.toString());
        json.put("nwid", id.toString());
        try {
            return ControllerJson.network(json);
        } catch (IllegalArgumentException e) {
            throw new ApiInputException("", e.getMessage());
        }
    }

    /**
     * The member after a POST of {@code body}: the stored record (or a new one created at
     * {@code nowMs}) with the body's fields applied; an authorization change sets the times and
     * credential type as 1.14.1 does ({@link MemberRecord#withAuthorizedByApi}).
     *
     * @param summary the network's summary, to refuse IPs assigned to other members
     */
    public static MemberRecord applyToMember(NetworkId networkId, Address address, Optional<MemberRecord> stored,
            Map<String, ?> body, NetworkSummary summary, long nowMs) throws ApiInputException {
        MemberRecord base = stored.orElseGet(() -> MemberRecord.builder(networkId, address, nowMs).build());
        MemberRecord.Builder b = base.toBuilder();
        Optional<Boolean> authorize = Optional.empty();
        for (Map.Entry<String, ?> e : body.entrySet()) {
            String key = e.getKey();
            Object v = e.getValue();
            switch (key) {
                case "authorized" -> authorize = Optional.of(bool(key, v));
                case "activeBridge" -> b.activeBridge(bool(key, v));
                case "noAutoAssignIps" -> b.noAutoAssignIps(bool(key, v));
                case "ipAssignments" -> b.ipAssignments(memberIps(v, base, summary));
                case "tags" -> b.tags(memberTags(v));
                case "capabilities" -> b.capabilities(memberCapabilities(v));
                case "name" -> b.name(v == null ? Optional.empty() : Optional.of(string(key, v)));
                case "remoteTraceTarget" -> {
                    Object t = traceTarget(key, v);
                    b.remoteTraceTarget(t == null ? Address.NONE : Address.fromLow40Bits(Long.parseLong((String) t, 16)));
                }
                case "remoteTraceLevel" -> b.remoteTraceLevel(integer(key, v, 0, 0xffff_ffffL));
                default -> {
                    if (!MEMBER_READ_ONLY.contains(key)) {
                        throw new ApiInputException(key, "unknown field (member fields: ZT1-10 §4.5)");
                    }
                }
            }
        }
        MemberRecord m;
        try {
            m = b.build();
        } catch (IllegalArgumentException e) {
            throw new ApiInputException("", e.getMessage());
        }
        return authorize.isPresent() ? m.withAuthorizedByApi(authorize.get(), nowMs) : m;
    }

    // ------------------------------------------------------------------ scalars

    private static String string(String field, Object v) throws ApiInputException {
        if (v instanceof String s) {
            return s;
        }
        throw new ApiInputException(field, "expected a string, found " + kind(v));
    }

    /** JSON booleans, and the strings and numbers scripts commonly send for them. */
    private static boolean bool(String field, Object v) throws ApiInputException {
        return switch (v) {
            case Boolean b -> b;
            case Number n when n.doubleValue() == 0 || n.doubleValue() == 1 -> n.doubleValue() == 1;
            case String s when s.equals("true") || s.equals("1") -> true;
            case String s when s.equals("false") || s.equals("0") -> false;
            default -> throw new ApiInputException(field, "expected true or false, found " + kind(v));
        };
    }

    private static long integer(String field, Object v, long min, long max) throws ApiInputException {
        long value;
        if (v instanceof Number n && (n instanceof Long || n instanceof Integer || n instanceof Short
                || n instanceof java.math.BigInteger)) {
            if (n instanceof java.math.BigInteger big && big.bitLength() > 63) {
                throw new ApiInputException(field, "must be between " + min + " and " + max + ", found " + v);
            }
            value = n.longValue();
        } else if (v instanceof String s && !s.isEmpty() && s.length() < 19 && s.chars().allMatch(Character::isDigit)) {
            value = Long.parseLong(s);
        } else {
            throw new ApiInputException(field, "expected an integer, found " + kind(v));
        }
        if (value < min || value > max) {
            throw new ApiInputException(field, "must be between " + min + " and " + max + ", found " + value);
        }
        return value;
    }

    private static Object traceTarget(String field, Object v) throws ApiInputException {
        if (v == null) {
            return null;
        }
        String s = string(field, v);
        if (!s.matches("[0-9a-fA-F]{10}")) {
            throw new ApiInputException(field, "expected a 10-digit hex address or null, found \"" + s + "\"");
        }
        return s.toLowerCase(java.util.Locale.ROOT);
    }

    private static List<?> array(String field, Object v) throws ApiInputException {
        if (!(v instanceof List<?> l)) {
            throw new ApiInputException(field, "expected an array, found " + kind(v));
        }
        if (l.size() > ARRAY_SIZE_MAX) {
            throw new ApiInputException(field, l.size() + " entries, at most " + ARRAY_SIZE_MAX);
        }
        return l;
    }

    private static Map<?, ?> object(String field, Object v, Set<String> keys) throws ApiInputException {
        if (!(v instanceof Map<?, ?> m)) {
            throw new ApiInputException(field, "expected an object, found " + kind(v));
        }
        for (Object k : m.keySet()) {
            if (!keys.contains(k)) {
                throw new ApiInputException(field + "." + k, "unknown field (expected " + new java.util.TreeSet<>(keys) + ")");
            }
        }
        return m;
    }

    /** A plain IP literal (no port, no prefix). */
    private static InetEndpoint ip(String field, Object v) throws ApiInputException {
        String s = string(field, v);
        try {
            return InetEndpoint.of(InetEndpoint.parseIp(s), 0);
        } catch (IllegalArgumentException e) {
            throw new ApiInputException(field, "\"" + s + "\" is not an IPv4 or IPv6 address");
        }
    }

    // ------------------------------------------------------------------ network fields

    private static Object v4AssignMode(Object v) throws ApiInputException {
        if (v instanceof String s && (s.equals("zt") || s.isEmpty() || s.equals("none"))) {
            return Map.of("zt", s.equals("zt"));
        }
        Map<?, ?> m = object("v4AssignMode", v, Set.of("zt"));
        return Map.of("zt", m.containsKey("zt") && bool("v4AssignMode.zt", m.get("zt")));
    }

    private static Object v6AssignMode(Object v, V6AssignMode stored) throws ApiInputException {
        Map<String, Object> out = new TreeMap<>(Map.of("6plane", stored.sixPlane(), "rfc4193", stored.rfc4193(),
                "zt", stored.zt()));
        if (v instanceof String s) {
            out.replaceAll((k, x) -> false);
            for (String mode : s.split(",")) {
                String m = mode.strip();
                if (m.isEmpty() || m.equals("none")) {
                    continue;
                }
                if (!out.containsKey(m)) {
                    throw new ApiInputException("v6AssignMode", "unknown mode \"" + m + "\" (6plane, rfc4193, zt)");
                }
                out.put(m, true);
            }
            return out;
        }
        Map<?, ?> m = object("v6AssignMode", v, Set.of("6plane", "rfc4193", "zt"));
        for (Map.Entry<?, ?> e : m.entrySet()) {
            out.put((String) e.getKey(), bool("v6AssignMode." + e.getKey(), e.getValue()));
        }
        return out;
    }

    private static List<Object> routes(Object v) throws ApiInputException {
        List<?> l = array("routes", v);
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < l.size(); i++) {
            String f = "routes[" + i + "]";
            Map<?, ?> r = object(f, l.get(i), Set.of("target", "via", "flags", "metric"));
            InetEndpoint target = cidr(f + ".target", r.get("target"));
            Object via = r.get("via");
            Map<String, Object> m = new TreeMap<>();
            m.put("target", target.ipString() + "/" + target.port());
            if (via == null || via.equals("")) {
                m.put("via", null);
            } else {
                InetEndpoint gw = ip(f + ".via", via);
                if (gw.isIpv4() != target.isIpv4()) {
                    throw new ApiInputException(f + ".via", "gateway " + gw.ipString() + " is not of the target's family");
                }
                m.put("via", gw.ipString());
            }
            for (String k : List.of("flags", "metric")) {
                if (r.containsKey(k) && integer(f + "." + k, r.get(k), 0, 0) != 0) {
                    throw new ApiInputException(f + "." + k, "controller routes have " + k + " 0");
                }
            }
            out.add(m);
        }
        return out;
    }

    /** {@code ip/bits} with no host bits set; the result's port holds the prefix length. */
    static InetEndpoint cidr(String field, Object v) throws ApiInputException {
        String s = string(field, v);
        int slash = s.indexOf('/');
        if (slash < 0) {
            throw new ApiInputException(field, "\"" + s + "\" has no prefix length (write e.g. 10.147.17.0/24)");
        }
        byte[] ip;
        try {
            ip = InetEndpoint.parseIp(s.substring(0, slash));
        } catch (IllegalArgumentException e) {
            throw new ApiInputException(field, "\"" + s + "\" is not an IPv4 or IPv6 prefix");
        }
        String bitsText = s.substring(slash + 1);
        int maxBits = ip.length * 8;
        if (bitsText.isEmpty() || bitsText.length() > 3 || !bitsText.chars().allMatch(Character::isDigit)
                || Integer.parseInt(bitsText) > maxBits) {
            throw new ApiInputException(field, "\"" + s + "\": prefix length must be 0.." + maxBits);
        }
        int bits = Integer.parseInt(bitsText);
        byte[] network = ip.clone();
        for (int i = 0; i < network.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - 8 * i));
            network[i] &= (byte) (0xff00 >>> keep);
        }
        if (!Arrays.equals(ip, network)) {
            throw new ApiInputException(field, "\"" + s + "\" has host bits set (did you mean "
                    + InetEndpoint.of(network, 0).ipString() + "/" + bits + "?)");
        }
        return InetEndpoint.of(ip, bits);
    }

    private static List<Object> pools(Object v) throws ApiInputException {
        List<?> l = array("ipAssignmentPools", v);
        List<Object> out = new ArrayList<>();
        List<byte[][]> ranges = new ArrayList<>();
        for (int i = 0; i < l.size(); i++) {
            String f = "ipAssignmentPools[" + i + "]";
            Map<?, ?> p = object(f, l.get(i), Set.of("ipRangeStart", "ipRangeEnd"));
            if (!p.containsKey("ipRangeStart") || !p.containsKey("ipRangeEnd")) {
                throw new ApiInputException(f, "needs both ipRangeStart and ipRangeEnd");
            }
            InetEndpoint start = ip(f + ".ipRangeStart", p.get("ipRangeStart"));
            InetEndpoint end = ip(f + ".ipRangeEnd", p.get("ipRangeEnd"));
            if (start.isIpv4() != end.isIpv4()) {
                throw new ApiInputException(f, "start and end are of different families");
            }
            if (Arrays.compareUnsigned(start.ip(), end.ip()) > 0) {
                throw new ApiInputException(f, "start " + start.ipString() + " is after end " + end.ipString());
            }
            for (int k = 0; k < ranges.size(); k++) {
                byte[][] r = ranges.get(k);
                if (r[0].length == start.ip().length && Arrays.compareUnsigned(start.ip(), r[1]) <= 0
                        && Arrays.compareUnsigned(r[0], end.ip()) <= 0) {
                    throw new ApiInputException(f, "overlaps ipAssignmentPools[" + k + "] ("
                            + InetEndpoint.of(r[0], 0).ipString() + "-" + InetEndpoint.of(r[1], 0).ipString() + ")");
                }
            }
            ranges.add(new byte[][] {start.ip(), end.ip()});
            out.add(new TreeMap<>(Map.of("ipRangeStart", start.ipString(), "ipRangeEnd", end.ipString())));
        }
        return out;
    }

    private static List<Object> rules(String field, Object v) throws ApiInputException {
        List<?> l = array(field, v);
        for (int i = 0; i < l.size(); i++) {
            String f = field + "[" + i + "]";
            if (!(l.get(i) instanceof Map<?, ?> m)) {
                throw new ApiInputException(f, "expected a rule object, found " + kind(l.get(i)));
            }
            @SuppressWarnings("unchecked")
            Map<String, ?> rule = (Map<String, ?>) m;
            try {
                if (ControllerRuleJson.parse(rule).isEmpty()) {
                    throw new ApiInputException(f + ".type", "unknown rule type " + rule.get("type") + " (ZT1-06 §5)");
                }
            } catch (IllegalArgumentException e) {
                throw new ApiInputException(f, e.getMessage());
            }
        }
        return new ArrayList<>(l);
    }

    private static List<Object> capabilities(Object v) throws ApiInputException {
        List<?> l = array("capabilities", v);
        Map<Long, Object> byId = new TreeMap<>();
        for (int i = 0; i < l.size(); i++) {
            String f = "capabilities[" + i + "]";
            Map<?, ?> c = object(f, l.get(i), Set.of("id", "default", "rules"));
            long id = integer(f + ".id", c.get("id"), 0, 0xffff_ffffL);
            Map<String, Object> m = new TreeMap<>();
            m.put("id", id);
            m.put("default", c.containsKey("default") && bool(f + ".default", c.get("default")));
            m.put("rules", c.containsKey("rules") ? rules(f + ".rules", c.get("rules")) : List.of());
            byId.put(id, m);
        }
        return new ArrayList<>(byId.values());
    }

    private static List<Object> tags(Object v) throws ApiInputException {
        List<?> l = array("tags", v);
        Map<Long, Object> byId = new TreeMap<>();
        for (int i = 0; i < l.size(); i++) {
            String f = "tags[" + i + "]";
            Map<?, ?> t = object(f, l.get(i), Set.of("id", "default"));
            long id = integer(f + ".id", t.get("id"), 0, 0xffff_ffffL);
            Map<String, Object> m = new TreeMap<>();
            m.put("id", id);
            m.put("default", t.get("default") == null ? null : integer(f + ".default", t.get("default"), 0, 0xffff_ffffL));
            byId.put(id, m);
        }
        return new ArrayList<>(byId.values());
    }

    private static Object dns(Object v) throws ApiInputException {
        if (v instanceof List<?> l && l.isEmpty()) {
            return new ArrayList<>();
        }
        Map<?, ?> d = object("dns", v, Set.of("domain", "servers"));
        String domain = d.get("domain") == null ? "" : string("dns.domain", d.get("domain"));
        if (domain.getBytes(StandardCharsets.UTF_8).length > Dns.DOMAIN_BYTES_MAX) {
            throw new ApiInputException("dns.domain", "longer than " + Dns.DOMAIN_BYTES_MAX + " bytes");
        }
        List<Object> servers = new ArrayList<>();
        if (d.containsKey("servers")) {
            List<?> l = array("dns.servers", d.get("servers"));
            if (l.size() > Dns.SERVERS_MAX) {
                throw new ApiInputException("dns.servers", l.size() + " servers, at most " + Dns.SERVERS_MAX);
            }
            for (int i = 0; i < l.size(); i++) {
                servers.add(ip("dns.servers[" + i + "]", l.get(i)).ipString());
            }
        }
        Map<String, Object> out = new TreeMap<>();
        out.put("domain", domain);
        out.put("servers", servers);
        return out;
    }

    private static Object authTokens(Object v) throws ApiInputException {
        if (v == null || (v instanceof List<?> l && (l.isEmpty() || (l.size() == 1 && l.get(0) == null)))) {
            return null;
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw new ApiInputException("authTokens", "expected an object {token: expiry ms}, found " + kind(v));
        }
        Map<String, Object> out = new TreeMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            out.put((String) e.getKey(), integer("authTokens." + e.getKey(), e.getValue(), 0, Long.MAX_VALUE));
        }
        return out;
    }

    // ------------------------------------------------------------------ member fields

    private static List<InetEndpoint> memberIps(Object v, MemberRecord base, NetworkSummary summary)
            throws ApiInputException {
        List<?> l = array("ipAssignments", v);
        List<InetEndpoint> out = new ArrayList<>();
        Set<InetEndpoint> own = new HashSet<>(base.ipAssignments());
        for (int i = 0; i < l.size(); i++) {
            String f = "ipAssignments[" + i + "]";
            String s = string(f, l.get(i));
            int slash = s.indexOf('/');
            InetEndpoint ip = ip(f, slash < 0 ? s : s.substring(0, slash));
            if (out.contains(ip)) {
                throw new ApiInputException(f, ip.ipString() + " is listed twice");
            }
            if (summary.allocatedIps().contains(ip) && !own.contains(ip)) {
                throw new ApiInputException(f, ip.ipString() + " is already assigned to another member");
            }
            out.add(ip);
        }
        return out;
    }

    private static List<MemberTag> memberTags(Object v) throws ApiInputException {
        List<?> l = array("tags", v);
        Map<Long, MemberTag> byId = new TreeMap<>();
        for (int i = 0; i < l.size(); i++) {
            String f = "tags[" + i + "]";
            if (!(l.get(i) instanceof List<?> pair) || pair.size() != 2) {
                throw new ApiInputException(f, "expected a pair [id, value], found " + kind(l.get(i)));
            }
            long id = integer(f + "[0]", pair.get(0), 0, 0xffff_ffffL);
            byId.put(id, new MemberTag(id, integer(f + "[1]", pair.get(1), 0, 0xffff_ffffL)));
        }
        return new ArrayList<>(byId.values());
    }

    private static List<Long> memberCapabilities(Object v) throws ApiInputException {
        List<?> l = array("capabilities", v);
        java.util.TreeSet<Long> ids = new java.util.TreeSet<>();
        for (int i = 0; i < l.size(); i++) {
            ids.add(integer("capabilities[" + i + "]", l.get(i), 0, 0xffff_ffffL));
        }
        return new ArrayList<>(ids);
    }

    private static String kind(Object v) {
        return switch (v) {
            case null -> "null";
            case Map<?, ?> m -> "an object";
            case List<?> l -> "an array";
            case String s -> "a string";
            case Boolean b -> "a boolean";
            case Number n -> "the number " + n;
            default -> v.getClass().getSimpleName();
        };
    }
}
