package dev.zerokube.overlay.node;

import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.Armor;
import dev.zerokube.overlay.wire.Compression;
import dev.zerokube.overlay.wire.Datagram;
import dev.zerokube.overlay.wire.Fragment;
import dev.zerokube.overlay.wire.Fragmentation;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.PacketHeader;
import dev.zerokube.overlay.wire.Reassembler;
import dev.zerokube.overlay.wire.TrustedPaths;
import dev.zerokube.overlay.wire.Verb;

/**
 * The receive and send pipelines (ZT1-02 §13, §14; 1.14.1's {@code Switch}).
 *
 * <p><b>Receive:</b> classify the datagram; relay what is not for us ({@link Relay}); reassemble
 * fragments; then decode: a cipher-0 HELLO goes to the HELLO handler (it may come from anyone),
 * anything else must come from a known peer and is dearmored with its key, decompressed and
 * dispatched ({@link PacketHandler}). A packet from an unknown sender is parked (copied) while a
 * WHOIS goes to the best root; it is retried when an identity arrives and at every timer pass,
 * and dropped after 5 s.
 *
 * <p><b>Send</b> ({@link #send}): the packet composed in the {@link Transmitter}'s buffer goes on
 * the destination's best non-expired direct path, else through the best root (relayed, still
 * armored end to end for the destination), else on an expired direct path; it is fragmented to
 * the physical MTU and armored with the cipher the destination's version allows, and its on-wire
 * ID is recorded for the reply. If the destination is unknown or unreachable, the unarmored packet
 * is queued (copied, at most 5 s) and a WHOIS is sent; it is armored only when it leaves, with
 * whatever version is known then.
 *
 * <p>Per packet, for known peers, nothing is allocated: all buffers are the node's.
 */
final class Switch {
    private final Topology topology;
    private final Transmitter tx;
    private final PacketHandler handler;
    private final Relay relay;
    private final DropCounters drops;
    private final int mtu;
    private final TrustedPaths trustedPaths;
    /** A path's IP, copied for the trusted-path lookups without allocating. */
    private final byte[] ipScratch = new byte[16];
    private final Reassembler<Path> reassembler = new Reassembler<>();
    /** The packet being decoded: a copy of the datagram, or the reassembled packet. */
    private final byte[] rx = new byte[PacketHeader.MAX_LENGTH];
    /** Decompressed form of {@link #rx} when its payload is LZ4-compressed. */
    private final byte[] inflated = new byte[PacketHeader.MAX_LENGTH];
    /** One fragment being sent. */
    private final byte[] fragment = new byte[PacketHeader.MAX_LENGTH];
    private final WhoisQueue rxWaiting;
    private final WhoisQueue txWaiting;
    /** Authenticated packets waiting for their sender to pass a network's gate (see {@link #dispatchOrKeep}). */
    private final WhoisQueue gateWaiting;
    private final RecentTable whoisSent;
    private long lastTimerMs = Timing.NEVER_MS;
    /** An identity arrived: retry what waits, once the current packet is done. */
    private boolean identityArrived;
    /** A path to a root was learned: what waits is retried, WHOIS asked again, once the current packet is done. */
    private boolean upstreamPathLearned;
    /** A member's credentials were accepted: packets kept for the gate are retried once the current packet is done. */
    private boolean credentialsAccepted;
    private boolean retrying;

    Switch(Topology topology, Transmitter tx, PacketHandler handler, Relay relay, DropCounters drops, NodeConfig config) {
        this.topology = topology;
        this.tx = tx;
        this.handler = handler;
        this.relay = relay;
        this.drops = drops;
        this.mtu = config.physicalMtu();
        this.trustedPaths = config.trustedPaths();
        this.rxWaiting = new WhoisQueue(config.whoisQueueMax());
        this.txWaiting = new WhoisQueue(config.txQueueMax());
        this.gateWaiting = new WhoisQueue(config.whoisQueueMax());
        this.whoisSent = new RecentTable(config.rateTableSize());
    }

    // ---- receive

