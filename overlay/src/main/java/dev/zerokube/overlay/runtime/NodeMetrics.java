package dev.zerokube.overlay.runtime;

import com.sun.net.httpserver.HttpServer;
import dev.zerokube.overlay.node.DropReason;
import dev.zerokube.overlay.node.Node;
import dev.zerokube.overlay.node.PeerStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The node's counters in Prometheus' text format (API.md: names prefixed {@code zerokube_}):
 * physical datagrams and bytes in and out, drops by {@link DropReason}, peers by path kind, paths,
 * table use and online state. The node is single-threaded, so {@link #scrape} reads a snapshot
 * that {@link #refresh} takes on the node's thread; {@link #serve} puts that on
 * {@code GET /metrics} of a small HTTP server.
 *
 * <p>The text is written here rather than through Micrometer: the node has a dozen fixed series,
 * and Micrometer with its Prometheus registry was about 150 classes, their metadata and a registry
 * in every sidecar's memory (docs/performance.md, "Pod sidecar start and memory"). The output is
 * what Micrometer's Prometheus registry wrote for the same meters (names with the {@code _total}
 * suffix on counters, one {@code # HELP} and {@code # TYPE} per name, names in ascending order,
 * values as doubles), so dashboards and tests see no change. ZeroTier One's own {@code zt_*} names
 * (ZT1-10 §5) have no suffix; zerokube's names are its own. Other components add their own text
 * with {@link #include} (the controller's metrics, so one scrape has both).
 */
public final class NodeMetrics {
    public static final String PACKETS = "zerokube.node.packets";
    public static final String BYTES = "zerokube.node.bytes";
    public static final String SEND_FAILURES = "zerokube.node.send.failures";
    public static final String DROPS = "zerokube.node.drops";
    public static final String PEERS = "zerokube.node.peers";
    public static final String PATHS = "zerokube.node.paths";
    public static final String ONLINE = "zerokube.node.online";
    public static final String WAITING = "zerokube.node.waiting.packets";
    /** How long a scrape waits for the node's thread before it reports the previous snapshot. */
    static final long SNAPSHOT_WAIT_MS = 2_000;

    private final NodeService service;
    private final List<Supplier<String>> included = new CopyOnWriteArrayList<>();
    private volatile Snapshot snapshot = new Snapshot(new long[DropReason.values().length], 0, 0, 0, 0, false, 0, 0);

    private record Snapshot(long[] drops, int peers, int direct, int relayed, int paths, boolean online, int parked,
            int queued) {}

    /** Metrics of {@code service}. */
    public NodeMetrics(NodeService service) {
        this.service = service;
    }

    /** Appends {@code section}'s text (whole metric families, Prometheus text format) to every scrape. */
    public void include(Supplier<String> section) {
        included.add(section);
    }

    /** Takes a fresh snapshot on the node's thread (waits up to 2 s; keeps the old one if the node does not answer). */
    public void refresh() {
        try {
            snapshot = service.call(n -> take(n, service.nowMs())).get(SNAPSHOT_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // closed or busy node: report the previous snapshot rather than fail the scrape
        }
    }

    private static Snapshot take(Node node, long nowMs) {
        long[] drops = new long[DropReason.values().length];
        for (DropReason r : DropReason.values()) {
            drops[r.ordinal()] = node.dropCount(r);
        }
        int direct = 0;
        int relayed = 0;
        int paths = 0;
        for (PeerStatus p : node.peers(nowMs)) {
            for (PeerStatus.PathStatus path : p.paths()) {
                paths += path.expired() ? 0 : 1;
            }
            if (p.hasDirectPath()) {
                direct++;
            } else {
                relayed++;
            }
        }
        Node.Usage u = node.usage();
        return new Snapshot(drops, u.peers(), direct, relayed, paths, node.isOnline(), u.parked(), u.queued());
    }

    /** Refreshes and renders the node's metrics, then every {@linkplain #include included} section. */
    public String scrape() {
        refresh();
        Snapshot m = snapshot;
        NodeService.Traffic t = service.traffic();
        StringBuilder out = new StringBuilder(4096);
        family(out, name(BYTES, true), "UDP payload bytes received", "counter",
                "direction=\"rx\"", t.bytesIn(), "direction=\"tx\"", t.bytesOut());
        header(out, name(DROPS, true), "received datagrams dropped, by reason", "counter");
        for (DropReason reason : DropReason.values()) {
            sample(out, name(DROPS, true), "reason=\"" + reason.name().toLowerCase(Locale.ROOT) + "\"",
                    m.drops()[reason.ordinal()]);
        }
        family(out, name(ONLINE, false), "1 while a root was heard within 500 s (or this node is a root)", "gauge",
                null, m.online() ? 1 : 0);
        family(out, name(PACKETS, true), "UDP datagrams received", "counter",
                "direction=\"rx\"", t.packetsIn(), "direction=\"tx\"", t.packetsOut());
        family(out, name(PATHS, false), "direct paths held (non-expired slots)", "gauge", null, m.paths());
        family(out, name(PEERS, false), "peers held, by whether a direct path exists", "gauge",
                "path=\"direct\"", m.direct(), "path=\"relayed\"", m.relayed());
        family(out, name(SEND_FAILURES, true), "datagrams no socket took (wrong family, socket busy or closed)",
                "counter", null, t.sendFailures());
        family(out, name(WAITING, false), "packets waiting", "gauge",
                "queue=\"identity\"", m.parked(), "queue=\"send\"", m.queued());
        for (Supplier<String> section : included) {
            out.append(section.get());
        }
        return out.toString();
    }

    /** The Prometheus name of a dotted meter name (counters get {@code _total}, as Micrometer named them). */
    static String name(String dotted, boolean counter) {
        return dotted.replace('.', '_') + (counter ? "_total" : "");
    }

    /** One family: its header, then (labels, value) pairs; a null label set is a series without labels. */
    private static void family(StringBuilder out, String name, String help, String type, Object... labelsAndValues) {
        header(out, name, help, type);
        for (int i = 0; i < labelsAndValues.length; i += 2) {
            sample(out, name, (String) labelsAndValues[i], ((Number) labelsAndValues[i + 1]).doubleValue());
        }
    }

    private static void header(StringBuilder out, String name, String help, String type) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder out, String name, String labels, double value) {
        out.append(name);
        if (labels != null) {
            out.append('{').append(labels).append('}');
        }
        out.append(' ').append(value).append('\n');
    }

    /**
     * Serves {@link #scrape} on {@code GET /metrics} at {@code address} (use a loopback address
     * unless the network around it is trusted: there is no authentication). Close the returned
     * server to stop.
     */
    public Server serve(InetSocketAddress address) throws IOException {
        HttpServer server = HttpServer.create(address, 16);
        server.createContext("/metrics", exchange -> {
            try (exchange) {
                if (!exchange.getRequestURI().getPath().equals("/metrics")) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                    exchange.sendResponseHeaders(405, -1);
                    return;
                }
                byte[] body = scrape().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                boolean head = exchange.getRequestMethod().equals("HEAD");
                exchange.sendResponseHeaders(200, head ? -1 : body.length);
                if (!head) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                }
            }
        });
        server.start();
        return new Server(server);
    }

    /** A running metrics HTTP server. */
    public static final class Server implements AutoCloseable {
        private final HttpServer server;

        Server(HttpServer server) {
            this.server = server;
        }

        /** The address it listens on (the actual port when 0 was asked). */
        public InetSocketAddress address() {
            return server.getAddress();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
