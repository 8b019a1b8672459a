package dev.zerokube.overlay.node;

import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.Armor;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.World;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Who we know and how they are reached (ZT1-07 §1–§4): the bounded peer table, the canonical
 * paths, the planet and moons, and what follows from them: the upstreams (roots other than
 * ourselves), whether we are a root, and which upstream is the best relay right now.
 */
final class Topology {
    private final Identity self;
    private final long selfAddress;
    private final NodeHost host;
    private final boolean loopbackPaths;
    private final int pathsPerPeerMax;
    private final LongMap<Peer> peers;
    private final PathTable paths;

    private World planet;
    private final List<World> moons = new ArrayList<>();
    /** Moons asked for but not held yet: {moon id, seed address} pairs (1.14.1's {@code _moonSeeds}). */
    private final List<long[]> moonSeeds = new ArrayList<>();
    /** Upstream addresses, ascending (1.14.1 sorts them; ties in relay choice go to the later one). */
    private long[] upstreams = new long[0];
    /** Stable endpoints of each root, planet first, then moons (for contact and the prohibited-endpoint rule). */
    private final Map<Long, List<InetEndpoint>> stableEndpoints = new HashMap<>();
    private boolean amUpstream;

    Topology(Identity self, NodeConfig config, NodeHost host) {
        this.self = self;
        this.selfAddress = self.address().value();
        this.host = host;
        this.loopbackPaths = host.allowsLoopbackPaths();
        this.pathsPerPeerMax = config.pathsPerPeerMax();
        this.peers = new LongMap<>(config.peersMax());
        this.paths = new PathTable(config.pathsMax());
        this.planet = config.planet();
        this.moons.addAll(config.moons());
        memoizeUpstreams();
    }

    Identity self() {
        return self;
    }

    long selfAddress() {
        return selfAddress;
    }

    Peer peer(long address) {
        return peers.get(address);
    }

    int peerCount() {
        return peers.size();
    }

    int peersMax() {
        return peers.maxSize();
    }

    /** A new peer object for {@code identity} (key agreement happens here). */
    Peer newPeer(Identity identity) {
        return Peer.of(self, identity, pathsPerPeerMax);
    }

    /** A peer for an identity whose key was already agreed (HELLO: the MAC was checked with it). */
    Peer newPeer(Identity identity, byte[] key, Armor armor) {
        return new Peer(identity, key, armor, pathsPerPeerMax);
    }

    /**
     * Adds {@code candidate} unless a peer with its address exists (then that one is returned, as
     * {@code Topology::addPeer} keeps a peer that raced in). When the table is full, the non-root
     * peer heard from longest ago is dropped first; if every peer is a root, returns null.
     */
    Peer addPeer(Peer candidate) {
        Peer existing = peers.get(candidate.address);
        if (existing != null) {
            return existing;
        }
        if (peers.size() >= peers.maxSize() && !evictOldest()) {
            return null;
        }
        peers.put(candidate.address, candidate);
        host.onEvent(new NodeEvent.PeerAdded(candidate.identity.address()));
        return candidate;
    }

    /** Drops every non-root peer not heard from for 500 s (housekeeping, ZT1-07 §1.5), and unused paths. */
    void dropDeadPeers(long nowMs) {
        List<Peer> dead = new ArrayList<>();
        peers.forEachValue(p -> {
            if (!isUpstream(p.address) && !p.isAlive(nowMs)) {
                dead.add(p);
            }
        });
        for (Peer p : dead) {
            remove(p);
        }
        paths.dropUnused(nowMs, Timing.PEER_PATH_EXPIRATION_MS);
    }

    /** Calls {@code action} for each peer; the table must not change meanwhile. */
    void forEachPeer(Consumer<Peer> action) {
        peers.forEachValue(action);
    }

    private boolean evictOldest() {
        Peer[] oldest = new Peer[1];
        peers.forEachValue(p -> {
            if (!isUpstream(p.address) && (oldest[0] == null || p.lastReceiveMs < oldest[0].lastReceiveMs)) {
                oldest[0] = p;
            }
        });
        if (oldest[0] == null) {
            return false;
        }
        remove(oldest[0]);
        return true;
    }