    /** One datagram from the host (ZT1-02 §13.1). {@code data} is read during this call only. */
    void onWirePacket(long localSocket, InetEndpoint remote, byte[] data, int off, int len, long nowMs) {
        switch (Datagram.classify(data, off, len)) {
            case TOO_SHORT -> drops.add(DropReason.TOO_SHORT);
            case TOO_LONG -> drops.add(DropReason.TOO_LONG);
            case BEACON -> drops.add(DropReason.BEACON);
            case FRAGMENT -> onFragment(localSocket, remote, data, off, len, nowMs);
            case PACKET -> onHead(localSocket, remote, data, off, len, nowMs);
        }
        retryIfIdentityArrived(nowMs);
    }

    private void onFragment(long localSocket, InetEndpoint remote, byte[] data, int off, int len, long nowMs) {
        Path known = topology.findPath(localSocket, remote);
        if (known != null) {
            known.lastInMs = nowMs;
        }
        if (Fragment.destinationAt(data, off) != topology.selfAddress()) {
            relay.relayFragment(data, off, len, known, nowMs);
            return;
        }
        Reassembler.Status status = reassembler.onFragment(data, off, len, nowMs, rx, 0);
        afterReassembly(status, nowMs);
    }

    private void onHead(long localSocket, InetEndpoint remote, byte[] data, int off, int len, long nowMs) {
        if (PacketHeader.source(data, off) == topology.selfAddress()) {
            drops.add(DropReason.OWN_SOURCE);
            return;
        }
        if (PacketHeader.destination(data, off) != topology.selfAddress()) {
            Path known = topology.findPath(localSocket, remote);
            if (known != null) {
                known.lastInMs = nowMs;
            }
            relay.relayHead(data, off, len, known, nowMs);
            return;
        }
        // Only datagrams addressed to us create paths, so relayed garbage cannot fill the table.
        Path path = topology.path(localSocket, remote);
        path.lastInMs = nowMs;
        if (PacketHeader.isFragmented(data, off)) {
            afterReassembly(reassembler.onHead(data, off, len, path, nowMs, rx, 0), nowMs);
            return;
        }
        System.arraycopy(data, off, rx, 0, len);
        decodeOrPark(len, path, nowMs);
    }

    private void afterReassembly(Reassembler.Status status, long nowMs) {
        switch (status) {
            case COMPLETE -> decodeOrPark(reassembler.assembledLength(), reassembler.assembledPath(), nowMs);
            case PENDING -> { }
            default -> drops.add(DropReason.FRAGMENT_INVALID);
        }
    }

    /** Decodes {@code rx[0, len)}; parks it and asks WHOIS if its source is unknown. */
    private void decodeOrPark(int len, Path path, long nowMs) {
        if (decode(len, path, nowMs)) {
            return;
        }
        long source = PacketHeader.source(rx, 0);
        if (new Address(source).isReserved()) {
            drops.add(DropReason.UNKNOWN_SOURCE); // never WHOIS nil (ZT1-02 §15 item 24)
            return;
        }
        long evictedBefore = rxWaiting.droppedCount();
        rxWaiting.add(rx, 0, len, source, path.localSocket, path.remote, nowMs);
        if (rxWaiting.droppedCount() != evictedBefore) {
            drops.add(DropReason.UNKNOWN_SOURCE);
        }
        requestWhois(source, nowMs);
    }

    /**
     * 1.14.1's {@code tryDecode} on {@code rx[0, len)}: true when done (handled or dropped), false
     * when the sender is unknown.
     */
    private boolean decode(int len, Path path, long nowMs) {
        int cipher = PacketHeader.cipher(rx, 0);
        int hops = PacketHeader.hops(rx, 0);
        if (cipher == PacketHeader.CIPHER_TRUSTED_PATH) {
            return decodeTrusted(len, path, hops, nowMs);
        }
        if (cipher == PacketHeader.CIPHER_POLY1305_NONE && PacketHeader.verb(rx, 0) == Verb.HELLO.code()) {
            try {
                handler.onHello(path, rx, len, hops, null, nowMs);
            } catch (WireFormatException e) {
                drops.add(DropReason.MALFORMED);
            }
            return true;
        }
        Peer peer = topology.peer(PacketHeader.source(rx, 0));
        if (peer == null) {
            return false;
        }
        if (peer.armor.dearmor(rx, 0, len) != Armor.Verdict.AUTHENTICATED) {
            drops.add(DropReason.BAD_MAC);
            return true;
        }
        inflateAndDispatch(peer, path, len, hops, nowMs);
        return true;
    }

