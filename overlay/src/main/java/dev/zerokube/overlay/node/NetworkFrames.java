package dev.zerokube.overlay.node;

import dev.zerokube.overlay.rules.RuleTable;
import dev.zerokube.overlay.rules.SenderOwnership;
import dev.zerokube.overlay.rules.TagValues;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.credentials.Capability;
import dev.zerokube.overlay.wire.credentials.CertificateOfOwnership;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@link FrameNetwork} of a joined {@link Network}: the gate and credential pushes are the
 * membership layer's ({@link Network#gate}, {@link CredentialExchange#pushIfNeeded}); what the rules
 * need of a member (its time-valid tags, capabilities and certificates of ownership, ZT1-06 §8.4) is
 * derived from its {@link Membership} once per change of its credentials or of our config and kept,
 * so the per-frame calls allocate nothing.
 */
final class NetworkFrames implements FrameNetwork {
    private final Network network;
    private final CredentialExchange credentials;
    /** Per member address: its derived view. */
    private final LongMap<Derived> derived;
    private NetworkConfig ownFor;
    private SenderOwnership own = SenderOwnership.NONE;

    /** What the rules see of one member, and what it was derived from. */
    private static final class Derived {
        Membership membership;
        int changes = -1;
        NetworkConfig config;
        TagValues tags = TagValues.EMPTY;
        List<RuleTable> capabilities = List.of();
        SenderOwnership ownership = SenderOwnership.NONE;
    }

    NetworkFrames(Network network, CredentialExchange credentials, int membersMax) {
        this.network = network;
        this.credentials = credentials;
        this.derived = new LongMap<>(membersMax);
    }

    @Override
    public NetworkId id() {
        return network.id;
    }

    @Override
    public NetworkConfig config() {
        return network.config();
    }

    @Override
    public boolean gate(Peer peer, long nowMs) {
        return network.gate(peer.address, peer.identity);
    }

    @Override
    public TagValues tagsOf(long member) {
        Derived d = derive(member);
        return d == null ? TagValues.EMPTY : d.tags;
    }

    @Override
    public List<RuleTable> capabilitiesOf(long member) {
        Derived d = derive(member);
        return d == null ? List.of() : d.capabilities;
    }

    @Override
    public SenderOwnership ownershipOf(long member) {
        Derived d = derive(member);
        return d == null ? SenderOwnership.NONE : d.ownership;
    }

    @Override
    public SenderOwnership ownOwnership() {
        NetworkConfig c = network.config();
        if (c != ownFor) {
            ownFor = c;
            own = c == null ? SenderOwnership.NONE : Ownership.of(c.certificatesOfOwnership());
        }
        return own;
    }

    @Override
    public void pushCredentialsIfNeeded(long member, long nowMs) {
        if (network.config() != null) {
            credentials.pushIfNeeded(network, member, nowMs);
        }
    }

    private Derived derive(long member) {
        NetworkConfig c = network.config();
        Membership m = network.existingMembership(member);
        if (c == null || m == null) {
            return null;
        }
        Derived d = derived.get(member);
        if (d == null) {
            if (derived.size() == derived.maxSize()) {
                return null;
            }
            d = new Derived();
            derived.put(member, d);
        }
        if (d.membership != m || d.changes != m.changes || d.config != c) {
            d.membership = m;
            d.changes = m.changes;
            d.config = c;
            d.tags = TagValues.of(m.tags(c));
            List<RuleTable> caps = new ArrayList<>();
            for (Capability cap : m.capabilities(c)) {
                caps.add(RuleTable.of(cap));
            }
            d.capabilities = List.copyOf(caps);
            d.ownership = Ownership.of(m.certificatesOfOwnership(c));
        }
        return d;
    }

    /** "Sender authenticated" answers from certificates of ownership, flattened for the per-frame path. */
    static final class Ownership implements SenderOwnership {
        private final int[] types;
        private final byte[][] values;

        private Ownership(int[] types, byte[][] values) {
            this.types = types;
            this.values = values;
        }

        static SenderOwnership of(List<CertificateOfOwnership> coos) {
            List<CertificateOfOwnership.Thing> things = new ArrayList<>();
            for (CertificateOfOwnership c : coos) {
                things.addAll(c.things());
            }
            if (things.isEmpty()) {
                return SenderOwnership.NONE;
            }
            int[] types = new int[things.size()];
            byte[][] values = new byte[things.size()][];
            for (int i = 0; i < types.length; i++) {
                types[i] = things.get(i).type();
                values[i] = things.get(i).value();
            }
            return new Ownership(types, values);
        }

        @Override
        public boolean ownsIp(byte[] buf, int offset, int length) {
            int type = length == 4 ? CertificateOfOwnership.Thing.TYPE_IPV4
                    : length == 16 ? CertificateOfOwnership.Thing.TYPE_IPV6 : -1;
            for (int i = 0; i < types.length; i++) {
                if (types[i] == type && java.util.Arrays.equals(values[i], 0, length, buf, offset, offset + length)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public boolean ownsMac(long mac) {
            for (int i = 0; i < types.length; i++) {
                if (types[i] == CertificateOfOwnership.Thing.TYPE_MAC && Ethernet.mac(values[i], 0) == mac) {
                    return true;
                }
            }
            return false;
        }
    }
}
