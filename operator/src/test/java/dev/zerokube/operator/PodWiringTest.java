package dev.zerokube.operator;

// Goal: the pod side wired as OperatorMain wires it — one HTTPS server with the mutating webhook,
// the validating webhook and the join endpoint, its certificate made by the operator and its CA
// bundle written into both webhook configurations — and driven the way a cluster drives it: the
// API server's AdmissionReviews, the sidecar's own join client and pod mode (sidecar module), and
// 100 pod create/delete cycles that must each end in a Revocation and leave no Member behind.
// Method: the Fabric8 mock API server (CRUD) with one operator replica (reconcilers, policy store,
// embedded controller), TokenReviews answered by FakeTokenAuthority, PodWiring on 127.0.0.1. The
// mock server has no garbage collector: the test plays it (deletes the Members a deleted Pod
// controls, as kube-controller-manager does); the operator's finalizer then revokes.

import static dev.zerokube.operator.MockCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zerokube.operator.api.WellKnownNames;
import dev.zerokube.operator.api.member.Member;
import dev.zerokube.operator.api.network.ZeroTierNetwork;
import dev.zerokube.operator.join.FakeTokenAuthority;
import dev.zerokube.operator.join.TokenReviewer;
import dev.zerokube.operator.webhook.InjectionWebhook;
import dev.zerokube.operator.webhook.OperatorHttpsServer;
import dev.zerokube.operator.webhook.PodWiring;
import dev.zerokube.operator.webhook.TlsClients;
import dev.zerokube.operator.webhook.ValidationWebhook;
import dev.zerokube.overlay.controller.ConfigDecision;
import dev.zerokube.overlay.controller.ControllerEffect;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.runtime.NodeHome;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.netconf.ConfigRequestMetadata;
import dev.zerokube.sidecar.node.JoinClient;
import dev.zerokube.sidecar.node.PodCommand;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PodWiringTest {
    private static final Duration CONVERGE = Duration.ofSeconds(30);
    private static final String NS = "payments";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final FakeTokenAuthority AUTHORITY = new FakeTokenAuthority("pod wiring test key");
    private static final ConfigRequestMetadata METADATA = ConfigRequestMetadata.zeroTier1141("linux/x86_64");
    private static final InetEndpoint PHYSICAL = InetEndpoint.parse("198.18.0.9/9993");

    private MockCluster cluster;
    private ZerokubeOperator operator;
    private PodWiring wiring;
    private HttpClient https;
    private NetworkId nwid;
    private final List<ControllerEffect> effects = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        AUTHORITY.serveTokenReviews(cluster.server);
        cluster.client.namespaces().withName(NS).edit(n -> {
            n.getMetadata().setLabels(Map.of("team", "payments", WellKnownNames.INJECTION_LABEL,
                    WellKnownNames.INJECTION_ENABLED));
            return n;
        });
        // What the chart installs; the operator fills caBundle.
        cluster.client.resource(new MutatingWebhookConfigurationBuilder().withNewMetadata().withName("zerokube")
                .endMetadata().addNewWebhook().withName("inject.zerokube.dev").withNewClientConfig().withNewService()
                .withName(WellKnownNames.JOIN_SERVICE).withNamespace(MockCluster.NAMESPACE)
                .withPath(OperatorHttpsServer.MUTATE_PODS_PATH).withPort(WellKnownNames.JOIN_PORT).endService()
                .endClientConfig().withSideEffects("None").withAdmissionReviewVersions("v1").endWebhook().build()).create();
        cluster.client.resource(new ValidatingWebhookConfigurationBuilder().withNewMetadata().withName("zerokube")
                .endMetadata().addNewWebhook().withName("validate.zerokube.dev").withNewClientConfig().withNewService()
                .withName(WellKnownNames.JOIN_SERVICE).withNamespace(MockCluster.NAMESPACE)
                .withPath(ValidationWebhook.PATH).withPort(WellKnownNames.JOIN_PORT).endService()
                .endClientConfig().withSideEffects("None").withAdmissionReviewVersions("v1").endWebhook().build()).create();

        operator = cluster.startReplica("replica-a", false, 7);
        operator.setEffectListener((id, list) -> effects.addAll(list));
        try (InputStream in = Files.newInputStream(MockCluster.root().resolve("examples/network.yaml"))) {
            cluster.client.resource(cluster.client.getKubernetesSerialization().unmarshal(in, ZeroTierNetwork.class))
                    .create();
        }
        await("network ID", CONVERGE, () -> network().getStatus().getNetworkId() != null);
        nwid = NetworkId.parse(network().getStatus().getNetworkId());

        PodWiring.Settings settings = PodWiring.Settings.fromEnv(Map.of(
                "ZEROKUBE_PODS_ENABLED", "true", "ZEROKUBE_SIDECAR_IMAGE", "ghcr.io/zerokube/zerokube:test",
                "ZEROKUBE_SIDECAR_MODE", "native"),
                MockCluster.NAMESPACE).withListener(0, List.of("127.0.0.1"));
        wiring = PodWiring.start(cluster.client, settings, operator.store(), TokenReviewer.of(cluster.client),
                Clock.systemUTC());
        https = TlsClients.client(wiring.caBundlePem());
    }

    @AfterEach
    void stop() {
        if (wiring != null) {
            wiring.close();
        }
        cluster.close();
    }

    private ZeroTierNetwork network() {
        return cluster.client.resources(ZeroTierNetwork.class).withName("prod-mesh").get();
    }

    private Member member(String name) {
        return cluster.client.resources(Member.class).inNamespace(NS).withName(name).get();
    }

    private Pod pod(String name) {
        Pod p = new PodBuilder().withNewMetadata().withName(name).withNamespace(NS).addToLabels("app", "web")
                .addToAnnotations(WellKnownNames.NETWORKS_ANNOTATION, "prod-mesh").endMetadata()
                .withNewSpec().withServiceAccountName("web").addNewContainer().withName("app").withImage("app")
                .endContainer().endSpec()
                .withNewStatus().withPodIP("127.0.0.1").addNewPodIP("127.0.0.1").endStatus().build();
        return cluster.client.pods().inNamespace(NS).resource(p).create();
    }

    private String token(Pod pod) {
        return AUTHORITY.issue(NS, "web", pod.getMetadata().getName(), pod.getMetadata().getUid(),
                List.of(WellKnownNames.TOKEN_AUDIENCE));
    }

    private JoinClient joinClient() {
        return new JoinClient(URI.create("https://127.0.0.1:" + wiring.address().getPort() + WellKnownNames.JOIN_PATH),
                wiring.caBundlePem());
    }

    private JsonNode post(String path, String body) throws Exception {
        HttpResponse<String> r = TlsClients.post(https, wiring.address(), path, "application/json", body);
        assertEquals(200, r.statusCode(), r.body());
        return MAPPER.readTree(r.body());
    }

    private static ObjectNode review(String group, String kind, String operation, String namespace, Object object) {
        ObjectNode review = MAPPER.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request").put("uid", "uid-" + kind).put("operation", operation)
                .put("namespace", namespace);
        request.putObject("kind").put("group", group).put("version", "v1").put("kind", kind);
        request.set("object", MAPPER.valueToTree(object));
        return review;
    }

    @Test
    void certificateWebhooksAndJoinAreWiredEndToEnd() throws Exception {
        // TLS: the operator made its certificate, stored it, and put the bundle into both configurations.
        String bundle = Base64.getEncoder().encodeToString(wiring.caBundlePem().getBytes(StandardCharsets.US_ASCII));
        assertEquals(bundle, cluster.client.admissionRegistration().v1().mutatingWebhookConfigurations()
                .withName("zerokube").get().getWebhooks().get(0).getClientConfig().getCaBundle());
        assertEquals(bundle, cluster.client.admissionRegistration().v1().validatingWebhookConfigurations()
                .withName("zerokube").get().getWebhooks().get(0).getClientConfig().getCaBundle());
        assertNotNull(cluster.client.secrets().inNamespace(MockCluster.NAMESPACE).withName("zerokube-webhook-tls").get());

        // Mutating webhook: an annotated pod gets the sidecar, which trusts this bundle and runs pod mode.
        Pod app = new PodBuilder().withNewMetadata().withName("web-0").withNamespace(NS)
                .addToAnnotations(WellKnownNames.NETWORKS_ANNOTATION, "prod-mesh").endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("app").endContainer().endSpec().build();
        JsonNode response = post(OperatorHttpsServer.MUTATE_PODS_PATH, review("", "Pod", "CREATE", NS, app).toString())
                .get("response");
        assertTrue(response.get("allowed").asBoolean(), response.toString());
        String patch = InjectionWebhook.decodePatch(response.get("patch").asText());
        assertTrue(patch.contains("\"node\",\"--pod\""), patch);
        assertTrue(patch.contains(MAPPER.writeValueAsString(wiring.caBundlePem()).replace("\"", "")
                .substring(0, 40)), "the sidecar trusts the operator's CA");
        // ...and a pod naming a network that does not exist is refused with the reason.
        app.getMetadata().getAnnotations().put(WellKnownNames.NETWORKS_ANNOTATION, "prod-mesh,nope");
        response = post(OperatorHttpsServer.MUTATE_PODS_PATH, review("", "Pod", "CREATE", NS, app).toString()).get("response");
        assertFalse(response.get("allowed").asBoolean());
        assertTrue(response.at("/status/message").asText().contains("nope"), response.toString());

        // Validating webhook: a Member of an unknown network, with a malformed address.
        Member bad = new Member();
        bad.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("laptop").withNamespace(NS).build());
        bad.setSpec(new dev.zerokube.operator.api.member.MemberSpec());
        bad.getSpec().setNetwork("nope");
        bad.getSpec().setAddress("xyz");
        response = post(ValidationWebhook.PATH, review("zerokube.dev", "Member", "CREATE", NS, bad).toString())
                .get("response");
        assertFalse(response.get("allowed").asBoolean());
        String message = response.at("/status/message").asText();
        assertTrue(message.contains("ZeroTierNetwork nope does not exist") && message.contains("spec.address 'xyz'"), message);

        // Join: the sidecar's client against the real endpoint.
        Pod web = pod("web-1");
        Identity id = Identity.generate(new SplittableRandom(5));
        JoinClient.Joined joined = joinClient().join("prod-mesh", id, token(web));
        assertEquals(nwid.toString(), joined.networkId());
        assertEquals(id.address().toString(), joined.address());
        assertEquals(NS + "/web-1-prod-mesh", joined.member());
        Member m = member("web-1-prod-mesh");
        OwnerReference owner = m.getMetadata().getOwnerReferences().get(0);
        assertEquals(List.of("Pod", "web-1", web.getMetadata().getUid()), List.of(owner.getKind(), owner.getName(), owner.getUid()));
        assertEquals(id.publicOnly().toString(), m.getMetadata().getAnnotations().get(WellKnownNames.IDENTITY_ANNOTATION));
        // A Member for the same address from the validating webhook's view: refused.
        Member copy = new Member();
        copy.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("thief").withNamespace(NS).build());
        copy.setSpec(new dev.zerokube.operator.api.member.MemberSpec());
        copy.getSpec().setNetwork("prod-mesh");
        copy.getSpec().setAddress(id.address().toString());
        await("Member cached", CONVERGE, () -> !operator.store().membersWithAddress("prod-mesh", id.address().toString()).isEmpty());
        response = post(ValidationWebhook.PATH, review("zerokube.dev", "Member", "CREATE", NS, copy).toString()).get("response");
        assertTrue(response.at("/status/message").asText().contains("already Member payments/web-1-prod-mesh"), response.toString());
        // Another pod's token for that identity: 409; a token of the wrong audience: refused, 403.
        Pod other = pod("web-2");
        JoinClient.Refused taken = org.junit.jupiter.api.Assertions.assertThrows(JoinClient.Refused.class,
                () -> joinClient().join("prod-mesh", id, token(other)));
        assertEquals(409, taken.status());
        String apiToken = AUTHORITY.issue(NS, "web", "web-2", other.getMetadata().getUid(), List.of("https://kubernetes.default.svc"));
        JoinClient.Refused audience = org.junit.jupiter.api.Assertions.assertThrows(JoinClient.Refused.class,
                () -> joinClient().join("prod-mesh", Identity.generate(new SplittableRandom(6)), apiToken));
        assertEquals(403, audience.status());
        assertEquals(null, member("web-2-prod-mesh"));
    }

    @Test
    void theSidecarPodModeJoinsThroughTheEndpointAndServesItsProbes(@TempDir Path dir) throws Exception {
        Pod web = pod("web-3");
        Path token = dir.resolve("token");
        Files.writeString(token, token(web));
        PodCommand.Settings settings = new PodCommand.Settings(List.of("prod-mesh"),
                URI.create("https://127.0.0.1:" + wiring.address().getPort() + WellKnownNames.JOIN_PATH),
                wiring.caBundlePem(), token, new InetSocketAddress("127.0.0.1", 0), 0, NodeHome.earth(), null, true, true);
        PodCommand sidecar = new PodCommand();
        List<String> log = new CopyOnWriteArrayList<>();
        List<Thread> loopsBefore = nodeLoopThreads();
        Thread t = Thread.ofPlatform().start(() -> sidecar.run(settings, log::add));
        try {
            await("joined", CONVERGE, () -> log.stream().anyMatch(l -> l.contains("event=joined")));
            Member m = member("web-3-prod-mesh");
            assertNotNull(m, String.join("\n", log));
            String address = m.getSpec().getAddress();
            assertTrue(log.stream().anyMatch(l -> l.contains("event=started address=" + address)), "the log names the address");
            assertTrue(log.stream().noneMatch(l -> l.matches(".*:[0-9a-f]{128}:[0-9a-f]{128}.*")), "no secret key in the log");
            HttpClient plain = HttpClient.newHttpClient();
            URI base = URI.create("http://127.0.0.1:" + sidecar.httpAddress().getPort());
            assertEquals(200, plain.send(HttpRequest.newBuilder(base.resolve("/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            // No UDP node serves this network's controller in this test, so the network never gets its config.
            assertEquals(503, plain.send(HttpRequest.newBuilder(base.resolve("/readyz")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            HttpResponse<String> metrics = plain.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("zerokube_node_"), metrics.body());
        } finally {
            sidecar.stop();
            t.join(10_000);
        }
        // The node's event loop (made beside the identity search) ends with the sidecar.
        await("the sidecar's event loop thread ended", CONVERGE,
                () -> loopsBefore.containsAll(nodeLoopThreads()));
    }

    private static List<Thread> nodeLoopThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(th -> th.getName().startsWith("zerokube-node")).toList();
    }

    @Test
    void hundredPodLifecyclesEachEndInARevocationAndLeaveNothing() throws Exception {
        int cycles = Integer.getInteger("zerokube.lifecycle.cycles", 100);
        // Identities cost a memory-hard proof of work each: made up front, on every core.
        List<Identity> identities = IntStream.range(0, cycles).parallel()
                .mapToObj(i -> Identity.generate(new SplittableRandom(1000 + i))).toList();
        JoinClient client = joinClient();
        List<Long> revokeMs = new ArrayList<>();
        for (int i = 0; i < cycles; i++) {
            Identity id = identities.get(i);
            Pod pod = pod("app-" + i);
            JoinClient.Joined joined = client.join("prod-mesh", id, token(pod));
            String name = "app-" + i + "-prod-mesh";
            assertEquals(NS + "/" + name, joined.member());
            // The sidecar's NETWORK_CONFIG_REQUEST, once the Member is in the controller's cache.
            await("member served " + i, CONVERGE, () -> operator.store().membersWithAddress("prod-mesh",
                    id.address().toString()).stream().anyMatch(m -> m.getMetadata().getFinalizers() != null
                    && m.getMetadata().getFinalizers().contains(WellKnownNames.REVOKE_FINALIZER)));
            await("config " + i, CONVERGE, () -> operator.controller().onConfigRequest(id.publicOnly(), nwid, METADATA,
                    PHYSICAL).orTimeout(10, TimeUnit.SECONDS).join() instanceof ConfigDecision.Reply);

            long deletedNs = System.nanoTime();
            cluster.client.pods().inNamespace(NS).withName(pod.getMetadata().getName()).delete();
            collectGarbage(pod);
            await("revocation " + i, CONVERGE, () -> effects.stream().anyMatch(e -> e instanceof ControllerEffect.SendRevocation r
                    && r.revocation().target().equals(id.address())));
            revokeMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - deletedNs));
            await("member gone " + i, CONVERGE, () -> member(name) == null);
        }
        assertEquals(0, cluster.client.resources(Member.class).inAnyNamespace().list().getItems().size(), "no leaked Member");
        for (Identity id : identities) {
            assertTrue(operator.controller().revokedAtMs(nwid, id.address()).isPresent(), "revoked " + id.address());
        }
        await("member count back to 0", CONVERGE, () -> network().getStatus().getMembers().getTotal() == 0);
        List<Long> sorted = revokeMs.stream().sorted().toList();
        System.out.printf("pod lifecycle: %d cycles, pod deletion to Revocation issued: median %d ms, p95 %d ms, max %d ms%n",
                cycles, sorted.get(sorted.size() / 2), sorted.get(sorted.size() * 95 / 100), sorted.getLast());
    }

    /** What kube-controller-manager's garbage collector does for a deleted Pod: deletes what it controls. */
    private void collectGarbage(Pod pod) {
        for (Member m : cluster.client.resources(Member.class).inNamespace(NS).list().getItems()) {
            List<OwnerReference> owners = m.getMetadata().getOwnerReferences();
            if (owners != null && owners.stream().anyMatch(o -> o.getUid().equals(pod.getMetadata().getUid()))) {
                cluster.client.resource(m).delete();
            }
        }
    }
}
