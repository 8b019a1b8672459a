package dev.zerokube.overlay.node;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.rules.NetworkRules;
import dev.zerokube.overlay.rules.RuleTable;
import dev.zerokube.overlay.rules.TagValues;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.Mac;
import dev.zerokube.overlay.wire.MulticastGroup;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import dev.zerokube.overlay.wire.netconf.Specialist;
import dev.zerokube.overlay.wire.credentials.Capability;
import java.util.ArrayList;
import java.util.List;

/**
 * The Ethernet side of one joined network, the virtual switch port of ZT1-08 §0: our member MAC,
 * what the current config means for frames (rules as evaluator tables, active bridges, multicast
 * limit, broadcast flag, MTU), the multicast groups we are in (§3.3), the groups bridged hosts
 * behind us send to, learned MAC → bridge routes (§2.5), and the peers we announce our groups to.
 *
 * <p>The config-derived fields are rebuilt when the network's config object changes
 * ({@link #refresh}, an identity comparison per frame); nothing else here allocates per frame.
 * Every table has a limit.
 */
final class NetworkPort {
    /** Groups the host may subscribe the port to (1.14.1's {@code ZT_MAX_MULTICAST_SUBSCRIPTIONS}). */
    static final int SUBSCRIPTIONS_MAX = 1024;
    /** Groups learned behind us as a bridge; 1.14.1 keeps them without limit or expiry. */
    static final int GROUPS_BEHIND_MAX = 1024;
    /** Learned bridge routes; past this, the bridge owning most routes loses them (1.14.1's circuit breaker, smaller). */
    static final int BRIDGE_ROUTES_MAX = 16_384;
    /** Members we remember announcing to. */
    static final int MEMBERS_MAX = 4_096;

    final FrameNetwork network;
    final long networkId;
    /** Our member MAC (ZT1-08 §1.1). */
    final long mac;
    private final long self;

    private NetworkConfig seen;
    NetworkRules rules;
    /** Active bridges in config order. */
    long[] bridges = new long[0];
    int bridgeCount;
    boolean weAreBridge;
    /** Anchors and multicast replicators (always-announce and gather targets), and anchors alone. */
    long[] anchorsAndReplicators = new long[0];
    long[] anchors = new long[0];
    int multicastLimit;
    boolean enableBroadcast;
    int mtu = NetworkConfig.MTU_DEFAULT;

    /** Host subscriptions, sorted by (MAC, ADI). */
    private final GroupSet subscriptions = new GroupSet(SUBSCRIPTIONS_MAX);
    /** Address-resolution groups of the config's assigned IPs. */
    private final GroupSet assigned = new GroupSet(NetworkConfig.STATIC_IPS_MAX);
    /** Groups bridged hosts behind us sent to. */
    private final GroupSet behind = new GroupSet(GROUPS_BEHIND_MAX);
    /** The announced list: the union of the above plus broadcast, sorted, and the previous one. */
    private GroupSet announced = new GroupSet(SUBSCRIPTIONS_MAX * 2 + 1 + NetworkConfig.STATIC_IPS_MAX);
    private GroupSet previous = new GroupSet(SUBSCRIPTIONS_MAX * 2 + 1 + NetworkConfig.STATIC_IPS_MAX);
    private boolean announcedStale = true;

    private final LongMap<Route> routes = new LongMap<>(BRIDGE_ROUTES_MAX);
    /** Per member: when we last sent it our full LIKE list, when it last passed the gate, its address. */
    final LongMap<long[]> members = new LongMap<>(MEMBERS_MAX);
    long lastAnnounceRoundMs = Timing.NEVER_MS;

    /** A learned route: frames to {@code mac} go to {@code bridge}. */
    private static final class Route {
        final long mac;
        long bridge;

        Route(long mac, long bridge) {
            this.mac = mac;
            this.bridge = bridge;
        }
    }

    NetworkPort(FrameNetwork network, long self) {
        this.network = network;
        this.networkId = network.id().value();
        this.self = self;
        this.mac = Mac.fromAddressValue(self, networkId);
    }

