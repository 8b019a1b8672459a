package dev.zerokube.overlay.node;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.crypto.Salsa20;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.Armor;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.PacketHeader;
import dev.zerokube.overlay.wire.Verb;
import dev.zerokube.overlay.wire.World;
import dev.zerokube.overlay.wire.verbs.ErrorCode;
import dev.zerokube.overlay.wire.verbs.ErrorReply;
import dev.zerokube.overlay.wire.verbs.Hello;
import dev.zerokube.overlay.wire.verbs.HelloOk;
import dev.zerokube.overlay.wire.verbs.NetworkConfig;
import dev.zerokube.overlay.wire.verbs.NetworkConfigRequest;
import dev.zerokube.overlay.wire.verbs.NetworkConfigRequestOk;
import dev.zerokube.overlay.wire.verbs.NetworkCredentials;
import dev.zerokube.overlay.wire.verbs.OkReply;
import dev.zerokube.overlay.wire.verbs.PushDirectPaths;
import dev.zerokube.overlay.wire.verbs.Rendezvous;
import dev.zerokube.overlay.wire.verbs.WhoisOk;
import java.util.Arrays;
import java.util.List;

/**
 * What the node does with each authenticated packet (ZT1-03 §3–§4, 1.14.1's
 * {@code IncomingPacket}): HELLO and OK(HELLO), WHOIS and OK(WHOIS), RENDEZVOUS, ECHO and
 * OK(ECHO), PUSH_DIRECT_PATHS, ERROR(IDENTITY_COLLISION); the network verbs (NETWORK_CREDENTIALS,
 * NETWORK_CONFIG_REQUEST, NETWORK_CONFIG, OK(NETWORK_CONFIG_REQUEST), network ERRORs) go to
 * {@link Networks}; every other verb (frames, multicast: later slices) only counts as traffic from
 * the peer. Each handler ends in
 * {@link #received}, 1.14.1's {@code Peer::received}: liveness, and path learning or
 * confirmation for direct packets.
 *
 * <p>ECHO, OK(ECHO), NOP and unknown verbs are read in place with no allocation; the others are
 * decoded into their {@code wire.verbs} records, which happens at most every few seconds per peer.
 * A payload that does not parse is dropped (counted), never thrown out of the node.
 */
final class PacketHandler {
    /** Bytes before an OK's or ERROR's body: verb byte's payload starts with in-re verb and in-re ID. */
    private static final int IN_RE_LENGTH = 9;
    /** Identities in one OK(WHOIS): it is sent unfragmented, so keep it within one datagram. */
    private static final int WHOIS_ANSWERS_MAX = 16;
    /** Length of the NAT-opening datagram after RENDEZVOUS. */
    private static final int JUNK_LENGTH = 4;
    /** Its IP TTL: enough to leave our NAT, too little to reach the other side's (ZT1-07 §5.4). */
    private static final int JUNK_TTL = 2;
    /** Addresses in one PUSH_DIRECT_PATHS of ours (1.14.1 has no limit but the packet's size). */
    static final int DIRECT_PATHS_PUSHED_MAX = 32;
    /** The encoded PUSH_DIRECT_PATHS payload ({@link #setDirectPaths}); null: nothing to push. */
    private byte[] pushPayload;

    private final Topology topology;
    private final Transmitter tx;
    private final NodeHost host;
    private final DropCounters drops;
    private final NodeConfig config;
    private Switch sw;
    private Ethernet ethernet;
    private final RecentTable identityChecks;
    private final Salsa20 salsa = new Salsa20(12);
    private final byte[] junk = new byte[JUNK_LENGTH];
    private final long[] unknownAddresses = new long[WHOIS_ANSWERS_MAX];
    private final int[] contactsPerScope = new int[2 * (IpScope.MAX_VALUE + 1)];
    private final byte[] selfIdentity;
    private final IdentityValidator validator;
    private final Networks networks;

    PacketHandler(Topology topology, Transmitter tx, NodeHost host, DropCounters drops, NodeConfig config,
            IdentityValidator validator, Networks networks) {
        this.topology = topology;
        this.networks = networks;
        this.tx = tx;
        this.host = host;
        this.drops = drops;
        this.config = config;
        this.validator = validator;
        this.identityChecks = new RecentTable(config.rateTableSize());
        ByteWriter w = new ByteWriter();
        topology.self().encode(w, false);
        this.selfIdentity = w.toByteArray();
    }

