package dev.zerokube.overlay.node;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.rules.RuleCompiler;
import dev.zerokube.overlay.rules.RuleTable;
import dev.zerokube.overlay.rules.SenderOwnership;
import dev.zerokube.overlay.rules.TagValues;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.credentials.CertificateOfMembership;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import dev.zerokube.overlay.wire.netconf.Specialist;
import dev.zerokube.overlay.wire.rules.RuleEntry;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A network for Ethernet tests, standing in for the membership layer: a test controller issues
 * each member a config with a COM signed by its identity, and the members' COMs are known to one
 * another out of band (as if NETWORK_CREDENTIALS had been exchanged), so the gate is the real
 * COM agreement check of ZT1-05, and a revoked or never-issued member fails it.
 */
final class TestNetwork implements FrameNetwork {
    /** The controller of one test network and what it has issued and revoked. */
    static final class Controller {
        final Identity identity;
        final NetworkId id;
        final Map<Long, CertificateOfMembership> coms = new HashMap<>();
        final Set<Long> revoked = new HashSet<>();
        List<RuleEntry> rules;
        long flags = NetworkConfig.FLAG_ENABLE_BROADCAST;
        long multicastLimit = 32;
        List<Specialist> specialists = List.of();
        long type = NetworkConfig.TYPE_PRIVATE;
        long timestampMs;

        Controller(Identity identity, int number, long timestampMs) {
            this(identity, new NetworkId((identity.address().value() << 24) | number), timestampMs);
        }

        /** A controller issuing configs for a network id that is not its own (a forger). */
        Controller(Identity identity, NetworkId id, long timestampMs) {
            this.identity = identity;
            this.id = id;
            this.timestampMs = timestampMs;
            rules("accept;");
        }

        /** Sets the rules for configs issued from now on. */
        Controller rules(String source) {
            try {
                rules = RuleCompiler.compile(source).rules();
            } catch (Exception e) {
                throw new IllegalArgumentException(e);
            }
            return this;
        }

        /** A config for {@code member} with IPv4 address 10.147.17.{@code host}/24 and a signed COM. */
        NetworkConfig issue(Identity member, int host) {
            CertificateOfMembership com = CertificateOfMembership.issue(timestampMs,
                    NetworkConfig.CREDENTIAL_TIME_MAX_DELTA_DEFAULT_MS, id, member).sign(identity);
            coms.put(member.address().value(), com);
            return NetworkConfig.builder().networkId(id).timestampMs(timestampMs)
                    .credentialTimeMaxDeltaMs(NetworkConfig.CREDENTIAL_TIME_MAX_DELTA_DEFAULT_MS).revision(1)
                    .issuedTo(member.address()).flags(flags).multicastLimit(multicastLimit).type(type).name("test")
                    .mtu(NetworkConfig.MTU_DEFAULT).certificateOfMembership(com).specialists(specialists)
                    .staticIps(List.of(InetEndpoint.of(new byte[] {10, (byte) 147, 17, (byte) host}, 24)))
                    .rules(rules).build();
        }

        void revoke(Address member) {
            revoked.add(member.value());
        }
    }

    private final Controller controller;
    private final Identity self;
    private NetworkConfig config;
    /** Gate answers per peer address, computed once per (config, peer) like a membership would keep them. */
    private final LongMap<Boolean> agreed = new LongMap<>(1024);
    long credentialPushes;

    TestNetwork(Controller controller, Identity self) {
        this.controller = controller;
        this.self = self;
    }

    void setConfig(NetworkConfig config) {
        this.config = config;
        agreed.clear();
    }

    @Override
    public NetworkId id() {
        return controller.id;
    }

    @Override
    public NetworkConfig config() {
        return config;
    }

    @Override
    public boolean gate(Peer peer, long nowMs) {
        if (config == null) {
            return false;
        }
        if (config.isPublic()) {
            return true;
        }
        if (!controller.revoked.isEmpty() && controller.revoked.contains(peer.address)) {
            return false;
        }
        Boolean known = agreed.get(peer.address);
        if (known == null) {
            CertificateOfMembership theirs = controller.coms.get(peer.address);
            CertificateOfMembership ours = config.certificateOfMembership().orElse(null);
            known = theirs != null && ours != null && ours.agreesWith(theirs, peer.identity);
            agreed.put(peer.address, known);
        }
        return known;
    }

    @Override
    public TagValues tagsOf(long member) {
        return TagValues.EMPTY;
    }

    @Override
    public List<RuleTable> capabilitiesOf(long member) {
        return List.of();
    }

    @Override
    public SenderOwnership ownershipOf(long member) {
        return SenderOwnership.NONE;
    }

    @Override
    public SenderOwnership ownOwnership() {
        return SenderOwnership.NONE;
    }

    @Override
    public void pushCredentialsIfNeeded(long member, long nowMs) {
        credentialPushes++;
    }

    @Override
    public String toString() {
        return "TestNetwork[" + controller.id + " as " + self.address() + "]";
    }
}
