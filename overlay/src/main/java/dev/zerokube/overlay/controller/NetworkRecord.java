package dev.zerokube.overlay.controller;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.netconf.Dns;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import dev.zerokube.overlay.wire.netconf.Route;
import dev.zerokube.overlay.wire.rules.RuleEntry;
import dev.zerokube.overlay.wire.rules.RuleType;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * A network as the controller stores it: the fields of 1.14.1's network JSON object that decide
 * what members get (ZT1-09 §2.1, ZT1-10 §4.4), typed and immutable. {@link ControllerJson} maps
 * the JSON object to and from this record.
 *
 * <p>Values are kept as stored, not as issued: {@code mtu} and {@code multicastLimit} may be out
 * of range here and are clamped or cut when a config is built (as 1.14.1 does), rules are the
 * parsed entries in order (1.14.1 drops JSON rules it cannot parse), capability and tag lists keep
 * their order and duplicates.
 *
 * @param id the network id ({@code id}/{@code nwid}); its top 40 bits name the controller
 * @param revision {@code revision}: +1 on every save that changes another field; the config's {@code r}
 * @param creationTimeMs {@code creationTime}
 * @param name {@code name} (a config carries at most its first 127 UTF-8 bytes)
 * @param privateNetwork {@code private}: members need authorization
 * @param enableBroadcast {@code enableBroadcast}
 * @param multicastLimit {@code multicastLimit} as stored (a config carries its low 32 bits)
 * @param mtu {@code mtu} as stored (a config clamps it to 1280..10000)
 * @param v4AssignZt {@code v4AssignMode.zt}: assign one IPv4 address from the pools
 * @param v6AssignMode {@code v6AssignMode}
 * @param ipAssignmentPools {@code ipAssignmentPools} in order
 * @param routes {@code routes} in order: target with its prefix length as port, via or nil; flags
 *     and metric 0
 * @param rules {@code rules}, the base rule table in order
 * @param rulesSource {@code rulesSource}, the rule program the rules were compiled from (not read
 *     by the controller)
 * @param capabilities {@code capabilities} in order
 * @param tags {@code tags} in order
 * @param dns {@code dns} when it is an object; empty for 1.14.1's default {@code []}
 * @param remoteTraceTarget {@code remoteTraceTarget}, {@link Address#NONE} for none
 * @param remoteTraceLevel {@code remoteTraceLevel}
 * @param credentialTimeMaxDeltaMs {@code certificateTimeoutWindowSize}, empty when absent
 * @param authTokens {@code authTokens}: join token → expiry (ms, 0 = never); empty for none
 */
public record NetworkRecord(
        NetworkId id,
        long revision,
        long creationTimeMs,
        String name,
        boolean privateNetwork,
        boolean enableBroadcast,
        long multicastLimit,
        long mtu,
        boolean v4AssignZt,
        V6AssignMode v6AssignMode,
        List<IpPool> ipAssignmentPools,
        List<Route> routes,
        List<RuleEntry> rules,
        String rulesSource,
        List<CapabilityDefinition> capabilities,
        List<TagDefinition> tags,
        Optional<Dns> dns,
        Address remoteTraceTarget,
        long remoteTraceLevel,
        OptionalLong credentialTimeMaxDeltaMs,
        Map<String, Long> authTokens) {

    /** 1.14.1's default {@code multicastLimit}. */
    public static final long MULTICAST_LIMIT_DEFAULT = 32;

    public NetworkRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(v6AssignMode, "v6AssignMode");
        ipAssignmentPools = List.copyOf(ipAssignmentPools);
        routes = List.copyOf(routes);
        for (Route r : routes) {
            requireRoute(r);
        }
        rules = List.copyOf(rules);
        Objects.requireNonNull(rulesSource, "rulesSource");
        capabilities = List.copyOf(capabilities);
        tags = List.copyOf(tags);
        Objects.requireNonNull(dns, "dns");
        Objects.requireNonNull(remoteTraceTarget, "remoteTraceTarget");
        Objects.requireNonNull(credentialTimeMaxDeltaMs, "credentialTimeMaxDeltaMs");
        authTokens = new TreeMap<>(authTokens);
        authTokens.values().forEach(v -> Objects.requireNonNull(v, "token expiry"));
        authTokens = Collections.unmodifiableMap(authTokens);
    }

    private static void requireRoute(Route r) {
        InetEndpoint target = r.target();
        if (target.isNil()) {
            throw new IllegalArgumentException("route without a target: " + r);
        }
        int maxBits = target.isIpv4() ? 32 : 128;
        if (target.port() > maxBits) {
            throw new IllegalArgumentException("route prefix longer than " + maxBits + " bits: " + r);
        }
        if (!r.via().isNil() && r.via().isIpv4() != target.isIpv4()) {
            throw new IllegalArgumentException("route via of another family: " + r);
        }
        if (r.flags() != 0 || r.metric() != 0) {
            throw new IllegalArgumentException("a controller route has flags and metric 0: " + r);
        }
    }

    /**
     * A network with 1.14.1's defaults ({@code DB::initNetwork}): private, broadcast on, MTU 2800,
     * multicast limit 32, no assignment modes, one ACCEPT rule, revision 0.
     */
    public static Builder builder(NetworkId id, long creationTimeMs) {
        return new Builder(id, creationTimeMs);
    }

    /** A builder holding this record's values. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** This record with another revision. */
    public NetworkRecord withRevision(long r) {
        return toBuilder().revision(r).build();
    }

    /** Whether this and {@code other} differ in anything but the revision (1.14.1's save rule). */
    public boolean sameIgnoringRevision(NetworkRecord other) {
        return withRevision(0).equals(other.withRevision(0));
    }

    static long requireU32(long v, String what) {
        if ((v & ~0xffff_ffffL) != 0) {
            throw new IllegalArgumentException(what + " " + v + " is not a 32-bit unsigned value");
        }
        return v;
    }

    /** Collects a {@link NetworkRecord}; {@link #build()} validates. */
    public static final class Builder {
        private NetworkId id;
        private long revision;
        private long creationTimeMs;
        private String name = "";
        private boolean privateNetwork = true;
        private boolean enableBroadcast = true;
        private long multicastLimit = MULTICAST_LIMIT_DEFAULT;
        private long mtu = NetworkConfig.MTU_DEFAULT;
        private boolean v4AssignZt;
        private V6AssignMode v6AssignMode = V6AssignMode.NONE;
        private List<IpPool> ipAssignmentPools = List.of();
        private List<Route> routes = List.of();
        private List<RuleEntry> rules = List.of(new RuleEntry.Action(RuleType.ACTION_ACCEPT, false, false));
        private String rulesSource = "";
        private List<CapabilityDefinition> capabilities = List.of();
        private List<TagDefinition> tags = List.of();
        private Optional<Dns> dns = Optional.empty();
        private Address remoteTraceTarget = Address.NONE;
        private long remoteTraceLevel;
        private OptionalLong credentialTimeMaxDeltaMs = OptionalLong.empty();
        private Map<String, Long> authTokens = Map.of();

        private Builder(NetworkId id, long creationTimeMs) {
            this.id = id;
            this.creationTimeMs = creationTimeMs;
        }

        private Builder(NetworkRecord r) {
            id = r.id;
            revision = r.revision;
            creationTimeMs = r.creationTimeMs;
            name = r.name;
            privateNetwork = r.privateNetwork;
            enableBroadcast = r.enableBroadcast;
            multicastLimit = r.multicastLimit;
            mtu = r.mtu;
            v4AssignZt = r.v4AssignZt;
            v6AssignMode = r.v6AssignMode;
            ipAssignmentPools = r.ipAssignmentPools;
            routes = r.routes;
            rules = r.rules;
            rulesSource = r.rulesSource;
            capabilities = r.capabilities;
            tags = r.tags;
            dns = r.dns;
            remoteTraceTarget = r.remoteTraceTarget;
            remoteTraceLevel = r.remoteTraceLevel;
            credentialTimeMaxDeltaMs = r.credentialTimeMaxDeltaMs;
            authTokens = r.authTokens;
        }

        public Builder revision(long v) {
            revision = v;
            return this;
        }

        public Builder creationTimeMs(long v) {
            creationTimeMs = v;
            return this;
        }

        public Builder name(String v) {
            name = v;
            return this;
        }

        public Builder privateNetwork(boolean v) {
            privateNetwork = v;
            return this;
        }

        public Builder enableBroadcast(boolean v) {
            enableBroadcast = v;
            return this;
        }

        public Builder multicastLimit(long v) {
            multicastLimit = v;
            return this;
        }

        public Builder mtu(long v) {
            mtu = v;
            return this;
        }

        public Builder v4AssignZt(boolean v) {
            v4AssignZt = v;
            return this;
        }

        public Builder v6AssignMode(V6AssignMode v) {
            v6AssignMode = v;
            return this;
        }

        public Builder ipAssignmentPools(List<IpPool> v) {
            ipAssignmentPools = v;
            return this;
        }

        public Builder routes(List<Route> v) {
            routes = v;
            return this;
        }

        public Builder rules(List<RuleEntry> v) {
            rules = v;
            return this;
        }

        public Builder rulesSource(String v) {
            rulesSource = v;
            return this;
        }

        public Builder capabilities(List<CapabilityDefinition> v) {
            capabilities = v;
            return this;
        }

        public Builder tags(List<TagDefinition> v) {
            tags = v;
            return this;
        }

        public Builder dns(Optional<Dns> v) {
            dns = v;
            return this;
        }

        public Builder remoteTraceTarget(Address v) {
            remoteTraceTarget = v;
            return this;
        }

        public Builder remoteTraceLevel(long v) {
            remoteTraceLevel = v;
            return this;
        }

        public Builder credentialTimeMaxDeltaMs(OptionalLong v) {
            credentialTimeMaxDeltaMs = v;
            return this;
        }

        public Builder authTokens(Map<String, Long> v) {
            authTokens = v;
            return this;
        }

        public NetworkRecord build() {
            return new NetworkRecord(id, revision, creationTimeMs, name, privateNetwork, enableBroadcast,
                    multicastLimit, mtu, v4AssignZt, v6AssignMode, ipAssignmentPools, routes, rules, rulesSource,
                    capabilities, tags, dns, remoteTraceTarget, remoteTraceLevel, credentialTimeMaxDeltaMs,
                    authTokens);
        }
    }
}
