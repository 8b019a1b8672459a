package dev.zerokube.operator;

import static dev.zerokube.operator.MockCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.operator.api.ConditionStatus;
import dev.zerokube.operator.api.WellKnownNames;
import dev.zerokube.operator.api.member.Member;
import dev.zerokube.operator.api.member.MemberSpec;
import dev.zerokube.operator.api.network.ZeroTierNetwork;
import dev.zerokube.operator.controller.ControllerNode;
import dev.zerokube.overlay.controller.ConfigDecision;
import dev.zerokube.overlay.controller.ControllerEffect;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.NetworkStatus;
import dev.zerokube.overlay.runtime.NodeService;
import dev.zerokube.overlay.testing.LoopbackRig;
import dev.zerokube.overlay.testing.LoopbackRoot;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.netconf.ConfigRequestMetadata;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/*
 * Goal: issue 6's proof that the operator's embedded controller serves real overlay nodes over UDP
 * from the custom resources: a member node joins a network declared as ZeroTierNetwork + Member and
 * gets the IP the Member's status records; CR changes (a static IP, the rules, authorized: false)
 * reach the node as pushes and revocations well before its next periodic request; an unknown device
 * becomes a pending Member that a CR edit authorizes; and when the leader dies the standby binds the
 * controller port, serves the same config and hands out no address twice.
 * Method: the Fabric8 mock API server in CRUD mode (MockCluster), a root and member NodeServices on
 * 127.0.0.1 under a planet made for the test (LoopbackRoot, shared with the e2e tests), operator replicas whose ControllerNode binds one fixed
 * free loopback port; every step waits (bounded) for what the member node itself reports.
 */
class ControllerOverUdpTest {
    private static final Duration CONVERGE = Duration.ofSeconds(30);
    /** Members re-ask every 60 s (ZT_NETWORK_AUTOCONF_DELAY): seeing a change sooner proves it was pushed. */
    private static final Duration PUSHED = Duration.ofSeconds(25);
    private static Identity rootIdentity;
    private static Identity laptop;
    private static Identity stranger;
    private static Identity second;

    private MockCluster cluster;
    private LoopbackRoot overlay;
    private int controllerPort;
    private final List<ControllerEffect> effects = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeAll
    static void identities() {
        rootIdentity = Identity.generate(new SplittableRandom(20));
        laptop = Identity.generate(new SplittableRandom(21));
        stranger = Identity.generate(new SplittableRandom(22));
        second = Identity.generate(new SplittableRandom(23));
    }

    @BeforeEach
    void start() throws IOException {
        cluster = new MockCluster();
        overlay = LoopbackRoot.start(rootIdentity, 5);
        controllerPort = LoopbackRig.freeUdpPort();
    }

    @AfterEach
    void stop() {
        cluster.close();
        overlay.close();
    }

    @Test
    void memberNodeGetsItsConfigFromCrsAndCrChangesReachIt() throws Exception {
        ZerokubeOperator op = replica("replica-a", false, 1);
        op.setEffectListener((network, list) -> effects.addAll(list));
        await("the UDP node is bound", CONVERGE, () -> op.controllerNode().isPresent());
        assertEquals(controllerPort, op.controllerNode().orElseThrow().port());
        NetworkId nwid = createReadyNetwork();
        cluster.client.resource(memberOf(laptop, "laptop-alice", true)).create();

        NodeService node = member(laptop);
        node.execute(n -> n.join(nwid, node.nowMs()));
        await("the member node's config", CONVERGE, () -> ok(node, nwid));
        NetworkConfig config = status(node, nwid).config().orElseThrow();
        assertEquals("prod mesh", config.name());
        assertEquals(2800, config.mtu());
        assertEquals(laptop.address(), config.issuedTo());
        InetEndpoint ip = status(node, nwid).assignedAddresses().getFirst();
        long v = ip.ipv4Value();
        assertTrue(v >= ipv4("10.147.17.10") && v <= ipv4("10.147.17.254"), "from the pool: " + ip);
        await("Member status records the node's address", CONVERGE, () -> List.of(ip.ipString())
                .equals(member("payments", "laptop-alice").getStatus().getIpAssignments()));
        await("Member status: online", CONVERGE,
                () -> Boolean.TRUE.equals(member("payments", "laptop-alice").getStatus().getOnline()));
        var requestStatus = member("payments", "laptop-alice").getStatus();
        assertNotNull(requestStatus.getLastSeen());
        // The first request may come relayed by the root (no physical address) or directly.
        assertTrue(requestStatus.getPhysicalAddress() == null || requestStatus.getPhysicalAddress().startsWith("127.0.0.1/"),
                requestStatus.getPhysicalAddress());
        assertTrue(op.controllerNode().orElseThrow().requests() > 0);
        assertTrue(op.controller().requestsHandled() > 0);
        try (HealthServer health = new HealthServer(op, 0)) {
            String metrics = new String(java.net.URI.create("http://127.0.0.1:" + health.port() + "/metrics").toURL()
                    .openStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(metrics.contains("zerokube_controller_udp_bound 1.0"), metrics);
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("zerokube_controller_requests_total ")
                    && !l.endsWith(" 0.0")), metrics);
        }

