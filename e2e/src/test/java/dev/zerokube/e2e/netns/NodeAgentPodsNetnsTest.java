package dev.zerokube.e2e.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zerokube.operator.MockCluster;
import dev.zerokube.operator.ZerokubeOperator;
import dev.zerokube.operator.api.WellKnownNames;
import dev.zerokube.operator.api.member.Member;
import dev.zerokube.operator.api.network.ZeroTierNetwork;
import dev.zerokube.operator.controller.ControllerNode;
import dev.zerokube.operator.join.FakeTokenAuthority;
import dev.zerokube.operator.join.TokenReviewer;
import dev.zerokube.operator.webhook.InjectionWebhook;
import dev.zerokube.operator.webhook.OperatorHttpsServer;
import dev.zerokube.operator.webhook.PodWiring;
import dev.zerokube.operator.webhook.TlsClients;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.crypto.C25519;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.NodeConfig;
import dev.zerokube.overlay.root.RootWorlds;
import dev.zerokube.overlay.runtime.LocalApi;
import dev.zerokube.overlay.runtime.NodeService;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.World;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/*
 * Goal: issue 7's proof "node agent as root: a pod network namespace with a process running as an
 * unprivileged UID; the agent creates the TAP there, the sidecar attaches with no capabilities and
 * pings another such pod across the overlay", with every part the product's own: the operator
 * (reconcilers, embedded controller on its UDP node, the mutating webhook and the join endpoint
 * over HTTPS), the node agent's Main as a root process, and `zerokube node --pod` as the sidecar.
 * Method: the Fabric8 mock API server (CRUD; MockCluster, TokenReviews answered by
 * FakeTokenAuthority) and the operator run in this JVM, with a ZeroTier root, on a host link into a
 * NetnsLab WAN (198.18.0.1). Two "pods" are lab namespaces on that WAN (198.18.0.41, .42), each
 * with cgroups laid out as the kubelet's (kubepods/besteffort/pod<uid>/<container>), a "pause"
 * process as UID 65535, and Pod objects made by sending the app's pod through the mutating webhook
 * (its JSON patch applied), bound to this node. The agent finds each pod's namespace and each
 * hand-off client's pod from those cgroups. Each sidecar runs what the webhook injected (args,
 * environment with its JVM flags, runAsUser) in its pod's namespace and cgroup, under setpriv
 * with that UID, no capabilities at all and no_new_privs; only what cannot exist outside a
 * cluster is replaced: the
 * join endpoint's Service name by the host link's address, the projected token by a file, the
 * device plugin's ZEROKUBE_TAP_SOCKET by the agent's socket here, and a planet naming the test's
 * root. Then pod A pings pod B's overlay IP as another unprivileged UID (ICMP datagram socket,
 * ping_group_range as container runtimes set it). Measured and printed: from the sidecars' start
 * to the TAP received, to ready, to the first ping reply. Skipped with the reason unless root with
 * namespaces, /dev/net/tun, setpriv and a writable cgroup hierarchy; everything (processes,
 * namespaces, cgroups, the host link) is removed afterwards whatever happens.
 */
@Timeout(600)
class NodeAgentPodsNetnsTest {
    private static final String NODE = "node-a";
    private static final String NS = "payments";
    private static final String NETWORK = "pod-mesh";
    private static final String OVERLAY_PREFIX = "198.18.244.";
    private static final int PAUSE_UID = 65535;
    private static final int APP_UID = 65534;
    private static final long WAIT_MS = 120_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final FakeTokenAuthority AUTHORITY = new FakeTokenAuthority("node agent e2e key");

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private final Map<String, Path> logs = new LinkedHashMap<>();

