package dev.zerokube.overlay.node;

import dev.zerokube.overlay.wire.PacketHeader;
import dev.zerokube.overlay.wire.credentials.Capability;
import dev.zerokube.overlay.wire.credentials.CertificateOfMembership;
import dev.zerokube.overlay.wire.credentials.CertificateOfOwnership;
import dev.zerokube.overlay.wire.credentials.Revocation;
import dev.zerokube.overlay.wire.credentials.SignerLookup;
import dev.zerokube.overlay.wire.credentials.Tag;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import dev.zerokube.overlay.wire.verbs.NetworkCredentials;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * NETWORK_CREDENTIALS both ways (ZT1-05 §6.5, §7.6, §7.7; ZT1-03 §4.11).
 *
 * <p><b>Receiving:</b> one packet per peer per second is processed; each credential is filed with
 * the joined network its own network id names (others are skipped), under the member it was
 * issued to, after its signature by that network's controller is checked. A credential whose
 * signer we do not know yet makes us ask WHOIS and keep the packet (bounded, up to 5 s) to run it
 * again when the identity arrives; unlike 1.14.1 (quirk Q5) the re-run is not rate-gated again. A
 * new COM revocation with the fast-propagate flag is passed on at once to every member we hold a
 * membership for, except its sender and signer.
 *
 * <p><b>Pushing:</b> our COM, capabilities, tags and COOs from our config, packed like 1.14.1 (COM
 * first, then each section while the packet stays under 1.14.1's size tests; later packets spaced
 * by {@link #PUSH_PART_SPACING_MS} where 1.14.1 sends them back to back), before the first
 * frame to a member after each config change and at least every 500 s while frames flow
 * ({@link #pushIfNeeded}, called by the frame path), and when a member asks with
 * ERROR(NEED_MEMBERSHIP_CERTIFICATE), at most once a second.
 */
final class CredentialExchange {
    /** Multi-packet pushes whose later parts wait at once; beyond it only first parts go out. */
    static final int PENDING_PUSHES_MAX = 4096;
    /** Packets waiting for a signer's identity at most (1.14.1 parks them in its 32-entry queue). */
    static final int DEFERRED_MAX = 32;
    // 1.14.1's packing tests add the in-memory size of the C++ object (64-bit builds) and 16 to
    // the packet size and compare with the maximum packet length (ZT1-05 §7.7); reproduced so a
    // push splits where 1.14.1's would.
    private static final int CAPABILITY_SIZEOF = 2864;
    private static final int TAG_SIZEOF = 136;
    private static final int COO_SIZEOF = 416;
    private static final int PACKING_SLACK = 16;

    private final Networks networks;
    private final Topology topology;
    private final DropCounters drops;
    private final RecentTable receiveGate;
    /**
     * Later packets of a push that needs several go out this far apart: a receiver processes one
     * NETWORK_CREDENTIALS per second from us, and back-to-back packets (1.14.1 sends them so,
     * quirk Q4) lose all but one, on a jittery path the COM-carrying first one as often as not.
     * The margin covers jitter between the two.
     */
    static final long PUSH_PART_SPACING_MS = Timing.PEER_CREDENTIALS_RATE_LIMIT_MS + 500;

    private final List<Deferred> deferred = new ArrayList<>();
    private final List<PendingPush> pending = new ArrayList<>();
    private long lastTimerMs = Timing.NEVER_MS;

    private record Deferred(long source, NetworkCredentials credentials, long createdMs) {}

    /** The rest of a push to {@code peer}, next part due at {@code dueMs}. */
    private record PendingPush(long nwid, long peer, List<NetworkCredentials> parts, long dueMs) {}

    CredentialExchange(Networks networks, Topology topology, DropCounters drops) {
        this.networks = networks;
        this.topology = topology;
        this.drops = drops;
        this.receiveGate = new RecentTable(1024);
    }

    // ---- receiving

    /** What became of a NETWORK_CREDENTIALS packet. */
    enum Receipt {
        /** Over the rate limit: not even counted as traffic from the peer, as in 1.14.1. */
        RATE_LIMITED,
        /** A credential was accepted (new or redundant): the packet proves membership ("trust established"). */
        TRUST_ESTABLISHED,
        /** Nothing accepted (yet: it may wait for a signer's identity). */
        NO_TRUST
    }

    /** Set by {@link #counted} when a credential of the packet being processed was accepted. */
    private boolean acceptedAny;

    /** NETWORK_CREDENTIALS from {@code peer} (ZT1-05 §7.6). */
    Receipt onCredentials(long peer, NetworkCredentials credentials, long nowMs) {
        // Revocations get a gate of their own, so a routine push just before cannot make us drop
        // one (1.14.1 gates both together; it accepts more, never less, than 1.14.1).
        if (!receiveGate.gate(peer, credentials.revocations().isEmpty() ? 0 : 1, nowMs,
                Timing.PEER_CREDENTIALS_RATE_LIMIT_MS)) {
            drops.add(DropReason.RATE_LIMITED);
            return Receipt.RATE_LIMITED;
        }
        if (!process(peer, credentials, nowMs)) {
            if (deferred.size() >= DEFERRED_MAX) {
                deferred.removeFirst();
                drops.add(DropReason.UNKNOWN_SOURCE);
            }
            deferred.add(new Deferred(peer, credentials, nowMs));
            return Receipt.NO_TRUST;
        }
        return acceptedAny ? Receipt.TRUST_ESTABLISHED : Receipt.NO_TRUST;
    }

    /**
     * Adds every credential; false if one waits for its signer's identity (those before it stay
     * added: adding them again is redundant).
     */
    boolean process(long source, NetworkCredentials c, long nowMs) {
        SignerLookup lookup = a -> networks.identity(a.value(), nowMs);
        acceptedAny = false;
        for (CertificateOfMembership com : c.coms()) {
            Network n = networks.get(com.networkId().value());
            if (n != null && !counted(n.addCom(com, lookup))) {
                return false;
            }
        }
        for (Capability cap : c.capabilities()) {
            Network n = networks.get(cap.networkId().value());
            if (n != null && !counted(n.addCapability(cap, lookup))) {
                return false;
            }
        }
        for (Tag t : c.tags()) {
            Network n = networks.get(t.networkId().value());
            if (n != null && !counted(n.addTag(t, lookup))) {
                return false;
            }
        }
        for (Revocation r : c.revocations()) {
            Network n = networks.get(r.networkId().value());
            if (n == null) {
                continue;
            }
            Membership.AddResult result = n.addRevocation(r, lookup);
            if (!counted(result)) {
                return false;
            }
            if (result == Membership.AddResult.ACCEPTED_NEW && r.fastPropagate()) {
                propagate(n, r, source, nowMs);
            }
        }
        for (CertificateOfOwnership coo : c.coos()) {
            Network n = networks.get(coo.networkId().value());
            if (n != null && !counted(n.addCertificateOfOwnership(coo, lookup))) {
                return false;
            }
        }
        return true;
    }

    /** Counts a rejection; false only for a deferral. */
    private boolean counted(Membership.AddResult r) {
        if (r == Membership.AddResult.REJECTED) {
            drops.add(DropReason.CREDENTIAL_REJECTED);
        } else if (r != Membership.AddResult.DEFERRED) {
            acceptedAny = true;
        }
        return r != Membership.AddResult.DEFERRED;
    }

    /** Fast propagation (ZT1-05 §6.5 item 2): the same one-revocation packet to every member we know. */
    private void propagate(Network n, Revocation r, long source, long nowMs) {
        List<Long> to = new ArrayList<>();
        long signer = r.signedBy().value();
        n.forEachMember(a -> {
            if (a != source && a != signer && a != topology.selfAddress()) {
                to.add(a);
            }
        });
        NetworkCredentials payload = NetworkCredentials.ofRevocation(r);
        for (long a : to) {
            networks.send(a, payload, nowMs);
        }
    }

    /**
     * Sends the parts of multi-packet pushes that are due; re-runs deferred packets whose signer
     * may be known now and drops those older than 5 s.
     */
    void timerTasks(long nowMs) {
        sendDueParts(nowMs);
        if (deferred.isEmpty() || nowMs - lastTimerMs < Timing.WHOIS_RETRY_DELAY_MS) {
            return;
        }
        lastTimerMs = nowMs;
        List<Deferred> waiting = new ArrayList<>(deferred);
        deferred.clear();
        for (Deferred d : waiting) {
            if (nowMs - d.createdMs > Timing.RECEIVE_QUEUE_TIMEOUT_MS) {
                drops.add(DropReason.UNKNOWN_SOURCE);
            } else if (!process(d.source, d.credentials, nowMs)) {
                deferred.add(d);
            }
        }
    }

    long nextTimerMs() {
        long next = deferred.isEmpty() ? Long.MAX_VALUE : lastTimerMs + Timing.WHOIS_RETRY_DELAY_MS;
        // indexed: the host asks after every input batch, and an iterator per call is an
        // allocation wherever the JIT does not remove it (seen: 32 B per call on a port thread)
        for (int i = 0; i < pending.size(); i++) {
            next = Math.min(next, pending.get(i).dueMs);
        }
        return next;
    }

    private void sendDueParts(long nowMs) {
        for (int i = 0; i < pending.size(); i++) {
            PendingPush p = pending.get(i);
            if (networks.get(p.nwid) == null) {
                pending.remove(i--); // left meanwhile
                continue;
            }
            if (p.dueMs > nowMs) {
                continue;
            }
            networks.send(p.peer, p.parts.getFirst(), nowMs);
            List<NetworkCredentials> rest = p.parts.subList(1, p.parts.size());
            if (rest.isEmpty()) {
                pending.remove(i--);
            } else {
                pending.set(i, new PendingPush(p.nwid, p.peer, rest, nowMs + PUSH_PART_SPACING_MS));
            }
        }
    }

    int deferredCount() {
        return deferred.size();
    }

    // ---- pushing

    /**
     * Before a frame to member {@code peer} (1.14.1's {@code pushCredentialsIfNeeded}): push if we
     * have not since our config last changed, or not for {@link Timing#CREDENTIALS_REPUSH_PERIOD_MS}.
     */
    void pushIfNeeded(Network n, long peer, long nowMs) {
        Membership m = n.membership(peer);
        if (m != null && (m.lastPushedCredentialsMs < n.lastConfigUpdateMs
                || nowMs - m.lastPushedCredentialsMs > Timing.CREDENTIALS_REPUSH_PERIOD_MS)) {
            push(n, m, nowMs);
        }
    }

    /** ERROR(NEED_MEMBERSHIP_CERTIFICATE) from {@code peer}: push if our config has a COM, at most once a second. */
    void onCredentialsRequested(Network n, long peer, long nowMs) {
        NetworkConfig c = n.config();
        if (c == null || c.certificateOfMembership().isEmpty()) {
            return;
        }
        Membership m = n.membership(peer);
        if (m != null && (m.lastPushedCredentialsMs < n.lastConfigUpdateMs
                || nowMs - m.lastPushedCredentialsMs > Timing.PEER_CREDENTIALS_REQUEST_RATE_LIMIT_MS)) {
            push(n, m, nowMs);
        }
    }

    private void push(Network n, Membership m, long nowMs) {
        NetworkConfig c = n.config();
        if (c == null || m.address == topology.selfAddress()) {
            return;
        }
        List<NetworkCredentials> parts = pushPayloads(c);
        pending.removeIf(p -> p.nwid == n.nwid && p.peer == m.address);
        if (parts.isEmpty()) {
            return;
        }
        networks.send(m.address, parts.getFirst(), nowMs);
        if (parts.size() > 1 && pending.size() < PENDING_PUSHES_MAX) {
            pending.add(new PendingPush(n.nwid, m.address, List.copyOf(parts.subList(1, parts.size())),
                    nowMs + PUSH_PART_SPACING_MS));
        }
        m.lastPushedCredentialsMs = nowMs;
    }

    /**
     * Our credentials from {@code config} as 1.14.1's {@code Membership::pushCredentials} packs
     * them (ZT1-05 §7.7): the COM in the first packet only, then capabilities, tags and COOs while
     * each packet passes 1.14.1's size tests, no revocations; empty if there is nothing at all.
     */
    static List<NetworkCredentials> pushPayloads(NetworkConfig config) {
        Optional<CertificateOfMembership> com = config.certificateOfMembership();
        List<Capability> caps = config.capabilities();
        List<Tag> tags = config.tags();
        List<CertificateOfOwnership> coos = config.certificatesOfOwnership();
        List<NetworkCredentials> out = new ArrayList<>();
        if (com.isEmpty() && caps.isEmpty() && tags.isEmpty() && coos.isEmpty()) {
            return out;
        }
        int capAt = 0;
        int tagAt = 0;
        int cooAt = 0;
        boolean first = true;
        do {
            int size = PacketHeader.IDX_PAYLOAD;
            List<CertificateOfMembership> coms = List.of();
            if (first && com.isPresent()) {
                coms = List.of(com.get());
                size += com.get().toBytes().length;
            }
            size += 1 + 2;
            int capFrom = capAt;
            while (capAt < caps.size() && size + CAPABILITY_SIZEOF + PACKING_SLACK < PacketHeader.MAX_LENGTH) {
                size += caps.get(capAt++).toBytes().length;
            }
            size += 2;
            int tagFrom = tagAt;
            while (tagAt < tags.size() && size + TAG_SIZEOF + PACKING_SLACK < PacketHeader.MAX_LENGTH) {
                size += tags.get(tagAt++).toBytes().length;
            }
            size += 2 + 2;
            int cooFrom = cooAt;
            while (cooAt < coos.size() && size + COO_SIZEOF + PACKING_SLACK < PacketHeader.MAX_LENGTH) {
                size += coos.get(cooAt++).toBytes().length;
            }
            out.add(new NetworkCredentials(coms, caps.subList(capFrom, capAt), tags.subList(tagFrom, tagAt), List.of(),
                    coos.subList(cooFrom, cooAt)));
            first = false;
        } while (capAt < caps.size() || tagAt < tags.size() || cooAt < coos.size());
        return out;
    }
}