    /**
     * Rebuilds what the config means if it changed since the last call; returns the config, or
     * null when there is none yet.
     */
    NetworkConfig refresh() {
        NetworkConfig c = network.config();
        if (c == seen || c == null) {
            return c;
        }
        seen = c;
        List<RuleTable> caps = new ArrayList<>();
        for (Capability cap : c.capabilities()) {
            caps.add(RuleTable.of(cap));
        }
        rules = new NetworkRules(RuleTable.of(c.rules()), caps, TagValues.of(c.tags()), c.rulesResultOfUnsupportedMatch());
        List<Long> b = new ArrayList<>();
        List<Long> ar = new ArrayList<>();
        List<Long> an = new ArrayList<>();
        for (Specialist s : c.specialists()) {
            long a = s.address().value();
            if (s.isActiveBridge()) {
                b.add(a);
            }
            if (s.isAnchor() || s.isMulticastReplicator()) {
                ar.add(a);
            }
            if (s.isAnchor()) {
                an.add(a);
            }
        }
        bridges = b.stream().mapToLong(Long::longValue).toArray();
        bridgeCount = bridges.length;
        weAreBridge = b.contains(self);
        anchorsAndReplicators = ar.stream().mapToLong(Long::longValue).toArray();
        anchors = an.stream().mapToLong(Long::longValue).toArray();
        multicastLimit = (int) Math.min(c.multicastLimit(), Integer.MAX_VALUE);
        enableBroadcast = c.enableBroadcast();
        mtu = c.mtu();
        assigned.clear();
        for (InetEndpoint ip : c.staticIps()) {
            MulticastGroup g = MulticastGroup.forAddressResolution(ip.ip());
            assigned.add(g.mac().value(), g.adi());
        }
        announcedStale = true;
        return c;
    }

    boolean isActiveBridge(long address) {
        for (int i = 0; i < bridgeCount; i++) {
            if (bridges[i] == address) {
                return true;
            }
        }
        return false;
    }

    // ---- multicast subscriptions (ZT1-08 §3.3)

    /** The host subscribes the port to a group; false if it already was or the table is full. */
    boolean subscribe(long groupMac, long adi) {
        boolean added = subscriptions.add(groupMac, adi);
        announcedStale |= added;
        return added;
    }

    boolean unsubscribe(long groupMac, long adi) {
        boolean removed = subscriptions.remove(groupMac, adi);
        announcedStale |= removed;
        return removed;
    }

    /** A bridged host behind us sent to this group (only when we are an active bridge). */
    void rememberGroupBehind(long groupMac, long adi) {
        announcedStale |= behind.add(groupMac, adi);
    }

    /**
     * 1.14.1's {@code subscribedToMulticastGroup}: host subscriptions (and groups behind us when
     * {@code includeBridged}); the assigned-IP groups count as host subscriptions, since the host
     * scan finds them. The implicit broadcast group does not count (ZT1-08 §7 quirk 8).
     */
    boolean subscribedTo(long groupMac, long adi, boolean includeBridged) {
        return subscriptions.contains(groupMac, adi) || assigned.contains(groupMac, adi)
                || (includeBridged && behind.contains(groupMac, adi));
    }

    /**
     * The groups we announce, sorted and without duplicates: subscriptions, assigned-IP groups,
     * groups behind us, and broadcast when the config enables it. {@link #takeNewGroups} tells which
     * are new since the last call.
     */
    GroupSet announced() {
        if (announcedStale) {
            GroupSet t = previous;
            previous = announced;
            announced = t;
            announced.clear();
            announced.addAll(subscriptions);
            announced.addAll(assigned);
            announced.addAll(behind);
            if (enableBroadcast && seen != null) {
                announced.add(Mac.BROADCAST.value(), 0);
            }
            announcedStale = false;
            newGroups.clear();
            for (int i = 0; i < announced.size(); i++) {
                if (!previous.contains(announced.mac(i), announced.adi(i))) {
                    newGroups.add(announced.mac(i), announced.adi(i));
                }
            }
        }
        return announced;
    }

    private final GroupSet newGroups = new GroupSet(SUBSCRIPTIONS_MAX * 2 + 1 + NetworkConfig.STATIC_IPS_MAX);

    /** Groups that became announced since the previous call (each reported once). */
    GroupSet takeNewGroups() {
        announced();
        return newGroups;
    }

    // ---- bridge routes (ZT1-08 §2.5)

    /** Frames from {@code sourceMac} came through active bridge {@code bridge}. */
    void learnBridgeRoute(long sourceMac, long bridge) {
        Route r = routes.get(sourceMac);
        if (r != null) {
            r.bridge = bridge;
            return;
        }
        if (routes.size() == routes.maxSize()) {
            forgetBusiestBridge();
        }
        routes.put(sourceMac, new Route(sourceMac, bridge));
    }

