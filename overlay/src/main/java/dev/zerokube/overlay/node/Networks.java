package dev.zerokube.overlay.node;

import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.Verb;
import dev.zerokube.overlay.wire.credentials.Revocation;
import dev.zerokube.overlay.wire.netconf.ConfigRequestMetadata;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import dev.zerokube.overlay.wire.verbs.ConfigChunk;
import dev.zerokube.overlay.wire.verbs.ErrorCode;
import dev.zerokube.overlay.wire.verbs.ErrorReply;
import dev.zerokube.overlay.wire.verbs.NetworkConfigOk;
import dev.zerokube.overlay.wire.verbs.NetworkConfigRequest;
import dev.zerokube.overlay.wire.verbs.NetworkConfigRequestOk;
import dev.zerokube.overlay.wire.verbs.NetworkCredentials;
import dev.zerokube.overlay.wire.verbs.OkReply;
import dev.zerokube.overlay.wire.verbs.VerbPayload;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ObjLongConsumer;

/**
 * The joined networks and their conversation with controllers (ZT1-09 §1.2–§1.5, ZT1-03
 * §4.12–§4.13): join and leave, NETWORK_CONFIG_REQUEST at join and then whenever the config is a
 * minute old (every 5 s contact round while it has none), config chunks from OK(NETWORK_CONFIG_
 * REQUEST) and NETWORK_CONFIG reassembled and put in force, the controller's ERRORs turned into a
 * network status, and status changes reported as {@link NodeEvent.NetworkUpdated}. Credentials
 * are {@link CredentialExchange}'s job.
 *
 * <p>The controller side: requests for networks whose controller is this node go to the {@link
 * NetworkConfigMaster} (our own node's requests too, without a packet, as 1.14.1 does), which
 * answers through {@link #sendConfig}, {@link #sendError} and {@link #sendRevocation}; answers to
 * ourselves are applied in place. Without a master such a request gets
 * ERROR(UNSUPPORTED_OPERATION), and our own request makes the network NOT_FOUND.
 */
final class Networks {
    /** Networks joined at once; a host asking for more has a bug. */
    static final int NETWORKS_MAX = 1024;

    private final Topology topology;
    private final Transmitter tx;
    private final NodeHost host;
    private final DropCounters drops;
    private final NodeConfig config;
    private final LongMap<Network> table = new LongMap<>(NETWORKS_MAX);
    /** (network, member) → when our hosted controller last sent that member a config. */
    private final RecentTable localAuthorizations;
    final CredentialExchange credentials;
    private Switch sw;
    private NetworkConfigMaster master;
    /** Told (network, nowMs) when a different config is put in force, after the host heard of it. */
    private ObjLongConsumer<Network> onNewConfig = (n, nowMs) -> { };
    /** Earliest time a joined network waits to send its first request at. */
    private long firstRequestDueMs = Long.MAX_VALUE;

    Networks(Topology topology, Transmitter tx, NodeHost host, DropCounters drops, NodeConfig config) {
        this.topology = topology;
        this.tx = tx;
        this.host = host;
        this.drops = drops;
        this.config = config;
        this.credentials = new CredentialExchange(this, topology, drops);
        this.localAuthorizations = new RecentTable(config.peersMax());
    }

    void attach(Switch sw) {
        this.sw = sw;
    }

    /** Who acts at once on a different config in force (the Ethernet side announces its new groups). */
    void onNewConfig(ObjLongConsumer<Network> listener) {
        this.onNewConfig = listener;
    }

    /**
     * Sets the controller inside this node. Its own networks joined before it was there (a
     * controller's node rejoins what its home remembers while it starts) were refused with
     * NOT_FOUND; they ask again at the next tick instead of at the next 5 s round.
     */
    void setMaster(NetworkConfigMaster master) {
        this.master = master;
        if (master == null) {
            return;
        }
        for (Network n : all()) {
            if (n.controller == topology.selfAddress() && n.config() == null) {
                n.lastRequestMs = Timing.NEVER_MS;
                firstRequestDueMs = 0; // due: the next tick, whatever its time
            }
        }
    }

    // ---- the table

    /** The metadata a node like us sends: 1.14.1's keys with our software version. */
    ConfigRequestMetadata defaultMetadata() {
        ConfigRequestMetadata m = ConfigRequestMetadata.zeroTier1141("linux/x86_64");
        return new ConfigRequestMetadata(m.configVersion(), m.vendor(), m.protocolVersion(), config.softwareMajor(),
                config.softwareMinor(), config.softwareRevision(), m.maxNetworkRules(), m.maxCapabilities(),
                m.maxCapabilityRules(), m.maxTags(), m.flags(), m.rulesEngineRevision(), m.osArch(), m.auth());
    }

