package dev.zerokube.overlay.node;

import dev.zerokube.overlay.wire.InetEndpoint;
import java.util.ArrayList;
import java.util.List;

/**
 * The 5-second contact round (1.14.1's {@code processBackgroundTasks} ping check and
 * {@code Peer::doPingAndKeepalive}, ZT1-07 §2.7, §4.3):
 *
 * <ul>
 *   <li>each root with a path gets, about every 225 s, a full HELLO on each of its non-expired
 *       paths, and in between an ECHO on any of them idle for 14 s (ours: NAT keepalive, see
 *       {@link #keepPathsOpen}); a root without paths gets a HELLO to one random stable endpoint
 *       per family every 5 s until it answers; if nothing could be sent directly, a HELLO goes
 *       to it through the best root;</li>
 *   <li>each active peer (frames within 500 s) gets a full HELLO per path every 60 s and an ECHO
 *       on any path idle for 14 s;</li>
 *   <li>expired path slots of the peers processed are given up;</li>
 *   <li>the seed of each moon we asked for but do not hold yet (orbit, ZT1-07 §3.6) gets a WHOIS
 *       while we do not know it, then a full HELLO (listing the wanted moon) every 28 s, through
 *       the best root when we have no path to it;</li>
 *   <li>the node is online while a root was heard within 500 s (or it is a root itself).</li>
 * </ul>
 *
 * 1.14.1 also sends, every 5 s, a WHOIS for each root it did not just contact (ZT1-07 §10 item 5);
 * that is an accident of its code, and a zerokube leaf does not copy it.
 */
final class Keepalive {
    /**
     * How long after its last datagram a peer without any path slot gets its path confirmation
     * retried. Ours: 1.14.1 confirms a new path once per datagram on it, and its leaves send their
     * best root a WHOIS every 5 s (ZT1-07 §4.3 step 5), which retries a lost confirmation; a
     * zerokube leaf does not send those, so a root that lost its confirming HELLO or the OK (a
     * restarted root, 5 % loss) would have no path to a leaf that sends it nothing for minutes.
     */
    static final long UNCONFIRMED_RETRY_MS = 30_000;

    private final Topology topology;
    private final Transmitter tx;
    private final NodeHost host;
    private final Switch sw;
    private final List<Peer> scratch = new ArrayList<>();
    private boolean online;

    Keepalive(Topology topology, Transmitter tx, NodeHost host, Switch sw) {
        this.topology = topology;
        this.tx = tx;
        this.host = host;
        this.sw = sw;
    }

    boolean isOnline() {
        return online;
    }

    void pingCheck(long nowMs) {
        Peer bestUpstream = topology.bestUpstream(nowMs);
        long lastFromUpstreamMs = Timing.NEVER_MS;
        for (long a : topology.upstreamAddresses()) {
            Peer p = topology.peer(a);
            if (p != null) {
                lastFromUpstreamMs = Math.max(lastFromUpstreamMs, p.lastReceiveMs);
            }
        }
        scratch.clear();
        topology.forEachPeer(scratch::add);
        for (Peer p : scratch) {
            retryConfirmation(p, nowMs);
            if (topology.isUpstream(p.address)) {
                contactUpstream(p, bestUpstream, nowMs);
            } else if (topology.isMoonSeed(p.address)) {
                contactSeed(p, bestUpstream, nowMs);
            } else if (p.isActive(nowMs)) {
                pingAndKeepalive(p, nowMs);
            }
        }
        scratch.clear();
        for (long seed : topology.moonSeedAddresses()) {
            if (topology.peer(seed) == null) {
                sw.requestWhois(seed, nowMs);
            }
        }
        boolean nowOnline = nowMs - lastFromUpstreamMs < Timing.PEER_ACTIVITY_TIMEOUT_MS || topology.amUpstream();
        if (nowOnline != online) {
            online = nowOnline;
            host.onEvent(new NodeEvent.Online(nowOnline));
        }
    }

    /** A peer that sent us datagrams but has no path slot yet: its path is confirmed again (see {@link #UNCONFIRMED_RETRY_MS}). */
    private void retryConfirmation(Peer p, long nowMs) {
        Path u = p.unconfirmed;
        if (u == null) {
            return;
        }
        if (p.pathCount() > 0 || nowMs - u.lastInMs > UNCONFIRMED_RETRY_MS) {
            p.unconfirmed = null;
            return;
        }
        if (nowMs - u.lastConfirmHelloMs >= Timing.PATH_CONFIRM_INTERVAL_MS) {
            u.lastConfirmHelloMs = nowMs;
            tx.attemptToContactAt(p, u.localSocket, u.remote, nowMs, true);
            u.lastOutMs = nowMs;
        }
    }

