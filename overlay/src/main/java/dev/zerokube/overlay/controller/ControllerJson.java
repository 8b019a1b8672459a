package dev.zerokube.overlay.controller;

import static dev.zerokube.overlay.wire.rules.ControllerRuleJson.jsonBool;
import static dev.zerokube.overlay.wire.rules.ControllerRuleJson.jsonInt;
import static dev.zerokube.overlay.wire.rules.ControllerRuleJson.jsonString;
import static dev.zerokube.overlay.wire.rules.ControllerRuleJson.strtoull;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.identity.InvalidIdentityException;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.netconf.Dns;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import dev.zerokube.overlay.wire.netconf.Route;
import dev.zerokube.overlay.wire.rules.ControllerRuleJson;
import dev.zerokube.overlay.wire.rules.RuleEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The network and member JSON objects of 1.14.1's controller (ZT1-09 §2, ZT1-10 §4.4–§4.5) to and
 * from {@link NetworkRecord} and {@link MemberRecord}. JSON is modelled as in
 * {@link ControllerRuleJson}: {@code Map<String, ?>} objects, {@code List<?>} arrays, and
 * {@code String}, {@link Number}, {@code Boolean} or {@code null} values, so that any JSON library
 * can feed it.
 *
 * <p>Reading is as lenient as 1.14.1's {@code _request}: booleans, integers and strings through
 * its {@code jsonBool}/{@code jsonInt}/{@code jsonString}, addresses through its
 * {@code InetAddress::fromString} (a dotted or colon string that does not parse is the zero address
 * of that family), array elements of the wrong shape skipped. Where 1.14.1's API would have
 * normalized a value before storing it, the record holds the normalized form: legacy string
 * assignment modes, route prefixes beyond 32/128 bits dropped. Three inputs are refused with an
 * {@link IllegalArgumentException} where 1.14.1 would fail later: a missing or malformed id, a
 * non-numeric {@code certificateTimeoutWindowSize} (quirk Q8), a DNS domain over 127 bytes (Q10);
 * an unparsable pinned {@code identity} too.
 *
 * <p>Writing gives the object FileDB stores (keys sorted, rules in the API's canonical rendering,
 * fixed values for the SSO fields zerokube does not use), so a record read from a 1.14.1 file
 * writes back the same object.
 */
public final class ControllerJson {
    private ControllerJson() {}

    // ------------------------------------------------------------------ network

    /** The network record of a stored network object. */
    public static NetworkRecord network(Map<String, ?> json) {
        NetworkId id = NetworkId.parse(jsonString(json.get("id"), jsonString(json.get("nwid"), "")));
        NetworkRecord.Builder b = NetworkRecord.builder(id, jsonInt(json.get("creationTime"), 0))
                .revision(jsonInt(json.get("revision"), 0))
                .name(jsonString(json.get("name"), ""))
                .privateNetwork(jsonBool(json.get("private"), true))
                .enableBroadcast(jsonBool(json.get("enableBroadcast"), true))
                .multicastLimit(jsonInt(json.get("multicastLimit"), NetworkRecord.MULTICAST_LIMIT_DEFAULT))
                .mtu(jsonInt(json.get("mtu"), NetworkConfig.MTU_DEFAULT))
                .v4AssignZt(v4AssignZt(json.get("v4AssignMode")))
                .v6AssignMode(v6AssignMode(json.get("v6AssignMode")))
                .ipAssignmentPools(pools(json.get("ipAssignmentPools")))
                .routes(routes(json.get("routes")))
                .rules(json.get("rules") instanceof List<?> l ? ControllerRuleJson.parseAll(l) : List.of())
                .rulesSource(jsonString(json.get("rulesSource"), ""))
                .capabilities(capabilities(json.get("capabilities")))
                .tags(tagDefinitions(json.get("tags")))
                .dns(dns(json.get("dns")))
                .remoteTraceTarget(traceTarget(json.get("remoteTraceTarget")))
                .remoteTraceLevel(jsonInt(json.get("remoteTraceLevel"), 0))
                .credentialTimeMaxDeltaMs(credentialWindow(json))
                .authTokens(authTokens(json.get("authTokens")));
        return b.build();
    }