    void attach(Switch sw) {
        this.sw = sw;
    }

    void attach(Ethernet ethernet) {
        this.ethernet = ethernet;
    }

    /**
     * Handles an authenticated, decompressed packet {@code pkt[0, len)} from {@code peer} that
     * arrived on {@code path} with {@code hops}. Returns false when the packet is "not done"
     * (1.14.1's term): a frame whose sender did not pass the network's gate yet, which the switch
     * keeps and retries for a while, since the sender's credentials are usually on their way.
     */
    boolean dispatch(Peer peer, Path path, byte[] pkt, int len, int hops, long nowMs) {
        Verb verb = Verb.ofCode(PacketHeader.verb(pkt, 0));
        try {
            switch (verb == null ? Verb.NOP : verb) {
                case HELLO -> onHello(path, pkt, len, hops, peer, nowMs);
                case OK -> onOk(peer, path, pkt, len, hops, nowMs);
                case ERROR -> onError(peer, path, pkt, len, hops, nowMs);
                case WHOIS -> onWhois(peer, path, pkt, len, hops, nowMs);
                case RENDEZVOUS -> onRendezvous(peer, path, pkt, len, hops, nowMs);
                case ECHO -> onEcho(peer, path, pkt, len, hops, nowMs);
                case PUSH_DIRECT_PATHS -> onPushDirectPaths(peer, path, pkt, len, hops, nowMs);
                case NETWORK_CREDENTIALS -> onNetworkCredentials(peer, path, pkt, len, hops, nowMs);
                case NETWORK_CONFIG_REQUEST -> onNetworkConfigRequest(peer, path, pkt, len, hops, nowMs);
                case NETWORK_CONFIG -> onNetworkConfig(peer, path, pkt, len, hops, nowMs);
                case FRAME -> {
                    if (!ethernet.onFrame(peer, path, pkt, len, nowMs)) {
                        return false;
                    }
                    received(peer, path, hops, verb, nowMs);
                }
                case EXT_FRAME -> {
                    if (!ethernet.onExtFrame(peer, path, pkt, len, nowMs)) {
                        return false;
                    }
                    received(peer, path, hops, verb, nowMs);
                }
                case MULTICAST_FRAME -> {
                    if (!ethernet.onMulticastFrame(peer, path, pkt, len, nowMs)) {
                        return false;
                    }
                    received(peer, path, hops, verb, nowMs);
                }
                case MULTICAST_LIKE -> {
                    ethernet.onMulticastLike(peer, pkt, len, nowMs);
                    received(peer, path, hops, verb, nowMs);
                }
                case MULTICAST_GATHER -> {
                    ethernet.onMulticastGather(peer, pkt, len, nowMs);
                    received(peer, path, hops, verb, nowMs);
                }
                default -> received(peer, path, hops, verb, nowMs);
            }
        } catch (WireFormatException e) {
            drops.add(DropReason.MALFORMED);
        }
        return true;
    }

    /** A packet {@link #dispatch} left not done was given up (its sender never passed the gate). */
    void keptPacketExpired() {
        ethernet.keptFrameExpired();
    }

    // ---- HELLO

