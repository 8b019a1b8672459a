package dev.zerokube.operator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The operator's settings, from environment variables or {@code --flag=value} arguments (flags win).
 * Every setting has a default that fits the Helm chart.
 *
 * <table>
 *   <caption>settings</caption>
 *   <tr><th>flag</th><th>environment</th><th>default</th></tr>
 *   <tr><td>--namespace</td><td>ZEROKUBE_NAMESPACE</td><td>the pod's namespace, else zerokube-system</td></tr>
 *   <tr><td>--identity-secret</td><td>ZEROKUBE_IDENTITY_SECRET</td><td>zerokube-controller-identity</td></tr>
 *   <tr><td>--pending-namespace</td><td>ZEROKUBE_PENDING_NAMESPACE</td><td>the namespace</td></tr>
 *   <tr><td>--leader-election</td><td>ZEROKUBE_LEADER_ELECTION</td><td>true</td></tr>
 *   <tr><td>--lease-name</td><td>ZEROKUBE_LEASE_NAME</td><td>zerokube-operator</td></tr>
 *   <tr><td>--lease-duration-seconds</td><td>ZEROKUBE_LEASE_DURATION_SECONDS</td><td>10</td></tr>
 *   <tr><td>--instance</td><td>POD_NAME, else HOSTNAME</td><td>zerokube-operator</td></tr>
 *   <tr><td>--health-port</td><td>ZEROKUBE_HEALTH_PORT</td><td>8080</td></tr>
 *   <tr><td>--status-writes-per-second</td><td>ZEROKUBE_STATUS_WRITES_PER_SECOND</td><td>20</td></tr>
 * </table>
 *
 * @param namespace the operator's own namespace (identity Secret, Lease, events of cluster-scoped objects)
 * @param identitySecret the Secret holding the controller identity
 * @param pendingNamespace where Members of unknown devices that ask for a config are created
 * @param leaderElection whether to elect a leader through a Lease (off only for a single replica)
 * @param leaseName the Lease's name
 * @param leaseDuration how long a silent leader keeps the Lease; the standby takes over after it
 * @param instance this replica's name (Lease holder identity, event reporter)
 * @param healthPort port of /healthz, /readyz and /metrics (0: any free port)
 * @param statusWritesPerSecond bound on Member status writes from request records
 * @param exitOnStopLeading exit the process when leadership is lost (production), else stop reconciling
 */
public record OperatorConfig(String namespace, String identitySecret, String pendingNamespace, boolean leaderElection,
        String leaseName, Duration leaseDuration, String instance, int healthPort, int statusWritesPerSecond,
        boolean exitOnStopLeading) {

    /** The service account's namespace file in a pod. */
    static final Path POD_NAMESPACE_FILE = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");

    public OperatorConfig {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(identitySecret, "identitySecret");
        Objects.requireNonNull(pendingNamespace, "pendingNamespace");
        Objects.requireNonNull(leaseName, "leaseName");
        Objects.requireNonNull(leaseDuration, "leaseDuration");
        Objects.requireNonNull(instance, "instance");
        if (leaseDuration.toSeconds() < 3) {
            throw new IllegalArgumentException("lease duration must be at least 3 s: " + leaseDuration);
        }
        if (healthPort < 0 || healthPort > 65535) {
            throw new IllegalArgumentException("health port out of range: " + healthPort);
        }
        if (statusWritesPerSecond < 1) {
            throw new IllegalArgumentException("status writes per second must be at least 1");
        }
    }

    /** Time a leader has to renew the Lease before it gives up: 70 % of the lease duration. */
    public Duration renewDeadline() {
        return leaseDuration.multipliedBy(7).dividedBy(10);
    }

    /** Time between attempts to acquire or renew: a fifth of the lease duration, at most 2 s. */
    public Duration retryPeriod() {
        Duration d = leaseDuration.dividedBy(5);
        return d.compareTo(Duration.ofSeconds(2)) > 0 ? Duration.ofSeconds(2) : d;
    }

    /** Settings from {@code env} and {@code args}; unknown flags are an error. */
    public static OperatorConfig parse(Map<String, String> env, String... args) {
        Map<String, String> flags = new HashMap<>();
        for (String a : args) {
            if (!a.startsWith("--") || a.indexOf('=') < 0) {
                throw new IllegalArgumentException("expected --flag=value, got " + a);
            }
            flags.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
        }
        Settings s = new Settings(env, flags);
        String namespace = s.get("namespace", "ZEROKUBE_NAMESPACE", podNamespace());
        OperatorConfig c = new OperatorConfig(
                namespace,
                s.get("identity-secret", "ZEROKUBE_IDENTITY_SECRET", "zerokube-controller-identity"),
                s.get("pending-namespace", "ZEROKUBE_PENDING_NAMESPACE", namespace),
                Boolean.parseBoolean(s.get("leader-election", "ZEROKUBE_LEADER_ELECTION", "true")),
                s.get("lease-name", "ZEROKUBE_LEASE_NAME", "zerokube-operator"),
                Duration.ofSeconds(Long.parseLong(s.get("lease-duration-seconds", "ZEROKUBE_LEASE_DURATION_SECONDS", "10"))),
                s.get("instance", "POD_NAME", env.getOrDefault("HOSTNAME", "zerokube-operator")),
                Integer.parseInt(s.get("health-port", "ZEROKUBE_HEALTH_PORT", "8080")),
                Integer.parseInt(s.get("status-writes-per-second", "ZEROKUBE_STATUS_WRITES_PER_SECOND", "20")),
                true);
        if (!flags.isEmpty()) {
            throw new IllegalArgumentException("unknown flags: " + flags.keySet());
        }
        return c;
    }

    /** This configuration with leadership loss handled by stopping reconcilers instead of exiting (tests). */
    public OperatorConfig withoutExitOnStopLeading() {
        return new OperatorConfig(namespace, identitySecret, pendingNamespace, leaderElection, leaseName, leaseDuration,
                instance, healthPort, statusWritesPerSecond, false);
    }

    private static String podNamespace() {
        try {
            return Files.isReadable(POD_NAMESPACE_FILE) ? Files.readString(POD_NAMESPACE_FILE).trim() : "zerokube-system";
        } catch (java.io.IOException e) {
            return "zerokube-system";
        }
    }

    private record Settings(Map<String, String> env, Map<String, String> flags) {
        String get(String flag, String variable, String fallback) {
            String f = flags.remove(flag);
            if (f != null) {
                return f;
            }
            String e = env.get(variable);
            return e != null && !e.isEmpty() ? e : fallback;
        }
    }
}