    /** {@code rx[0, len)}, authenticated and plain: LZ4 undone if flagged, then dispatched. */
    private void inflateAndDispatch(Peer peer, Path path, int len, int hops, long nowMs) {
        if (!PacketHeader.isCompressed(rx, 0)) {
            dispatchOrKeep(peer, path, rx, len, hops, nowMs, nowMs);
            return;
        }
        int n = Compression.uncompress(rx, 0, len, inflated, 0);
        if (n < 0) {
            drops.add(DropReason.BAD_COMPRESSION);
            return;
        }
        dispatchOrKeep(peer, path, inflated, n, hops, nowMs, nowMs);
    }

    /**
     * A cipher-2 packet (ZT1-02 §11.3): accepted only from inside a configured trusted network with
     * its ID (checked again on every retry of a parked one), then handled as authenticated, with
     * no decryption; its sender must still be known (false: park it and ask WHOIS).
     */
    private boolean decodeTrusted(int len, Path path, int hops, long nowMs) {
        int ipLength = path.remote.copyIpTo(ipScratch, 0);
        if (!trustedPaths.acceptsInbound(PacketHeader.trustedPathId(rx, 0), ipScratch, 0, ipLength)) {
            drops.add(DropReason.UNTRUSTED_PATH);
            return true;
        }
        Peer peer = topology.peer(PacketHeader.source(rx, 0));
        if (peer == null) {
            return false;
        }
        if (PacketHeader.verb(rx, 0) == Verb.HELLO.code()) {
            try {
                handler.onHello(path, rx, len, hops, peer, nowMs); // already authenticated: no MAC, no identity check
            } catch (WireFormatException e) {
                drops.add(DropReason.MALFORMED);
            }
            return true;
        }
        inflateAndDispatch(peer, path, len, hops, nowMs);
        return true;
    }

    /**
     * Dispatches an authenticated plain packet; one that is not done yet (a frame from a sender
     * whose credentials have not arrived) is kept, already decrypted, and dispatched again at each
     * timer pass until {@link Timing#RECEIVE_QUEUE_TIMEOUT_MS} after it first arrived (1.14.1 keeps
     * such packets in its receive queue and retries them the same way).
     */
    private void dispatchOrKeep(Peer peer, Path path, byte[] pkt, int len, int hops, long firstMs, long nowMs) {
        if (!handler.dispatch(peer, path, pkt, len, hops, nowMs)) {
            long evictedBefore = gateWaiting.droppedCount();
            gateWaiting.add(pkt, 0, len, peer.address, path.localSocket, path.remote, firstMs);
            if (gateWaiting.droppedCount() != evictedBefore) {
                handler.keptPacketExpired();
            }
        }
    }

    /** Retries kept packets whose sender may have passed the gate since; expires old ones. */
    private void retryGated(long nowMs) {
        for (int i = 0; i < gateWaiting.capacity(); i++) {
            WhoisQueue.Entry e = gateWaiting.slot(i);
            if (!e.used) {
                continue;
            }
            Peer peer = topology.peer(e.address);
            if (nowMs - e.createdMs > Timing.RECEIVE_QUEUE_TIMEOUT_MS || peer == null) {
                gateWaiting.free(e);
                handler.keptPacketExpired();
                continue;
            }
            int len = e.length;
            long firstMs = e.createdMs;
            System.arraycopy(e.bytes, 0, inflated, 0, len);
            Path path = topology.path(e.localSocket, e.remote);
            gateWaiting.free(e);
            dispatchOrKeep(peer, path, inflated, len, PacketHeader.hops(inflated, 0), firstMs, nowMs);
        }
    }

    /** Called by the handler when OK(WHOIS) taught an identity: what waits on it is retried after this packet. */
    void onIdentityArrived(long address) {
        whoisSent.remove(address, 0);
        identityArrived = true;
    }

