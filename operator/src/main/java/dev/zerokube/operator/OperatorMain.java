package dev.zerokube.operator;

import dev.zerokube.operator.controller.ControllerNode;
import dev.zerokube.operator.webhook.PodWiring;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;

/**
 * The operator process: {@code java -jar zerokube-operator.jar [--flag=value...]} (settings in
 * {@link OperatorConfig}). Connects with the in-cluster service account (or ~/.kube/config),
 * starts one replica, its health server and (when the chart enables it) the webhooks and join
 * endpoint ({@link PodWiring}), and stops them on SIGTERM. Exit code 2 for bad
 * settings, 1 when it cannot start (e.g. no API server answers), so the kubelet restarts it. The controller's UDP node (run by the leader) takes its settings from the environment,
 * {@link ControllerNode.Settings#fromEnv}.
 */
public final class OperatorMain {
    private OperatorMain() {}

    public static void main(String[] args) throws Exception {
        OperatorConfig config;
        try {
            config = OperatorConfig.parse(System.getenv(), args);
        } catch (IllegalArgumentException e) {
            System.err.println("zerokube-operator: " + e.getMessage());
            System.exit(2);
            return;
        }
        java.util.Optional<ControllerNode.Settings> udp;
        try {
            udp = ControllerNode.Settings.fromEnv(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("zerokube-operator: " + e.getMessage());
            System.exit(2);
            return;
        }
        KubernetesClient client = new KubernetesClientBuilder().build();
        ZerokubeOperator operator = new ZerokubeOperator(client, config, Clock.systemUTC(), new SecureRandom());
        udp.ifPresent(operator::setControllerNode);
        HealthServer health = new HealthServer(operator, config.healthPort());
        CountDownLatch stopped = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<AutoCloseable> pods = new java.util.concurrent.atomic.AtomicReference<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            closeQuietly(pods.get());
            operator.close();
            health.close();
            client.close();
            stopped.countDown();
        }, "zerokube-shutdown"));
        try {
            operator.start();
            pods.set(PodWiring.startIfEnabled(client, config.namespace(), operator.store()));
        } catch (RuntimeException e) {
            // Without this the health server's thread would keep a half-started operator alive,
            // not ready and never restarted; exiting lets the kubelet restart it with backoff.
            System.err.println("zerokube-operator: cannot start: " + e);
            System.exit(1);
            return;
        }
        stopped.await();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (Exception e) {
            System.err.println("zerokube-operator: " + e);
        }
    }
}