    /** The bridge a MAC was last seen behind, or 0. */
    long bridgeTo(long destMac) {
        Route r = routes.get(destMac);
        return r == null ? 0 : r.bridge;
    }

    int bridgeRouteCount() {
        return routes.size();
    }

    private void forgetBusiestBridge() {
        java.util.HashMap<Long, Integer> counts = new java.util.HashMap<>();
        routes.forEachValue(r -> counts.merge(r.bridge, 1, Integer::sum));
        long busiest = counts.entrySet().stream().max(java.util.Map.Entry.comparingByValue()).orElseThrow().getKey();
        List<Long> doomed = new ArrayList<>();
        routes.forEachValue(r -> {
            if (r.bridge == busiest) {
                doomed.add(r.mac);
            }
        });
        for (long m : doomed) {
            routes.remove(m);
        }
    }

    // ---- members we announce to

    /**
     * Notes that {@code member} passed the gate; returns true when its 60 s LIKE timer ran out (1.14.1's
     * {@code Membership::multicastLikeGate}), i.e. it should get our full list now.
     */
    boolean memberLikeDue(long member, long nowMs) {
        long[] e = members.get(member);
        if (e == null) {
            if (members.size() == members.maxSize()) {
                return false;
            }
            e = new long[] {Timing.NEVER_MS, nowMs, member};
            members.put(member, e);
        }
        e[1] = nowMs;
        if (nowMs - e[0] >= Timing.MULTICAST_ANNOUNCE_PERIOD_MS) {
            e[0] = nowMs;
            return true;
        }
        return false;
    }

    /** Forgets members not heard from within the trust window (every 30 s). */
    void forgetQuietMembers(long nowMs) {
        List<Long> quiet = new ArrayList<>();
        members.forEachValue(e -> {
            if (nowMs - e[1] > Timing.TRUST_EXPIRATION_MS) {
                quiet.add(e[2]);
            }
        });
        for (long m : quiet) {
            members.remove(m);
        }
    }

    /**
     * A sorted set of multicast groups as two parallel primitive arrays, so membership tests on the
     * per-frame path allocate nothing.
     */
    static final class GroupSet {
        private final long[] macs;
        private final long[] adis;
        private int size;

        GroupSet(int max) {
            macs = new long[max];
            adis = new long[max];
        }

        int size() {
            return size;
        }

        long mac(int i) {
            return macs[i];
        }

        long adi(int i) {
            return adis[i];
        }

        void clear() {
            size = 0;
        }

        boolean contains(long mac, long adi) {
            return find(mac, adi) >= 0;
        }

        boolean add(long mac, long adi) {
            int i = find(mac, adi);
            if (i >= 0 || size == macs.length) {
                return false;
            }
            int at = -(i + 1);
            System.arraycopy(macs, at, macs, at + 1, size - at);
            System.arraycopy(adis, at, adis, at + 1, size - at);
            macs[at] = mac;
            adis[at] = adi;
            size++;
            return true;
        }

        boolean remove(long mac, long adi) {
            int i = find(mac, adi);
            if (i < 0) {
                return false;
            }
            System.arraycopy(macs, i + 1, macs, i, size - i - 1);
            System.arraycopy(adis, i + 1, adis, i, size - i - 1);
            size--;
            return true;
        }

        void addAll(GroupSet other) {
            for (int i = 0; i < other.size; i++) {
                add(other.macs[i], other.adis[i]);
            }
        }

        /** The groups as records, for the edges. */
        List<MulticastGroup> toList() {
            List<MulticastGroup> out = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                out.add(new MulticastGroup(new Mac(macs[i]), adis[i]));
            }
            return out;
        }

        // MAC then ADI, both non-negative, so signed comparison orders them as ZT1-08 §3.1 does.
        private int find(long mac, long adi) {
            int lo = 0;
            int hi = size - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                int c = macs[mid] != mac ? Long.compare(macs[mid], mac) : Long.compare(adis[mid], adi);
                if (c < 0) {
                    lo = mid + 1;
                } else if (c > 0) {
                    hi = mid - 1;
                } else {
                    return mid;
                }
            }
            return -(lo + 1);
        }

        @Override
        public String toString() {
            return toList().toString();
        }
    }

    @Override
    public String toString() {
        return "NetworkPort[" + network.id() + " mac=" + new Mac(mac) + " self=" + new Address(self) + "]";
    }
}