    /**
     * Called by the handler when a direct path to a root was learned. At start nothing can leave
     * before the first root answers (a WHOIS needs a root with a path, and so does a packet for
     * a peer we have no path to), so what waits is retried at once, WHOIS included, rather than
     * at the next 500 ms timer pass.
     */
    void onUpstreamPathLearned() {
        upstreamPathLearned = true;
    }

    /**
     * Called by the handler when a NETWORK_CREDENTIALS packet was accepted. A frame that arrived
     * before its sender's credentials (the credentials and the first frame are parked together
     * while our WHOIS for the sender is out, and retried in any order) is dispatched again right
     * after this packet rather than at the next 500 ms timer pass.
     */
    void onCredentialsAccepted() {
        credentialsAccepted = true;
    }

    /** Whether something waits for {@code address}'s identity (so an OK(WHOIS) for it was asked for). */
    boolean awaitsIdentity(long address) {
        return whoisSent.get(address, 0) != Timing.NEVER_MS || rxWaiting.waitsFor(address)
                || txWaiting.waitsFor(address);
    }

    private void retryIfIdentityArrived(long nowMs) {
        if (retrying) {
            return;
        }
        retrying = true;
        try {
            while (identityArrived || upstreamPathLearned || credentialsAccepted) {
                boolean whois = upstreamPathLearned;
                identityArrived = false;
                upstreamPathLearned = false;
                retryParked(nowMs, whois);
                retryQueued(nowMs, whois);
                if (credentialsAccepted) {
                    credentialsAccepted = false;
                    retryGated(nowMs);
                }
            }
        } finally {
            retrying = false;
        }
    }

    /** Retries parked packets whose sender is now known; expires old ones; re-asks WHOIS when {@code whois}. */
    private void retryParked(long nowMs, boolean whois) {
        for (int i = 0; i < rxWaiting.capacity(); i++) {
            WhoisQueue.Entry e = rxWaiting.slot(i);
            if (!e.used) {
                continue;
            }
            if (nowMs - e.createdMs > Timing.RECEIVE_QUEUE_TIMEOUT_MS) {
                rxWaiting.free(e);
                drops.add(DropReason.UNKNOWN_SOURCE);
            } else if (topology.peer(e.address) != null) {
                int len = e.length;
                System.arraycopy(e.bytes, 0, rx, 0, len);
                Path path = topology.path(e.localSocket, e.remote);
                rxWaiting.free(e);
                decode(len, path, nowMs);
            } else if (whois) {
                requestWhois(e.address, nowMs);
            }
        }
    }

    // ---- send

    /**
     * Sends the packet composed in {@link Transmitter#out} (ZT1-02 §14 steps 4–8), encrypted;
     * queues a copy and asks WHOIS if it cannot leave yet. A packet to ourselves is dropped.
     */
    void send(long nowMs) {
        long destination = PacketHeader.destination(tx.out.buf, 0);
        if (destination == topology.selfAddress() || trySend(nowMs)) {
            return;
        }
        txWaiting.add(tx.out.buf, 0, tx.out.length, destination, 0, null, nowMs);
        if (topology.peer(destination) == null) {
            requestWhois(destination, nowMs);
        }
    }

    /** Path choice of ZT1-07 §2.8, then fragmentation and armor; false if there is no path at all. */
    private boolean trySend(long nowMs) {
        Peer peer = topology.peer(PacketHeader.destination(tx.out.buf, 0));
        if (peer == null) {
            return false;
        }
        Path via = peer.bestPath(nowMs, false);
        if (via == null) {
            Peer up = topology.bestUpstream(nowMs);
            if (up != null && up != peer) {
                via = up.bestPath(nowMs, false);
            }
        }
        if (via == null) {
            via = peer.bestPath(nowMs, true);
        }
        if (via == null) {
            return false;
        }
        sendVia(peer, via, nowMs);
        return true;
    }

