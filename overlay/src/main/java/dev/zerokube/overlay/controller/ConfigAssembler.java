package dev.zerokube.overlay.controller;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.netconf.ConfigRequestMetadata;
import dev.zerokube.overlay.wire.netconf.Dns;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import dev.zerokube.overlay.wire.netconf.Route;
import dev.zerokube.overlay.wire.netconf.Specialist;
import dev.zerokube.overlay.wire.credentials.Capability;
import dev.zerokube.overlay.wire.credentials.Tag;
import dev.zerokube.overlay.wire.rules.RuleCodec;
import dev.zerokube.overlay.wire.rules.RuleEntry;
import dev.zerokube.overlay.wire.rules.RuleType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * Builds the config for an authorized member from the records, as 1.14.1's {@code _request}
 * does (ZT1-09 §4), and the member record as that build leaves it (default capabilities and tags
 * and pool addresses added). One {@code nowMs} stamps the config and every credential in it.
 *
 * <p>Field by field: {@code t} from {@code private}; {@code r} the network revision; {@code f}
 * broadcast (and NDP emulation when an RFC 4193/6PLANE address is issued); {@code n} cut to 127
 * bytes; {@code mtu} clamped to 1280..10000; {@code ml} the low 32 bits; remote trace from the
 * member if it names a target, else from the network; specialists = active bridges ascending;
 * rules, capabilities (member order, first 128) and tags (ascending id, first 128) unless the
 * requester's rules engine revision is 0, which gets one ACCEPT and neither; routes in order
 * (first 128); static IPs by {@link StaticIpAssigner}; DNS; one COO over the static IPs; the COM.
 * No SSO: {@code ssov} 0, {@code ssoe} off.
 */
final class ConfigAssembler {
    private static final RuleEntry ACCEPT = new RuleEntry.Action(RuleType.ACTION_ACCEPT, false, false);
    private static final int NAME_BYTES_MAX = 127;

    private final CredentialIssuer issuer;

    ConfigAssembler(CredentialIssuer issuer) {
        this.issuer = issuer;
    }

    /**
     * @param config the signed config
     * @param member the member record with what the build added
     */
    record Assembly(NetworkConfig config, MemberRecord member) {}

    /**
     * @param member the authorized member record
     * @param newMember whether no record existed before this request (default capabilities)
     * @param requester the member's identity (for the COM's identity hash)
     */
    Assembly assemble(NetworkRecord network, MemberRecord member, boolean newMember, NetworkSummary summary,
            Identity requester, ConfigRequestMetadata metadata, long nowMs, RandomGenerator random) {
        NetworkId nwid = network.id();
        Address to = member.address();
        long ctmd = Math.max(NetworkConfig.CREDENTIAL_TIME_MAX_DELTA_MIN_MS, Math.min(NetworkConfig.CREDENTIAL_TIME_MAX_DELTA_MAX_MS,
                network.credentialTimeMaxDeltaMs().orElse(NetworkConfig.CREDENTIAL_TIME_MAX_DELTA_DEFAULT_MS)));
        NetworkConfig.Builder b = NetworkConfig.builder()
                .networkId(nwid)
                .type(network.privateNetwork() ? NetworkConfig.TYPE_PRIVATE : NetworkConfig.TYPE_PUBLIC)
                .timestampMs(nowMs)
                .credentialTimeMaxDeltaMs(ctmd)
                .revision(network.revision())
                .issuedTo(to)
                .nameBytes(name(network.name()))
                .mtu(mtu(network.mtu()))
                .multicastLimit(network.multicastLimit() & 0xffff_ffffL);
        remoteTrace(b, network, member);
        b.specialists(summary.activeBridges().stream().map(a -> Specialist.of(a, Specialist.ACTIVE_BRIDGE)).toList());

        MemberRecord.Builder updated = member.toBuilder();
        if (metadata.rulesEngineRevision() == 0) {
            b.rules(List.of(ACCEPT));
        } else {
            List<RuleEntry> rules = network.rules();
            b.rules(rules.subList(0, Math.min(rules.size(), RuleCodec.BASE_TABLE_ENTRIES_MAX)));
            List<Long> capabilityIds = memberCapabilities(network, member, newMember);
            updated.capabilities(capabilityIds);
            b.capabilities(capabilities(network, capabilityIds, nwid, to, nowMs));
            List<MemberTag> memberTags = new ArrayList<>(member.tags());
            b.tags(tags(network, memberTags, nwid, to, nowMs));
            updated.tags(memberTags);
        }

        List<Route> routes = issuedRoutes(network);
        b.routes(routes);
        StaticIpAssigner.Result ips = StaticIpAssigner.assign(network, member, routes, summary, random);
        b.staticIps(ips.staticIps());
        updated.ipAssignments(ips.ipAssignments());
        b.flags((network.enableBroadcast() ? NetworkConfig.FLAG_ENABLE_BROADCAST : 0)
                | (ips.ndpEmulation() ? NetworkConfig.FLAG_ENABLE_IPV6_NDP_EMULATION : 0));
        b.dns(network.dns().orElse(Dns.NONE));
        if (!ips.staticIps().isEmpty()) {
            b.certificatesOfOwnership(List.of(issuer.certificateOfOwnership(nowMs, nwid, to, ips.staticIps())));
        }
        b.certificateOfMembership(issuer.certificateOfMembership(nowMs, ctmd, nwid, requester));
        b.ssoVersion(NetworkConfig.SSO_VERSION_IMPLICIT).ssoEnabled(false);
        return new Assembly(b.build(), updated.build());
    }

