package dev.zerokube.overlay.runtime;

import com.sun.net.httpserver.HttpServer;
import dev.zerokube.overlay.node.DropReason;
import dev.zerokube.overlay.node.Node;
import dev.zerokube.overlay.node.PeerStatus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The node's counters as Micrometer meters (API.md: names prefixed {@code zerokube_}): physical
 * datagrams and bytes in and out, drops by {@link DropReason}, peers by path kind, paths, table
 * use and online state. The node is single-threaded, so the meters read a snapshot that
 * {@link #refresh} takes on the node's thread; {@link #scrape} refreshes and renders Prometheus
 * text, and {@link #serve} puts that on {@code GET /metrics} of a small HTTP server.
 *
 * <p>Counter names get Prometheus' {@code _total} suffix from Micrometer (ZeroTier One's own
 * {@code zt_*} names, ZT1-10 §5, have none; zerokube's names are its own).
 */
public final class NodeMetrics implements MeterBinder {
    public static final String PACKETS = "zerokube.node.packets";
    public static final String BYTES = "zerokube.node.bytes";
    public static final String SEND_FAILURES = "zerokube.node.send.failures";
    public static final String SEND_WAITS = "zerokube.node.send.waits";
    public static final String DROPS = "zerokube.node.drops";
    public static final String PEERS = "zerokube.node.peers";
    public static final String PATHS = "zerokube.node.paths";
    public static final String ONLINE = "zerokube.node.online";
    public static final String WAITING = "zerokube.node.waiting.packets";
    /** How long a scrape waits for the node's thread before it reports the previous snapshot. */
    static final long SNAPSHOT_WAIT_MS = 2_000;

    private final NodeService service;
    private final PrometheusMeterRegistry registry;
    private volatile Snapshot snapshot = new Snapshot(new long[DropReason.values().length], 0, 0, 0, 0, false, 0, 0);

    private record Snapshot(long[] drops, int peers, int direct, int relayed, int paths, boolean online, int parked,
            int queued) {}

    /** Metrics of {@code service}, registered in a fresh Prometheus registry (see {@link #registry()}). */
    public NodeMetrics(NodeService service) {
        this.service = service;
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        bindTo(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void bindTo(MeterRegistry r) {
        FunctionCounter.builder(PACKETS, service, s -> s.traffic().packetsIn()).tag("direction", "rx")
                .description("UDP datagrams received").register(r);
        FunctionCounter.builder(PACKETS, service, s -> s.traffic().packetsOut()).tag("direction", "tx")
                .description("UDP datagrams sent").register(r);
        FunctionCounter.builder(BYTES, service, s -> s.traffic().bytesIn()).tag("direction", "rx")
                .baseUnit("bytes").description("UDP payload bytes received").register(r);
        FunctionCounter.builder(BYTES, service, s -> s.traffic().bytesOut()).tag("direction", "tx")
                .baseUnit("bytes").description("UDP payload bytes sent").register(r);
        FunctionCounter.builder(SEND_FAILURES, service, s -> s.traffic().sendFailures())
                .description("datagrams no socket took (wrong family, socket busy or closed)").register(r);
        FunctionCounter.builder(SEND_WAITS, service, s -> s.traffic().sendWaits())
                .description("times a UDP socket's buffer was full and queued sends waited for room").register(r);
        for (DropReason reason : DropReason.values()) {
            FunctionCounter.builder(DROPS, this, m -> m.snapshot.drops()[reason.ordinal()])
                    .tag("reason", reason.name().toLowerCase(Locale.ROOT))
                    .description("received datagrams dropped, by reason").register(r);
        }
        Gauge.builder(PEERS, this, m -> m.snapshot.direct()).tag("path", "direct")
                .description("peers held, by whether a direct path exists").register(r);
        Gauge.builder(PEERS, this, m -> m.snapshot.relayed()).tag("path", "relayed")
                .description("peers held, by whether a direct path exists").register(r);
        Gauge.builder(PATHS, this, m -> m.snapshot.paths()).description("direct paths held (non-expired slots)")
                .register(r);
        Gauge.builder(ONLINE, this, m -> m.snapshot.online() ? 1 : 0)
                .description("1 while a root was heard within 500 s (or this node is a root)").register(r);
        Gauge.builder(WAITING, this, m -> m.snapshot.parked()).tag("queue", "identity")
                .description("packets waiting").register(r);
        Gauge.builder(WAITING, this, m -> m.snapshot.queued()).tag("queue", "send").description("packets waiting")
                .register(r);
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

    /** Refreshes and renders every meter of the registry in the Prometheus text format. */
    public String scrape() {
        refresh();
        return registry.scrape();
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
