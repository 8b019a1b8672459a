package dev.zerokube.e2e.k3s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Ports;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import dev.zerokube.operator.RepositoryRoot;
import dev.zerokube.operator.KubeEdits;
import dev.zerokube.operator.api.WellKnownNames;
import dev.zerokube.operator.api.member.Member;
import dev.zerokube.operator.api.network.ZeroTierNetwork;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.NetworkStatus;
import dev.zerokube.overlay.node.NodeConfig;
import dev.zerokube.overlay.runtime.NodeService;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.World;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

/*
 * Goal: issue 6's proof "k3s through Testcontainers": on a real cluster the chart installs and its
 * operator runs from an image built from this tree, the examples apply (through the operator's own
 * validating webhook), and an overlay node outside the cluster that asks for the example network's
 * config through the controller Service's NodePort shows up as a pending Member (authorized:
 * false) in the configured pending namespace; a CR edit (authorized: true) authorizes it and it
 * gets its config, with an address from the example's pool, which its Member's status records.
 * Method: Testcontainers starts k3s (rancher/k3s, -Dzerokube.k3s.image to change it) publishing the
 * NodePort's UDP port on the Docker host; docker/operator/Dockerfile is built from the packaged
 * operator and imported into k3s's containerd (pull policy Never); helm-java installs helm/zerokube
 * with K3sChartValues (one replica, NodePort, a pending namespace of its own, no node agent) and a
 * private planet whose only root is the controller itself at the published address, so the device
 * needs no other peer and nothing contacts ZeroTier's public roots. That needs the controller
 * identity before the install: the test creates the identity Secret, which the operator adopts.
 * The device is a NodeService in this JVM holding the same planet. Every wait is bounded and the
 * time measured is printed; on a failure the operator's log, pods, events and Members are printed.
 * Skipped, with the reason, in seconds, where no Docker engine answers or an image (k3s, the JRE
 * base image, Testcontainers' reaper and its tiny check image) can be neither found nor pulled.
 */
class K3sClusterTest {
    private static final String K3S_IMAGE = System.getProperty("zerokube.k3s.image", "rancher/k3s:v1.31.4-k3s1");
    private static final String OPERATOR_IMAGE = "zerokube/operator";
    private static final String OPERATOR_TAG = "k3s-e2e";
    private static final int NODE_PORT = 30993;
    private static final String PENDING_NAMESPACE = "zerokube-devices";
    private static final String NETWORK = "prod-mesh";
    private static final Duration PULL = Duration.ofMinutes(5);
    private static final Duration BUILD = Duration.ofMinutes(5);
    private static final Duration K3S_START = Duration.ofMinutes(3);
    private static final int HELM_TIMEOUT_SECONDS = 300;
    /** The operator's validating webhook answers once its certificate and caBundle are in place. */
    private static final Duration WEBHOOK_SERVING = Duration.ofMinutes(3);
    private static final Duration CONVERGE = Duration.ofMinutes(2);