    /**
     * HELLO (ZT1-03 §4.2.3). The one packet read before it is authenticated (STYLE.md §5): its
     * identity must be parsed to agree the key that checks its MAC. An unknown sender costs a key
     * agreement and, if the MAC verifies, a memory-hard identity check, so both sit behind a
     * per-source-network rate gate.
     *
     * @param authenticated the peer if the packet was already dearmored (an encrypted HELLO), else null
     */
    void onHello(Path path, byte[] pkt, int len, int hops, Peer authenticated, long nowMs) throws WireFormatException {
        ByteReader r = reader(pkt, len, "HELLO");
        int protocol = r.readU8("protocol version");
        int major = r.readU8("major version");
        int minor = r.readU8("minor version");
        int revision = r.readU16("revision");
        long timestamp = r.readU64("timestamp");
        Identity identity = Identity.decode(r);
        long source = PacketHeader.source(pkt, 0);
        if (protocol < PacketHeader.PROTOCOL_VERSION_MIN || identity.address().value() != source) {
            drops.add(DropReason.HELLO_REFUSED);
            return;
        }
        Peer peer = topology.peer(source);
        if (peer != null && authenticated == null) {
            if (!peer.identity.equals(identity)) {
                onIdentityCollision(path, pkt, len, identity, nowMs);
                return;
            }
            if (peer.armor.dearmor(pkt, 0, len) != Armor.Verdict.AUTHENTICATED) {
                drops.add(DropReason.BAD_MAC);
                return;
            }
        } else if (peer == null) {
            peer = admitNewPeer(path, pkt, len, identity, nowMs);
            if (peer == null) {
                return;
            }
        }
        Hello.cryptTail(pkt, 0, len, peer.key, salsa);
        Hello hello = Hello.decode(reader(pkt, len, "HELLO"));
        sendHelloOk(peer, path, pkt, hello, timestamp, nowMs);
        // recorded after the reply was armored, so the first OK(HELLO) to a new peer is cipher 1 (ZT1-02 §5.4)
        peer.setRemoteVersion(protocol, major, minor, revision);
        received(peer, path, hops, Verb.HELLO, nowMs);
    }

    /** Agrees a key with a new identity, checks the HELLO's MAC and the identity, and adds the peer; null if refused. */
    private Peer admitNewPeer(Path path, byte[] pkt, int len, Identity identity, long nowMs) {
        if (!gateIdentityCheck(path.remote, nowMs)) {
            drops.add(DropReason.RATE_LIMITED);
            return null;
        }
        byte[] key = topology.self().agree(identity);
        Armor armor = new Armor(key);
        if (armor.dearmor(pkt, 0, len) != Armor.Verdict.AUTHENTICATED) {
            drops.add(DropReason.BAD_MAC);
            return null;
        }
        if (!validator.isValid(identity)) {
            drops.add(DropReason.HELLO_REFUSED);
            return null;
        }
        Peer peer = topology.addPeer(topology.newPeer(identity, key, armor));
        if (peer == null) {
            drops.add(DropReason.PEER_TABLE_FULL);
        } else {
            // its packets parked before this HELLO (e.g. a config request relayed by a root, whose
            // WHOIS is still out) are handled now, not at the next 500 ms timer pass
            sw.onIdentityArrived(peer.address);
        }
        return peer;
    }

    /**
     * Another identity claims a known address. If its HELLO verifies under its own key, tell it
     * with ERROR(IDENTITY_COLLISION), encrypted (cipher 1) with that key so it can read it (1.14.1
     * mixes in the old peer's AES keys, ZT1-02 §15 item 9; not copied).
     */
    private void onIdentityCollision(Path path, byte[] pkt, int len, Identity identity, long nowMs) {
        drops.add(DropReason.HELLO_REFUSED);
        if (!gateIdentityCheck(path.remote, nowMs)) {
            return;
        }
        Armor armor = new Armor(topology.self().agree(identity));
        if (armor.dearmor(pkt, 0, len) != Armor.Verdict.AUTHENTICATED) {
            return;
        }
        tx.start(identity.address().value(), Verb.ERROR).u8(Verb.HELLO.code()).u64(PacketHeader.packetId(pkt, 0))
                .u8(ErrorCode.IDENTITY_COLLISION.code());
        tx.armor(armor, PacketHeader.CIPHER_POLY1305_SALSA2012, false);
        if (tx.send(path.localSocket, path.remote)) {
            path.lastOutMs = nowMs;
        }
    }

