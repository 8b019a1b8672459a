package dev.zerokube.e2e.kube;

import static dev.zerokube.e2e.kube.OperatorOnRealApiServerTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.operator.api.network.ZeroTierNetwork;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/*
 * Goal: issue 6's HA proof over a real Lease: two operator processes (the real OperatorMain, with the
 * chart's default 10 s lease), the leader killed with SIGKILL (no chance to release the Lease), the
 * standby holds the Lease within 15 s, and no network ever gets two IDs or shares one: the networks
 * made before the kill keep theirs, the ones made during the handover get theirs from the new leader.
 * Method: kube-apiserver + etcd from the offline-built cache, OperatorMain started twice as child
 * JVMs on this test's classpath with KUBECONFIG pointing at the server, the Lease read through the
 * API; the processes are stopped by their handles (never by name). Output of each child goes to
 * target/operator-<instance>.log.
 */
class LeaderElectionOnRealApiServerTest {
    private static final String NAMESPACE = "zerokube-system";
    private static final String LEASE = "zerokube-operator";
    private static RealApiServer server;
    private static KubernetesClient client;
    private final Map<String, Process> replicas = new HashMap<>();

    @BeforeAll
    static void start() {
        server = RealApiServer.startOrSkip();
        client = server.client();
        server.installCrds();
        for (String ns : List.of(NAMESPACE, "zerokube-pending")) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
        }
    }

    @AfterEach
    void stopReplicas() throws InterruptedException {
        for (Process p : replicas.values()) {
            p.destroy();
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void killedLeaderIsReplacedWithin15sAndNoNetworkIdIsDuplicated() throws Exception {
        replicas.put("replica-a", operatorProcess("replica-a"));
        replicas.put("replica-b", operatorProcess("replica-b"));
        for (int i = 1; i <= 3; i++) {
            client.resource(network("net-" + i)).create();
        }
        await("a leader holds the Lease", Duration.ofSeconds(120), () -> replicas.containsKey(holder()));
        await("the leader gives the first networks their IDs", Duration.ofSeconds(60), () -> ids(3).size() == 3);
        Map<String, String> before = ids(3);
        String leader = holder();
        String standby = leader.equals("replica-a") ? "replica-b" : "replica-a";
        assertTrue(replicas.get(standby).isAlive(), "the standby runs");
        int transitions = transitions();

        Process killed = replicas.remove(leader);
        long killedNs = System.nanoTime();
        killed.destroyForcibly(); // SIGKILL: the Lease is not released, the standby must wait it out
        killed.waitFor();
        for (int i = 4; i <= 6; i++) {
            client.resource(network("net-" + i)).create();
        }
        await("the standby holds the Lease", Duration.ofSeconds(30), () -> standby.equals(holder()));
        Duration handover = Duration.ofNanos(System.nanoTime() - killedNs);
        System.out.println("lease handover after SIGKILL of " + leader + ": " + handover.toMillis() + " ms");
        assertTrue(handover.compareTo(Duration.ofSeconds(15)) < 0, "handover took " + handover);
        assertTrue(transitions() > transitions, "the Lease records the transition");

        await("the new leader gives the networks made meanwhile their IDs", Duration.ofSeconds(60), () -> ids(6).size() == 6);
        Map<String, String> after = ids(6);
        for (Map.Entry<String, String> e : before.entrySet()) {
            assertEquals(e.getValue(), after.get(e.getKey()), "network " + e.getKey() + " kept its ID");
        }
        assertEquals(6, new HashSet<>(after.values()).size(), "no network ID is shared: " + after);
        Set<String> controllers = new HashSet<>();
        for (String id : after.values()) {
            controllers.add(id.substring(0, 10));
        }
        assertEquals(1, controllers.size(), "both replicas serve as the one controller identity of the Secret: " + after);
        for (ZeroTierNetwork n : client.resources(ZeroTierNetwork.class).list().getItems()) {
            assertNotEquals(null, n.getStatus().getObservedGeneration());
        }
    }

    private static String holder() {
        Lease l = client.leases().inNamespace(NAMESPACE).withName(LEASE).get();
        return l == null || l.getSpec() == null ? null : l.getSpec().getHolderIdentity();
    }

    private static int transitions() {
        Lease l = client.leases().inNamespace(NAMESPACE).withName(LEASE).get();
        return l == null || l.getSpec().getLeaseTransitions() == null ? 0 : l.getSpec().getLeaseTransitions();
    }

    /** The network IDs of net-1..net-count that are assigned, by name. */
    private static Map<String, String> ids(int count) {
        Map<String, String> out = new HashMap<>();
        for (int i = 1; i <= count; i++) {
            ZeroTierNetwork n = client.resources(ZeroTierNetwork.class).withName("net-" + i).get();
            if (n != null && n.getStatus() != null && n.getStatus().getNetworkId() != null) {
                out.put("net-" + i, n.getStatus().getNetworkId());
            }
        }
        return out;
    }

    private static ZeroTierNetwork network(String name) throws IOException {
        try (InputStream in = Files.newInputStream(RealApiServer.repositoryRoot().resolve("examples/network.yaml"))) {
            ZeroTierNetwork n = client.getKubernetesSerialization().unmarshal(in, ZeroTierNetwork.class);
            n.getMetadata().setName(name);
            return n;
        }
    }

    /** OperatorMain as a child JVM on this test's classpath, as the chart runs it (UDP node off: no roots here). */
    private static Process operatorProcess(String instance) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx256m", "-XX:+UseSerialGC",
                "--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), "dev.zerokube.operator.OperatorMain",
                "--namespace=" + NAMESPACE, "--pending-namespace=zerokube-pending", "--instance=" + instance,
                "--health-port=0"));
        Path log = Path.of("target", "operator-" + instance + ".log").toAbsolutePath();
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("KUBECONFIG", server.kubeconfig().toString());
        pb.environment().put("ZEROKUBE_CONTROLLER_PORT", "off");
        pb.environment().remove("ZEROKUBE_NAMESPACE");
        return pb.start();
    }
}
