package dev.zerokube.overlay.node;

import dev.zerokube.overlay.wire.Fragment;
import dev.zerokube.overlay.wire.PacketHeader;
import dev.zerokube.overlay.wire.Verb;

/**
 * Forwarding of datagrams addressed to someone else, and the RENDEZVOUS that follow (ZT1-02 §8,
 * ZT1-07 §5.1–§5.3). A root relays for anyone; any other node only what arrives on a path with
 * trust established (network membership proven there within 600 s). A packet crosses at most
 * three relays: the hop counter, the one header field a relay may change, is incremented and
 * nothing else is touched (no decryption, reassembly or re-fragmentation).
 *
 * <p>After relaying a packet head directly to its destination, the relay introduces the two ends
 * to each other (RENDEZVOUS to both, in random order) at most once per unordered pair per 30 s.
 * 1.14.1 also introduces the source to the next upstream on every packet relayed onward; here
 * that is rate-limited like any pair (ZT1-07 §5.2 step 2 recommends it).
 */
final class Relay {
    private final Topology topology;
    private final Transmitter tx;
    private final DropCounters drops;
    private final RecentTable lastUnite;
    /** The relayed datagram: a copy, since the caller's buffer is not ours to change. */
    private final byte[] buf = new byte[PacketHeader.MAX_LENGTH];

    Relay(Topology topology, Transmitter tx, DropCounters drops, int rateTableSize) {
        this.topology = topology;
        this.tx = tx;
        this.drops = drops;
        this.lastUnite = new RecentTable(rateTableSize);
    }

    /** Relays a packet head not addressed to us; {@code inPath} is the known path it came on, or null. */
    void relayHead(byte[] data, int off, int len, Path inPath, long nowMs) {
        if (!mayRelay(inPath, nowMs)) {
            return;
        }
        if (PacketHeader.hops(data, off) >= PacketHeader.RELAY_MAX_HOPS) {
            drops.add(DropReason.RELAY_HOPS);
            return;
        }
        System.arraycopy(data, off, buf, 0, len);
        PacketHeader.incrementHops(buf, 0);
        long source = PacketHeader.source(buf, 0);
        long destination = PacketHeader.destination(buf, 0);
        Peer to = topology.peer(destination);
        if (to != null && sendDirect(to, len, false, nowMs)) {
            uniteIfDue(to, source, nowMs);
            return;
        }
        Peer up = topology.bestUpstream(nowMs);
        if (up != null && up.address != source && sendDirect(up, len, true, nowMs)) {
            uniteIfDue(up, source, nowMs);
            return;
        }
        drops.add(DropReason.RELAY_NO_ROUTE);
    }

    /** Relays a fragment not addressed to us (never followed by an introduction). */
    void relayFragment(byte[] data, int off, int len, Path inPath, long nowMs) {
        if (!mayRelay(inPath, nowMs)) {
            return;
        }
        if (Fragment.hopsAt(data, off) >= PacketHeader.RELAY_MAX_HOPS) {
            drops.add(DropReason.RELAY_HOPS);
            return;
        }
        System.arraycopy(data, off, buf, 0, len);
        Fragment.incrementHops(buf, 0);
        Peer to = topology.peer(Fragment.destinationAt(buf, 0));
        if (to != null && sendDirect(to, len, false, nowMs)) {
            return;
        }
        Peer up = topology.bestUpstream(nowMs);
        if (up == null || !sendDirect(up, len, true, nowMs)) {
            drops.add(DropReason.RELAY_NO_ROUTE);
        }
    }

    /** Forgets introductions older than 240 s. */
    void forgetOldUnites(long nowMs) {
        lastUnite.forgetOlderThan(nowMs, Timing.UNITE_FORGET_MS);
    }

    private boolean mayRelay(Path inPath, long nowMs) {
        if (topology.amUpstream() || (inPath != null && inPath.trustEstablished(nowMs))) {
            return true;
        }
        drops.add(DropReason.RELAY_REFUSED);
        return false;
    }

    /** Sends {@code buf[0, len)} on the peer's best path (expired ones too when {@code force}). */
    private boolean sendDirect(Peer peer, int len, boolean force, long nowMs) {
        Path path = peer.bestPath(nowMs, force);
        if (path == null || !tx.sendRaw(path.localSocket, path.remote, buf, 0, len, NodeHost.TTL_DEFAULT)) {
            return false;
        }
        path.lastOutMs = nowMs;
        return true;
    }

    private void uniteIfDue(Peer to, long source, long nowMs) {
        if (source == topology.selfAddress() || source == to.address) {
            return;
        }
        long a = Math.min(source, to.address);
        long b = Math.max(source, to.address);
        if (!lastUnite.gate(a, b, nowMs, Timing.MIN_UNITE_INTERVAL_MS)) {
            return;
        }
        Peer from = topology.peer(source);
        if (from != null) {
            introduce(to, from, nowMs);
        }
    }

    /**
     * 1.14.1's {@code Peer::introduce} (ZT1-07 §5.3): pick, from the highest scope down and IPv6
     * before IPv4, the first (family, scope) in which both peers have a path (expired slots
     * included), each side's best one there; then tell each side the other's address, on its own
     * chosen path, in random order. Nothing is sent when the two share no scope and family.
     */
    void introduce(Peer d, Peer s, long nowMs) {
        Path pd = null;
        Path ps = null;
        for (int scope = IpScope.MAX_VALUE; scope >= 0 && pd == null; scope--) {
            IpScope sc = IpScope.ofValue(scope);
            for (int family = 0; family < 2; family++) {
                boolean ipv6 = family == 0;
                Path a = d.bestPathIn(ipv6, sc, nowMs);
                Path b = a == null ? null : s.bestPathIn(ipv6, sc, nowMs);
                if (b != null) {
                    pd = a;
                    ps = b;
                    break;
                }
            }
        }
        if (pd == null) {
            return;
        }
        if (tx.coin()) {
            sendRendezvous(d, pd, s, ps, nowMs);
            sendRendezvous(s, ps, d, pd, nowMs);
        } else {
            sendRendezvous(s, ps, d, pd, nowMs);
            sendRendezvous(d, pd, s, ps, nowMs);
        }
    }

    /** RENDEZVOUS to {@code to} over {@code via}: "{@code other} is at {@code otherPath}'s address". */
    private void sendRendezvous(Peer to, Path via, Peer other, Path otherPath, long nowMs) {
        byte[] ip = otherPath.remote.ip();
        tx.start(to.address, Verb.RENDEZVOUS).u8(0).u40(other.address).u16(otherPath.remote.port()).u8(ip.length)
                .bytes(ip);
        tx.sendDirect(to, via, true, false, nowMs);
    }
}
