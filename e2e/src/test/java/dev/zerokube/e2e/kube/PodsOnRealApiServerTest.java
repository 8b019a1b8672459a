package dev.zerokube.e2e.kube;

import static dev.zerokube.e2e.kube.OperatorOnRealApiServerTest.await;
import static dev.zerokube.e2e.kube.OperatorOnRealApiServerTest.isTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.zerokube.operator.ChartRender;
import dev.zerokube.operator.OperatorConfig;
import dev.zerokube.operator.ZerokubeOperator;
import dev.zerokube.operator.api.WellKnownNames;
import dev.zerokube.operator.api.member.Member;
import dev.zerokube.operator.api.member.MemberSpec;
import dev.zerokube.operator.api.network.ZeroTierNetwork;
import dev.zerokube.operator.controller.ControllerNode;
import dev.zerokube.operator.join.TokenReviewer;
import dev.zerokube.operator.webhook.PodWiring;
import dev.zerokube.operator.webhook.SidecarTemplate;
import dev.zerokube.overlay.controller.ControllerEffect;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.FrameDropReason;
import dev.zerokube.overlay.runtime.NodeService;
import dev.zerokube.overlay.testing.Frames;
import dev.zerokube.overlay.testing.LoopbackRig;
import dev.zerokube.overlay.testing.LoopbackRoot;
import dev.zerokube.overlay.wire.Mac;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.sidecar.node.JoinClient;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/*
 * Goal: issue 7's proof on a real API server (v1.20.2): the chart's MutatingWebhookConfiguration,
 * registered with kube-apiserver, injects the classic sidecar (1.20 has no native sidecars) into a
 * Pod created through the API server, and hostile pods get the webhook's denial back through it;
 * the join endpoint validates a real pod-bound token (TokenRequest API, audience zerokube.dev) with
 * TokenReview and refuses a token for another audience without creating a Member; deleting the Pod
 * makes kube-controller-manager garbage-collect its Member, and the controller's Revocation reaches
 * a real overlay node, which then drops the pod's frames (time measured and printed).
 * Method: kube-apiserver + etcd + kube-controller-manager (garbage collector) from the offline-built
 * cache (RealApiServer); one operator replica in this JVM with the pod side (PodWiring, settings
 * from the chart's Deployment) on https://127.0.0.1 and the controller's UDP node on loopback under
 * the test's own root (LoopbackRoot); the chart rendered with helm-java, its two webhook
 * configurations registered as rendered except clientConfig (the URL of that server instead of the
 * Service, which no kube-proxy routes here), their caBundle written by the operator. Pods stay
 * Pending (no kubelet): the test writes the pod IP into the status as a kubelet would. Every wait is
 * bounded.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class PodsOnRealApiServerTest {
    /** The chart's release namespace (ChartRender renders release "zk" there). */
    static final String NAMESPACE = "zerokube-system";
    static final String APPS = "payments";
    private static final String NETWORK = "prod-mesh";
    private static final Duration CONVERGE = Duration.ofSeconds(60);
    /** Pod deletion to the peer dropping frames: garbage collection, finalizer, push; generous on a loaded machine. */
    private static final Duration REVOKED = Duration.ofSeconds(90);
    private static final int FRAME_INTERVAL_MS = 20;
    /** Where an ICMP echo's sequence number sits in an untagged Ethernet frame (14 + 20 + 6). */
    private static final int ICMP_SEQUENCE_AT = 40;

    private static RealApiServer server;
    private static KubernetesClient client;
    private static KubernetesClient operatorClient;
    private static ZerokubeOperator operator;
    private static PodWiring wiring;
    private static LoopbackRoot overlay;
    private static NetworkId nwid;
    /** Every Revocation the controller sent, with when (System.nanoTime) it handed it to the UDP node. */
    private static final List<SentRevocation> revocations = new CopyOnWriteArrayList<>();

    private record SentRevocation(long atNs, ControllerEffect.SendRevocation effect) {}

    @BeforeAll
    static void start() throws IOException {
        server = RealApiServer.startOrSkip();
        client = server.client();
        server.installCrds();
        server.startControllerManager();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
                .create();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(APPS)
                .addToLabels("team", "payments")
                .addToLabels(WellKnownNames.INJECTION_LABEL, WellKnownNames.INJECTION_ENABLED).endMetadata().build())
                .create();

        List<HasMetadata> chart = ChartRender.all(t -> t);
        Container operatorContainer = ChartRender.only(chart, Deployment.class).getSpec().getTemplate().getSpec()
                .getContainers().getFirst();
        Map<String, String> env = operatorContainer.getEnv().stream().filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
        PodWiring.Settings chartSettings = PodWiring.Settings.fromEnv(env, NAMESPACE);
        assertTrue(chartSettings.enabled(), "the chart turns the pod side on");
        assertNull(chartSettings.mode(), "the chart leaves the sidecar mode to the API server's version");
        int httpsPort = freeTcpPort();
        registerWebhooks(chart, chartSettings, httpsPort);

        overlay = LoopbackRoot.start(Identity.generate(new SplittableRandom(71)), 71);
        operatorClient = new KubernetesClientBuilder()
                .withConfig(io.fabric8.kubernetes.client.Config.fromKubeconfig(OperatorOnRealApiServerTest.read(
                        server.kubeconfig()))).build();
        OperatorConfig config = OperatorConfig.parse(Map.of(), "--namespace=" + NAMESPACE, "--instance=replica-a",
                "--leader-election=false", "--health-port=0").withoutExitOnStopLeading();
        operator = new ZerokubeOperator(operatorClient, config, Clock.systemUTC(), new SplittableRandom(72));
        operator.setEffectListener((network, effects) -> effects.forEach(e -> {
            if (e instanceof ControllerEffect.SendRevocation r) {
                revocations.add(new SentRevocation(System.nanoTime(), r));
            }
        }));
        operator.setControllerNode(new ControllerNode.Settings(InetAddress.getLoopbackAddress(),
                LoopbackRig.freeUdpPort(), overlay.planet(), true));
        operator.start();
        wiring = PodWiring.start(operatorClient, chartSettings.withListener(httpsPort, List.of("127.0.0.1")),
                operator.store(), TokenReviewer.of(operatorClient), Clock.systemUTC());
        await("the controller's UDP node is bound", () -> operator.controllerNode().isPresent());

        // Through the validating webhook (the chart's, now served by this replica).
        client.resource(OperatorOnRealApiServerTest.exampleNetwork(client)).create();
        await("network Ready", () -> isTrue(network().getStatus().getConditions(), "Ready"));
        nwid = NetworkId.parse(network().getStatus().getNetworkId());
        await("the network in the webhook's cache", () -> operator.store().networkNamed(NETWORK).isPresent());
    }

    /**
     * The chart's two webhook configurations as rendered, but calling {@code
     * https://127.0.0.1:port/<path>} instead of the Service (no kube-proxy here); caBundle is left
     * to the operator, as in a cluster.
     */
    private static void registerWebhooks(List<HasMetadata> chart, PodWiring.Settings settings, int port) {
        MutatingWebhookConfiguration mutating = ChartRender.only(chart, MutatingWebhookConfiguration.class);
        assertEquals(settings.mutatingWebhook(), mutating.getMetadata().getName());
        mutating.getWebhooks().forEach(w -> w.setClientConfig(url(w.getClientConfig(), settings, port)));
        ValidatingWebhookConfiguration validating = ChartRender.only(chart, ValidatingWebhookConfiguration.class);
        assertEquals(settings.validatingWebhook(), validating.getMetadata().getName());
        validating.getWebhooks().forEach(w -> w.setClientConfig(url(w.getClientConfig(), settings, port)));
        client.resource(mutating).create();
        client.resource(validating).create();
    }

    private static WebhookClientConfig url(WebhookClientConfig rendered, PodWiring.Settings settings, int port) {
        var service = rendered.getService();
        assertEquals(settings.joinService(), service.getName(), "the chart's webhooks call the operator's Service");
        assertEquals(WellKnownNames.JOIN_PORT, service.getPort());
        WebhookClientConfig c = new WebhookClientConfig();
        c.setUrl("https://127.0.0.1:" + port + service.getPath());
        return c;
    }

    @AfterAll
    static void stop() {
        if (wiring != null) {
            wiring.close();
        }
        if (operator != null) {
            operator.close();
        }
        if (operatorClient != null) {
            operatorClient.close();
        }
        if (overlay != null) {
            overlay.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theChartsWebhookInjectsAPodCreatedThroughTheApiServerAndRefusesHostileOnes() {
        // The operator wrote its CA into the registered configurations.
        String bundle = Base64.getEncoder().encodeToString(wiring.caBundlePem().getBytes(StandardCharsets.US_ASCII));
        assertEquals(bundle, client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("zk-zerokube")
                .get().getWebhooks().getFirst().getClientConfig().getCaBundle());

        Pod created = client.resource(annotatedPod("web-0", null)).create();
        Pod stored = client.pods().inNamespace(APPS).withName("web-0").get();
        for (Pod p : List.of(created, stored)) {
            List<Container> containers = p.getSpec().getContainers();
            assertEquals(List.of(WellKnownNames.SIDECAR_CONTAINER, "app"), containers.stream().map(Container::getName)
                    .toList(), "the classic sidecar, first among the containers");
            assertTrue(p.getSpec().getInitContainers() == null || p.getSpec().getInitContainers().stream()
                    .noneMatch(c -> c.getName().equals(WellKnownNames.SIDECAR_CONTAINER)), "no native sidecar on 1.20");
            Container sidecar = containers.getFirst();
            Map<String, String> env = sidecar.getEnv().stream().filter(e -> e.getValue() != null)
                    .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
            assertEquals(NETWORK, env.get(SidecarTemplate.ENV_NETWORKS));
            assertEquals(wiring.caBundlePem(), env.get(SidecarTemplate.ENV_JOIN_CA), "the sidecar trusts the operator's CA");
            assertTrue(env.get(SidecarTemplate.ENV_JOIN_ENDPOINT).startsWith("https://zk-zerokube-join." + NAMESPACE
                    + ".svc:8443"), env.get(SidecarTemplate.ENV_JOIN_ENDPOINT));
            assertEquals("1", sidecar.getResources().getLimits().get(WellKnownNames.TUN_RESOURCE).toString());
            assertTrue(sidecar.getSecurityContext().getRunAsNonRoot());
            assertFalse(sidecar.getSecurityContext().getAllowPrivilegeEscalation());
            assertEquals(List.of("ALL"), sidecar.getSecurityContext().getCapabilities().getDrop());
            Volume token = p.getSpec().getVolumes().stream().filter(v -> v.getName().equals(SidecarTemplate.TOKEN_VOLUME))
                    .findFirst().orElseThrow();
            assertEquals(WellKnownNames.TOKEN_AUDIENCE, token.getProjected().getSources().getFirst()
                    .getServiceAccountToken().getAudience());
        }

        // A namespace without the injection label: the API server does not even call the webhook.
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("plain").endMetadata().build())
                .create();
        Pod plain = annotatedPod("web-0", null);
        plain.getMetadata().setNamespace("plain");
        assertEquals(List.of("app"), client.resource(plain).create().getSpec().getContainers().stream()
                .map(Container::getName).toList());

        // Hostile or impossible pods: refused, with the webhook's message as kubectl shows it.
        Pod unknown = annotatedPod("web-unknown", null);
        unknown.getMetadata().getAnnotations().put(WellKnownNames.NETWORKS_ANNOTATION, NETWORK + ",nope");
        assertDenied(unknown, "ZeroTierNetwork nope does not exist");
        Pod impostor = annotatedPod("web-impostor", null);
        impostor.getSpec().getContainers().add(new io.fabric8.kubernetes.api.model.ContainerBuilder()
                .withName(WellKnownNames.SIDECAR_CONTAINER).withImage("registry.invalid/evil:1")
                .withNewSecurityContext().withPrivileged(true).endSecurityContext().build());
        assertDenied(impostor, "privileged: true");
        Pod runsToCompletion = annotatedPod("web-once", null);
        runsToCompletion.getSpec().setRestartPolicy("Never");
        assertDenied(runsToCompletion, "This API server is older than 1.29");
    }

    private static void assertDenied(Pod pod, String reason) {
        KubernetesClientException e = assertThrows(KubernetesClientException.class, () -> client.resource(pod).create(),
                pod.getMetadata().getName() + " must be refused");
        assertTrue(e.getMessage().contains("admission webhook \"inject.zerokube.dev\" denied the request")
                && e.getMessage().contains(reason), e.getMessage());
        assertEquals(403, e.getCode(), e.getMessage());
        assertNull(client.pods().inNamespace(APPS).withName(pod.getMetadata().getName()).get(), "nothing stored");
    }

    @Test
    void theJoinEndpointAcceptsARealPodTokenAndRefusesOneForAnotherAudience() throws Exception {
        serviceAccount("web-join");
        Pod pod = runningPod("web-1", "web-join");
        Identity identity = Identity.generate(new SplittableRandom(73));
        JoinClient.Joined joined = join(identity, token("web-join", pod, WellKnownNames.TOKEN_AUDIENCE));
        assertEquals(nwid.toString(), joined.networkId());
        assertEquals(identity.address().toString(), joined.address());
        assertEquals(APPS + "/web-1-" + NETWORK, joined.member());
        Member m = member("web-1-" + NETWORK);
        assertNotNull(m);
        OwnerReference owner = m.getMetadata().getOwnerReferences().getFirst();
        assertEquals(List.of("v1", "Pod", "web-1", pod.getMetadata().getUid()),
                List.of(owner.getApiVersion(), owner.getKind(), owner.getName(), owner.getUid()));
        assertTrue(owner.getController());
        assertEquals(identity.address().toString(), m.getSpec().getAddress());
        assertEquals(identity.publicOnly().toString(), m.getMetadata().getAnnotations().get(WellKnownNames.IDENTITY_ANNOTATION));
        // The chart's validating webhook, through the API server: a hand-made Member for that address is refused.
        await("the Member in the webhook's cache", () -> !operator.store().membersWithAddress(NETWORK,
                identity.address().toString()).isEmpty());
        KubernetesClientException taken = assertThrows(KubernetesClientException.class,
                () -> client.resource(deviceMember("thief", identity)).create());
        assertTrue(taken.getMessage().contains("admission webhook \"validate.zerokube.dev\" denied the request")
                && taken.getMessage().contains("already Member " + APPS + "/web-1-" + NETWORK), taken.getMessage());

        // A genuine token of another pod, but for the API server's own audience: 4xx, no Member.
        Pod other = runningPod("web-2", "web-join");
        String apiToken = token("web-join", other, null);
        Identity second = Identity.generate(new SplittableRandom(74));
        JoinClient.Refused refused = assertThrows(JoinClient.Refused.class, () -> join(second, apiToken));
        assertEquals(403, refused.status(), refused.getMessage());
        assertTrue(refused.getMessage().contains(WellKnownNames.TOKEN_AUDIENCE), refused.getMessage());
        assertNull(member("web-2-" + NETWORK), "no Member for a refused join");
        assertTrue(client.resources(Member.class).inNamespace(APPS).list().getItems().stream()
                .noneMatch(x -> second.address().toString().equals(x.getSpec().getAddress())));
    }

    @Test
    void deletingThePodGarbageCollectsItsMemberAndAPeerNodeDropsItsFrames() throws Exception {
        serviceAccount("web-gc");
        Pod pod = runningPod("web-3", "web-gc");
        Identity podIdentity = Identity.generate(new SplittableRandom(75));
        Identity peerIdentity = Identity.generate(new SplittableRandom(76));
        join(podIdentity, token("web-gc", pod, WellKnownNames.TOKEN_AUDIENCE));
        String podMember = "web-3-" + NETWORK;
        client.resource(deviceMember("laptop-bob", peerIdentity)).create();

        NodeService podNode = overlay.member(podIdentity);
        NodeService peer = overlay.member(peerIdentity);
        for (NodeService n : List.of(podNode, peer)) {
            n.execute(node -> node.join(nwid, n.nowMs()));
        }
        await("both nodes have their config", () -> LoopbackRoot.hasConfig(podNode, nwid)
                && LoopbackRoot.hasConfig(peer, nwid));

        // The pod's node sends the peer an ICMP echo every 20 ms, numbered; the peer records which
        // numbers it delivers. The first number it never delivers dates the Revocation's effect.
        Mac podMac = LoopbackRoot.status(podNode, nwid).mac();
        Mac peerMac = LoopbackRoot.status(peer, nwid).mac();
        byte[] podIp = LoopbackRoot.status(podNode, nwid).assignedAddresses().getFirst().ip();
        byte[] peerIp = LoopbackRoot.status(peer, nwid).assignedAddresses().getFirst().ip();
        Map<Integer, Long> sentAtNs = new ConcurrentHashMap<>();
        Set<Integer> delivered = ConcurrentHashMap.newKeySet();
        peer.setFrameSink((id, frame, off, len) -> {
            if (id.equals(nwid) && len >= ICMP_SEQUENCE_AT + 2 && macAt(frame, off + Mac.LENGTH) == podMac.value()) {
                delivered.add((frame[off + ICMP_SEQUENCE_AT] & 0xff) << 8 | frame[off + ICMP_SEQUENCE_AT + 1] & 0xff);
            }
        });
        AtomicInteger sequence = new AtomicInteger();
        ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor();
        try {
            sender.scheduleAtFixedRate(() -> {
                int n = sequence.incrementAndGet();
                byte[] frame = Frames.ethernet(peerMac.value(), podMac.value(), 0x0800, Frames.icmpEcho(8, podIp, peerIp, 7, n));
                sentAtNs.put(n, System.nanoTime());
                podNode.execute(node -> node.onFrame(nwid, frame, 0, frame.length, podNode.nowMs()));
            }, 0, FRAME_INTERVAL_MS, TimeUnit.MILLISECONDS);
            await("the peer delivers the pod's frames", () -> delivered.size() >= 5);
            long dropsBefore = notAMember(peer);

            long deletedNs = System.nanoTime();
            client.pods().inNamespace(APPS).withName("web-3").delete();
            // The peer keeps a frame that fails its gate while it waits for the sender's credentials,
            // and counts it NOT_A_MEMBER only when it gives up: the count confirms why frames stopped.
            long collectedMs = -1;
            long sentMs = -1;
            while (collectedMs < 0 || sentMs < 0 || notAMember(peer) <= dropsBefore) {
                long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - deletedNs);
                if (elapsedMs > REVOKED.toMillis()) {
                    fail("after " + REVOKED + ": Member gone at " + collectedMs + " ms, Revocation sent to the peer at "
                            + sentMs + " ms (-1: not yet), the peer's NOT_A_MEMBER drops " + (notAMember(peer) - dropsBefore));
                }
                if (collectedMs < 0 && member(podMember) == null) {
                    collectedMs = elapsedMs;
                }
                if (sentMs < 0) {
                    sentMs = revocations.stream().filter(r -> r.effect().recipient().equals(peerIdentity.address())
                            && r.effect().revocation().target().equals(podIdentity.address()))
                            .mapToLong(r -> TimeUnit.NANOSECONDS.toMillis(r.atNs() - deletedNs)).findFirst().orElse(-1);
                }
                Thread.sleep(10);
            }
            assertTrue(operator.controller().revokedAtMs(nwid, podIdentity.address()).isPresent(),
                    "the controller revoked the pod's address");
            long dropsSettled = notAMember(peer);
            Thread.sleep(1_000);
            assertTrue(notAMember(peer) > dropsSettled, "the pod keeps sending and the peer keeps dropping");
            int lastDelivered = delivered.stream().mapToInt(Integer::intValue).max().orElseThrow();
            int sent = sequence.get();
            assertTrue(sent > lastDelivered + 1_000 / FRAME_INTERVAL_MS / 2, "the peer delivered frame " + lastDelivered
                    + " of " + sent + ": it should have refused the last second's");
            long refusedMs = TimeUnit.NANOSECONDS.toMillis(sentAtNs.get(lastDelivered + 1) - deletedNs);
            assertTrue(refusedMs + FRAME_INTERVAL_MS >= sentMs, "frames stop only once the Revocation is sent (first "
                    + "refused frame sent at " + refusedMs + " ms, Revocation at " + sentMs + " ms)");
            assertTrue(LoopbackRoot.hasConfig(peer, nwid), "the peer itself stays on the network");
            assertNotNull(member("laptop-bob"));
            System.out.printf("pod deletion on kube-apiserver %s: Revocation sent to the peer after %d ms; the first of "
                    + "the pod's frames the peer refused was sent %d ms after the deletion (frames every %d ms); Member "
                    + "gone after %d ms%n", RealApiServer.VERSION, sentMs, refusedMs, FRAME_INTERVAL_MS, collectedMs);
        } finally {
            sender.shutdownNow();
            sender.awaitTermination(5, TimeUnit.SECONDS);
            peer.setFrameSink(null);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static long macAt(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < Mac.LENGTH; i++) {
            v = v << 8 | (b[off + i] & 0xff);
        }
        return v;
    }

    private static long notAMember(NodeService node) {
        return node.call(n -> n.frameDropCount(FrameDropReason.NOT_A_MEMBER)).join();
    }

    /**
     * A pod in {@link #APPS} asking for {@link #NETWORK}, run as {@code serviceAccount} (null:
     * "default"). The name is always set: in a cluster the ServiceAccount admission plugin fills in
     * "default" before the webhooks run, but kube-api-test turns that plugin off, and 1.20 refuses
     * the injected projected token of a pod without a service account.
     */
    private static Pod annotatedPod(String name, String serviceAccount) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(APPS).addToLabels("app", "web")
                .addToAnnotations(WellKnownNames.NETWORKS_ANNOTATION, NETWORK).endMetadata()
                .withNewSpec().withServiceAccountName(serviceAccount == null ? "default" : serviceAccount)
                .addNewContainer().withName("app").withImage("registry.invalid/web:1").endContainer().endSpec().build();
    }

    private static void serviceAccount(String name) {
        client.resource(new ServiceAccountBuilder().withNewMetadata().withName(name).withNamespace(APPS).endMetadata()
                .build()).create();
    }

    /**
     * Creates the pod (through the webhook) and gives it the IP its sidecar's requests come from,
     * 127.0.0.1, as the kubelet would once it runs (the join endpoint checks the source).
     */
    private static Pod runningPod(String name, String serviceAccount) {
        client.resource(annotatedPod(name, serviceAccount)).create();
        return client.pods().inNamespace(APPS).withName(name).editStatus(p -> {
            p.getStatus().setPhase("Running");
            p.getStatus().setPodIP("127.0.0.1");
            p.getStatus().setPodIPs(List.of(new io.fabric8.kubernetes.api.model.PodIP("127.0.0.1")));
            return p;
        });
    }

    /**
     * A token from the TokenRequest API, bound to {@code pod} as the kubelet's projected tokens
     * are; {@code audience} null for the API server's own.
     */
    private static String token(String serviceAccount, Pod pod, String audience) {
        var request = new TokenRequestBuilder().withNewSpec().withExpirationSeconds(600L)
                .withNewBoundObjectRef().withApiVersion("v1").withKind("Pod").withName(pod.getMetadata().getName())
                .withUid(pod.getMetadata().getUid()).endBoundObjectRef();
        if (audience != null) {
            request.withAudiences(audience);
        }
        String token = client.serviceAccounts().inNamespace(APPS).withName(serviceAccount)
                .tokenRequest(request.endSpec().build()).getStatus().getToken();
        assertNotNull(token, "the API server issued a token");
        return token;
    }

    /** Joins as the sidecar does, retrying while the endpoint answers 503 (bounded). */
    private static JoinClient.Joined join(Identity identity, String token) throws Exception {
        JoinClient joinClient = new JoinClient(URI.create("https://127.0.0.1:" + wiring.address().getPort()
                + WellKnownNames.JOIN_PATH), wiring.caBundlePem());
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (true) {
            try {
                return joinClient.join(NETWORK, identity, token);
            } catch (JoinClient.Retry retry) {
                if (System.nanoTime() > deadline) {
                    fail("the join endpoint still says retry after " + CONVERGE + ": " + retry.getMessage());
                }
                Thread.sleep(Math.max(200, Math.min(2_000, retry.after().toMillis())));
            }
        }
    }

    private static Member deviceMember(String name, Identity identity) {
        Member m = new Member();
        m.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).withNamespace(APPS).build());
        MemberSpec spec = new MemberSpec();
        spec.setNetwork(NETWORK);
        spec.setAddress(identity.address().toString());
        spec.setAuthorized(true);
        m.setSpec(spec);
        return m;
    }

    private static ZeroTierNetwork network() {
        return client.resources(ZeroTierNetwork.class).withName(NETWORK).get();
    }

    private static Member member(String name) {
        return client.resources(Member.class).inNamespace(APPS).withName(name).get();
    }

    private static int freeTcpPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