    /** Joins (idempotent); the first request goes out at the next {@link Node#tick}. */
    void join(NetworkId id, ConfigRequestMetadata metadata, long nowMs) {
        if (table.get(id.value()) != null) {
            return;
        }
        if (table.size() >= NETWORKS_MAX) {
            throw new IllegalStateException("already in " + NETWORKS_MAX + " networks");
        }
        metadata.toDictionary(); // fails now, not at the first request, if it cannot be sent
        Network n = new Network(id, topology.selfAddress(), metadata, config.peersMax());
        table.put(id.value(), n);
        firstRequestDueMs = Math.min(firstRequestDueMs, nowMs);
        report(n);
    }

    /** A stored config, in force until the controller's arrives; it does not count as fresh. */
    boolean restore(NetworkId id, NetworkConfig stored, long nowMs) {
        Network n = table.get(id.value());
        if (n == null) {
            return false;
        }
        Network.ConfigOutcome outcome = n.apply(stored, nowMs);
        if (outcome == Network.ConfigOutcome.REFUSED) {
            return false;
        }
        n.configReceivedMs = Timing.NEVER_MS;
        report(n);
        if (outcome == Network.ConfigOutcome.NEW) {
            onNewConfig.accept(n, nowMs);
        }
        return true;
    }

    /**
     * Leaves: forgets the config and every credential (nothing goes on the wire, as in 1.14.1) and
     * reports {@link NodeEvent.NetworkLeft}.
     */
    boolean leave(NetworkId id) {
        if (table.remove(id.value()) == null) {
            return false;
        }
        host.onEvent(new NodeEvent.NetworkLeft(id));
        return true;
    }

    Network get(long nwid) {
        return table.get(nwid);
    }

    /** Snapshots, ascending by network id. */
    List<NetworkStatus> statuses() {
        List<NetworkStatus> out = new ArrayList<>();
        table.forEachValue(n -> out.add(n.snapshot()));
        out.sort(Comparator.comparing(NetworkStatus::id));
        return out;
    }

    private List<Network> all() {
        List<Network> out = new ArrayList<>();
        table.forEachValue(out::add);
        out.sort(Comparator.comparingLong(n -> n.nwid));
        return out;
    }

    /** Reports the network's status to the host if it changed. */
    void report(Network n) {
        NetworkStatus s = n.snapshot();
        if (!s.equals(n.reported)) {
            n.reported = s;
            host.onEvent(new NodeEvent.NetworkUpdated(n.id, s));
        }
    }

    // ---- timers

    /** The contact round (every 5 s): request configs that are missing or a minute old (ZT1-09 §1.2). */
    void onPingCheck(long nowMs) {
        firstRequestDueMs = Long.MAX_VALUE;
        for (Network n : all()) {
            if (n.needsConfig(nowMs)) {
                requestConfiguration(n, nowMs);
            }
        }
    }

    /** Between contact rounds: first requests of new networks, credentials waiting for a signer. */
    void timerTasks(long nowMs) {
        if (nowMs >= firstRequestDueMs) {
            firstRequestDueMs = Long.MAX_VALUE;
            for (Network n : all()) {
                if (n.lastRequestMs == Timing.NEVER_MS) {
                    requestConfiguration(n, nowMs);
                }
            }
        }
        credentials.timerTasks(nowMs);
    }

    long nextDeadlineMs() {
        return Math.min(firstRequestDueMs, credentials.nextTimerMs());
    }

    /** 1.14.1's {@code Network::requestConfiguration}: to the controller, or to our own master. */
    private void requestConfiguration(Network n, long nowMs) {
        n.lastRequestMs = nowMs;
        if (n.controller == topology.selfAddress()) {
            if (master == null) {
                n.fail(NetworkStatus.Status.NOT_FOUND);
                report(n);
            } else {
                master.onConfigRequest(n.id, topology.self().publicOnly(), NetworkConfigMaster.LOCAL_REQUEST_ID,
                        n.metadata, InetEndpoint.NIL, nowMs);
            }
            return;
        }
        NetworkConfig c = n.config();
        NetworkConfigRequest.CurrentConfig current = c == null ? NetworkConfigRequest.CurrentConfig.NONE
                : new NetworkConfigRequest.CurrentConfig(c.revision(), c.timestampMs());
        send(n.controller, new NetworkConfigRequest(n.id, n.metadata.encode(), current), nowMs);
    }