    /**
     * OK(HELLO) on the path the HELLO came on (ZT1-03 §4.2.4): echoed timestamp, our versions,
     * where we saw the HELLO come from (port 0 for protocol below 5), and world updates: our
     * planet if the sender holds an older revision of it, and each moon it listed that we hold
     * newer.
     */
    private void sendHelloOk(Peer peer, Path path, byte[] pkt, Hello hello, long timestamp, long nowMs) {
        InetEndpoint seen = hello.protocolVersion() >= 5 ? path.remote : InetEndpoint.of(path.remote.ip(), 0);
        PacketWriter out = tx.start(peer.address, Verb.OK).u8(Verb.HELLO.code()).u64(PacketHeader.packetId(pkt, 0))
                .u64(timestamp).u8(config.protocolVersion()).u8(config.softwareMajor())
                .u8(config.softwareMinor()).u16(config.softwareRevision()).endpoint(seen);
        int lengthAt = out.length;
        out.u16(0);
        World planet = topology.planet();
        if (planet != null && hello.planet() != null && hello.planet().id() != 0 && hello.planet().id() == planet.id()
                && Long.compareUnsigned(planet.timestampMs(), hello.planet().timestamp()) > 0) {
            appendWorld(out, planet);
        }
        if (hello.moons() != null) {
            for (World moon : topology.moons()) {
                for (Hello.Moon m : hello.moons()) {
                    if (m.type() == Hello.WORLD_TYPE_MOON && m.id() == moon.id()) {
                        if (Long.compareUnsigned(moon.timestampMs(), m.timestamp()) > 0) {
                            appendWorld(out, moon);
                        }
                        break;
                    }
                }
            }
        }
        int worlds = out.length - lengthAt - 2;
        out.buf[lengthAt] = (byte) (worlds >>> 8);
        out.buf[lengthAt + 1] = (byte) worlds;
        tx.sendDirect(peer, path, true, false, nowMs);
    }

    private static void appendWorld(PacketWriter out, World world) {
        byte[] bytes = world.toBytes();
        if (out.length + bytes.length <= out.buf.length) {
            out.bytes(bytes);
        }
    }

    /** OK(HELLO) (ZT1-03 §4.2.5): latency, the responder's versions, world updates from upstreams and moon seeds. */
    private void onHelloOk(Peer peer, Path path, HelloOk ok, int hops, long nowMs) throws WireFormatException {
        if (ok.protocolVersion() < PacketHeader.PROTOCOL_VERSION_MIN) {
            return; // ignored entirely, not even counted as received (ZT1-02 §12.3)
        }
        if (ok.worldUpdates() != null && (topology.isUpstream(peer.address) || topology.isMoonSeed(peer.address))) {
            for (World w : ok.worlds()) {
                if (topology.offerWorld(w)) {
                    host.onEvent(new NodeEvent.WorldUpdated(w));
                }
            }
        }
        if (hops == 0) {
            path.updateLatency(nowMs - ok.timestampEcho());
        }
        peer.setRemoteVersion(ok.protocolVersion(), ok.majorVersion(), ok.minorVersion(), ok.revision());
        received(peer, path, hops, Verb.OK, nowMs);
    }

    // ---- OK, ERROR

    private void onOk(Peer peer, Path path, byte[] pkt, int len, int hops, long nowMs) throws WireFormatException {
        if (len < PacketHeader.IDX_PAYLOAD + IN_RE_LENGTH) {
            throw new WireFormatException("OK: " + len + " bytes, shorter than its in-re fields");
        }
        int inReVerb = pkt[PacketHeader.IDX_PAYLOAD] & 0xff;
        long inReId = readU64(pkt, PacketHeader.IDX_PAYLOAD + 1);
        if (!tx.replies.isExpected(inReId)) {
            drops.add(DropReason.UNEXPECTED_OK);
            return;
        }
        if (inReVerb == Verb.ECHO.code()) {
            // rare (pings, keepalive probes every ~15 s per active peer, the lab's ECHOs): a copy is fine
            byte[] payload = Arrays.copyOfRange(pkt, PacketHeader.IDX_PAYLOAD + IN_RE_LENGTH, len);
            host.onEvent(new NodeEvent.EchoReply(peer.identity.address(), payload, hops, nowMs));
        } else if (inReVerb == Verb.HELLO.code() || inReVerb == Verb.WHOIS.code()) {
            OkReply ok = OkReply.decode(reader(pkt, len, "OK"));
            if (ok.body() instanceof HelloOk h) {
                onHelloOk(peer, path, h, hops, nowMs);
                return;
            }
            if (ok.body() instanceof WhoisOk w) {
                onWhoisOk(peer, w, nowMs);
            }
        } else if (inReVerb == Verb.NETWORK_CONFIG_REQUEST.code()) {
            OkReply ok = OkReply.decode(reader(pkt, len, "OK"));
            if (ok.body() instanceof NetworkConfigRequestOk c) {
                networks.onConfigChunk(peer.address, c.chunk(), true, PacketHeader.packetId(pkt, 0), nowMs);
            }
        } else if (inReVerb == Verb.MULTICAST_GATHER.code() || inReVerb == Verb.MULTICAST_FRAME.code()) {
            ethernet.onGatherOk(inReVerb, pkt, PacketHeader.IDX_PAYLOAD + IN_RE_LENGTH, len, nowMs);
        }
        received(peer, path, hops, Verb.OK, nowMs);
    }

