package dev.zerokube.overlay.node;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.MulticastGroup;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.Verb;
import dev.zerokube.overlay.wire.World;
import dev.zerokube.overlay.wire.credentials.Revocation;
import dev.zerokube.overlay.wire.netconf.ConfigRequestMetadata;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import dev.zerokube.overlay.wire.verbs.ConfigChunk;
import dev.zerokube.overlay.wire.verbs.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * A ZeroTier 1.x overlay node (leaf or root), sans-I/O: datagrams and time in, datagrams and
 * events out through one {@link NodeHost} (STYLE.md §2, ZT1-07).
 *
 * <p>How to drive it:
 * <ol>
 *   <li>construct it with its identity (with the private key), a {@link NodeConfig} (planet,
 *       moons, limits), the host and a random generator (packet IDs; a
 *       {@link java.security.SecureRandom} in production, a seeded one in tests);</li>
 *   <li>call {@link #tick} once at start (it sends the first HELLOs to the roots), then whenever
 *       the time it returns comes; after any other input, {@link #nextDeadlineMs} may have moved
 *       earlier, so re-arm the timer from it;</li>
 *   <li>hand every received UDP datagram to {@link #onWirePacket};</li>
 *   <li>{@link #join} networks; their config and status arrive as {@link NodeEvent.NetworkUpdated}.</li>
 * </ol>
 * Times are milliseconds on any clock that never goes backwards; the node reads no clock itself.
 *
 * <p><b>Threading:</b> single-threaded by contract. One thread (or one event loop) calls every
 * method; the node holds no locks and is not reentrant: a host callback must not call back into
 * it. <b>Buffers:</b> a datagram passed in is read during the call only; whatever the node keeps
 * (fragments, packets waiting for an identity) it copies into its own bounded pools.
 * <b>Allocation:</b> receiving, relaying and sending packets for known peers allocates nothing;
 * records are made only at the edges (new peers and paths, HELLO, WHOIS, events). <b>Errors:</b>
 * bad bytes from the network are dropped and counted ({@link #dropCount}); the node never throws
 * because of them. Bad arguments from the host are bugs and throw.
 *
 * <p>A node is a root when its own identity is a root of its planet or of a moon it holds: it then
 * relays for everyone, answers WHOIS without a rate limit and introduces the peers it relays for
 * (see {@code dev.zerokube.overlay.root} for building such worlds).
 */
public final class Node {
    /** Networks joined at once (1.14.1 has no limit; a sidecar joins one or two). */
    static final int NETWORKS_MAX = 64;
    /** Multicast groups remembered over all networks (roots remember them for every network). */
    static final int MULTICAST_GROUPS_MAX = 65_536;
    /** Members remembered per multicast group; a new one replaces the one heard longest ago. */
    static final int MULTICAST_MEMBERS_MAX = 4_096;
    /** Largest payload {@link #echo} sends: the ECHO stays one unfragmented datagram. */
    public static final int ECHO_PAYLOAD_MAX = 1024;

    private final Identity identity;
    private final Topology topology;
    private final Transmitter tx;
    private final Switch sw;
    private final PacketHandler handler;
    private final Keepalive keepalive;
    private final Networks networks;
    private final Ethernet ethernet;
    private final int peersMax;
    private final DropCounters drops = new DropCounters();
    private long lastPingCheckMs = Timing.NEVER_MS;
    private long lastHousekeepingMs = Timing.NEVER_MS;

    /**
     * @param identity this node's identity, with its private key
     * @throws IllegalArgumentException if the identity has no private key
     */
    public Node(Identity identity, NodeConfig config, NodeHost host, RandomGenerator random) {
        this(identity, config, host, random, IdentityValidator.memoryHard());
    }

    /**
     * A node with a given identity check (see {@link IdentityValidator}; the other constructor
     * uses {@link IdentityValidator#memoryHard()}).
     */
    public Node(Identity identity, NodeConfig config, NodeHost host, RandomGenerator random,
            IdentityValidator validator) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(validator, "validator");
        Objects.requireNonNull(random, "random");
        if (!identity.hasPrivate()) {
            throw new IllegalArgumentException("a node needs its identity's private key: " + identity.address());
        }
        this.identity = identity;
        this.peersMax = config.peersMax();
        Objects.requireNonNull(host, "host");
        this.topology = new Topology(identity, config, host);
        this.tx = new Transmitter(topology, host, random, config);
        this.networks = new Networks(topology, tx, host, drops, config);
        PacketHandler handler = new PacketHandler(topology, tx, host, drops, config, validator, networks);
        this.handler = handler;
        Relay relay = new Relay(topology, tx, drops, config.rateTableSize());
        this.sw = new Switch(topology, tx, handler, relay, drops, config);
        handler.attach(sw);
        networks.attach(sw);
        this.ethernet = new Ethernet(topology, tx, host,
                new Multicaster(identity.address().value(), random, MULTICAST_GROUPS_MAX, MULTICAST_MEMBERS_MAX),
                new FrameFilter(random), NETWORKS_MAX);
        ethernet.attach(sw);
        networks.onNewConfig((n, nowMs) -> ethernet.onConfigInForce(n.nwid, nowMs));
        handler.attach(ethernet);
        this.keepalive = new Keepalive(topology, tx, host, sw);
    }

    /**
     * One UDP datagram received on {@code localSocket} from {@code remote}. {@code data[off, off+len)}
     * is read during this call only.
     */
    public void onWirePacket(long localSocket, InetEndpoint remote, byte[] data, int off, int len, long nowMs) {
        Objects.checkFromIndexSize(off, len, data.length);
        if (remote.isNil()) {
            throw new IllegalArgumentException("a datagram comes from an IP address, not nil");
        }
        sw.onWirePacket(localSocket, remote, data, off, len, nowMs);
    }

    /**
     * Runs what is due at {@code nowMs}: the 5 s contact round, the 30 s housekeeping, the
     * 500 ms retry of waiting packets (ZT1-07 §4.3, §1.5; ZT1-02 §14) and the repeated gathers of
     * multicasts waiting for a first member. Returns the next deadline.
     */
    public long tick(long nowMs) {
        if (nowMs - lastPingCheckMs >= Timing.PING_CHECK_INTERVAL_MS) {
            lastPingCheckMs = nowMs;
            keepalive.pingCheck(nowMs);
            networks.onPingCheck(nowMs);
            ethernet.announce(nowMs);
        }
        if (nowMs - lastHousekeepingMs >= Timing.HOUSEKEEPING_PERIOD_MS) {
            lastHousekeepingMs = nowMs;
            topology.dropDeadPeers(nowMs);
            ethernet.clean(nowMs);
        }
        sw.timerTasks(nowMs);
        networks.timerTasks(nowMs);
        ethernet.timerTasks(nowMs);
        return nextDeadlineMs();
    }

    /** When {@link #tick} should next be called (possibly already past: then call it now). */
    public long nextDeadlineMs() {
        long next = Math.min(lastPingCheckMs + Timing.PING_CHECK_INTERVAL_MS,
                lastHousekeepingMs + Timing.HOUSEKEEPING_PERIOD_MS);
        return Math.min(Math.min(next, sw.nextTimerMs()), Math.min(networks.nextDeadlineMs(), ethernet.nextTimerMs()));
    }

    /**
     * Sends an ECHO to {@code peer} through the switch (asking WHOIS and queueing it up to 5 s if
     * the peer is unknown, relaying it through a root if there is no direct path), carrying the
     * send time. The answer is reported as {@link NodeEvent.EchoReply}, whose
     * {@link NodeEvent.EchoReply#roundTripMs()} reads it.
     */
    public void ping(Address peer, long nowMs) {
        requireEchoTarget(peer);
        tx.start(peer.value(), Verb.ECHO).u64(nowMs);
        sw.send(nowMs);
    }

    /**
     * Sends an ECHO carrying {@code payload} to {@code peer}, as {@link #ping} does; the peer
     * answers OK(ECHO) with the payload verbatim, at most once per path per 166 ms (ZT1-03 §4.9),
     * reported as {@link NodeEvent.EchoReply}. For the interop lab (ZT1-11 IOP-11b).
     *
     * @throws IllegalArgumentException if the payload is longer than {@link #ECHO_PAYLOAD_MAX}
     */
    public void echo(Address peer, byte[] payload, long nowMs) {
        requireEchoTarget(peer);
        if (payload.length > ECHO_PAYLOAD_MAX) {
            throw new IllegalArgumentException("ECHO payload of " + payload.length + " bytes, more than "
                    + ECHO_PAYLOAD_MAX);
        }
        tx.start(peer.value(), Verb.ECHO).bytes(payload);
        sw.send(nowMs);
    }

    /**
     * The host's own addresses (interface address, port) that peers we share a network with are
     * told to try, in PUSH_DIRECT_PATHS (ZT1-07 §5.6); the host refreshes them as interfaces
     * change. Empty (the default): no pushes.
     */
    public void setDirectPaths(List<InetEndpoint> paths) {
        handler.setDirectPaths(paths);
    }

    private void requireEchoTarget(Address peer) {
        if (peer.isReserved() || peer.equals(identity.address())) {
            throw new IllegalArgumentException("cannot send an ECHO to " + peer);
        }
    }

    // ---- virtual networks

    /**
     * Joins a network (idempotent): reports {@link NodeEvent.NetworkUpdated} with status
     * REQUESTING_CONFIGURATION, and the next {@link #tick} (due now) asks its controller for a
     * config with the metadata a 1.14.1 node sends (ZT1-04 §2) and our software version.
     */
    public void join(NetworkId id, long nowMs) {
        join(id, networks.defaultMetadata(), nowMs);
    }

    /**
     * Joins presenting {@code metadata} in every config request (e.g. with a join token,
     * {@link ConfigRequestMetadata#withAuthToken}).
     *
     * @throws IllegalStateException if the metadata does not fit a request
     */
    public void join(NetworkId id, ConfigRequestMetadata metadata, long nowMs) {
        networks.join(id, Objects.requireNonNull(metadata, "metadata"), nowMs);
        if (ethernet.port(id.value()) == null) {
            ethernet.open(new NetworkFrames(networks.get(id.value()), networks.credentials, peersMax));
        }
    }

    /**
     * Puts a config stored earlier ({@code networks.d/<nwid>.conf}) in force for a joined network
     * until its controller answers, as 1.14.1 does at start: the port can come up at once. A fresh
     * config is still requested right away. Returns false (and changes nothing) if the network is
     * not joined, or the config is not issued to us for it or is older than the one in force.
     */
    public boolean restoreConfig(NetworkId id, NetworkConfig stored, long nowMs) {
        return networks.restore(id, Objects.requireNonNull(stored, "stored"), nowMs);
    }

    /** Leaves a network: its config and every credential held for it are forgotten. Returns whether it was joined. */
    public boolean leave(NetworkId id, long nowMs) {
        ethernet.close(id.value());
        return networks.leave(id);
    }

    /** Every joined network, ascending by id. */
    public List<NetworkStatus> networks() {
        return networks.statuses();
    }

    /** One joined network. */
    public Optional<NetworkStatus> network(NetworkId id) {
        Network n = networks.get(id.value());
        return n == null ? Optional.empty() : Optional.of(n.snapshot());
    }

    /**
     * Makes this node the controller of the networks whose id starts with its address: their
     * NETWORK_CONFIG_REQUESTs (ours included) go to {@code master}; requests for other
     * controllers' networks are then ignored, as 1.14.1's controller does. Null removes it
     * (requests are refused with UNSUPPORTED_OPERATION again).
     */
    public void setConfigMaster(NetworkConfigMaster master) {
        networks.setMaster(master);
    }

    /**
     * For the {@link NetworkConfigMaster}: sends a config's signed chunks to {@code member}, as
     * OK(NETWORK_CONFIG_REQUEST) answering {@code requestPacketId}, or as NETWORK_CONFIG pushes when
     * it is 0 (ZT1-09 §1.4). Chunks for ourselves are taken directly.
     */
    public void sendNetworkConfig(Address member, long requestPacketId, List<ConfigChunk> chunks, long nowMs) {
        networks.sendConfig(member.value(), requestPacketId, List.copyOf(chunks), nowMs);
    }

    /**
     * For the {@link NetworkConfigMaster}: refuses request {@code requestPacketId} of {@code member}
     * with ERROR {@code code} (OBJ_NOT_FOUND, NETWORK_ACCESS_DENIED, ...). Nothing is sent for a
     * push (id 0); for ourselves the network's status is set.
     */
    public void sendNetworkConfigError(Address member, NetworkId id, long requestPacketId, ErrorCode code, long nowMs) {
        networks.sendError(member.value(), id, requestPacketId, code, nowMs);
    }

    /**
     * For the {@link NetworkConfigMaster}: sends a signed revocation to {@code member} as
     * NETWORK_CREDENTIALS (ZT1-09 §5.4); for ourselves it is applied directly.
     */
    public void sendRevocation(Address member, Revocation revocation, long nowMs) {
        networks.sendRevocation(member.value(), revocation, nowMs);
    }

    // ---- Ethernet

    /**
     * An Ethernet frame from the local port of network {@code id} (ZT1-08 §2.1): destination MAC 6,
     * source MAC 6, ethertype 2, payload. {@code frame[off, off+len)} is read during this call only.
     * Frames the network cannot carry now (no config yet, rules, limits) are counted
     * ({@link #frameDropCount}), never thrown about.
     *
     * @throws IllegalArgumentException if the network is not joined
     */
    public void onFrame(NetworkId id, byte[] frame, int off, int len, long nowMs) {
        Objects.checkFromIndexSize(off, len, frame.length);
        NetworkPort p = ethernet.port(id.value());
        if (p == null) {
            throw new IllegalArgumentException("network " + id + " is not joined");
        }
        ethernet.onLocalFrame(p, frame, off, len, nowMs);
    }

    /**
     * Subscribes the local port of network {@code id} to a multicast group (1.14.1's
     * {@code multicastSubscribe}; ZT1-08 §3.3): it is announced to the network at once and every
     * minute after. The address-resolution groups of the config's assigned IPs and broadcast (if
     * the config enables it) are announced without being subscribed; the host adds the link-layer
     * groups of its interface and the groups of addresses it adds itself.
     */
    public void multicastSubscribe(NetworkId id, MulticastGroup group, long nowMs) {
        NetworkPort p = requirePort(id);
        if (p.subscribe(group.mac().value(), group.adi())) {
            ethernet.announce(p, nowMs);
        }
    }

    /** Stops announcing a group; members forget us within 10 minutes (there is no unsubscribe message). */
    public void multicastUnsubscribe(NetworkId id, MulticastGroup group, long nowMs) {
        requirePort(id).unsubscribe(group.mac().value(), group.adi());
    }

    /** The groups the network's port announces, sorted (ZT1-08 §3.1). */
    public List<MulticastGroup> multicastGroups(NetworkId id) {
        NetworkPort p = requirePort(id);
        p.refresh();
        return p.announced().toList();
    }

    /** How many Ethernet frames were not carried for {@code reason}, over all networks. */
    public long frameDropCount(FrameDropReason reason) {
        return ethernet.dropCount(reason);
    }

    private NetworkPort requirePort(NetworkId id) {
        NetworkPort p = ethernet.port(id.value());
        if (p == null) {
            throw new IllegalArgumentException("network " + id + " is not joined");
        }
        return p;
    }

    /** Starts carrying Ethernet frames for a joined network (called by the membership layer on join). */
    void openNetworkPort(FrameNetwork network) {
        ethernet.open(network);
    }

    /** Stops carrying frames for a network we left. */
    void closeNetworkPort(NetworkId id) {
        ethernet.close(id.value());
    }

    public Identity identity() {
        return identity;
    }

    public Address address() {
        return identity.address();
    }

    /** Whether a root was heard from within 500 s, or this node is a root (as of the last {@link #tick}). */
    public boolean isOnline() {
        return keepalive.isOnline();
    }

    /** Whether this node is a root of its planet or of one of its moons. */
    public boolean isRoot() {
        return topology.amUpstream();
    }

    /** The current planet (it may have been updated by a root), or null. */
    public World planet() {
        return topology.planet();
    }

    public List<World> moons() {
        return topology.moons();
    }

    /**
     * Orbit a moon we do not hold (ZT1-07 §3.6; {@code zerotier-cli orbit}): {@code seed}, one of
     * its roots, is asked for it in our HELLOs until it answers with the moon in OK(HELLO); the
     * moon then arrives as {@link NodeEvent.WorldUpdated} (the host persists it) and its roots
     * become upstreams. Nothing happens if the moon is held already. Moons found on disk are given
     * to the node in {@link NodeConfig#moons()} instead.
     */
    public void orbit(long moonId, Address seed, long nowMs) {
        if (topology.addMoonSeed(moonId, seed.value()) && topology.peer(seed.value()) == null) {
            sw.requestWhois(seed.value(), nowMs);
        }
    }

    /**
     * Deorbit (ZT1-07 §3.6): the moon and any pending seed for it are dropped and upstreams
     * recomputed (its roots stay known as leaves). Returns whether anything was dropped; the
     * host deletes the moon's file.
     */
    public boolean deorbit(long moonId) {
        return topology.removeMoon(moonId);
    }

    /** A snapshot of the peer with this address, if the node holds one. */
    public Optional<PeerStatus> peer(Address address, long nowMs) {
        Peer p = topology.peer(address.value());
        return p == null ? Optional.empty() : Optional.of(status(p, nowMs));
    }

    /** Snapshots of every peer held. */
    public List<PeerStatus> peers(long nowMs) {
        List<PeerStatus> out = new ArrayList<>();
        topology.forEachPeer(p -> out.add(status(p, nowMs)));
        return out;
    }

    /** How many received datagrams were dropped for {@code reason}. */
    public long dropCount(DropReason reason) {
        return drops.count(reason);
    }

    /** Sizes of the node's bounded tables, for metrics and tests of the limits. */
    public Usage usage() {
        return new Usage(topology.peerCount(), topology.peersMax(), topology.pathCount(), topology.pathsMax(),
                sw.parkedCount(), sw.whoisQueueCapacity(), sw.queuedCount(), sw.queueBufferBytes());
    }

    /**
     * Table sizes and their caps.
     *
     * @param parked received packets waiting for their sender's identity
     * @param queued packets to send waiting for an identity or a path
     * @param queueBufferBytes bytes held by both waiting queues' buffers
     */
    public record Usage(int peers, int peersMax, int paths, int pathsMax, int parked, int parkedMax, int queued,
            long queueBufferBytes) {}

    /** The networks, for the frame path and tests in this package. */
    Networks networkTable() {
        return networks;
    }

    /** For tests in this package that need to reach inside (e.g. to force a cipher). */
    Topology topology() {
        return topology;
    }

    private PeerStatus status(Peer p, long nowMs) {
        Path best = p.bestPath(nowMs, false);
        List<PeerStatus.PathStatus> paths = new ArrayList<>();
        for (int i = 0; i < p.pathCount(); i++) {
            Path path = p.path(i);
            paths.add(new PeerStatus.PathStatus(path.localSocket, path.remote, p.pathLastReceiveMs(i), path.lastOutMs,
                    path.latencyMs, p.slotExpired(i, nowMs), path.alive(nowMs), path == best));
        }
        String version = p.remoteMajor == 0 && p.remoteMinor == 0 && p.remoteRevision == 0 ? null
                : p.remoteMajor + "." + p.remoteMinor + "." + p.remoteRevision;
        return new PeerStatus(p.identity.address(), topology.isUpstream(p.address), p.remoteProtocol, version,
                p.lastReceiveMs, p.latencyMs(nowMs), paths);
    }
}