        // A static IP in the Member's spec: pushed to the node.
        editMember("payments", "laptop-alice", m -> m.getSpec().setIpAssignments(List.of("10.147.17.5")));
        await("the static IP reaches the node", PUSHED, () -> status(node, nwid).assignedAddresses().stream()
                .map(InetEndpoint::ipString).toList().equals(List.of("10.147.17.5")));

        // New rules in the network's spec: pushed too.
        int rulesBefore = status(node, nwid).config().orElseThrow().rules().size();
        long revisionBefore = status(node, nwid).config().orElseThrow().revision();
        editNetwork(n -> n.getSpec().setRules("accept;"));
        await("the new rules reach the node", PUSHED, () -> {
            NetworkConfig c = status(node, nwid).config().orElseThrow();
            return c.rules().size() == 1 && c.revision() != revisionBefore;
        });
        assertTrue(rulesBefore > 1, "the example's rules are more than accept");

        // authorized: false: its COM is revoked at once (sent to every online member, itself included,
        // quirk Q15); the node itself keeps its config until its next request, as a 1.14.1 node does,
        // and that request is refused.
        editMember("payments", "laptop-alice", m -> m.getSpec().setAuthorized(false));
        await("a revocation sent to the node", PUSHED, () -> effects.stream().anyMatch(e ->
                e instanceof ControllerEffect.SendRevocation r && r.recipient().equals(laptop.address())
                        && r.revocation().target().equals(laptop.address())));
        await("the deauthorized node is refused at its next request", Duration.ofSeconds(80),
                () -> status(node, nwid).status() == NetworkStatus.Status.ACCESS_DENIED);
    }

    @Test
    void unknownDeviceBecomesAPendingMemberThatACrEditAuthorizes() throws Exception {
        ZerokubeOperator op = replica("replica-a", false, 1);
        await("the UDP node is bound", CONVERGE, () -> op.controllerNode().isPresent());
        NetworkId nwid = createReadyNetwork();

        NodeService node = member(stranger);
        node.execute(n -> n.join(nwid, node.nowMs()));
        await("the unknown device is refused", CONVERGE,
                () -> status(node, nwid).status() == NetworkStatus.Status.ACCESS_DENIED);
        String name = stranger.address() + "-prod-mesh";
        await("a pending Member", CONVERGE, () -> member(MockCluster.PENDING, name) != null);
        Member pending = member(MockCluster.PENDING, name);
        assertFalse(pending.getSpec().getAuthorized());
        assertEquals(stranger.address().toString(), pending.getSpec().getAddress());
        assertEquals("prod-mesh", pending.getSpec().getNetwork());
        assertEquals("true", pending.getMetadata().getLabels().get(WellKnownNames.PENDING_LABEL));
        assertEquals(stranger.publicOnly().toString(),
                pending.getMetadata().getAnnotations().get(WellKnownNames.IDENTITY_ANNOTATION));

        editMember(MockCluster.PENDING, name, m -> m.getSpec().setAuthorized(true));
        await("the authorized device gets its config", CONVERGE, () -> ok(node, nwid));
        String ip = status(node, nwid).assignedAddresses().getFirst().ipString();
        await("its Member records the address", CONVERGE,
                () -> List.of(ip).equals(member(MockCluster.PENDING, name).getStatus().getIpAssignments()));
    }

    @Test
    void standbyTakesOverTheControllerPortAndServesTheSameConfig() throws Exception {
        ZerokubeOperator a = replica("replica-a", true, 1);
        ZerokubeOperator b = replica("replica-b", true, 2);
        await("a leader with the UDP node", CONVERGE, () -> leaderOf(a, b).flatMap(ZerokubeOperator::controllerNode).isPresent());
        ZerokubeOperator leader = leaderOf(a, b).orElseThrow();
        ZerokubeOperator standby = leader == a ? b : a;
        assertEquals(ZerokubeOperator.State.STANDBY, standby.state());
        assertTrue(standby.controllerNode().isEmpty(), "only the leader binds the controller port");
        assertEquals(leader.identity(), standby.identity(), "one identity, from the Secret");

        NetworkId nwid = createReadyNetwork();
        cluster.client.resource(memberOf(laptop, "laptop-alice", true)).create();
        NodeService node = member(laptop);
        node.execute(n -> n.join(nwid, node.nowMs()));
        await("the member node's config", CONVERGE, () -> ok(node, nwid));
        NetworkConfig before = status(node, nwid).config().orElseThrow();

        long killedNs = System.nanoTime();
        leader.close();
        await("the standby leads and binds the port", Duration.ofSeconds(20),
                () -> standby.state() == ZerokubeOperator.State.LEADING && standby.controllerNode().isPresent());
        Duration handover = Duration.ofNanos(System.nanoTime() - killedNs);
        assertTrue(handover.compareTo(Duration.ofSeconds(15)) < 0, "handover took " + handover);
        assertEquals(controllerPort, standby.controllerNode().orElseThrow().port());
        assertEquals(nwid.toString(), network("prod-mesh").getStatus().getNetworkId(), "the network keeps its ID");

        // What the new leader answers the member is the config it holds.
        ConfigDecision d = standby.controller().onConfigRequest(laptop.publicOnly(), nwid,
                ConfigRequestMetadata.zeroTier1141("linux/x86_64"), InetEndpoint.NIL).get(10, TimeUnit.SECONDS);
        NetworkConfig after = ((ConfigDecision.Reply) d).config();
        assertEquals(before.revision(), after.revision());
        assertEquals(before.staticIps(), after.staticIps());
        assertEquals(before.rules(), after.rules());
        assertEquals(before.routes(), after.routes());
        assertEquals(before.name(), after.name());
        assertEquals(List.of(), differencesBeyondIssueTime(before, status(node, nwid).config().orElseThrow()),
                "the member saw no config change");

        // A member that joins now is served by the new leader over UDP, with an address of its own.
        cluster.client.resource(memberOf(second, "server-bob", true)).create();
        NodeService other = member(second);
        other.execute(n -> n.join(nwid, other.nowMs()));
        await("the new member's config from the new leader", CONVERGE, () -> ok(other, nwid));
        assertNotEquals(status(node, nwid).assignedAddresses(), status(other, nwid).assignedAddresses());
        assertEquals(1, cluster.client.resources(ZeroTierNetwork.class).list().getItems().size());
    }

    // ------------------------------------------------------------------ helpers

    private ZerokubeOperator replica(String name, boolean leaderElection, long seed) {
        Consumer<ZerokubeOperator> udp = op -> op.setControllerNode(
                new ControllerNode.Settings(InetAddress.getLoopbackAddress(), controllerPort, overlay.planet(), true));
        return cluster.startReplica(name, leaderElection, seed, udp);
    }

    private static Optional<ZerokubeOperator> leaderOf(ZerokubeOperator... replicas) {
        for (ZerokubeOperator r : replicas) {
            if (r.state() == ZerokubeOperator.State.LEADING) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    private NodeService member(Identity identity) throws IOException {
        return overlay.member(identity);
    }

    private static NetworkStatus status(NodeService node, NetworkId nwid) {
        return LoopbackRoot.status(node, nwid);
    }

    /**
     * How two configs differ in anything but when they were issued. The old leader may push the
     * member its config once more (the same revision, a fresh timestamp and COM), when the informer
     * hands the Member's creation to the store only after the member's first request was answered:
     * that is no change. (The same showed in CI when the store took its own address write for an
     * edit; PolicyStoreOwnWritesTest covers that.)
     */
    private static List<String> differencesBeyondIssueTime(NetworkConfig a, NetworkConfig b) {
        return a.differences(b).stream()
                .filter(d -> !d.startsWith("timestampMs:") && !d.startsWith("certificateOfMembership:"))
                .toList();
    }

    private static boolean ok(NodeService node, NetworkId nwid) {
        return LoopbackRoot.hasConfig(node, nwid);
    }

    private NetworkId createReadyNetwork() throws IOException {
        try (InputStream in = Files.newInputStream(MockCluster.root().resolve("examples/network.yaml"))) {
            cluster.client.resource(cluster.client.getKubernetesSerialization().unmarshal(in, ZeroTierNetwork.class)).create();
        }
        await("network Ready", CONVERGE, () -> network("prod-mesh").getStatus().getConditions().stream()
                .anyMatch(c -> c.getType().equals(Conditions.READY) && c.getStatus() == ConditionStatus.True));
        String id = network("prod-mesh").getStatus().getNetworkId();
        assertNotNull(id);
        return NetworkId.parse(id);
    }

    private static Member memberOf(Identity who, String name, boolean authorized) {
        Member m = new Member();
        m.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).withNamespace("payments").build());
        MemberSpec spec = new MemberSpec();
        spec.setNetwork("prod-mesh");
        spec.setAddress(who.address().toString());
        spec.setAuthorized(authorized);
        m.setSpec(spec);
        return m;
    }

    private ZeroTierNetwork network(String name) {
        return cluster.client.resources(ZeroTierNetwork.class).withName(name).get();
    }

    private Member member(String namespace, String name) {
        return cluster.client.resources(Member.class).inNamespace(namespace).withName(name).get();
    }

    private void editNetwork(Consumer<ZeroTierNetwork> change) {
        KubeEdits.edit(cluster.client.resources(ZeroTierNetwork.class).withName("prod-mesh"), change);
    }

    private void editMember(String namespace, String name, Consumer<Member> change) {
        KubeEdits.edit(cluster.client.resources(Member.class).inNamespace(namespace).withName(name), change);
    }

    private static long ipv4(String text) {
        return InetEndpoint.of(InetEndpoint.parseIp(text), 0).ipv4Value();
    }
}