    /** The object FileDB would store for this network. */
    public static Map<String, Object> toJson(NetworkRecord n) {
        Map<String, Object> o = new TreeMap<>();
        if (n.authTokens().isEmpty()) {
            o.put("authTokens", nullList());
        } else {
            o.put("authTokens", new TreeMap<>(n.authTokens()));
        }
        o.put("authorizationEndpoint", "");
        List<Object> caps = new ArrayList<>();
        for (CapabilityDefinition c : n.capabilities()) {
            Map<String, Object> m = new TreeMap<>();
            m.put("default", c.isDefault());
            m.put("id", c.id());
            m.put("rules", ControllerRuleJson.renderAll(c.rules()));
            caps.add(m);
        }
        o.put("capabilities", caps);
        n.credentialTimeMaxDeltaMs().ifPresent(v -> o.put("certificateTimeoutWindowSize", v));
        o.put("clientId", "");
        o.put("creationTime", n.creationTimeMs());
        o.put("dns", n.dns().<Object>map(ControllerJson::dnsJson).orElseGet(ArrayList::new));
        o.put("enableBroadcast", n.enableBroadcast());
        o.put("id", n.id().toString());
        List<Object> pools = new ArrayList<>();
        for (IpPool p : n.ipAssignmentPools()) {
            Map<String, Object> m = new TreeMap<>();
            m.put("ipRangeEnd", p.end().ipString());
            m.put("ipRangeStart", p.start().ipString());
            pools.add(m);
        }
        o.put("ipAssignmentPools", pools);
        o.put("mtu", n.mtu());
        o.put("multicastLimit", n.multicastLimit());
        o.put("name", n.name());
        o.put("nwid", n.id().toString());
        o.put("objtype", "network");
        o.put("private", n.privateNetwork());
        o.put("remoteTraceLevel", n.remoteTraceLevel());
        o.put("remoteTraceTarget", traceTargetJson(n.remoteTraceTarget()));
        o.put("revision", n.revision());
        List<Object> routes = new ArrayList<>();
        for (Route r : n.routes()) {
            Map<String, Object> m = new TreeMap<>();
            m.put("target", r.target().ipString() + "/" + r.prefixBits());
            m.put("via", r.via().isNil() ? null : r.via().ipString());
            routes.add(m);
        }
        o.put("routes", routes);
        o.put("rules", ControllerRuleJson.renderAll(n.rules()));
        o.put("rulesSource", n.rulesSource());
        o.put("ssoEnabled", false);
        List<Object> tags = new ArrayList<>();
        for (TagDefinition t : n.tags()) {
            Map<String, Object> m = new TreeMap<>();
            m.put("default", t.defaultValue().isPresent() ? (Object) t.defaultValue().getAsLong() : null);
            m.put("id", t.id());
            tags.add(m);
        }
        o.put("tags", tags);
        o.put("v4AssignMode", new TreeMap<>(Map.of("zt", n.v4AssignZt())));
        o.put("v6AssignMode", new TreeMap<>(Map.of("6plane", n.v6AssignMode().sixPlane(),
                "rfc4193", n.v6AssignMode().rfc4193(), "zt", n.v6AssignMode().zt())));
        return o;
    }

    private static boolean v4AssignZt(Object v) {
        return switch (v) {
            case Map<?, ?> m -> jsonBool(m.get("zt"), false);
            case String s -> s.equals("zt");
            case null, default -> false;
        };
    }

    private static V6AssignMode v6AssignMode(Object v) {
        return switch (v) {
            case Map<?, ?> m -> new V6AssignMode(jsonBool(m.get("rfc4193"), false), jsonBool(m.get("6plane"), false),
                    jsonBool(m.get("zt"), false));
            case String s -> {
                List<String> modes = Arrays.asList(s.split(","));
                yield new V6AssignMode(modes.contains("rfc4193"), modes.contains("6plane"), modes.contains("zt"));
            }
            case null, default -> V6AssignMode.NONE;
        };
    }

    private static List<IpPool> pools(Object v) {
        List<IpPool> out = new ArrayList<>();
        for (Map<?, ?> m : objects(v)) {
            InetEndpoint start = endpoint(jsonString(m.get("ipRangeStart"), ""));
            InetEndpoint end = endpoint(jsonString(m.get("ipRangeEnd"), ""));
            if (!start.isNil() && !end.isNil() && start.isIpv4() == end.isIpv4()) {
                out.add(new IpPool(InetEndpoint.of(start.ip(), 0), InetEndpoint.of(end.ip(), 0)));
            }
        }
        return out;
    }

    private static List<Route> routes(Object v) {
        List<Route> out = new ArrayList<>();
        for (Map<?, ?> m : objects(v)) {
            if (!(m.get("target") instanceof String text)) {
                continue;
            }
            InetEndpoint target = endpoint(text);
            if (target.isNil() || target.port() > (target.isIpv4() ? 32 : 128)) {
                continue;
            }
            InetEndpoint via = m.get("via") instanceof String s ? endpoint(s) : InetEndpoint.NIL;
            out.add(new Route(target, !via.isNil() && via.isIpv4() == target.isIpv4()
                    ? InetEndpoint.of(via.ip(), 0) : InetEndpoint.NIL, 0, 0));
        }
        return out;
    }

