package dev.zerokube.operator;

import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.util.Queue;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Test support: the Fabric8 mock API server in CRUD mode with zerokube's CRDs and the operator's
 * namespace, and operator replicas against it. The mock server has no server-side apply, no
 * owner-reference garbage collection, no admission and no schema validation (TESTING.md). Public
 * (in the operator's test jar) for e2e's tests, which run the operator next to other processes.
 */
public final class MockCluster implements AutoCloseable {
    public static final String NAMESPACE = "zerokube-system";
    public static final String PENDING = "zerokube-pending";

    public final KubernetesMockServer server;
    public final NamespacedKubernetesClient client;
    private final List<ZerokubeOperator> replicas = new ArrayList<>();
    private final List<NamespacedKubernetesClient> clients = new ArrayList<>();

    static {
        // The mock server logs every request at INFO through java.util.logging.
        java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
    }

    public MockCluster() {
        this(java.util.function.UnaryOperator.identity());
    }

    /**
     * @param front wraps the server's dispatcher (e.g. to rewrite what the CRUD mode cannot
     *     answer, such as a field selector on a field other than the name or namespace)
     */
    public MockCluster(java.util.function.UnaryOperator<io.fabric8.mockwebserver.http.Dispatcher> front) {
        Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), expectations,
                front.apply(new KubernetesMixedDispatcher(expectations)), false);
        server.init();
        // JOSDK checks its Lease permissions with a SelfSubjectRulesReview, which the CRUD mode
        // cannot answer: the API server's answer for the chart's Role.
        server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
                .andReturn(201, new SelfSubjectRulesReviewBuilder().withNewMetadata().endMetadata()
                        .withNewStatus().withIncomplete(false)
                        .addNewResourceRule().withApiGroups("coordination.k8s.io").withResources("leases")
                        .withVerbs("get", "create", "update", "patch").endResourceRule()
                        .endStatus().build())
                .always();
        client = server.createClient();
        for (Path crd : crdFiles()) {
            try (InputStream in = Files.newInputStream(crd)) {
                client.resource(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class)).create();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        for (String ns : List.of(NAMESPACE, PENDING, "payments")) {
            client.resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
        }
    }

    /** The repository root ({@link RepositoryRoot}). */
    static Path root() {
        return RepositoryRoot.path();
    }

    static List<Path> crdFiles() {
        try (Stream<Path> s = Files.list(root().resolve("crds"))) {
            return s.filter(f -> f.toString().endsWith(".yml")).sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Settings for a test replica: short lease, no exit on losing it, any free health port. */
    static OperatorConfig config(String instance, boolean leaderElection) {
        return OperatorConfig.parse(Map.of(),
                "--namespace=" + NAMESPACE, "--pending-namespace=" + PENDING, "--instance=" + instance,
                "--leader-election=" + leaderElection, "--lease-duration-seconds=6", "--health-port=0",
                "--status-writes-per-second=200").withoutExitOnStopLeading();
    }

    /** Starts a replica with its own client (as a separate process would have). */
    ZerokubeOperator startReplica(String instance, boolean leaderElection, long seed) {
        return startReplica(instance, leaderElection, seed, op -> { });
    }

    /** Starts a replica with its own client, set up by {@code beforeStart} (e.g. its UDP node). */
    public ZerokubeOperator startReplica(String instance, boolean leaderElection, long seed,
            java.util.function.Consumer<ZerokubeOperator> beforeStart) {
        NamespacedKubernetesClient own = server.createClient();
        clients.add(own);
        ZerokubeOperator op = new ZerokubeOperator(own, config(instance, leaderElection), Clock.systemUTC(),
                new SplittableRandom(seed));
        replicas.add(op);
        beforeStart.accept(op);
        op.start();
        return op;
    }

    /** Waits up to {@code timeout} for {@code condition}; fails with {@code what} after it. */
    public static Duration await(String what, Duration timeout, BooleanSupplier condition) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return Duration.ofNanos(System.nanoTime() - start);
                }
            } catch (RuntimeException e) {
                // not there yet
            }
            if (System.nanoTime() > deadline) {
                fail("timed out after " + timeout + " waiting for " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
    }

    @Override
    public void close() {
        for (ZerokubeOperator r : replicas) {
            r.close();
        }
        for (NamespacedKubernetesClient c : clients) {
            c.close();
        }
        client.close();
        server.destroy();
    }
}