    private void remove(Peer p) {
        peers.remove(p.address);
        p.releaseAllPaths();
        host.onEvent(new NodeEvent.PeerRemoved(p.identity.address()));
    }

    // ---- paths

    Path findPath(long localSocket, InetEndpoint remote) {
        return paths.find(localSocket, remote);
    }

    Path path(long localSocket, InetEndpoint remote) {
        return paths.getOrCreate(localSocket, remote);
    }

    int pathCount() {
        return paths.size();
    }

    int pathsMax() {
        return paths.capacity();
    }

    /**
     * {@code shouldUsePathForZeroTierTraffic} (ZT1-07 §2.4): a valid address, not a prohibited
     * endpoint of a root, and the host agrees. (Our virtual networks' managed ranges come with
     * networks, in a later slice.)
     */
    boolean shouldUsePath(Peer peer, long localSocket, InetEndpoint remote) {
        boolean valid = IpScope.isValidForPath(remote)
                || (loopbackPaths && !remote.isNil() && IpScope.of(remote) == IpScope.LOOPBACK);
        if (!valid || isProhibitedEndpoint(peer.address, remote)) {
            return false;
        }
        return host.shouldUsePath(peer.identity.address(), localSocket, remote);
    }

    /**
     * A root may be reached only at the IPs its world lists, when it lists any (the port is not
     * compared; ZT1-07 §2.4 item 2, §12 note 9).
     */
    boolean isProhibitedEndpoint(long address, InetEndpoint remote) {
        List<InetEndpoint> stable = stableEndpoints.get(address);
        if (stable == null || stable.isEmpty()) {
            return false;
        }
        byte[] ip = remote.ip();
        for (InetEndpoint e : stable) {
            if (Arrays.equals(e.ip(), ip)) {
                return false;
            }
        }
        return true;
    }

    // ---- worlds and upstreams

    boolean isUpstream(long address) {
        return Arrays.binarySearch(upstreams, address) >= 0;
    }

    boolean amUpstream() {
        return amUpstream;
    }

    long[] upstreamAddresses() {
        return upstreams;
    }

    List<InetEndpoint> stableEndpoints(long address) {
        return stableEndpoints.getOrDefault(address, List.of());
    }

    /**
     * The best relay (ZT1-07 §4.4): the upstream with the lowest {@link Peer#relayQuality}, ties
     * to the higher address; when none was heard from for 500 s this is still the highest address.
     * Null if there are no upstreams.
     */
    Peer bestUpstream(long nowMs) {
        Peer best = null;
        long bestQuality = Long.MAX_VALUE;
        for (long a : upstreams) {
            Peer p = peers.get(a);
            if (p != null) {
                long q = p.relayQuality(nowMs);
                if (q <= bestQuality) {
                    bestQuality = q;
                    best = p;
                }
            }
        }
        return best;
    }

    World planet() {
        return planet;
    }

    List<World> moons() {
        return List.copyOf(moons);
    }

    /**
     * Offers a world received in OK(HELLO) from an upstream or a pending moon seed (ZT1-07 §3.5):
     * it replaces the planet or the held moon with the same id under the update rule (same id and
     * type, newer timestamp, signed by the current update key); a moon we do not hold is taken
     * (without a signature check, as 1.14.1 does on first acquisition) only when a pending seed
     * asked for its id and names one of its roots, and that seed is then dropped. Returns whether
     * anything changed; upstreams are recomputed then.
     */
    boolean offerWorld(World update) {
        if (update.type() == World.Type.PLANET) {
            if (planet == null || !planet.shouldBeReplacedBy(update)) {
                return false;
            }
            planet = update;
        } else if (update.type() == World.Type.MOON) {
            int i = indexOfMoon(update.id());
            if (i >= 0) {
                if (!moons.get(i).shouldBeReplacedBy(update)) {
                    return false;
                }
                moons.set(i, update);
            } else if (takeSeedFor(update)) {
                moons.add(update);
            } else {
                return false;
            }
        } else {
            return false;
        }
        memoizeUpstreams();
        return true;
    }