    /**
     * OK(WHOIS) (ZT1-03 §4.5): only from an upstream, only the first identity, and (beyond
     * 1.14.1, which trusts roots blindly, ZT1-07 §10 item 14) only for an address we are waiting
     * for and only if the identity passes validation, so a bad answer cannot plant a peer.
     */
    private void onWhoisOk(Peer from, WhoisOk ok, long nowMs) {
        if (!topology.isUpstream(from.address)) {
            drops.add(DropReason.UNTRUSTED_SENDER);
            return;
        }
        Identity identity = ok.identities().getFirst();
        long address = identity.address().value();
        if (topology.peer(address) != null) {
            return;
        }
        if (!sw.awaitsIdentity(address)) {
            drops.add(DropReason.UNTRUSTED_SENDER);
            return;
        }
        if (!validator.isValid(identity)) {
            drops.add(DropReason.BAD_IDENTITY);
            return;
        }
        if (topology.addPeer(topology.newPeer(identity)) == null) {
            drops.add(DropReason.PEER_TABLE_FULL);
            return;
        }
        sw.onIdentityArrived(address);
    }

    /**
     * ERROR (ZT1-03 §3.2): IDENTITY_COLLISION from an upstream; the codes that name a network go
     * to {@link Networks#onError}, which checks who may send each.
     */
    private void onError(Peer peer, Path path, byte[] pkt, int len, int hops, long nowMs) throws WireFormatException {
        int at = PacketHeader.IDX_PAYLOAD;
        if (len < at + IN_RE_LENGTH + 1) {
            throw new WireFormatException("ERROR: " + len + " bytes, shorter than its code");
        }
        int inReVerb = pkt[at] & 0xff;
        int code = pkt[at + IN_RE_LENGTH] & 0xff;
        if (code == ErrorCode.IDENTITY_COLLISION.code() && inReVerb == Verb.HELLO.code()
                && topology.isUpstream(peer.address)) {
            host.onEvent(new NodeEvent.IdentityCollision(peer.identity.address()));
        } else if (code == ErrorCode.UNWANTED_MULTICAST.code()) {
            ethernet.onUnwantedMulticast(peer, pkt, at + IN_RE_LENGTH + 1, len, nowMs);
        } else if (ErrorCode.carriesNetworkId(code)) {
            networks.onError(peer, ErrorReply.decode(reader(pkt, len, "ERROR")), nowMs);
        }
        received(peer, path, hops, Verb.ERROR, nowMs);
    }

    // ---- WHOIS, RENDEZVOUS, ECHO, PUSH_DIRECT_PATHS

    /**
     * WHOIS (ZT1-03 §4.5): answer with every identity we hold in memory (ours included), in
     * request order, in one OK; ask our own upstream about the rest. A non-root answers one WHOIS
     * per peer per 100 ms.
     */
    private void onWhois(Peer peer, Path path, byte[] pkt, int len, int hops, long nowMs) {
        if (!topology.amUpstream()) {
            if (nowMs - peer.lastWhoisAnsweredMs < Timing.PEER_WHOIS_RATE_LIMIT_MS) {
                drops.add(DropReason.RATE_LIMITED);
                return;
            }
            peer.lastWhoisAnsweredMs = nowMs;
        }
        PacketWriter out = tx.start(peer.address, Verb.OK).u8(Verb.WHOIS.code()).u64(PacketHeader.packetId(pkt, 0));
        int found = 0;
        int unknown = 0;
        for (int at = PacketHeader.IDX_PAYLOAD; at + Address.LENGTH <= len && found + unknown < WHOIS_ANSWERS_MAX; at += Address.LENGTH) {
            long address = Address.fromBytes(pkt, at).value();
            if (address == topology.selfAddress()) {
                out.bytes(selfIdentity);
                found++;
                continue;
            }
            Peer known = topology.peer(address);
            if (known != null) {
                ByteWriter w = new ByteWriter(Identity.ENCODED_PUBLIC_LENGTH);
                known.identity.encode(w, false);
                out.bytes(w.toByteArray());
                found++;
            } else {
                unknownAddresses[unknown++] = address;
            }
        }
        if (found > 0) {
            tx.sendDirect(peer, path, true, false, nowMs);
        }
        for (int i = 0; i < unknown; i++) {
            sw.requestWhois(unknownAddresses[i], nowMs);
        }
        received(peer, path, hops, Verb.WHOIS, nowMs);
    }