    @Test
    void podsGetTapsFromTheNodeAgentAndPingAcrossTheOverlayWithoutPrivileges() throws Exception {
        NetnsSupport.assumeAvailable();
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "network-namespace test skipped: no /dev/net/tun");
        assumeTrue(works("setpriv", "--version"),
                "network-namespace test skipped: util-linux's setpriv (runs the sidecar without privileges) is not installed");
        String noCgroups = PodCgroups.unavailableReason();
        assumeTrue(noCgroups == null, () -> "network-namespace test skipped: " + noCgroups);
        try {
            run();
        } catch (Throwable t) {
            logs.forEach((name, log) -> System.out.println("--- " + name + " ---\n" + tail(log, 40)));
            // -Dzerokube.e2e.holdMs=N keeps the namespaces and processes N ms longer to look at them.
            Thread.sleep(Long.getLong("zerokube.e2e.holdMs", 0));
            throw t;
        } finally {
            closeAll();
        }
    }

    private void run() throws Exception {
        Path dir = Files.createTempDirectory("zerokube-podping-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        cleanup.add(() -> deleteTree(dir));
        PodCgroups cgroups = PodCgroups.create();
        cleanup.add(cgroups);
        NetnsLab lab = NetnsLab.create();
        cleanup.add(lab);
        String hostIp = lab.hostLink(1);
        Map<String, Namespace> pods = new LinkedHashMap<>();
        pods.put("web-a", lab.wanHost("pod-a", 41));
        pods.put("web-b", lab.wanHost("pod-b", 42));
        for (Namespace ns : pods.values()) {
            // What container runtimes set in every pod: unprivileged ICMP echo sockets.
            ns.exec("sysctl", "-q", "-w", "net.ipv4.ping_group_range=0 2147483647");
        }

        // The API server, a root, the operator with its controller's UDP node and the pod side.
        MockCluster cluster = new MockCluster(IgnoringNodeNameSelector::new);
        cleanup.add(cluster);
        AUTHORITY.serveTokenReviews(cluster.server);
        cluster.client.namespaces().withName(NS).edit(n -> {
            n.getMetadata().setLabels(Map.of("team", "payments", WellKnownNames.INJECTION_LABEL,
                    WellKnownNames.INJECTION_ENABLED));
            return n;
        });
        InetAddress host = InetAddress.getByName(hostIp);
        Identity rootIdentity = Identity.generate(new SplittableRandom(44));
        int rootPort = freeUdpPort(host);
        World planet = RootWorlds.first(World.Type.PLANET, 0x7e57_0044L, 1_000L,
                List.of(RootWorlds.root(rootIdentity, List.of(InetEndpoint.parse(hostIp + "/" + rootPort)))),
                C25519.generate(new SplittableRandom(45)));
        Path planetFile = dir.resolve("planet");
        ByteWriter w = new ByteWriter();
        planet.encode(w);
        Files.write(planetFile, w.toByteArray());
        NodeService root = NodeService.start(rootIdentity, NodeConfig.of(planet),
                new NodeService.Options(host, List.of(rootPort), false, true, null, null));
        cleanup.add(root);
        ZerokubeOperator operator = cluster.startReplica("replica-a", false, 7,
                op -> op.setControllerNode(new ControllerNode.Settings(host, 0, planet, false)));
        cluster.client.resource(cluster.client.getKubernetesSerialization().unmarshal("""
                apiVersion: zerokube.dev/v1alpha1
                kind: ZeroTierNetwork
                metadata: {name: %s}
                spec:
                  private: true
                  mtu: 2800
                  ipAssignment:
                    pools: [{start: %s10, end: %s200}]
                    v4AutoAssign: true
                  routes: [{target: %s0/24}]
                  rules: "accept;"
                  admission:
                    namespaceSelector: {matchLabels: {team: payments}}
                    podSelector: {}
                    autoAuthorizePods: true
                """.formatted(NETWORK, OVERLAY_PREFIX, OVERLAY_PREFIX, OVERLAY_PREFIX), ZeroTierNetwork.class)).create();
        OverlayLab.await(60_000, "the network's ID", () -> network(cluster).getStatus().getNetworkId() != null);
        OverlayLab.await(60_000, "the controller's UDP node", () -> operator.controllerNode().isPresent());
        NetworkId nwid = NetworkId.parse(network(cluster).getStatus().getNetworkId());
        PodWiring wiring = PodWiring.start(cluster.client, PodWiring.Settings.fromEnv(Map.of(
                "ZEROKUBE_PODS_ENABLED", "true", "ZEROKUBE_SIDECAR_IMAGE", "ghcr.io/zerokube/zerokube:e2e",
                "ZEROKUBE_SIDECAR_MODE", "native"), MockCluster.NAMESPACE).withListener(0, List.of("127.0.0.1", hostIp)),
                operator.store(), TokenReviewer.of(cluster.client), Clock.systemUTC());
        cleanup.add(wiring);
        String joinUrl = "https://" + hostIp + ":" + wiring.address().getPort() + WellKnownNames.JOIN_PATH;

        // The node agent: its own Main, as root in this namespace (the node's), API from a kubeconfig.
        Path handoff = Files.createDirectories(dir.resolve("handoff"));
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, kubeconfig(cluster.client.getMasterUrl().toString()));
        Path agentLog = log(dir, "node-agent");
        ProcessBuilder agentPb = new ProcessBuilder(ZerokubeCommand.get().helperArgv(dev.zerokube.nodeagent.Main.class,
                "--node-name", NODE, "--no-device-plugin", "--handoff-dir", handoff.toString(), "--handoff-wait-ms", "60000"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(agentLog.toFile()));
        agentPb.command().add(1, "--enable-native-access=ALL-UNNAMED");
        agentPb.environment().put("KUBECONFIG", kubeconfig.toString());
        Process agent = agentPb.start();
        cleanup.add(() -> stop(agent));
        Path socket = handoff.resolve("tap.sock");
        OverlayLab.await(60_000, "the agent's hand-off socket", () -> Files.exists(socket));

        // The pods: through the mutating webhook, then bound to this node and "running".
        HttpClient https = TlsClients.client(wiring.caBundlePem());
        Map<String, Pod> created = new LinkedHashMap<>();
        for (var e : pods.entrySet()) {
            created.put(e.getKey(), createInjectedPod(cluster, https, wiring, e.getKey(), e.getValue().underlayAddress()));
        }
        Map<String, Process> sidecars = new LinkedHashMap<>();
        Map<String, Integer> sidecarUids = new HashMap<>();
        List<String[]> argvs = new ArrayList<>();
        List<Map<String, String>> envs = new ArrayList<>();
        for (var e : pods.entrySet()) {
            Pod pod = created.get(e.getKey());
            String uid = pod.getMetadata().getUid();
            Container sidecar = pod.getSpec().getInitContainers().stream()
                    .filter(c -> c.getName().equals(WellKnownNames.SIDECAR_CONTAINER)).findFirst().orElseThrow();
            int sidecarUid = sidecar.getSecurityContext().getRunAsUser().intValue();
            sidecarUids.put(e.getKey(), sidecarUid);
            // The sandbox: a "pause" process of another unprivileged UID holds the pod's place.
            e.getValue().startInCgroup(cgroups.container(uid, "pause"), log(dir, e.getKey() + "-pause"), Map.of(),
                    Namespace.unprivileged(PAUSE_UID, "sleep", "600"));
            Path tokenDir = Files.createDirectories(dir.resolve(e.getKey()));
            Path token = tokenDir.resolve("token");
            Files.writeString(token, AUTHORITY.issue(NS, "web", pod.getMetadata().getName(), uid,
                    List.of(WellKnownNames.TOKEN_AUDIENCE)));
            Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
            Map<String, String> env = containerEnv(sidecar, pod);
            env.put("ZEROKUBE_JOIN_ENDPOINT", joinUrl);
            env.put("ZEROKUBE_TOKEN_FILE", token.toString());
            env.put("ZEROKUBE_TAP_SOCKET", socket.toString());
            env.put("ZEROKUBE_PLANET_FILE", planetFile.toString());
            envs.add(env);
            List<String> cmd = new ArrayList<>(List.of(ZerokubeCommand.get().argvForAnyUser(dir.resolve("classpath"),
                    List.of(), sidecar.getArgs().toArray(String[]::new))));
            argvs.add(Namespace.unprivileged(sidecarUid, cmd.toArray(String[]::new)));
        }
        // Both sidecars start together, as two pods scheduled at once.
        long startNs = System.nanoTime();
        java.time.Instant start = java.time.Instant.now();
        int i = 0;
        for (var e : pods.entrySet()) {
            String uid = created.get(e.getKey()).getMetadata().getUid();
            sidecars.put(e.getKey(), e.getValue().startInCgroup(cgroups.container(uid, WellKnownNames.SIDECAR_CONTAINER),
                    log(dir, e.getKey() + "-sidecar"), envs.get(i), argvs.get(i)));
            i++;
        }

        // The join endpoint makes the Members, the operator gives them IPs, the agent their TAPs.
        Map<String, String> overlayIp = new LinkedHashMap<>();
        for (String pod : pods.keySet()) {
            OverlayLab.await(WAIT_MS, "Member " + pod + "-" + NETWORK + " with an IP", () -> {
                Member m = cluster.client.resources(Member.class).inNamespace(NS).withName(pod + "-" + NETWORK).get();
                return m != null && m.getStatus() != null && m.getStatus().getIpAssignments() != null
                        && !m.getStatus().getIpAssignments().isEmpty();
            });
            Member m = cluster.client.resources(Member.class).inNamespace(NS).withName(pod + "-" + NETWORK).get();
            assertEquals(created.get(pod).getMetadata().getUid(), m.getMetadata().getOwnerReferences().getFirst().getUid(),
                    "the join endpoint made the Member owned by the Pod");
            overlayIp.put(pod, m.getStatus().getIpAssignments().getFirst());
        }
        for (String pod : pods.keySet()) {
            Path sidecarLog = logs.get(pod + "-sidecar");
            OverlayLab.await(WAIT_MS, pod + "'s sidecar ready", () -> read(sidecarLog).contains("event=ready"));
        }
        // An app's ping: a copy of the machine's, without its file capabilities (as in an image).
        Path ping = dir.resolve("ping");
        Files.copy(Path.of(Command.run("sh", "-c", "command -v ping").strip()), ping);
        Files.setPosixFilePermissions(ping, PosixFilePermissions.fromString("rwxr-xr-x"));
        // The first reply from pod A's app (an unprivileged UID with no capabilities) to pod B.
        String target = overlayIp.get("web-b");
        OverlayLab.await(WAIT_MS, "a ping reply from pod B over the overlay",
                () -> pods.get("web-a").attempt(5_000, Namespace.unprivileged(APP_UID, ping.toString(), "-n", "-c", "1", "-W", "1", target)).ok());
        long firstPingMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);

        // What the kernel shows: a TAP in each pod, configured from the Member, owned by the sidecar's UID.
        String dev = LocalApi.deviceName(nwid);
        for (var e : pods.entrySet()) {
            String link = e.getValue().exec("ip", "-d", "-o", "link", "show", dev);
            assertTrue(link.contains("tun type tap") && link.contains("persist on")
                    && link.contains("user " + sidecarUids.get(e.getKey())), "persistent TAP owned by the sidecar's UID: " + link);
            assertTrue(link.contains("mtu 2800"), link);
            assertTrue(e.getValue().exec("ip", "-o", "addr", "show", "dev", dev).contains(overlayIp.get(e.getKey()) + "/24"),
                    "the Member's IP with the route's netmask on the TAP");
            String sidecarLog = read(logs.get(e.getKey() + "-sidecar"));
            assertTrue(sidecarLog.contains("event=taps_received count=1"), sidecarLog);
            assertFalse(sidecarLog.contains("userspace_fallback"), sidecarLog);
            // The sidecar holds no capability at all: effective, permitted, inheritable, bounding, ambient.
            String status = Files.readString(Path.of("/proc", Long.toString(sidecars.get(e.getKey()).pid()), "status"));
            for (String cap : List.of("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")) {
                assertTrue(status.lines().anyMatch(l -> l.matches(cap + ":\\s+0+")), cap + " of the sidecar: " + status);
            }
            assertTrue(status.lines().anyMatch(l -> l.matches("Uid:\\s+" + sidecarUids.get(e.getKey()) + "(\\s+"
                    + sidecarUids.get(e.getKey()) + "){3}")), "runs as the injected runAsUser: " + status);
            assertTrue(status.lines().anyMatch(l -> l.matches("NoNewPrivs:\\s+1")), status);
        }
        assertTrue(Command.run("ip", "-o", "link", "show").lines().noneMatch(l -> l.contains(dev)),
                "no TAP in the node's own namespace");
        // Both ways, several times.
        int ab = pods.get("web-a").pingRepliesAs(APP_UID, ping, overlayIp.get("web-b"), 5);
        int ba = pods.get("web-b").pingRepliesAs(APP_UID, ping, overlayIp.get("web-a"), 5);
        StringBuilder timeline = new StringBuilder();
        for (String pod : pods.keySet()) {
            Path l = logs.get(pod + "-sidecar");
            timeline.append(String.format(" %s: identity %d, joined %d, TAP received %d, ready %d;", pod,
                    eventMs(l, start, "started"), eventMs(l, start, "joined"), eventMs(l, start, "taps_received"),
                    eventMs(l, start, "ready")));
        }
        System.out.printf("NodeAgentPodsNetnsTest: ms from both sidecars' start:%s first ping reply web-a -> web-b %d"
                + " (then %d/5 and %d/5 replies each way); load average %s%n", timeline, firstPingMs, ab, ba,
                Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        assertTrue(ab >= 4 && ba >= 4, "ping replies A→B " + ab + "/5, B→A " + ba + "/5");
    }

    /** The app's pod sent through the mutating webhook, its patch applied, then stored as scheduled and running. */
    private static Pod createInjectedPod(MockCluster cluster, HttpClient https, PodWiring wiring, String name, String podIp)
            throws Exception {
        Pod app = new PodBuilder().withNewMetadata().withName(name).withNamespace(NS)
                .addToAnnotations(WellKnownNames.NETWORKS_ANNOTATION, NETWORK).endMetadata()
                .withNewSpec().withServiceAccountName("web").addNewContainer().withName("app").withImage("app").endContainer()
                .endSpec().build();
        ObjectNode review = JSON.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request").put("uid", "review-" + name).put("operation", "CREATE")
                .put("namespace", NS);
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.set("object", JSON.valueToTree(app));
        HttpResponse<String> r = TlsClients.post(https, wiring.address(), OperatorHttpsServer.MUTATE_PODS_PATH,
                "application/json", review.toString());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode response = JSON.readTree(r.body()).get("response");
        assertTrue(response.get("allowed").asBoolean(), response.toString());
        JsonNode patch = JSON.readTree(InjectionWebhook.decodePatch(response.get("patch").asText()));
        Pod injected = JSON.treeToValue(JsonPatch.apply(patch, JSON.valueToTree(app)), Pod.class);
        injected.getSpec().setNodeName(NODE);
        injected.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").withPodIP(podIp)
                .addNewPodIP(podIp).build());
        return cluster.client.pods().inNamespace(NS).resource(injected).create();
    }

    /** The container's environment as the kubelet would give it (values and the downward API fields used). */
    private static Map<String, String> containerEnv(Container c, Pod pod) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar v : c.getEnv()) {
            if (v.getValue() != null) {
                env.put(v.getName(), v.getValue());
            } else if (v.getValueFrom() != null && v.getValueFrom().getFieldRef() != null) {
                String value = switch (v.getValueFrom().getFieldRef().getFieldPath()) {
                    case "metadata.name" -> pod.getMetadata().getName();
                    case "metadata.namespace" -> pod.getMetadata().getNamespace();
                    case "metadata.uid" -> pod.getMetadata().getUid();
                    case "status.podIP" -> pod.getStatus().getPodIP();
                    default -> throw new IllegalStateException("unexpected downward API field " + v.getValueFrom());
                };
                env.put(v.getName(), value);
            }
        }
        return env;
    }

    private static boolean works(String... argv) {
        try {
            return Command.attempt(5_000, argv).ok();
        } catch (RuntimeException notInstalled) {
            return false;
        }
    }

    private static ZeroTierNetwork network(MockCluster cluster) {
        return cluster.client.resources(ZeroTierNetwork.class).withName(NETWORK).get();
    }

    private static String kubeconfig(String server) {
        return """
                apiVersion: v1
                kind: Config
                clusters: [{name: mock, cluster: {server: "%s"}}]
                users: [{name: agent, user: {token: node-agent}}]
                contexts: [{name: mock, context: {cluster: mock, user: agent}}]
                current-context: mock
                """.formatted(server);
    }

    private static int freeUdpPort(InetAddress address) throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(address, 0))) {
            return s.getLocalPort();
        }
    }

    private Path log(Path dir, String name) {
        Path p = dir.resolve(name + ".log");
        logs.put(name, p);
        return p;
    }

    // Milliseconds from start to the sidecar's lifecycle event, from the event's timestamp.
    private static long eventMs(Path log, java.time.Instant start, String event) {
        java.util.regex.Matcher at = java.util.regex.Pattern.compile("ts=(\\S+) level=\\w+ component=sidecar event=" + event)
                .matcher(read(log));
        return at.find() ? java.time.Duration.between(start, java.time.Instant.parse(at.group(1))).toMillis() : -1;
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static String tail(Path p, int lines) {
        List<String> l = read(p).lines().toList();
        return String.join("\n", l.subList(Math.max(0, l.size() - lines), l.size()));
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    private void closeAll() throws Exception {
        Exception first = null;
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            try {
                cleanup.get(i).close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        cleanup.clear();
        if (first != null) {
            throw first;
        }
    }

    /**
     * The mock server's CRUD mode matches field selectors only on name and namespace, so it would
     * answer the agent's {@code spec.nodeName} selector with nothing: this front drops that one
     * selector (every pod of the test is on {@link #NODE}, and the agent checks the node again).
     */
    static final class IgnoringNodeNameSelector extends Dispatcher {
        private final Dispatcher crud;

        IgnoringNodeNameSelector(Dispatcher crud) {
            this.crud = crud;
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String path = request.getPath();
            int q = path == null ? -1 : path.indexOf('?');
            if (q >= 0) {
                List<String> kept = Stream.of(path.substring(q + 1).split("&"))
                        .filter(p -> !p.startsWith("fieldSelector=spec.nodeName")).toList();
                String rewritten = path.substring(0, q) + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
                if (!rewritten.equals(path)) {
                    request = new RecordedRequest(request.getHttpVersion(), request.method(), rewritten,
                            request.getHeaders(), request.getBody());
                }
            }
            return crud.dispatch(request);
        }

        @Override
        public void shutdown() {
            crud.shutdown();
        }
    }
}