    // Removes and reports the pending seed that asked for this moon and names one of its roots.
    private boolean takeSeedFor(World moon) {
        for (int k = 0; k < moonSeeds.size(); k++) {
            long[] seed = moonSeeds.get(k);
            if (seed[0] != moon.id()) {
                continue;
            }
            for (World.Root root : moon.roots()) {
                if (root.identity().address().value() == seed[1]) {
                    moonSeeds.remove(k);
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Orbit (ZT1-07 §3.6, 1.14.1's {@code Topology::addMoon} for a moon not on disk): remembers
     * that {@code seed} can give us moon {@code moonId}. Nothing happens if the moon is held
     * already or the pair is pending. Returns whether a seed was added.
     */
    boolean addMoonSeed(long moonId, long seed) {
        if (indexOfMoon(moonId) >= 0) {
            return false;
        }
        for (long[] s : moonSeeds) {
            if (s[0] == moonId && s[1] == seed) {
                return false;
            }
        }
        moonSeeds.add(new long[] {moonId, seed});
        return true;
    }

    /** Deorbit: drops the moon and its pending seeds, recomputes upstreams; whether anything went. */
    boolean removeMoon(long moonId) {
        boolean removed = moonSeeds.removeIf(s -> s[0] == moonId);
        int i = indexOfMoon(moonId);
        if (i >= 0) {
            moons.remove(i);
            memoizeUpstreams();
            return true;
        }
        return removed;
    }

    /** Whether {@code address} is the seed of a moon we asked for and do not hold yet. */
    boolean isMoonSeed(long address) {
        for (long[] s : moonSeeds) {
            if (s[1] == address) {
                return true;
            }
        }
        return false;
    }

    /** The distinct seed addresses of the moons we asked for (contacted like roots, ZT1-07 §4.3). */
    long[] moonSeedAddresses() {
        return moonSeeds.stream().mapToLong(s -> s[1]).distinct().toArray();
    }

    /** The distinct ids of the moons we asked for, listed with timestamp 0 in our HELLOs. */
    long[] wantedMoonIds() {
        return moonSeeds.stream().mapToLong(s -> s[0]).distinct().toArray();
    }

    private int indexOfMoon(long id) {
        for (int i = 0; i < moons.size(); i++) {
            if (moons.get(i).id() == id) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Recomputes upstreams and our role from the worlds (1.14.1's {@code _memoizeUpstreams}) and
     * makes sure every root has a peer object (roots need no WHOIS and are never evicted).
     */
    private void memoizeUpstreams() {
        stableEndpoints.clear();
        List<World> worlds = new ArrayList<>();
        if (planet != null) {
            worlds.add(planet);
        }
        worlds.addAll(moons);
        amUpstream = false;
        List<Identity> roots = new ArrayList<>();
        for (World w : worlds) {
            for (World.Root r : w.roots()) {
                long a = r.identity().address().value();
                if (a == selfAddress) {
                    amUpstream = true;
                    continue;
                }
                if (!stableEndpoints.containsKey(a)) {
                    stableEndpoints.put(a, r.stableEndpoints());
                    roots.add(r.identity());
                }
            }
        }
        long[] list = new long[roots.size()];
        for (int i = 0; i < list.length; i++) {
            list[i] = roots.get(i).address().value();
        }
        Arrays.sort(list);
        upstreams = list;
        for (Identity root : roots) {
            Peer existing = peers.get(root.address().value());
            if (existing != null && !existing.identity.equals(root)) {
                remove(existing); // the world is the authority on a root's identity
                existing = null;
            }
            if (existing == null) {
                if (peers.size() >= peers.maxSize()) {
                    evictOldest();
                }
                Peer p = newPeer(root);
                peers.put(p.address, p);
                host.onEvent(new NodeEvent.PeerAdded(root.address()));
            }
        }
    }
}