    /**
     * RENDEZVOUS (ZT1-07 §5.4): from an upstream, about a peer we know, at a usable address: send
     * the 4-byte low-TTL datagram that opens our NAT toward it, then contact it from the socket
     * the RENDEZVOUS came on (ECHO, or HELLO if its version is unknown).
     */
    private void onRendezvous(Peer peer, Path path, byte[] pkt, int len, int hops, long nowMs)
            throws WireFormatException {
        if (topology.isUpstream(peer.address)) {
            Rendezvous r = Rendezvous.decode(reader(pkt, len, "RENDEZVOUS"));
            Peer with = topology.peer(r.with().value());
            InetEndpoint at = r.endpoint();
            if (with != null && r.port() > 0 && at != null
                    && topology.shouldUsePath(with, path.localSocket, at)) {
                long bits = tx.nextLong();
                for (int i = 0; i < JUNK_LENGTH; i++) {
                    junk[i] = (byte) (bits >>> (8 * i));
                }
                tx.sendRaw(path.localSocket, at, junk, 0, JUNK_LENGTH, JUNK_TTL);
                tx.attemptToContactAt(with, path.localSocket, at, nowMs, false);
            }
        } else {
            drops.add(DropReason.UNTRUSTED_SENDER);
        }
        received(peer, path, hops, Verb.RENDEZVOUS, nowMs);
    }

    /**
     * The addresses PUSH_DIRECT_PATHS advertises (ZT1-07 §5.6): the host's own (interface address,
     * port) pairs; none (null payload) means no push. Surface addresses seen by peers are not
     * tracked, so they are not advertised (1.14.1 appends them).
     */
    void setDirectPaths(List<InetEndpoint> paths) {
        List<PushDirectPaths.PathRecord> records = new java.util.ArrayList<>();
        for (InetEndpoint e : paths) {
            if ((e.isIpv4() || e.isIpv6()) && records.size() < DIRECT_PATHS_PUSHED_MAX) {
                records.add(PushDirectPaths.PathRecord.of(0, e));
            }
        }
        ByteWriter w = new ByteWriter();
        new PushDirectPaths(records).encode(w);
        pushPayload = records.isEmpty() ? null : w.toByteArray();
    }

    /**
     * PUSH_DIRECT_PATHS to a peer we share a network with, on the path its packet came by (through
     * the relay if it came relayed), so that it can try our addresses: what joins two nodes
     * behind one NAT that does not hairpin (ZT1-07 §5.6).
     */
    private void pushDirectPaths(Peer peer, Path path, long nowMs) {
        peer.lastPushSentMs = nowMs;
        tx.start(peer.address, Verb.PUSH_DIRECT_PATHS).bytes(pushPayload);
        tx.sendDirect(peer, path, true, false, nowMs);
    }

    /** ECHO (ZT1-03 §4.9): OK(ECHO) with the same payload, at most one per path per 166 ms. */
    private void onEcho(Peer peer, Path path, byte[] pkt, int len, int hops, long nowMs) {
        if (!path.rateGateEchoReply(nowMs)) {
            drops.add(DropReason.RATE_LIMITED);
            return; // not even counted as received, as in 1.14.1
        }
        int payload = len - PacketHeader.IDX_PAYLOAD;
        if (PacketHeader.IDX_PAYLOAD + IN_RE_LENGTH + payload <= PacketHeader.MAX_LENGTH) {
            tx.start(peer.address, Verb.OK).u8(Verb.ECHO.code()).u64(PacketHeader.packetId(pkt, 0))
                    .bytes(pkt, PacketHeader.IDX_PAYLOAD, payload);
            tx.sendDirect(peer, path, true, false, nowMs);
        }
        received(peer, path, hops, Verb.ECHO, nowMs);
    }

