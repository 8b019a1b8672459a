package dev.zerokube.operator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The replica's probes and metrics over plain HTTP (JDK HttpServer): {@code /healthz} (the process
 * runs: 200 unless stopped), {@code /readyz} (caches are filled and the replica leads or stands by:
 * 200, else 503), {@code /metrics} (Prometheus text; names from API.md: {@code zerokube_...}).
 */
public final class HealthServer implements AutoCloseable {
    private final HttpServer server;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    /** Serves {@code operator}'s state on {@code port} of every interface (0: any free port). */
    public HealthServer(ZerokubeOperator operator, int port) throws IOException {
        Gauge.builder("zerokube_operator_leader", operator, o -> o.state() == ZerokubeOperator.State.LEADING ? 1 : 0)
                .description("1 while this replica holds the Lease and reconciles").register(registry);
        FunctionCounter.builder("zerokube_controller_policy_changes", operator,
                        o -> o.controller() == null ? 0 : o.controller().changesHandled())
                .description("policy changes the embedded controller handled").register(registry);
        FunctionCounter.builder("zerokube_controller_effects", operator,
                        o -> o.controller() == null ? 0 : o.controller().effectsSent())
                .description("config pushes and revocations the embedded controller issued").register(registry);
        FunctionCounter.builder("zerokube_controller_requests", operator,
                        o -> o.controller() == null ? 0 : o.controller().requestsHandled())
                .description("config requests the embedded controller decided (UDP, while leading)").register(registry);
        Gauge.builder("zerokube_controller_udp_bound", operator, o -> o.controllerNode().isPresent() ? 1 : 0)
                .description("1 while this replica's controller node holds the UDP port (the leader only)")
                .register(registry);
        server = HttpServer.create(new InetSocketAddress(port), 16);
        server.createContext("/healthz", e -> reply(e, operator.state() != ZerokubeOperator.State.STOPPED ? 200 : 503,
                operator.state().name()));
        server.createContext("/readyz", e -> {
            ZerokubeOperator.State s = operator.state();
            reply(e, s == ZerokubeOperator.State.LEADING || s == ZerokubeOperator.State.STANDBY ? 200 : 503, s.name());
        });
        server.createContext("/metrics", e -> reply(e, 200, registry.scrape()));
        server.start();
    }

    /** The port it listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    private static void reply(HttpExchange e, int code, String body) throws IOException {
        byte[] b = (body + "\n").getBytes(StandardCharsets.UTF_8);
        e.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        e.sendResponseHeaders(code, b.length);
        try (OutputStream out = e.getResponseBody()) {
            out.write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        registry.close();
    }
}
