package dev.zerokube.overlay.runtime;

import dev.zerokube.overlay.wire.TrustedPaths;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The common {@code settings} of a home's {@code local.conf} (ZT1-07 §8, ZT1-10 §2.2, ZT1-11 §1.6)
 * that zerokube honours, read leniently like 1.14.1 (a value of the wrong type counts as absent):
 *
 * <ul>
 *   <li>{@code primaryPort}: the UDP port and the local API's TCP port (default 9993);</li>
 *   <li>{@code bind}: the local IPs to bind (default: every IPv4 address, 0.0.0.0);</li>
 *   <li>{@code allowManagementFrom}: networks besides loopback allowed to use the local API;</li>
 *   <li>{@code physical.<network>.trustedPathId} (beside {@code settings}): trusted paths,
 *       read strictly ({@link PhysicalPaths}).</li>
 * </ul>
 * Read and reported in {@code /status} but without effect: {@code allowSecondaryPort} and
 * {@code secondaryPort} (one UDP socket per address), {@code portMappingEnabled} (no UPnP or
 * NAT-PMP), {@code allowTcpFallbackRelay} and {@code forceTcpRelay} (no TCP fallback relay:
 * zerokube's roots relay over UDP, and the public relay at 204.80.128.1/443 belongs to ZeroTier's
 * network). {@link #json()} keeps the whole file for {@code /status}'s {@code config}.
 */
public record LocalConf(int primaryPort, List<String> bind, List<String> allowManagementFrom,
        boolean allowTcpFallbackRelay, boolean portMappingEnabled, TrustedPaths trustedPaths, Map<String, Object> json) {
    /** ZeroTier's default port ({@code ZT_DEFAULT_PORT}). */
    public static final int DEFAULT_PORT = 9993;

    public LocalConf {
        java.util.Objects.requireNonNull(trustedPaths, "trustedPaths");
        bind = List.copyOf(bind);
        allowManagementFrom = List.copyOf(allowManagementFrom);
        json = java.util.Collections.unmodifiableMap(new TreeMap<>(json));
    }

    /** No local.conf: every default. */
    public static LocalConf defaults() {
        return new LocalConf(DEFAULT_PORT, List.of(), List.of(), false, false, TrustedPaths.NONE, Map.of());
    }

    /**
     * Reads local.conf text (a JSON object). A key given twice counts once, the last, as in
     * 1.14.1's parser; booleans are read as 1.14.1 and the Jackson reader used before did
     * ({@code true}/{@code false}, a non-zero integer, the text "true").
     */
    public static LocalConf parse(String text) {
        Object root;
        try {
            root = JsonText.parseLastWins(text.getBytes(StandardCharsets.UTF_8));
        } catch (JsonText.JsonSyntaxException e) {
            throw new IllegalArgumentException("local.conf is not JSON: " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?> r)) {
            throw new IllegalArgumentException("local.conf is not a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) r;
        Map<?, ?> settings = json.get("settings") instanceof Map<?, ?> m ? m : Map.of();
        int port = DEFAULT_PORT;
        if (settings.get("primaryPort") instanceof Long p) {
            port = p.intValue() & 0xffff;
        }
        return new LocalConf(port, strings(settings.get("bind")), strings(settings.get("allowManagementFrom")),
                bool(settings.get("allowTcpFallbackRelay")), bool(settings.get("portMappingEnabled")),
                PhysicalPaths.trustedPaths(json.get("physical")), json);
    }

    private static boolean bool(Object v) {
        return switch (v) {
            case Boolean b -> b;
            case Long n -> n != 0;
            case String s -> s.strip().equals("true");
            case null, default -> false;
        };
    }

    /** The home's local.conf, or the defaults when it has none. */
    public static LocalConf of(NodeHome home) {
        Optional<String> text = home.localConfJson();
        return text.map(LocalConf::parse).orElseGet(LocalConf::defaults);
    }

    private static List<String> strings(Object array) {
        List<String> out = new ArrayList<>();
        if (array instanceof List<?> l) {
            for (Object n : l) {
                if (n instanceof String t) {
                    out.add(t);
                }
            }
        }
        return out;
    }
}