    /**
     * PUSH_DIRECT_PATHS (ZT1-03 §4.16, ZT1-07 §5.6): at most 8 pushes close together are read;
     * each new usable address gets a contact attempt from every socket, at most 8 per (scope,
     * family). Forget records are skipped and cluster redirects ignored (1.14.1 never sends them).
     */
    private void onPushDirectPaths(Peer peer, Path path, byte[] pkt, int len, int hops, long nowMs)
            throws WireFormatException {
        if (nowMs - peer.lastPushReceivedMs <= Timing.PUSH_DIRECT_PATHS_CUTOFF_TIME_MS) {
            peer.pushesInWindow++;
        } else {
            peer.pushesInWindow = 0;
        }
        peer.lastPushReceivedMs = nowMs;
        if (peer.pushesInWindow >= Timing.PUSH_DIRECT_PATHS_CUTOFF_LIMIT) {
            drops.add(DropReason.RATE_LIMITED);
        } else {
            List<PushDirectPaths.PathRecord> records = PushDirectPaths.decode(reader(pkt, len, "PUSH_DIRECT_PATHS")).paths();
            Arrays.fill(contactsPerScope, 0);
            for (PushDirectPaths.PathRecord rec : records) {
                InetEndpoint e = rec.endpoint();
                if (e == null || rec.forget() || rec.clusterRedirect() || peer.hasActivePathTo(e, nowMs)
                        || !topology.shouldUsePath(peer, path.localSocket, e)) {
                    continue;
                }
                int slot = IpScope.of(e).value() * 2 + (e.isIpv6() ? 1 : 0);
                if (++contactsPerScope[slot] <= Timing.PUSH_DIRECT_PATHS_MAX_PER_SCOPE_AND_FAMILY) {
                    tx.attemptToContactAt(peer, NodeHost.ALL_SOCKETS, e, nowMs, false);
                }
            }
        }
        received(peer, path, hops, Verb.PUSH_DIRECT_PATHS, nowMs);
    }

    // ---- networks: NETWORK_CREDENTIALS, NETWORK_CONFIG_REQUEST, NETWORK_CONFIG

    /**
     * NETWORK_CREDENTIALS (ZT1-03 §4.11): a rate-gated packet is not even counted as received; one
     * with an accepted credential establishes trust on the path it came on (1.14.1's
     * {@code Peer::received} with {@code trustEstablished}), which lets a non-root relay for it.
     */
    private void onNetworkCredentials(Peer peer, Path path, byte[] pkt, int len, int hops, long nowMs)
            throws WireFormatException {
        NetworkCredentials c = NetworkCredentials.decode(reader(pkt, len, "NETWORK_CREDENTIALS"));
        CredentialExchange.Receipt receipt = networks.credentials.onCredentials(peer.address, c, nowMs);
        if (receipt == CredentialExchange.Receipt.RATE_LIMITED) {
            return;
        }
        if (receipt == CredentialExchange.Receipt.TRUST_ESTABLISHED) {
            path.lastTrustEstablishedMs = nowMs;
            peer.lastTrustEstablishedMs = nowMs;
            sw.onCredentialsAccepted();
        }
        received(peer, path, hops, Verb.NETWORK_CREDENTIALS, nowMs);
    }

    /** NETWORK_CONFIG_REQUEST (ZT1-03 §4.12, ZT1-09 §1.3). */
    private void onNetworkConfigRequest(Peer peer, Path path, byte[] pkt, int len, int hops, long nowMs)
            throws WireFormatException {
        NetworkConfigRequest r = NetworkConfigRequest.decode(reader(pkt, len, "NETWORK_CONFIG_REQUEST"));
        networks.onConfigRequest(peer, path, hops, PacketHeader.packetId(pkt, 0), r, nowMs);
        received(peer, path, hops, Verb.NETWORK_CONFIG_REQUEST, nowMs);
    }

