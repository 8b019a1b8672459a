package dev.zerokube.overlay.controller;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.netconf.ConfigRequestMetadata;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The controller's memory of recent requests, per (network, member), as 1.14.1's
 * {@code _memberStatus} (ZT1-09 §5.1): the last accepted request time (the 1 s rate limit and
 * "online" = asked within 120 s) and, for authorized genuine requests, the identity and metadata
 * a push replays. Not persisted: after a restart no member is online until it asks again
 * (≤ 60 s). Bounded: when full, entries older than the online window are dropped, and if that
 * frees nothing new members are served without being tracked.
 */
final class MemberStatusTable {
    /** {@code ZT_NETCONF_MIN_REQUEST_PERIOD}: a request this soon after the last one is dropped. */
    static final long REQUEST_PERIOD_MIN_MS = 1000;
    /** 2 × {@code ZT_NETWORK_AUTOCONF_DELAY}: a member that asked this recently is online. */
    static final long ONLINE_WINDOW_MS = 120_000;
    /** Entries kept at most by default. */
    static final int ENTRIES_MAX = 1 << 20;

    /** What a push needs to replay a member's request. */
    record Replay(Address member, Identity identity, ConfigRequestMetadata metadata) {}

    private static final class Status {
        long lastRequestTimeMs;
        Identity identity;
        ConfigRequestMetadata metadata;
    }

    private final Map<NetworkId, Map<Address, Status>> byNetwork = new HashMap<>();
    private final int entriesMax;
    private int size;

    MemberStatusTable(int entriesMax) {
        this.entriesMax = entriesMax;
    }

    /** Number of tracked (network, member) entries. */
    int size() {
        return size;
    }

    /**
     * The rate limit of a genuine request: false (drop it silently) if the member's previous
     * accepted request for this network was at most 1 s ago, else records {@code nowMs} and
     * returns true.
     */
    boolean admit(NetworkId network, Address member, long nowMs) {
        Status s = byNetwork.getOrDefault(network, Map.of()).get(member);
        if (s != null) {
            if (nowMs - s.lastRequestTimeMs <= REQUEST_PERIOD_MIN_MS) {
                return false;
            }
            s.lastRequestTimeMs = nowMs;
            return true;
        }
        if (size >= entriesMax && pruneOffline(nowMs) == 0) {
            return true;
        }
        s = new Status();
        s.lastRequestTimeMs = nowMs;
        byNetwork.computeIfAbsent(network, k -> new HashMap<>()).put(member, s);
        size++;
        return true;
    }

    /** Keeps what a push of this member's config replays (authorized genuine requests only). */
    void remember(NetworkId network, Address member, Identity identity, ConfigRequestMetadata metadata) {
        Status s = byNetwork.getOrDefault(network, Map.of()).get(member);
        if (s != null) {
            s.identity = identity;
            s.metadata = metadata;
        }
    }

    /** Whether the member asked for this network's config within the online window. */
    boolean isOnline(NetworkId network, Address member, long nowMs) {
        Status s = byNetwork.getOrDefault(network, Map.of()).get(member);
        return s != null && online(s, nowMs);
    }

    /** Every online member of the network, authorized or not, ascending by address. */
    List<Address> online(NetworkId network, long nowMs) {
        List<Address> out = new ArrayList<>();
        byNetwork.getOrDefault(network, Map.of()).forEach((a, s) -> {
            if (online(s, nowMs)) {
                out.add(a);
            }
        });
        out.sort(null);
        return out;
    }

    /** The replay of one member's request, if it is online and was ever authorized. */
    Optional<Replay> replay(NetworkId network, Address member, long nowMs) {
        Status s = byNetwork.getOrDefault(network, Map.of()).get(member);
        return s != null && online(s, nowMs) && s.metadata != null
                ? Optional.of(new Replay(member, s.identity, s.metadata))
                : Optional.empty();
    }

    /** The replays of every online member of the network with stored metadata, ascending by address. */
    List<Replay> replays(NetworkId network, long nowMs) {
        List<Replay> out = new ArrayList<>();
        for (Address a : online(network, nowMs)) {
            replay(network, a, nowMs).ifPresent(out::add);
        }
        return out;
    }

    private static boolean online(Status s, long nowMs) {
        return nowMs - s.lastRequestTimeMs < ONLINE_WINDOW_MS;
    }

    private int pruneOffline(long nowMs) {
        int removed = 0;
        for (Iterator<Map<Address, Status>> n = byNetwork.values().iterator(); n.hasNext(); ) {
            Map<Address, Status> m = n.next();
            for (Iterator<Status> i = m.values().iterator(); i.hasNext(); ) {
                if (!online(i.next(), nowMs)) {
                    i.remove();
                    removed++;
                }
            }
            if (m.isEmpty()) {
                n.remove();
            }
        }
        size -= removed;
        return removed;
    }
}