    // ---- member side: replies and pushes from controllers

    /**
     * A config chunk from {@code source} (ZT1-03 §4.12.2), from an OK(NETWORK_CONFIG_REQUEST)
     * ({@code packetId} is the OK's own id, the update id of a legacy chunk) or a NETWORK_CONFIG.
     * Returns the update id if the chunk completed a config now in force, else 0.
     */
    long onConfigChunk(long source, ConfigChunk chunk, boolean inOk, long packetId, long nowMs) {
        Network n = table.get(chunk.networkId().value());
        if (n == null) {
            return 0;
        }
        ConfigReassembler.Result r;
        if (chunk.signed() == null) {
            if (!inOk || source != n.controller) {
                drops.add(DropReason.CONFIG_REJECTED);
                return 0;
            }
            r = n.reassembler.offerLegacy(chunk, packetId);
        } else {
            r = n.reassembler.offer(chunk, identity(n.controller, nowMs));
            if ((r == ConfigReassembler.Result.PENDING || r == ConfigReassembler.Result.COMPLETE)
                    && chunk.signed().fastPropagate()) {
                propagate(n, chunk, source, nowMs);
            }
        }
        switch (r) {
            case INVALID -> drops.add(DropReason.CONFIG_REJECTED);
            case COMPLETE -> {
                return onConfigComplete(n, n.reassembler.completed(), n.reassembler.completedUpdateId(), nowMs);
            }
            default -> { }
        }
        return 0;
    }

    private long onConfigComplete(Network n, byte[] dictionary, long updateId, long nowMs) {
        NetworkConfig c;
        try {
            c = NetworkConfig.decode(dictionary);
        } catch (WireFormatException e) {
            drops.add(DropReason.CONFIG_REJECTED);
            return 0;
        }
        Network.ConfigOutcome outcome = n.apply(c, nowMs);
        report(n);
        if (outcome == Network.ConfigOutcome.REFUSED) {
            drops.add(DropReason.CONFIG_REJECTED);
            return 0;
        }
        if (outcome == Network.ConfigOutcome.NEW) {
            onNewConfig.accept(n, nowMs);
        }
        return updateId;
    }

    /** A fast-propagate chunk goes on to every member we know but its sender and the controller. */
    private void propagate(Network n, ConfigChunk chunk, long source, long nowMs) {
        List<Long> to = new ArrayList<>();
        n.forEachMember(a -> {
            if (a != source && a != n.controller && a != topology.selfAddress()) {
                to.add(a);
            }
        });
        for (long a : to) {
            send(a, new dev.zerokube.overlay.wire.verbs.NetworkConfig(chunk), nowMs);
        }
    }

    /**
     * NETWORK_CONFIG (ZT1-03 §4.13): a chunk that completes a config is acknowledged, like 1.14.1,
     * by OK with in-re verb ECHO carrying the network id and update id.
     */
    void onNetworkConfig(Peer peer, long packetId, ConfigChunk chunk, long nowMs) {
        long updateId = onConfigChunk(peer.address, chunk, false, packetId, nowMs);
        if (updateId != 0) {
            send(peer.address, new OkReply(packetId, new NetworkConfigOk(chunk.networkId(), updateId).asEchoOk()), nowMs);
        }
    }

    /**
     * An ERROR about a network (ZT1-03 §3.2): the controller's refusals set the status;
     * NEED_MEMBERSHIP_CERTIFICATE from a member makes us push our credentials to it.
     */
    void onError(Peer peer, ErrorReply error, long nowMs) {
        if (error.networkId() == null) {
            return;
        }
        Network n = table.get(error.networkId().value());
        ErrorCode code = error.code();
        if (n == null || code == null) {
            return;
        }
        if (code == ErrorCode.NEED_MEMBERSHIP_CERTIFICATE) {
            credentials.onCredentialsRequested(n, peer.address, nowMs);
            return;
        }
        if (error.inReVerb() == Verb.NETWORK_CONFIG_REQUEST.code() && peer.address == n.controller) {
            onRefusal(n, code);
        }
    }