    /** NETWORK_CONFIG (ZT1-03 §4.13): a pushed or fast-propagated config chunk. */
    private void onNetworkConfig(Peer peer, Path path, byte[] pkt, int len, int hops, long nowMs)
            throws WireFormatException {
        NetworkConfig c = NetworkConfig.decode(reader(pkt, len, "NETWORK_CONFIG"));
        networks.onNetworkConfig(peer, PacketHeader.packetId(pkt, 0), c.chunk(), nowMs);
        received(peer, path, hops, Verb.NETWORK_CONFIG, nowMs);
    }

    // ---- Peer::received

    /**
     * 1.14.1's {@code Peer::received} (ZT1-03 §3.3, ZT1-07 §2.3): the peer is alive; a direct
     * packet on a path it has not used teaches that path if it is an OK (the answer proves the
     * path works both ways), and otherwise makes us confirm the path with a full HELLO (at most
     * one per path per second), whose OK(HELLO) will teach it.
     */
    void received(Peer peer, Path path, int hops, Verb verb, long nowMs) {
        peer.lastReceiveMs = nowMs;
        if (pushPayload != null && nowMs - peer.lastTrustEstablishedMs < Timing.TRUST_EXPIRATION_MS
                && nowMs - peer.lastPushSentMs >= (hops == 0 ? Timing.DIRECT_PATH_PUSH_INTERVAL_HAVE_PATH_MS
                        : Timing.DIRECT_PATH_PUSH_INTERVAL_MS)) {
            pushDirectPaths(peer, path, nowMs);
        }
        if (verb == Verb.FRAME || verb == Verb.EXT_FRAME || verb == Verb.NETWORK_CONFIG_REQUEST
                || verb == Verb.NETWORK_CONFIG || verb == Verb.MULTICAST_FRAME) {
            peer.lastNontrivialReceiveMs = nowMs;
        }
        if (hops != 0 || peer.onDirectPacket(path, nowMs) != Peer.DirectPath.NEW || path.tableIndex < 0
                || !topology.shouldUsePath(peer, path.localSocket, path.remote)) {
            return;
        }
        if (verb == Verb.OK) {
            peer.unconfirmed = null;
            Path replaced = peer.learnPath(path, nowMs);
            if (replaced != null) {
                host.onEvent(new NodeEvent.PathRemoved(peer.identity.address(), replaced.localSocket, replaced.remote));
            }
            host.onEvent(new NodeEvent.PathLearned(peer.identity.address(), path.localSocket, path.remote));
            if (topology.isUpstream(peer.address)) {
                sw.onUpstreamPathLearned();
            }
        } else if (nowMs - path.lastConfirmHelloMs >= Timing.PATH_CONFIRM_INTERVAL_MS) {
            path.lastConfirmHelloMs = nowMs;
            tx.attemptToContactAt(peer, path.localSocket, path.remote, nowMs, true);
            path.lastOutMs = nowMs;
            if (peer.pathCount() == 0) {
                peer.unconfirmed = path;
            }
        }
    }

    // ---- helpers

    /**
     * The new-identity gate (ZT1-03 §4.2.3), keyed like 1.14.1 by the /24 of an IPv4 source or
     * the first 48 bits of an IPv6 one, but a token bucket rather than one check per 2 s (see
     * {@link Timing#IDENTITY_VALIDATION_SOURCE_BURST} for why).
     */
    private boolean gateIdentityCheck(InetEndpoint source, long nowMs) {
        long key;
        if (source.isIpv4()) {
            key = source.ipv4Value() >>> 8;
        } else {
            byte[] ip = source.ip();
            key = 1L << 63;
            for (int i = 0; i < 6 && i < ip.length; i++) {
                key |= (long) (ip[i] & 0xff) << (8 * (5 - i));
            }
        }
        return identityChecks.gateBurst(key, 0, nowMs, Timing.IDENTITY_VALIDATION_SOURCE_INTERVAL_MS,
                Timing.IDENTITY_VALIDATION_SOURCE_BURST);
    }

    private static ByteReader reader(byte[] pkt, int len, String context) {
        return new ByteReader(pkt, PacketHeader.IDX_PAYLOAD, len - PacketHeader.IDX_PAYLOAD, context);
    }

    private static long readU64(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xff);
        }
        return v;
    }
}