    @Test
    void deviceOutsideTheClusterIsPendingUntilAMemberEditAuthorizesIt(@TempDir Path scratch) throws Exception {
        DockerPreconditions.Result<DockerClient> engine = DockerPreconditions.engine();
        assumeTrue(engine.value().isPresent(), () -> "k3s test skipped: " + engine.reason());
        List<String> images = new ArrayList<>(List.of(K3S_IMAGE));
        images.addAll(OperatorImage.baseImages());
        images.addAll(DockerPreconditions.testcontainersImages());
        for (String image : images) {
            Optional<String> missing = DockerPreconditions.imageMissing(engine.value().orElseThrow(), image, PULL);
            assumeTrue(missing.isEmpty(), () -> "k3s test skipped: " + missing.orElseThrow());
        }
        DockerClient docker = DockerPreconditions.testcontainersClient();
        OperatorImage.missingPackage().ifPresent(m -> fail("a Docker engine is here, but " + m));

        long startNs = System.nanoTime();
        String image = OperatorImage.build(OPERATOR_IMAGE, OPERATOR_TAG, BUILD);
        System.out.printf("k3s test: operator image %s built in %s%n", image, since(startNs));
        Identity controller = Identity.generate(new SplittableRandom(0x6b35));
        Identity device = Identity.generate(new SplittableRandom(0x6b36));

        try (K3sContainer k3s = new K3sContainer(DockerImageName.parse(K3S_IMAGE).asCompatibleSubstituteFor("rancher/k3s"))
                .withCreateContainerCmdModifier(publishUdp(NODE_PORT))
                .withStartupTimeout(K3S_START)) {
            k3s.start();
            System.out.printf("k3s test: %s started in %s%n", K3S_IMAGE, since(startNs));
            OperatorImage.importInto(k3s, docker, image, scratch);
            InetSocketAddress publishedAt = publishedUdp(k3s, NODE_PORT);
            InetEndpoint published = InetEndpoint.of(publishedAt.getAddress(), publishedAt.getPort());
            World planet = K3sChartValues.planetWithControllerAsRoot(controller, published);
            K3sChartValues values = new K3sChartValues(OPERATOR_IMAGE, OPERATOR_TAG, NODE_PORT, PENDING_NAMESPACE, planet);
            System.out.printf("k3s test: controller %s reached at %s (NodePort %d/udp)%n", controller.address(), published, NODE_PORT);

            try (KubernetesClient client = new KubernetesClientBuilder()
                    .withConfig(Config.fromKubeconfig(k3s.getKubeConfigYaml())).build()) {
                try {
                    installAndJoin(k3s, client, values, controller, device, publishedAt.getAddress(), startNs);
                } catch (Throwable t) {
                    printDiagnostics(k3s, client);
                    throw t;
                }
            }
        }
    }

    private void installAndJoin(K3sContainer k3s, KubernetesClient client, K3sChartValues values, Identity controller,
            Identity device, InetAddress dockerHost, long startNs) throws Exception {
        for (String ns : List.of(K3sChartValues.NAMESPACE, PENDING_NAMESPACE, "payments")) {
            client.resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
        }
        // The controller identity, made before the install so that the planet can name it as root.
        client.resource(new SecretBuilder().withNewMetadata().withName(K3sChartValues.IDENTITY_SECRET)
                .withNamespace(K3sChartValues.NAMESPACE).endMetadata().withType("Opaque")
                .withData(Map.of("identity.secret", base64(controller.toString(true)),
                        "identity.public", base64(controller.toString(false))))
                .build()).create();

        Release release = values.applyTo(new Helm(RepositoryRoot.path().resolve("helm/zerokube")).install()
                .withName(K3sChartValues.RELEASE).withNamespace(K3sChartValues.NAMESPACE)
                .withKubeConfigContents(k3s.getKubeConfigYaml()).waitReady().withTimeout(HELM_TIMEOUT_SECONDS)).call();
        assertEquals("deployed", release.getStatus(), release.getOutput());
        System.out.printf("k3s test: chart installed and the operator ready at %s%n", since(startNs));
        await("the leader labels its pod zerokube.dev/controller=active (its UDP port is bound)", CONVERGE,
                () -> !client.pods().inNamespace(K3sChartValues.NAMESPACE).withLabel("zerokube.dev/controller", "active")
                        .list().getItems().isEmpty());
        await("the controller Service has an endpoint", CONVERGE, () -> client.endpoints().inNamespace(K3sChartValues.NAMESPACE)
                .list().getItems().stream().filter(e -> e.getMetadata().getName().endsWith("-controller"))
                .anyMatch(e -> e.getSubsets() != null && e.getSubsets().stream()
                        .anyMatch(s -> s.getAddresses() != null && !s.getAddresses().isEmpty())));

        // The examples, as kubectl apply -f examples/network.yaml -f examples/members.yaml would.
        Duration applied = await("the examples are accepted (the operator's validating webhook serves)", WEBHOOK_SERVING,
                () -> apply(client, "examples/network.yaml") && apply(client, "examples/members.yaml"));
        System.out.printf("k3s test: examples applied after %s of retries%n", applied);
        await("network " + NETWORK + " Ready", CONVERGE, () -> network(client).getStatus().getConditions().stream()
                .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().toString().equals("True")));
        NetworkId nwid = NetworkId.parse(network(client).getStatus().getNetworkId());
        assertEquals(controller.address().value(), nwid.value() >>> 24, "the network ID starts with the controller's address");