    private void sendVia(Peer peer, Path via, long nowMs) {
        byte[] buf = tx.out.buf;
        int len = tx.out.length;
        // equal-sized pieces: a burst of full frames then leaves as one UDP GSO send (Fragmentation)
        int piece = Fragmentation.evenPieceLength(len, mtu);
        int pieces = Fragmentation.markFragmented(buf, 0, len, piece);
        long trustedPathId = trustedPaths.isEmpty() ? 0
                : trustedPaths.outboundId(ipScratch, 0, via.remote.copyIpTo(ipScratch, 0));
        if (trustedPathId != 0) {
            tx.markTrusted(trustedPathId); // ZT1-02 §11.4: the via path's network decides, relayed or not
        } else {
            tx.armor(peer, true, true);
        }
        if (!tx.sendRaw(via.localSocket, via.remote, buf, 0, Fragmentation.headLength(len, piece), NodeHost.TTL_DEFAULT)) {
            return;
        }
        via.lastOutMs = nowMs;
        for (int f = 1; f < pieces; f++) {
            int n = Fragmentation.writeFragment(buf, 0, len, piece, f, fragment, 0);
            tx.sendRaw(via.localSocket, via.remote, fragment, 0, n, NodeHost.TTL_DEFAULT);
        }
    }

    /** Retries queued packets; expires old ones; re-asks WHOIS for unknown destinations when {@code whois}. */
    private void retryQueued(long nowMs, boolean whois) {
        for (int i = 0; i < txWaiting.capacity(); i++) {
            WhoisQueue.Entry e = txWaiting.slot(i);
            if (!e.used) {
                continue;
            }
            if (topology.peer(e.address) != null) {
                tx.out.load(e.bytes, 0, e.length);
                if (trySend(nowMs)) {
                    txWaiting.free(e);
                    continue;
                }
            }
            if (nowMs - e.createdMs > Timing.TRANSMIT_QUEUE_TIMEOUT_MS) {
                txWaiting.free(e);
            } else if (whois && topology.peer(e.address) == null) {
                requestWhois(e.address, nowMs);
            }
        }
    }

    /**
     * WHOIS for {@code address} to the best root, at most once per 500 ms per address, never for
     * ourselves or a reserved address; nothing if we have no root (ZT1-02 §14 step 9).
     */
    void requestWhois(long address, long nowMs) {
        if (address == topology.selfAddress() || new Address(address).isReserved()) {
            return;
        }
        Peer up = topology.bestUpstream(nowMs);
        if (up == null || !whoisSent.gate(address, 0, nowMs, Timing.WHOIS_RETRY_DELAY_MS)) {
            return;
        }
        tx.start(up.address, Verb.WHOIS).u40(address);
        send(nowMs);
    }

    // ---- timer

    /**
     * The switch timer (1.14.1's {@code doTimerTasks}, ZT1-02 §14 step 10), at most every 500 ms:
     * retry and expire both queues, re-ask WHOIS for what still waits, forget old gate entries.
     */
    void timerTasks(long nowMs) {
        if (nowMs - lastTimerMs < Timing.WHOIS_RETRY_DELAY_MS) {
            return;
        }
        lastTimerMs = nowMs;
        retryQueued(nowMs, true);
        retryParked(nowMs, true);
        retryGated(nowMs);
        retryIfIdentityArrived(nowMs);
        whoisSent.forgetOlderThan(nowMs, Timing.WHOIS_REQUEST_FORGET_MS);
        relay.forgetOldUnites(nowMs);
        reassembler.expire(nowMs);
    }

    /** When {@link #timerTasks} next has work: 500 ms after the last pass while anything waits, else never. */
    long nextTimerMs() {
        if (rxWaiting.size() == 0 && txWaiting.size() == 0 && gateWaiting.size() == 0
                && reassembler.packetsInFlight() == 0) {
            return Long.MAX_VALUE;
        }
        return lastTimerMs + Timing.WHOIS_RETRY_DELAY_MS;
    }

    int parkedCount() {
        return rxWaiting.size();
    }

    int queuedCount() {
        return txWaiting.size();
    }

    long queueBufferBytes() {
        return rxWaiting.bufferBytes() + txWaiting.bufferBytes();
    }

    int whoisQueueCapacity() {
        return rxWaiting.capacity();
    }
}
