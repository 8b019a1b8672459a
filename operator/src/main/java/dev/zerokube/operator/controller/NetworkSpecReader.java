package dev.zerokube.operator.controller;

import dev.zerokube.operator.Conditions;
import dev.zerokube.operator.api.network.IpAssignment;
import dev.zerokube.operator.api.network.ZeroTierNetwork;
import dev.zerokube.operator.api.network.ZeroTierNetworkSpec;
import dev.zerokube.overlay.controller.CapabilityDefinition;
import dev.zerokube.overlay.controller.IpPool;
import dev.zerokube.overlay.controller.NetworkRecord;
import dev.zerokube.overlay.controller.TagDefinition;
import dev.zerokube.overlay.controller.V6AssignMode;
import dev.zerokube.overlay.rules.CompiledRules;
import dev.zerokube.overlay.rules.RuleCompiler;
import dev.zerokube.overlay.rules.RuleSyntaxException;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.netconf.Dns;
import dev.zerokube.overlay.wire.netconf.Route;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a ZeroTierNetwork's spec means to the controller: a {@link NetworkRecord}, or the first
 * problem that stops the spec from being served. Pure: the reconciler uses it for the Valid
 * condition, the policy store for the record it serves, so both always agree.
 *
 * <p>Mapping (API.md to ZT1-09 §2.1): displayName (or the object's name) → name; private,
 * enableBroadcast, mtu, multicastLimit with the CRD's defaults; ipAssignment.v4AutoAssign →
 * v4AssignMode.zt, sixPlane and rfc4193 → v6AssignMode; pools and routes as given; dns; rules
 * compiled by {@link RuleCompiler} into the base table, capabilities and tags;
 * {@code metadata.generation} → revision (every config-relevant field is in the spec, and the
 * generation never goes back, ZT1-09 §8 item 3); creationTimestamp → creationTime.
 *
 * <p>Checks the schema also makes are repeated here, because API servers without schema
 * validation (the mock server) or with CEL dropped (1.20) let them through; checks that need
 * several entries (overlapping pools) are here and in the webhook.
 */
public final class NetworkSpecReader {
    private NetworkSpecReader() {}

    /** The outcome of {@link #read}. */
    public sealed interface Reading {
        /** The spec is served as this record. */
        record Valid(NetworkRecord record) implements Reading {}

        /**
         * The spec cannot be served.
         *
         * @param reason a condition reason from {@link Conditions}
         * @param message what is wrong and where, for humans
         */
        record Invalid(String reason, String message) implements Reading {}
    }

    /** Reads {@code network} as the network {@code id}. */
    public static Reading read(ZeroTierNetwork network, NetworkId id) {
        Objects.requireNonNull(id, "id");
        ZeroTierNetworkSpec spec = network.getSpec();
        if (spec == null) {
            return new Reading.Invalid(Conditions.REASON_SPEC_INVALID, "spec is missing");
        }
        String name = spec.getDisplayName() != null ? spec.getDisplayName() : network.getMetadata().getName();
        if (name.getBytes(StandardCharsets.UTF_8).length > 127) {
            return invalid("spec.displayName has more than 127 bytes in UTF-8");
        }
        CompiledRules rules;
        try {
            rules = RuleCompiler.compile(Optional.ofNullable(spec.getRules()).orElse("accept;"));
        } catch (RuleSyntaxException e) {
            return new Reading.Invalid(Conditions.REASON_RULES_INVALID, "spec.rules: " + e.getMessage());
        }
        NetworkRecord.Builder b = NetworkRecord.builder(id, creationTimeMs(network))
                .revision(Optional.ofNullable(network.getMetadata().getGeneration()).orElse(1L))
                .name(name)
                .privateNetwork(!Boolean.FALSE.equals(spec.getPrivate()))
                .enableBroadcast(!Boolean.FALSE.equals(spec.getEnableBroadcast()))
                .rules(rules.rules())
                .rulesSource(Optional.ofNullable(spec.getRules()).orElse(""))
                .capabilities(rules.capabilities().stream()
                        .map(c -> new CapabilityDefinition(c.id(), c.isDefault(), c.rules())).toList())
                .tags(rules.tags().stream().map(t -> new TagDefinition(t.id(), t.defaultValue())).toList());
        if (spec.getMtu() != null) {
            if (spec.getMtu() < 1280 || spec.getMtu() > 10000) {
                return invalid("spec.mtu " + spec.getMtu() + " is outside 1280..10000");
            }
            b.mtu(spec.getMtu());
        }
        if (spec.getMulticastLimit() != null) {
            if (spec.getMulticastLimit() < 0) {
                return invalid("spec.multicastLimit must not be negative");
            }
            b.multicastLimit(spec.getMulticastLimit());
        }
        List<Route> routes = new ArrayList<>();
        if (spec.getRoutes() != null) {
            for (int i = 0; i < spec.getRoutes().size(); i++) {
                var r = spec.getRoutes().get(i);
                String where = "spec.routes[" + i + "]";
                Optional<InetEndpoint> target = cidr(r.getTarget());
                if (target.isEmpty()) {
                    return invalid(where + ".target " + quote(r.getTarget()) + " is not an IPv4 or IPv6 CIDR");
                }
                InetEndpoint via = InetEndpoint.NIL;
                if (r.getVia() != null) {
                    Optional<InetEndpoint> v = ip(r.getVia());
                    if (v.isEmpty() || v.get().isIpv4() != target.get().isIpv4()) {
                        return invalid(where + ".via " + quote(r.getVia())
                                + " is not an address of the target's family");
                    }
                    via = v.get();
                }
                routes.add(new Route(target.get(), via, 0, 0));
            }
        }
        b.routes(routes);
        IpAssignment assignment = spec.getIpAssignment();
        if (assignment != null) {
            List<IpPool> pools = new ArrayList<>();
            List<long[]> ranges = new ArrayList<>();
            if (assignment.getPools() != null) {
                for (int i = 0; i < assignment.getPools().size(); i++) {
                    var p = assignment.getPools().get(i);
                    String where = "spec.ipAssignment.pools[" + i + "]";
                    Optional<InetEndpoint> start = ip(p.getStart()).filter(InetEndpoint::isIpv4);
                    Optional<InetEndpoint> end = ip(p.getEnd()).filter(InetEndpoint::isIpv4);
                    if (start.isEmpty() || end.isEmpty()) {
                        return invalid(where + ": start and end must be IPv4 addresses, got "
                                + quote(p.getStart()) + " and " + quote(p.getEnd()));
                    }
                    long s = start.get().ipv4Value();
                    long e = end.get().ipv4Value();
                    if (s > e) {
                        return invalid(where + ": start " + p.getStart() + " is after end " + p.getEnd());
                    }
                    for (int j = 0; j < ranges.size(); j++) {
                        if (s <= ranges.get(j)[1] && ranges.get(j)[0] <= e) {
                            return invalid(where + " overlaps spec.ipAssignment.pools[" + j + "]");
                        }
                    }
                    ranges.add(new long[] {s, e});
                    pools.add(new IpPool(start.get(), end.get()));
                }
            }
            b.ipAssignmentPools(pools)
                    .v4AssignZt(Boolean.TRUE.equals(assignment.getV4AutoAssign()))
                    .v6AssignMode(new V6AssignMode(Boolean.TRUE.equals(assignment.getRfc4193()),
                            Boolean.TRUE.equals(assignment.getSixPlane()), false));
        }
        if (spec.getDns() != null) {
            String domain = Optional.ofNullable(spec.getDns().getDomain()).orElse("");
            if (domain.getBytes(StandardCharsets.UTF_8).length > Dns.DOMAIN_BYTES_MAX) {
                return invalid("spec.dns.domain has more than " + Dns.DOMAIN_BYTES_MAX + " bytes");
            }
            List<InetEndpoint> servers = new ArrayList<>();
            List<String> given = Optional.ofNullable(spec.getDns().getServers()).orElse(List.of());
            if (given.size() > Dns.SERVERS_MAX) {
                return invalid("spec.dns.servers has more than " + Dns.SERVERS_MAX + " entries");
            }
            for (int i = 0; i < given.size(); i++) {
                Optional<InetEndpoint> s = ip(given.get(i));
                if (s.isEmpty()) {
                    return invalid("spec.dns.servers[" + i + "] " + quote(given.get(i)) + " is not an IP address");
                }
                servers.add(s.get());
            }
            b.dns(Optional.of(Dns.of(domain, servers)));
        }
        try {
            return new Reading.Valid(b.build());
        } catch (IllegalArgumentException e) {
            return invalid(e.getMessage());
        }
    }

    /** An IP literal (no prefix) as a plain IP (port 0), or empty. */
    public static Optional<InetEndpoint> ip(String text) {
        if (text == null || text.isEmpty() || text.indexOf('/') >= 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetEndpoint.of(InetEndpoint.parseIp(text), 0));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** A CIDR as ZeroTier keeps it (prefix length in the port), or empty. */
    static Optional<InetEndpoint> cidr(String text) {
        if (text == null) {
            return Optional.empty();
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            return Optional.empty();
        }
        Optional<InetEndpoint> ip = ip(text.substring(0, slash));
        String bits = text.substring(slash + 1);
        if (ip.isEmpty() || bits.isEmpty() || bits.length() > 3 || !bits.chars().allMatch(Character::isDigit)) {
            return Optional.empty();
        }
        int prefix = Integer.parseInt(bits);
        if (prefix > (ip.get().isIpv4() ? 32 : 128)) {
            return Optional.empty();
        }
        return Optional.of(InetEndpoint.of(ip.get().ip(), prefix));
    }

    static long creationTimeMs(io.fabric8.kubernetes.api.model.HasMetadata o) {
        String t = o.getMetadata().getCreationTimestamp();
        if (t == null) {
            return 0;
        }
        try {
            return Instant.parse(t).toEpochMilli();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static Reading invalid(String message) {
        return new Reading.Invalid(Conditions.REASON_SPEC_INVALID, message);
    }

    private static String quote(String s) {
        return s == null ? "(none)" : "'" + s + "'";
    }
}