    /** The routes a config carries ({@code RT}): the network's first {@link NetworkConfig#ROUTES_MAX}. */
    static List<Route> issuedRoutes(NetworkRecord network) {
        return network.routes().subList(0, Math.min(network.routes().size(), NetworkConfig.ROUTES_MAX));
    }

    private static byte[] name(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        int n = 0;
        while (n < bytes.length && n < NAME_BYTES_MAX && bytes[n] != 0) {
            n++;
        }
        return Arrays.copyOf(bytes, n);
    }

    /** The stored MTU read as 1.14.1's unsigned 32-bit value, clamped to the config's range. */
    private static int mtu(long stored) {
        long v = stored & 0xffff_ffffL;
        return (int) Math.max(NetworkConfig.MTU_MIN, Math.min(NetworkConfig.MTU_MAX, v));
    }

    private static void remoteTrace(NetworkConfig.Builder b, NetworkRecord network, MemberRecord member) {
        if (member.remoteTraceTarget().value() != 0) {
            b.remoteTraceTarget(member.remoteTraceTarget()).remoteTraceLevel(member.remoteTraceLevel() & 0xffff_ffffL);
        } else {
            b.remoteTraceTarget(network.remoteTraceTarget()).remoteTraceLevel(network.remoteTraceLevel() & 0xffff_ffffL);
        }
    }

    /**
     * The member's capability ids, with the network's {@code default} ones appended when the
     * record is new (ZT1-09 §4.4, quirk Q4: granted once, at creation by an authorized request).
     */
    private static List<Long> memberCapabilities(NetworkRecord network, MemberRecord member, boolean newMember) {
        List<Long> ids = new ArrayList<>(member.capabilities());
        if (newMember) {
            for (CapabilityDefinition c : network.capabilities()) {
                if (c.isDefault() && !ids.contains(c.id())) {
                    ids.add(c.id());
                }
            }
        }
        return ids;
    }

    /** One capability per member id the network defines, in member order (later definitions win). */
    private List<Capability> capabilities(NetworkRecord network, List<Long> ids, NetworkId nwid, Address to, long nowMs) {
        Map<Long, CapabilityDefinition> byId = new HashMap<>();
        network.capabilities().forEach(c -> byId.put(c.id(), c));
        List<Capability> out = new ArrayList<>();
        for (long id : ids) {
            CapabilityDefinition c = byId.get(id);
            if (c != null) {
                out.add(issuer.capability(nowMs, nwid, to, id, c.rules()));
                if (out.size() == NetworkConfig.CAPABILITIES_MAX) {
                    break;
                }
            }
        }
        return out;
    }

    /**
     * One tag per id, ascending: the member's values (later pairs win), then every network default
     * the member lacks, which is also appended to {@code memberTags} (on every request, ZT1-09 §4.4).
     */
    private List<Tag> tags(NetworkRecord network, List<MemberTag> memberTags, NetworkId nwid, Address to, long nowMs) {
        Map<Long, Long> byId = new TreeMap<>();
        memberTags.forEach(t -> byId.put(t.id(), t.value()));
        for (TagDefinition t : network.tags()) {
            if (t.defaultValue().isPresent() && !byId.containsKey(t.id())) {
                byId.put(t.id(), t.defaultValue().getAsLong());
                memberTags.add(new MemberTag(t.id(), t.defaultValue().getAsLong()));
            }
        }
        List<Tag> out = new ArrayList<>();
        for (Map.Entry<Long, Long> e : byId.entrySet()) {
            if (out.size() == NetworkConfig.TAGS_MAX) {
                break;
            }
            out.add(issuer.tag(nowMs, nwid, to, e.getKey(), e.getValue()));
        }
        return out;
    }
}