        // The device outside the cluster: this JVM, the same planet, its only peer the controller.
        // Loopback paths only when the Docker host is this machine (Testcontainers' usual "localhost").
        boolean loopback = dockerHost.isLoopbackAddress();
        InetAddress bind = loopback ? InetAddress.getLoopbackAddress() : InetAddress.ofLiteral("0.0.0.0");
        try (NodeService node = NodeService.start(device, NodeConfig.of(values.planet()),
                new NodeService.Options(bind, List.of(0), loopback, true, null, null))) {
            long joinNs = System.nanoTime();
            node.execute(n -> n.join(nwid, node.nowMs()));
            String pendingName = device.address() + "-" + NETWORK;
            await("the device's pending Member in " + PENDING_NAMESPACE, CONVERGE,
                    () -> pendingMember(client, pendingName) != null);
            System.out.printf("k3s test: pending Member %s/%s after %s%n", PENDING_NAMESPACE, pendingName, since(joinNs));
            Member pending = pendingMember(client, pendingName);
            assertFalse(pending.getSpec().getAuthorized());
            assertEquals(device.address().toString(), pending.getSpec().getAddress());
            assertEquals(NETWORK, pending.getSpec().getNetwork());
            assertEquals("true", pending.getMetadata().getLabels().get(WellKnownNames.PENDING_LABEL));
            assertEquals(device.publicOnly().toString(), pending.getMetadata().getAnnotations().get(WellKnownNames.IDENTITY_ANNOTATION));
            await("the pending device is refused", CONVERGE, () -> status(node, nwid).status() == NetworkStatus.Status.ACCESS_DENIED);

            long authorizeNs = System.nanoTime();
            editPendingMember(client, pendingName, m -> m.getSpec().setAuthorized(true));
            await("the authorized device gets its config", CONVERGE, () -> status(node, nwid).status() == NetworkStatus.Status.OK
                    && !status(node, nwid).assignedAddresses().isEmpty());
            System.out.printf("k3s test: config received %s after the Member edit%n", since(authorizeNs));
            var config = status(node, nwid).config().orElseThrow();
            assertEquals("prod mesh", config.name());
            assertEquals(device.address(), config.issuedTo());
            InetEndpoint ip = status(node, nwid).assignedAddresses().getFirst();
            long v = ip.ipv4Value();
            assertTrue(v >= ipv4("10.147.17.10") && v <= ipv4("10.147.17.254"), "from the example's pool: " + ip);
            await("the Member's status records the device's address and that it is online", CONVERGE, () -> {
                Member m = pendingMember(client, pendingName);
                return List.of(ip.ipString()).equals(m.getStatus().getIpAssignments()) && Boolean.TRUE.equals(m.getStatus().getOnline());
            });
            await("the network counts laptop-alice and the device, both authorized", CONVERGE, () -> {
                var counts = network(client).getStatus().getMembers();
                return counts.getTotal() == 2 && counts.getAuthorized() == 2;
            });
            System.out.printf("k3s test: passed, %s in all%n", since(startNs));
        }
    }

    // ------------------------------------------------------------------ Docker and k3s

    /** Publishes {@code port}/udp of the k3s container on a free port of the Docker host. */
    private static Consumer<CreateContainerCmd> publishUdp(int port) {
        return cmd -> {
            ExposedPort udp = ExposedPort.udp(port);
            List<ExposedPort> exposed = new ArrayList<>(cmd.getExposedPorts() == null ? List.of() : Arrays.asList(cmd.getExposedPorts()));
            exposed.add(udp);
            cmd.withExposedPorts(exposed);
            HostConfig host = cmd.getHostConfig();
            Ports bindings = host.getPortBindings() == null ? new Ports() : host.getPortBindings();
            bindings.bind(udp, Ports.Binding.empty());
            host.withPortBindings(bindings);
        };
    }

    /** Where the Docker host publishes {@code port}/udp of the container (its IPv4 address). */
    private static InetSocketAddress publishedUdp(K3sContainer k3s, int port) throws IOException {
        Ports.Binding[] bindings = k3s.getContainerInfo().getNetworkSettings().getPorts().getBindings().get(ExposedPort.udp(port));
        if (bindings == null || bindings.length == 0) {
            throw new IllegalStateException("the Docker engine published no host port for " + port + "/udp");
        }
        Ports.Binding binding = Arrays.stream(bindings).filter(b -> b.getHostIp() == null || !b.getHostIp().contains(":"))
                .findFirst().orElse(bindings[0]);
        InetAddress host = Arrays.stream(InetAddress.getAllByName(k3s.getHost())).filter(Inet4Address.class::isInstance)
                .findFirst().orElseThrow(() -> new IllegalStateException("no IPv4 address for Docker host " + k3s.getHost()));
        return new InetSocketAddress(host, Integer.parseInt(binding.getHostPortSpec()));
    }

    private static void printDiagnostics(K3sContainer k3s, KubernetesClient client) {
        System.out.println("k3s test failed; what the cluster shows:");
        try {
            for (Pod p : client.pods().inAnyNamespace().list().getItems()) {
                System.out.printf("  pod %s/%s %s labels=%s%n", p.getMetadata().getNamespace(), p.getMetadata().getName(),
                        p.getStatus().getPhase(), p.getMetadata().getLabels());
                if (K3sChartValues.NAMESPACE.equals(p.getMetadata().getNamespace())) {
                    System.out.println(client.pods().inNamespace(K3sChartValues.NAMESPACE).withName(p.getMetadata().getName())
                            .tailingLines(200).getLog());
                }
            }
            client.v1().events().inAnyNamespace().list().getItems().forEach(e -> System.out.printf("  event %s/%s %s %s: %s%n",
                    e.getMetadata().getNamespace(), e.getInvolvedObject().getName(), e.getType(), e.getReason(), e.getMessage()));
            client.resources(ZeroTierNetwork.class).list().getItems().forEach(n -> System.out.println("  " + yaml(client, n)));
            client.resources(Member.class).inAnyNamespace().list().getItems().forEach(m -> System.out.println("  " + yaml(client, m)));
        } catch (RuntimeException e) {
            System.out.println("  (the API server did not answer: " + e + ")");
        }
        String logs = k3s.getLogs();
        System.out.println("k3s container log (tail):\n" + logs.substring(Math.max(0, logs.length() - 8000)));
    }

    private static String yaml(KubernetesClient client, HasMetadata o) {
        return client.getKubernetesSerialization().asYaml(o);
    }

    // ------------------------------------------------------------------ Kubernetes objects

    /** Applies every document of a file of the repository; false while the webhook refuses or fails. */
    private static boolean apply(KubernetesClient client, String file) {
        try (InputStream in = Files.newInputStream(RepositoryRoot.path().resolve(file))) {
            for (HasMetadata item : client.load(in).items()) {
                client.resource(item).fieldManager("k3s-test").forceConflicts().serverSideApply();
            }
            return true;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (KubernetesClientException e) {
            System.out.println("k3s test: apply " + file + ": " + e.getMessage());
            return false;
        }
    }

    private static ZeroTierNetwork network(KubernetesClient client) {
        return client.resources(ZeroTierNetwork.class).withName(NETWORK).get();
    }

    private static Member pendingMember(KubernetesClient client, String name) {
        return client.resources(Member.class).inNamespace(PENDING_NAMESPACE).withName(name).get();
    }

    private static void editPendingMember(KubernetesClient client, String name, Consumer<Member> change) {
        KubeEdits.edit(client.resources(Member.class).inNamespace(PENDING_NAMESPACE).withName(name), change);
    }

    // ------------------------------------------------------------------ small helpers

    private static NetworkStatus status(NodeService node, NetworkId nwid) {
        return node.call(n -> n.network(nwid)).join().orElseThrow();
    }

    private static long ipv4(String text) {
        return InetEndpoint.of(InetEndpoint.parseIp(text), 0).ipv4Value();
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String since(long startNs) {
        return Duration.ofNanos(System.nanoTime() - startNs).toMillis() / 100 / 10.0 + " s";
    }

    /** Waits up to {@code bound} for {@code condition} (exceptions count as "not yet"); fails after it. */
    private static Duration await(String what, Duration bound, Supplier<Boolean> condition) throws InterruptedException {
        long start = System.nanoTime();
        RuntimeException last = null;
        while (System.nanoTime() - start < bound.toNanos()) {
            try {
                if (Boolean.TRUE.equals(condition.get())) {
                    return Duration.ofNanos(System.nanoTime() - start);
                }
            } catch (RuntimeException e) {
                last = e;
            }
            Thread.sleep(500);
        }
        fail("timed out after " + bound.toSeconds() + " s waiting for " + what + (last == null ? "" : " (last error: " + last + ")"));
        return bound;
    }
}