    private static List<CapabilityDefinition> capabilities(Object v) {
        List<CapabilityDefinition> out = new ArrayList<>();
        for (Map<?, ?> m : objects(v)) {
            List<RuleEntry> rules = m.get("rules") instanceof List<?> l ? ControllerRuleJson.parseAll(l) : List.of();
            out.add(new CapabilityDefinition(jsonInt(m.get("id"), 0) & 0xffff_ffffL, jsonBool(m.get("default"), false),
                    rules));
        }
        return out;
    }

    private static List<TagDefinition> tagDefinitions(Object v) {
        List<TagDefinition> out = new ArrayList<>();
        for (Map<?, ?> m : objects(v)) {
            Object dfl = m.get("default");
            out.add(new TagDefinition(jsonInt(m.get("id"), 0) & 0xffff_ffffL,
                    dfl instanceof Number ? OptionalLong.of(jsonInt(dfl, 0) & 0xffff_ffffL) : OptionalLong.empty()));
        }
        return out;
    }

    private static Optional<Dns> dns(Object v) {
        if (!(v instanceof Map<?, ?> m)) {
            return Optional.empty();
        }
        List<InetEndpoint> servers = new ArrayList<>();
        if (m.get("servers") instanceof List<?> l) {
            for (int i = 0; i < l.size() && i < Dns.SERVERS_MAX; i++) {
                servers.add(endpoint(jsonString(l.get(i), "")));
            }
        }
        return Optional.of(Dns.of(jsonString(m.get("domain"), ""), servers));
    }

    private static Map<String, Object> dnsJson(Dns dns) {
        Map<String, Object> m = new TreeMap<>();
        m.put("domain", dns.domain());
        List<Object> servers = new ArrayList<>();
        for (InetEndpoint s : dns.servers()) {
            servers.add(s.isNil() ? "" : s.port() == 0 ? s.ipString() : s.toString());
        }
        m.put("servers", servers);
        return m;
    }

    private static OptionalLong credentialWindow(Map<String, ?> json) {
        if (!json.containsKey("certificateTimeoutWindowSize")) {
            return OptionalLong.empty();
        }
        if (!(json.get("certificateTimeoutWindowSize") instanceof Number n)) {
            throw new IllegalArgumentException("certificateTimeoutWindowSize must be a number, not "
                    + json.get("certificateTimeoutWindowSize"));
        }
        return OptionalLong.of(n.longValue());
    }

    private static Map<String, Long> authTokens(Object v) {
        Map<String, Long> out = new TreeMap<>();
        if (v instanceof Map<?, ?> m) {
            m.forEach((k, expiry) -> {
                if (k instanceof String token && expiry instanceof Number n && n.longValue() >= 0) {
                    out.put(token, n.longValue());
                }
            });
        }
        return out;
    }

    // ------------------------------------------------------------------ member

    /** The member record of a stored member object. */
    public static MemberRecord member(Map<String, ?> json) {
        NetworkId nwid = NetworkId.parse(jsonString(json.get("nwid"), ""));
        Address address = Address.parse(jsonString(json.get("id"), jsonString(json.get("address"), "")));
        return MemberRecord.builder(nwid, address, jsonInt(json.get("creationTime"), 0))
                .revision(jsonInt(json.get("revision"), 0))
                .identity(identity(jsonString(json.get("identity"), "")))
                .authorized(jsonBool(json.get("authorized"), false))
                .lastAuthorizedTimeMs(jsonInt(json.get("lastAuthorizedTime"), 0))
                .lastDeauthorizedTimeMs(jsonInt(json.get("lastDeauthorizedTime"), 0))
                .lastAuthorizedCredentialType(optionalString(json.get("lastAuthorizedCredentialType")))
                .lastAuthorizedCredential(optionalString(json.get("lastAuthorizedCredential")))
                .activeBridge(jsonBool(json.get("activeBridge"), false))
                .noAutoAssignIps(jsonBool(json.get("noAutoAssignIps"), false))
                .ipAssignments(ipAssignments(json.get("ipAssignments")))
                .tags(memberTags(json.get("tags")))
                .capabilities(json.get("capabilities") instanceof List<?> l
                        ? l.stream().map(c -> jsonInt(c, 0) & 0xffff_ffffL).toList() : List.of())
                .remoteTraceTarget(traceTarget(json.get("remoteTraceTarget")))
                .remoteTraceLevel(jsonInt(json.get("remoteTraceLevel"), 0))
                .name(optionalString(json.get("name")))
                .clientVersion(new ClientVersion(jsonInt(json.get("vMajor"), -1), jsonInt(json.get("vMinor"), -1),
                        jsonInt(json.get("vRev"), -1), jsonInt(json.get("vProto"), -1)))
                .build();
    }

