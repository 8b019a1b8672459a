package dev.zerokube.overlay.runtime;

import dev.zerokube.overlay.controller.ConfigDecision;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The controller service's Prometheus metrics. Names follow 1.14.1's controller metrics where it
 * has them (ZT1-10 §5: {@code controller_network_count}, {@code controller_member_count},
 * {@code controller_network_config_request}); Micrometer adds {@code _total} to counters, which
 * 1.14.1 does not.
 *
 * <ul>
 *   <li>{@code controller_network_config_request_total}: config requests the controller decided
 *   <li>{@code controller_configs_issued_total}: configs sent (replies and pushes)
 *   <li>{@code controller_denials_total{reason}}: refusals (ACCESS_DENIED, OBJECT_NOT_FOUND, ...)
 *       and ignored requests (RATE_LIMITED, STORE_CONFLICT, ...)
 *   <li>{@code controller_api_requests_total{method,status}}: HTTP API requests
 *   <li>{@code controller_network_count}, {@code controller_member_count},
 *       {@code controller_store_problems}: from the store
 * </ul>
 * Thread-safe.
 */
public final class ControllerMetrics {
    private final PrometheusMeterRegistry registry;
    private final Counter requests;
    private final Counter issued;

    /** Metrics over {@code store}'s counts, in a registry of their own. */
    public ControllerMetrics(FilePolicyStore store) {
        this(store, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    /** Metrics over {@code store}'s counts, in {@code registry} (e.g. the node's, so one scrape has both). */
    public ControllerMetrics(FilePolicyStore store, PrometheusMeterRegistry registry) {
        this.registry = registry;
        requests = Counter.builder("controller_network_config_request")
                .description("Network config requests decided by the controller").register(registry);
        issued = Counter.builder("controller_configs_issued")
                .description("Signed network configs sent (replies and pushes)").register(registry);
        gauge("controller_network_count", "Networks served by the controller", store::networkCount);
        gauge("controller_member_count", "Member records of the served networks", store::memberCount);
        gauge("controller_store_problems", "Record files the store could not read at start",
                () -> store.problems().size());
    }

    private void gauge(String name, String help, Supplier<Number> value) {
        Gauge.builder(name, value).description(help).register(registry);
    }

    /** Counts one decided config request. */
    public void onDecision(ConfigDecision decision) {
        requests.increment();
        switch (decision) {
            case ConfigDecision.Reply r -> issued.increment();
            case ConfigDecision.Refuse r -> denial(r.code().name());
            case ConfigDecision.Ignore i -> denial(i.reason().name());
        }
    }

    /** Counts configs pushed because policy changed. */
    public void onPushed(int configs) {
        issued.increment(configs);
    }

    private void denial(String reason) {
        Counter.builder("controller_denials").description("Config requests refused or ignored, by reason")
                .tag("reason", reason.toLowerCase(Locale.ROOT)).register(registry).increment();
    }

    /** Counts one API request. */
    public void onApiRequest(String method, int status) {
        Counter.builder("controller_api_requests").description("Controller HTTP API requests")
                .tag("method", method).tag("status", Integer.toString(status)).register(registry).increment();
    }

    /** Prometheus text exposition of every metric. */
    public String scrape() {
        return registry.scrape();
    }
}