    private void onRefusal(Network n, ErrorCode code) {
        NetworkStatus.Status s = switch (code) {
            case OBJ_NOT_FOUND, UNSUPPORTED_OPERATION -> NetworkStatus.Status.NOT_FOUND;
            case NETWORK_ACCESS_DENIED -> NetworkStatus.Status.ACCESS_DENIED;
            case NETWORK_AUTHENTICATION_REQUIRED -> NetworkStatus.Status.AUTHENTICATION_REQUIRED;
            default -> null;
        };
        if (s != null) {
            n.fail(s);
            report(n);
        }
    }

    // ---- controller side

    /**
     * NETWORK_CONFIG_REQUEST from {@code peer} (ZT1-09 §1.3): ours to answer goes to the master;
     * another controller's is ignored when we run one, else refused with UNSUPPORTED_OPERATION.
     */
    void onConfigRequest(Peer peer, Path path, int hops, long packetId, NetworkConfigRequest request, long nowMs) {
        NetworkId id = request.networkId();
        if (master != null) {
            if (id.controllerAddress() == topology.selfAddress()) {
                master.onConfigRequest(id, peer.identity, packetId, ConfigRequestMetadata.decode(request.metadata()),
                        hops == 0 ? path.remote : InetEndpoint.NIL, nowMs);
            }
            return;
        }
        send(peer.address, ErrorReply.of(Verb.NETWORK_CONFIG_REQUEST, packetId, ErrorCode.UNSUPPORTED_OPERATION, id),
                nowMs);
    }

    /**
     * Sends a config's signed chunks to {@code member}: as OK(NETWORK_CONFIG_REQUEST) answering
     * {@code requestPacketId}, or as NETWORK_CONFIG pushes when it is 0. To ourselves they are
     * taken in place.
     */
    void sendConfig(long member, long requestPacketId, List<ConfigChunk> chunks, long nowMs) {
        if (!chunks.isEmpty()) {
            localAuthorizations.put(chunks.getFirst().networkId().value(), member, nowMs);
        }
        for (ConfigChunk c : chunks) {
            if (member == topology.selfAddress()) {
                onConfigChunk(member, c, true, requestPacketId, nowMs);
            } else if (requestPacketId != 0) {
                send(member, new OkReply(requestPacketId, new NetworkConfigRequestOk(c)), nowMs);
            } else {
                send(member, new dev.zerokube.overlay.wire.verbs.NetworkConfig(c), nowMs);
            }
        }
    }

    /**
     * Whether our hosted controller sent {@code member} a config for network {@code nwid} within
     * {@link Timing#LOCAL_CONTROLLER_AUTHORIZATION_MS} (1.14.1's {@code localControllerHasAuthorized}):
     * the multicast path accepts LIKE and GATHER from such a member even when we are not on the
     * network ourselves.
     */
    boolean localControllerHasAuthorized(long nwid, long member, long nowMs) {
        long t = localAuthorizations.get(nwid, member);
        return t != Timing.NEVER_MS && nowMs - t <= Timing.LOCAL_CONTROLLER_AUTHORIZATION_MS;
    }

    /** Refuses a request (nothing for a push, whose id is 0); to ourselves it sets the status. */
    void sendError(long member, NetworkId id, long requestPacketId, ErrorCode code, long nowMs) {
        if (requestPacketId == 0) {
            return;
        }
        if (member == topology.selfAddress()) {
            Network n = table.get(id.value());
            if (n != null) {
                onRefusal(n, code);
            }
            return;
        }
        send(member, ErrorReply.ofNetworkConfigRequest(requestPacketId, code, id, null), nowMs);
    }

    /** Sends a revocation as NETWORK_CREDENTIALS; to ourselves it is added in place. */
    void sendRevocation(long member, Revocation revocation, long nowMs) {
        if (member == topology.selfAddress()) {
            credentials.process(member, NetworkCredentials.ofRevocation(revocation), nowMs);
            return;
        }
        send(member, NetworkCredentials.ofRevocation(revocation), nowMs);
    }

    // ---- helpers

    /**
     * The identity of {@code address} if we know it (ourselves included); else null, and a WHOIS
     * is on its way.
     */
    Identity identity(long address, long nowMs) {
        if (address == topology.selfAddress()) {
            return topology.self();
        }
        Peer p = topology.peer(address);
        if (p == null) {
            sw.requestWhois(address, nowMs);
            return null;
        }
        return p.identity;
    }

    /** Sends a verb payload through the switch (queued and WHOIS asked if the peer is unknown). */
    void send(long destination, VerbPayload payload, long nowMs) {
        tx.start(destination, payload.verb()).bytes(payload.toBytes());
        sw.send(nowMs);
    }
}
