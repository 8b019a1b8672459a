package dev.zerokube.overlay.runtime;

import dev.zerokube.overlay.wire.NetworkId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The networks a node has joined and each one's local settings (ZT1-10 §2.6), kept in memory and
 * in the home directory ({@code networks.d/<nwid>.conf} marks a join, {@code <nwid>.local.conf}
 * holds the four flags). Thread-safe: the local API's threads read and change it.
 */
public final class JoinedNetworks {
    /**
     * The per-network local settings; 1.14.1's defaults are {@link #DEFAULTS}.
     */
    public record Settings(boolean allowManaged, boolean allowGlobal, boolean allowDefault, boolean allowDns) {}

    /** allowManaged on, the rest off ({@code NetworkState}'s defaults in 1.14.1). */
    public static final Settings DEFAULTS = new Settings(true, false, false, false);

    private final NodeHome home;
    private final Map<NetworkId, Settings> joined = new TreeMap<>();

    /** The networks {@code home} records as joined, with their stored settings. */
    public JoinedNetworks(NodeHome home) {
        this.home = home;
        for (NetworkId id : home.networks()) {
            joined.put(id, settingsOf(home.networkLocalSettings().getOrDefault(id, Map.of())));
        }
    }

    /**
     * 1.14.1's reading of {@code <nwid>.local.conf} (ZT1-10 §2.6): a flag is on iff its value
     * starts with 1, t or T; a missing {@code allowManaged} is on. (A longer {@code allowManaged}
     * value, an address whitelist that only hand-edited files carry, counts as on.)
     */
    static Settings settingsOf(Map<String, String> kv) {
        return new Settings(kv.containsKey("allowManaged") ? truthy(kv.get("allowManaged")) || kv.get("allowManaged").length() > 5 : true,
                truthy(kv.get("allowGlobal")), truthy(kv.get("allowDefault")), truthy(kv.get("allowDNS")));
    }

    private static boolean truthy(String v) {
        return v != null && !v.isEmpty() && (v.charAt(0) == '1' || v.charAt(0) == 't' || v.charAt(0) == 'T');
    }

    /** Joined networks in ascending ID order. */
    public synchronized List<NetworkId> ids() {
        return List.copyOf(joined.keySet());
    }

    public synchronized Optional<Settings> settings(NetworkId id) {
        return Optional.ofNullable(joined.get(id));
    }

    /** Joins (idempotent) and records it; returns whether it was new. */
    public synchronized boolean join(NetworkId id) throws NodeHome.HomeException {
        if (joined.containsKey(id)) {
            return false;
        }
        home.saveJoined(id);
        joined.put(id, DEFAULTS);
        return true;
    }

    /** Changes a joined network's settings and writes them. */
    public synchronized void set(NetworkId id, Settings settings) throws NodeHome.HomeException {
        if (!joined.containsKey(id)) {
            throw new IllegalStateException("network " + id + " is not joined");
        }
        home.saveLocalSettings(id, settings.allowManaged(), settings.allowGlobal(), settings.allowDefault(),
                settings.allowDns());
        joined.put(id, settings);
    }

    /** Leaves; returns whether the network was joined. */
    public synchronized boolean leave(NetworkId id) throws NodeHome.HomeException {
        if (!joined.containsKey(id)) {
            return false;
        }
        home.saveLeft(id);
        joined.remove(id);
        return true;
    }
}