    /** The object FileDB would store for this member. */
    public static Map<String, Object> toJson(MemberRecord m) {
        Map<String, Object> o = new TreeMap<>();
        o.put("activeBridge", m.activeBridge());
        o.put("address", m.address().toString());
        o.put("authenticationExpiryTime", 0L);
        o.put("authorized", m.authorized());
        o.put("capabilities", new ArrayList<Object>(m.capabilities()));
        o.put("creationTime", m.creationTimeMs());
        o.put("id", m.address().toString());
        m.identity().ifPresent(i -> o.put("identity", i.toString()));
        o.put("ipAssignments", m.ipAssignments().stream().<Object>map(InetEndpoint::ipString).toList());
        o.put("lastAuthorizedCredential", m.lastAuthorizedCredential().orElse(null));
        o.put("lastAuthorizedCredentialType", m.lastAuthorizedCredentialType().orElse(null));
        o.put("lastAuthorizedTime", m.lastAuthorizedTimeMs());
        o.put("lastDeauthorizedTime", m.lastDeauthorizedTimeMs());
        m.name().ifPresent(n -> o.put("name", n));
        o.put("noAutoAssignIps", m.noAutoAssignIps());
        o.put("nwid", m.networkId().toString());
        o.put("objtype", "member");
        o.put("remoteTraceLevel", m.remoteTraceLevel());
        o.put("remoteTraceTarget", traceTargetJson(m.remoteTraceTarget()));
        o.put("revision", m.revision());
        o.put("ssoExempt", false);
        o.put("tags", m.tags().stream().<Object>map(t -> List.of(t.id(), t.value())).toList());
        ClientVersion v = m.clientVersion();
        o.put("vMajor", v.major());
        o.put("vMinor", v.minor());
        o.put("vProto", v.protocol());
        o.put("vRev", v.revision());
        return o;
    }

    private static Optional<Identity> identity(String text) {
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Identity.parse(text));
        } catch (InvalidIdentityException e) {
            throw new IllegalArgumentException("member identity does not parse: " + e.getMessage(), e);
        }
    }

    private static List<InetEndpoint> ipAssignments(Object v) {
        List<InetEndpoint> out = new ArrayList<>();
        if (v instanceof List<?> l) {
            for (Object o : l) {
                if (o instanceof String s) {
                    InetEndpoint ip = endpoint(s);
                    if (!ip.isNil()) {
                        out.add(InetEndpoint.of(ip.ip(), 0));
                    }
                }
            }
        }
        return out;
    }

    private static List<MemberTag> memberTags(Object v) {
        List<MemberTag> out = new ArrayList<>();
        if (v instanceof List<?> l) {
            for (Object o : l) {
                if (o instanceof List<?> pair && pair.size() == 2) {
                    out.add(new MemberTag(jsonInt(pair.get(0), 0) & 0xffff_ffffL, jsonInt(pair.get(1), 0) & 0xffff_ffffL));
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ shared

    private static List<Map<?, ?>> objects(Object v) {
        List<Map<?, ?>> out = new ArrayList<>();
        if (v instanceof List<?> l) {
            for (Object o : l) {
                if (o instanceof Map<?, ?> m) {
                    out.add(m);
                }
            }
        }
        return out;
    }

    private static Optional<String> optionalString(Object v) {
        return v == null ? Optional.empty() : Optional.of(jsonString(v, ""));
    }

    /** A 10-character string is read as a hex address (1.14.1 does not check the digits); else none. */
    private static Address traceTarget(Object v) {
        String s = jsonString(v, "");
        return s.length() == Address.HEX_LENGTH ? Address.fromLow40Bits(strtoull(s, 16)) : Address.NONE;
    }

    private static Object traceTargetJson(Address a) {
        return a.value() == 0 ? null : a.toString();
    }

    private static List<Object> nullList() {
        List<Object> l = new ArrayList<>();
        l.add(null);
        return l;
    }

    /**
     * 1.14.1's {@code InetAddress::fromString}: {@code ip[/port]}; a string of 64 characters or
     * more, or without '.' or ':', is nil; an address that does not parse is the zero address of
     * the family its separator suggests.
     */
    static InetEndpoint endpoint(String text) {
        if (text.isEmpty() || text.length() >= 64) {
            return InetEndpoint.NIL;
        }
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        int port = slash < 0 ? 0 : (int) (strtoull(text.substring(slash + 1), 10) & 0xffff);
        boolean v6 = addr.indexOf(':') >= 0;
        if (!v6 && addr.indexOf('.') < 0) {
            return InetEndpoint.NIL;
        }
        byte[] ip;
        try {
            ip = InetEndpoint.parseIp(addr);
            if (ip.length != (v6 ? 16 : 4)) {
                ip = new byte[v6 ? 16 : 4];
            }
        } catch (IllegalArgumentException e) {
            ip = new byte[v6 ? 16 : 4];
        }
        return InetEndpoint.of(ip, port);
    }
}
