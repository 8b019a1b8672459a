package dev.zerokube.overlay.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 *   <li>{@code allowManagementFrom}: networks besides loopback allowed to use the local API.</li>
 * </ul>
 * Read and reported in {@code /status} but without effect: {@code allowSecondaryPort} and
 * {@code secondaryPort} (one UDP socket per address), {@code portMappingEnabled} (no UPnP or
 * NAT-PMP), {@code allowTcpFallbackRelay} and {@code forceTcpRelay} (no TCP fallback relay:
 * zerokube's roots relay over UDP, and the public relay at 204.80.128.1/443 belongs to ZeroTier's
 * network). {@link #json()} keeps the whole file for {@code /status}'s {@code config}.
 */
public record LocalConf(int primaryPort, List<String> bind, List<String> allowManagementFrom,
        boolean allowTcpFallbackRelay, boolean portMappingEnabled, Map<String, Object> json) {
    /** ZeroTier's default port ({@code ZT_DEFAULT_PORT}). */
    public static final int DEFAULT_PORT = 9993;
    private static final ObjectMapper JSON = new ObjectMapper();

    public LocalConf {
        bind = List.copyOf(bind);
        allowManagementFrom = List.copyOf(allowManagementFrom);
        json = java.util.Collections.unmodifiableMap(new TreeMap<>(json));
    }

    /** No local.conf: every default. */
    public static LocalConf defaults() {
        return new LocalConf(DEFAULT_PORT, List.of(), List.of(), false, false, Map.of());
    }

    /** Reads local.conf text (a JSON object). */
    public static LocalConf parse(String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("local.conf is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("local.conf is not a JSON object");
        }
        JsonNode settings = root.path("settings");
        int port = DEFAULT_PORT;
        JsonNode p = settings.path("primaryPort");
        if (p.isIntegralNumber()) {
            port = p.asInt() & 0xffff;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> json = JSON.convertValue(root, Map.class);
        return new LocalConf(port, strings(settings.path("bind")), strings(settings.path("allowManagementFrom")),
                settings.path("allowTcpFallbackRelay").asBoolean(false),
                settings.path("portMappingEnabled").asBoolean(false), json);
    }

    /** The home's local.conf, or the defaults when it has none. */
    public static LocalConf of(NodeHome home) {
        Optional<String> text = home.localConfJson();
        return text.map(LocalConf::parse).orElseGet(LocalConf::defaults);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array.isArray()) {
            for (JsonNode n : array) {
                if (n.isTextual()) {
                    out.add(n.asText());
                }
            }
        }
        return out;
    }

    /** {@code json()} as a Jackson tree (a fresh copy). */
    ObjectNode tree() {
        return JSON.valueToTree(json);
    }
}