    private void contactUpstream(Peer root, Peer bestUpstream, long nowMs) {
        long throttleMs = root.pathCount() > 0 ? Timing.UPSTREAM_CONTACT_INTERVAL_MS : 0;
        if (nowMs - root.lastSentFullHelloMs <= throttleMs) {
            keepPathsOpen(root, nowMs);
            return;
        }
        int sentFamilies = pingAndKeepalive(root, nowMs);
        boolean contacted = sentFamilies != 0;
        List<InetEndpoint> stable = topology.stableEndpoints(root.address);
        if ((sentFamilies & 1) == 0) {
            contacted |= helloToRandomStableEndpoint(root, stable, false, nowMs);
        }
        if ((sentFamilies & 2) == 0) {
            contacted |= helloToRandomStableEndpoint(root, stable, true, nowMs);
        }
        if (!contacted && bestUpstream != null) {
            Path up = bestUpstream.bestPath(nowMs, true);
            if (up != null) {
                tx.sendHello(root, NodeHost.ALL_SOCKETS, up.remote, nowMs); // relayed by that root
            }
        }
    }

    /**
     * Between its 225 s HELLO rounds a root still gets an ECHO on each path we sent nothing on for
     * 14 s, as active peers do. Without it a leaf behind a NAT went silent toward its root for
     * minutes, the NAT forgot the mapping (Linux after 30–120 s, some cloud NATs after 30 s),
     * and what the root relayed or introduced to the leaf was lost: seen in the interop lab,
     * where a zerokube node behind MASQUERADE never received a ZeroTier One node's relayed ARP.
     * 1.14.1 leaves keep the mapping open by accident, with a WHOIS to their best root every 5 s
     * (see the class comment); this is the same effect, three times less often, to every root.
     */
    private void keepPathsOpen(Peer root, long nowMs) {
        for (int i = 0; i < root.pathCount(); i++) {
            Path path = root.path(i);
            if (!root.slotExpired(i, nowMs) && path.needsHeartbeat(nowMs)) {
                tx.attemptToContactAt(root, path.localSocket, path.remote, nowMs, false);
                path.lastOutMs = nowMs;
            }
        }
    }

    /**
     * A moon seed (ZT1-07 §4.3, scale 2): every 28 s its paths get the ping-and-keepalive round;
     * with no path, a full HELLO addressed to it goes to the best root, which relays it. The
     * HELLO lists the moon we want, and the seed answers with it in OK(HELLO).
     */
    private void contactSeed(Peer seed, Peer bestUpstream, long nowMs) {
        if (nowMs - seed.lastSentFullHelloMs <= Timing.SEED_CONTACT_INTERVAL_MS) {
            return;
        }
        if (pingAndKeepalive(seed, nowMs) == 0 && bestUpstream != null && bestUpstream != seed) {
            Path up = bestUpstream.bestPath(nowMs, true);
            if (up != null) {
                tx.sendHello(seed, NodeHost.ALL_SOCKETS, up.remote, nowMs); // relayed by that root
                seed.lastSentFullHelloMs = nowMs;
            }
        }
    }

    /** A full HELLO to one stable endpoint of the family, starting the search at a random index. */
    private boolean helloToRandomStableEndpoint(Peer root, List<InetEndpoint> stable, boolean ipv6, long nowMs) {
        int n = stable.size();
        if (n == 0) {
            return false;
        }
        int start = (int) Math.floorMod(tx.nextLong(), (long) n);
        for (int k = 0; k < n; k++) {
            InetEndpoint e = stable.get((start + k) % n);
            if (e.isIpv6() == ipv6 && !e.isNil()) {
                tx.sendHello(root, NodeHost.ALL_SOCKETS, e, nowMs);
                return true;
            }
        }
        return false;
    }

    /**
     * {@code Peer::doPingAndKeepalive} (ZT1-07 §2.7): a full HELLO round on every non-expired path
     * if 60 s passed since the last one, else a keepalive on paths idle for 14 s; expired slots
     * are emptied. Returns the families contacted (bit 1 IPv4, bit 2 IPv6).
     */
    int pingAndKeepalive(Peer peer, long nowMs) {
        boolean fullHello = nowMs - peer.lastSentFullHelloMs >= Timing.PEER_PING_PERIOD_MS;
        if (fullHello) {
            peer.lastSentFullHelloMs = nowMs;
        }
        int sent = 0;
        for (int i = 0; i < peer.pathCount(); ) {
            if (peer.slotExpired(i, nowMs)) {
                Path gone = peer.removeSlot(i);
                host.onEvent(new NodeEvent.PathRemoved(peer.identity.address(), gone.localSocket, gone.remote));
                continue;
            }
            Path path = peer.path(i);
            if (fullHello || path.needsHeartbeat(nowMs)) {
                tx.attemptToContactAt(peer, path.localSocket, path.remote, nowMs, fullHello);
                path.lastOutMs = nowMs;
                sent |= path.ipv6 ? 2 : 1;
            }
            i++;
        }
        return sent;
    }
}
