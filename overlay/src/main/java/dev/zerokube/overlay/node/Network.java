package dev.zerokube.overlay.node;

import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.Mac;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.credentials.Capability;
import dev.zerokube.overlay.wire.credentials.CertificateOfMembership;
import dev.zerokube.overlay.wire.credentials.CertificateOfOwnership;
import dev.zerokube.overlay.wire.credentials.Revocation;
import dev.zerokube.overlay.wire.credentials.SignerLookup;
import dev.zerokube.overlay.wire.credentials.Tag;
import dev.zerokube.overlay.wire.netconf.ConfigRequestMetadata;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * One joined virtual network (1.14.1's {@code Network}, ZT1-03 §4.11–§4.13, ZT1-05 §7): its config
 * and status, the reassembly of config chunks, and the {@link Membership} of every other member we
 * hold credentials for, with the gate that decides whether a member may talk to us. State only:
 * sending (requests, pushes, replies) is done by {@link Networks}.
 */
final class Network {
    /** How a received config was taken (ZT1-09 §1.5). */
    enum ConfigOutcome {
        /** A different config is now in force. */
        NEW,
        /** Equal to the one in force (refreshes its age). */
        SAME,
        /** Not for us, for another network, or older than the one in force. */
        REFUSED
    }

    final NetworkId id;
    final long nwid;
    /** The controller's address ({@code nwid >> 24}). */
    final long controller;
    final Mac mac;
    final ConfigRequestMetadata metadata;
    final ConfigReassembler reassembler;
    private final long self;
    private final LongMap<Membership> memberships;
    private NetworkConfig config;
    /** When a config (new or equal) last arrived: the re-request clock. */
    long configReceivedMs = Timing.NEVER_MS;
    /** When a different config was last put in force: credentials are pushed again after it. */
    long lastConfigUpdateMs = Timing.NEVER_MS;
    long lastRequestMs = Timing.NEVER_MS;
    /** A failure the controller reported, or null (cleared by the next config). */
    private NetworkStatus.Status failure;
    /** The status last reported to the host, to report changes only. */
    NetworkStatus reported;

    /**
     * @param membershipsMax members we hold credentials for at most (further ones are refused)
     */
    Network(NetworkId id, long self, ConfigRequestMetadata metadata, int membershipsMax) {
        this.id = id;
        this.nwid = id.value();
        this.controller = id.controllerAddress();
        this.self = self;
        this.mac = Mac.fromAddress(self, nwid);
        this.metadata = metadata;
        this.reassembler = new ConfigReassembler(id);
        this.memberships = new LongMap<>(membershipsMax);
    }

    /** The config in force, or null. */
    NetworkConfig config() {
        return config;
    }

    /** Whether a config is due: none yet, or the last is {@link Timing#NETWORK_AUTOCONF_DELAY_MS} old. */
    boolean needsConfig(long nowMs) {
        return config == null || nowMs - configReceivedMs >= Timing.NETWORK_AUTOCONF_DELAY_MS;
    }

    /**
     * Puts {@code c} in force if it is issued to us for this network and not older than the one in
     * force (by the controller's timestamp, then revision): a reordered or replayed config cannot
     * roll a member back.
     */
    ConfigOutcome apply(NetworkConfig c, long nowMs) {
        if (c.issuedTo().value() != self || !c.networkId().equals(id)) {
            return ConfigOutcome.REFUSED;
        }
        if (config != null) {
            if (config.equals(c)) {
                configReceivedMs = nowMs;
                failure = null;
                return ConfigOutcome.SAME;
            }
            if (c.timestampMs() < config.timestampMs()
                    || (c.timestampMs() == config.timestampMs() && c.revision() < config.revision())) {
                return ConfigOutcome.REFUSED;
            }
        }
        config = c;
        configReceivedMs = nowMs;
        lastConfigUpdateMs = nowMs;
        failure = null;
        return ConfigOutcome.NEW;
    }

    /** Records a failure reported by the controller; the config held stays in force. */
    void fail(NetworkStatus.Status status) {
        failure = status;
    }

    NetworkStatus.Status status() {
        if (failure != null) {
            return failure;
        }
        return config == null ? NetworkStatus.Status.REQUESTING_CONFIGURATION : NetworkStatus.Status.OK;
    }

    NetworkStatus snapshot() {
        List<InetEndpoint> ips = config == null ? List.of() : config.staticIps();
        return new NetworkStatus(id, status(), Optional.ofNullable(config), mac, ips);
    }

    // ---- credentials

    /**
     * The gate (ZT1-05 §7.3): whether {@code peer} counts as a member: we hold a config and the
     * network is public, or its COM, not revoked, agrees with ours.
     */
    boolean gate(long peer, Identity peerIdentity) {
        if (config == null) {
            return false;
        }
        if (config.isPublic()) {
            membership(peer);
            return true;
        }
        Membership m = memberships.get(peer);
        return m != null && m.isAllowedOnNetwork(config, peerIdentity);
    }

    /** The membership of {@code address}, created if there is room (else null). */
    Membership membership(long address) {
        Membership m = memberships.get(address);
        if (m == null && memberships.size() < memberships.maxSize()) {
            m = new Membership(address);
            memberships.put(address, m);
        }
        return m;
    }

    /** The membership of {@code address} if one is held. */
    Membership existingMembership(long address) {
        return memberships.get(address);
    }

    int membershipCount() {
        return memberships.size();
    }

    /** Calls {@code action} with the address of every member we hold a membership for. */
    void forEachMember(LongConsumer action) {
        memberships.forEachValue(m -> action.accept(m.address));
    }

    Membership.AddResult addCom(CertificateOfMembership c, SignerLookup lookup) {
        return add(c.issuedTo().value(), m -> m.addCom(c, lookup));
    }

    Membership.AddResult addTag(Tag t, SignerLookup lookup) {
        return add(t.issuedTo().value(), m -> m.addTag(t, lookup));
    }

    Membership.AddResult addCapability(Capability c, SignerLookup lookup) {
        return add(c.issuedTo().value(), m -> m.addCapability(c, lookup));
    }

    Membership.AddResult addCertificateOfOwnership(CertificateOfOwnership c, SignerLookup lookup) {
        return add(c.issuedTo().value(), m -> m.addCertificateOfOwnership(c, lookup));
    }

    Membership.AddResult addRevocation(Revocation r, SignerLookup lookup) {
        return add(r.target().value(), m -> m.addRevocation(r, lookup));
    }

    private interface Adder {
        Membership.AddResult add(Membership m);
    }

    /**
     * Adds to the owner's membership. A new membership is kept only if the credential was
     * accepted, so credentials that fail cannot fill the table.
     */
    private Membership.AddResult add(long owner, Adder adder) {
        if (owner == 0) {
            return Membership.AddResult.REJECTED;
        }
        Membership m = memberships.get(owner);
        if (m != null) {
            return adder.add(m);
        }
        Membership fresh = new Membership(owner);
        Membership.AddResult r = adder.add(fresh);
        if (r == Membership.AddResult.ACCEPTED_NEW || r == Membership.AddResult.ACCEPTED_REDUNDANT) {
            if (memberships.size() >= memberships.maxSize()) {
                return Membership.AddResult.REJECTED;
            }
            memberships.put(owner, fresh);
        }
        return r;
    }
}
