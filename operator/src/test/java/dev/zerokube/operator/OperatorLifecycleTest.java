package dev.zerokube.operator;

import static dev.zerokube.operator.MockCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.operator.api.ConditionStatus;
import dev.zerokube.operator.api.WellKnownNames;
import dev.zerokube.operator.api.member.Member;
import dev.zerokube.operator.api.member.MemberSpec;
import dev.zerokube.operator.api.network.ZeroTierNetwork;
import dev.zerokube.overlay.controller.ConfigDecision;
import dev.zerokube.overlay.controller.ControllerEffect;
import dev.zerokube.overlay.controller.RefusalCode;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.netconf.ConfigRequestMetadata;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Goal: the reconcilers and the Kubernetes policy store do what issue 6 and API.md ask, against an
 * API server. Method: the Fabric8 mock server in CRUD mode with the committed CRDs, one operator
 * replica (no leader election), the example network of examples/network.yaml; config requests are
 * made through the embedded controller as the UDP side will make them, with generated identities.
 * Each test waits for the status to converge (bounded) and checks every field it should set.
 */
class OperatorLifecycleTest {
    private static final Duration CONVERGE = Duration.ofSeconds(20);
    private static final ConfigRequestMetadata METADATA = ConfigRequestMetadata.zeroTier1141("linux/x86_64");
    private static final InetEndpoint PHYSICAL = InetEndpoint.parse("198.18.0.7/9993");
    private static Identity laptop;
    private static Identity stranger;

    private MockCluster cluster;
    private ZerokubeOperator operator;
    private final List<ControllerEffect> effects = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void identities() {
        laptop = Identity.generate(new SplittableRandom(11));
        stranger = Identity.generate(new SplittableRandom(12));
    }

    @BeforeEach
    void start() {
        cluster = new MockCluster();
        operator = startOperator();
    }

    private ZerokubeOperator startOperator() {
        ZerokubeOperator op = cluster.startReplica("replica-a", false, 1);
        op.setEffectListener((nwid, list) -> effects.addAll(list));
        return op;
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private ZeroTierNetwork exampleNetwork() throws Exception {
        try (InputStream in = Files.newInputStream(MockCluster.root().resolve("examples/network.yaml"))) {
            return cluster.client.getKubernetesSerialization().unmarshal(in, ZeroTierNetwork.class);
        }
    }

    private ZeroTierNetwork network(String name) {
        return cluster.client.resources(ZeroTierNetwork.class).withName(name).get();
    }

    /** Edits the network as kubectl would, again on a 409 (the operator may write its status meanwhile). */
    private void editNetwork(java.util.function.Consumer<ZeroTierNetwork> change) {
        KubeEdits.edit(cluster.client.resources(ZeroTierNetwork.class).withName("prod-mesh"), change);
    }

    private void editMember(String namespace, String name, java.util.function.Consumer<Member> change) {
        KubeEdits.edit(cluster.client.resources(Member.class).inNamespace(namespace).withName(name), change);
    }

    private static NetworkConfig reply(ConfigDecision d) {
        if (d instanceof ConfigDecision.Reply r) {
            return r.config();
        }
        throw new AssertionError("expected a config, got " + d);
    }

    private Member member(String namespace, String name) {
        return cluster.client.resources(Member.class).inNamespace(namespace).withName(name).get();
    }

    private static ConditionStatus condition(List<dev.zerokube.operator.api.Condition> conditions, String type) {
        return Conditions.find(conditions, type).map(dev.zerokube.operator.api.Condition::getStatus).orElse(null);
    }

    private static String reason(List<dev.zerokube.operator.api.Condition> conditions, String type) {
        return Conditions.find(conditions, type).map(dev.zerokube.operator.api.Condition::getReason).orElse(null);
    }

    private ZeroTierNetwork createReadyNetwork() throws Exception {
        cluster.client.resource(exampleNetwork()).create();
        await("network Ready", CONVERGE, () -> condition(network("prod-mesh").getStatus().getConditions(),
                Conditions.READY) == ConditionStatus.True);
        return network("prod-mesh");
    }

    private Member laptopMember(boolean authorized) {
        Member m = new Member();
        m.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("laptop-alice")
                .withNamespace("payments").build());
        MemberSpec spec = new MemberSpec();
        spec.setNetwork("prod-mesh");
        spec.setAddress(laptop.address().toString());
        spec.setAuthorized(authorized);
        m.setSpec(spec);
        return m;
    }

    private ConfigDecision request(Identity who, NetworkId nwid) throws Exception {
        return operator.controller().onConfigRequest(who.publicOnly(), nwid, METADATA, PHYSICAL).get(10, TimeUnit.SECONDS);
    }

    @Test
    void networkGetsAnIdOfItsControllerThatSurvivesEditsAndRestarts() throws Exception {
        ZeroTierNetwork n = createReadyNetwork();
        String id = n.getStatus().getNetworkId();
        assertNotNull(id);
        assertEquals(operator.identity().address().toString(), n.getStatus().getControllerAddress());
        assertTrue(id.startsWith(n.getStatus().getControllerAddress()), id);
        assertEquals(ConditionStatus.True, condition(n.getStatus().getConditions(), Conditions.VALID));
        assertEquals(n.getMetadata().getGeneration(), n.getStatus().getObservedGeneration());
        assertEquals(0, n.getStatus().getMembers().getTotal());

        long generation0 = n.getMetadata().getGeneration();
        editNetwork(x -> {
            x.getSpec().setMtu(1400);
            x.getSpec().setDisplayName("renamed");
        });
        assertTrue(network("prod-mesh").getMetadata().getGeneration() > generation0, "the spec edit bumps the generation");
        long generation = network("prod-mesh").getMetadata().getGeneration();
        await("observedGeneration follows", CONVERGE,
                () -> network("prod-mesh").getStatus().getObservedGeneration() == generation);
        assertEquals(id, network("prod-mesh").getStatus().getNetworkId(), "a spec edit must not change the ID");
        assertEquals(1400, operator.store().network(NetworkId.parse(id)).orElseThrow().mtu());

        Identity before = operator.identity();
        operator.close();
        operator = startOperator();
        assertEquals(before, operator.identity(), "the identity is read back from its Secret");
        editNetwork(x -> x.getSpec().setMtu(1500));
        long generation2 = network("prod-mesh").getMetadata().getGeneration();
        await("restarted operator reconciles", CONVERGE,
                () -> network("prod-mesh").getStatus().getObservedGeneration() == generation2);
        assertEquals(id, network("prod-mesh").getStatus().getNetworkId(), "a restart must not change the ID");
    }

    @Test
    void rulesThatDoNotCompileAreAConditionAndAnEventNotARetryLoop() throws Exception {
        ZeroTierNetwork n = createReadyNetwork();
        NetworkId id = NetworkId.parse(n.getStatus().getNetworkId());
        editNetwork(x -> x.getSpec().setRules("drop not ethertype ipv4\naccept bogus;\n"));
        await("Valid=False", CONVERGE, () -> condition(network("prod-mesh").getStatus().getConditions(),
                Conditions.VALID) == ConditionStatus.False);
        ZeroTierNetwork bad = network("prod-mesh");
        assertEquals(Conditions.REASON_RULES_INVALID, reason(bad.getStatus().getConditions(), Conditions.VALID));
        assertTrue(Conditions.find(bad.getStatus().getConditions(), Conditions.VALID).orElseThrow().getMessage()
                .contains("line 2"), "the message says where");
        assertEquals(ConditionStatus.False, condition(bad.getStatus().getConditions(), Conditions.READY));
        assertTrue(operator.store().network(id).isPresent(), "the last valid configuration is still served");
        await("a Warning event", CONVERGE, () -> warnings(Conditions.REASON_RULES_INVALID) == 1);
        String rv = network("prod-mesh").getMetadata().getResourceVersion();
        Thread.sleep(1500);
        assertEquals(rv, network("prod-mesh").getMetadata().getResourceVersion(), "no status rewrites in a loop");
        assertEquals(1, warnings(Conditions.REASON_RULES_INVALID), "one event per problem");

        editNetwork(x -> x.getSpec().setRules("accept;"));
        await("Valid again", CONVERGE, () -> condition(network("prod-mesh").getStatus().getConditions(),
                Conditions.READY) == ConditionStatus.True);
        assertEquals(id.toString(), network("prod-mesh").getStatus().getNetworkId());
    }

    @Test
    void badAddressesAndOverlappingPoolsAreConditions() throws Exception {
        ZeroTierNetwork n = createReadyNetwork();
        var pool = new dev.zerokube.operator.api.network.IpPool();
        pool.setStart("10.147.17.100");
        pool.setEnd("10.147.17.120");
        editNetwork(x -> x.getSpec().getIpAssignment().setPools(
                new java.util.ArrayList<>(List.of(x.getSpec().getIpAssignment().getPools().get(0), pool))));
        await("pools overlap", CONVERGE, () -> Conditions.find(network("prod-mesh").getStatus().getConditions(),
                Conditions.VALID).orElseThrow().getMessage().contains("overlaps"));
        editNetwork(x -> {
            x.getSpec().getIpAssignment().setPools(List.of(x.getSpec().getIpAssignment().getPools().get(0)));
            x.getSpec().getRoutes().get(0).setTarget("10.147.17.0/33");
        });
        await("bad CIDR", CONVERGE, () -> Conditions.find(network("prod-mesh").getStatus().getConditions(),
                Conditions.VALID).orElseThrow().getMessage().contains("spec.routes[0].target"));
        assertEquals(Conditions.REASON_SPEC_INVALID, reason(network("prod-mesh").getStatus().getConditions(), Conditions.VALID));
        await("Warning events", CONVERGE, () -> warnings(Conditions.REASON_SPEC_INVALID) == 2);
    }

    private long warnings(String reason) {
        return cluster.client.resources(Event.class).inAnyNamespace().list().getItems().stream()
                .filter(e -> "Warning".equals(e.getType()) && reason.equals(e.getReason())).count();
    }

    private long events(String reason) {
        return cluster.client.resources(Event.class).inAnyNamespace().list().getItems().stream()
                .filter(e -> reason.equals(e.getReason())).count();
    }

    @Test
    void memberIsAuthorizedAddressedOnlineThenRevokedAndDeletedThroughItsFinalizer() throws Exception {
        ZeroTierNetwork n = createReadyNetwork();
        NetworkId nwid = NetworkId.parse(n.getStatus().getNetworkId());
        cluster.client.resource(laptopMember(true)).create();
        await("IP assigned", CONVERGE, () -> member("payments", "laptop-alice").getStatus().getIpAssignments() != null);
        Member m = member("payments", "laptop-alice");
        assertTrue(m.getMetadata().getFinalizers().contains(WellKnownNames.REVOKE_FINALIZER));
        String ip = m.getStatus().getIpAssignments().get(0);
        assertEquals("10.147.17.", ip.substring(0, 10), "from the pool 10.147.17.10-254: " + ip);
        await("Authorized", CONVERGE, () -> condition(member("payments", "laptop-alice").getStatus().getConditions(),
                Conditions.AUTHORIZED) == ConditionStatus.True);
        assertEquals(Conditions.REASON_OFFLINE, reason(member("payments", "laptop-alice").getStatus().getConditions(),
                Conditions.READY));
        await("counts", CONVERGE, () -> network("prod-mesh").getStatus().getMembers().getAuthorized() == 1);
        assertEquals(1, network("prod-mesh").getStatus().getMembers().getTotal());

        NetworkConfig config = reply(request(laptop, nwid));
        assertEquals(List.of(InetEndpoint.of(InetEndpoint.parseIp(ip), 24)), config.staticIps(),
                "the config carries the address in status");
        await("online", CONVERGE, () -> Boolean.TRUE.equals(member("payments", "laptop-alice").getStatus().getOnline()));
        m = member("payments", "laptop-alice");
        assertEquals("198.18.0.7/9993", m.getStatus().getPhysicalAddress());
        assertEquals("1.14.1", m.getStatus().getClientVersion());
        assertNotNull(m.getStatus().getLastSeen());
        await("Ready", CONVERGE, () -> condition(member("payments", "laptop-alice").getStatus().getConditions(),
                Conditions.READY) == ConditionStatus.True);
        await("online count", CONVERGE, () -> network("prod-mesh").getStatus().getMembers().getOnline() == 1);

        effects.clear();
        editNetwork(x -> x.getSpec().setMtu(2000));
        await("fresh config pushed", CONVERGE, () -> effects.stream().anyMatch(e -> e instanceof ControllerEffect.PushConfig p
                && p.recipient().equals(laptop.address()) && p.config().mtu() == 2000));

        effects.clear();
        editMember("payments", "laptop-alice", x -> x.getSpec().setAuthorized(false));
        await("revoked", CONVERGE, () -> Boolean.TRUE.equals(member("payments", "laptop-alice").getStatus().getRevoked()));
        assertTrue(effects.stream().anyMatch(e -> e instanceof ControllerEffect.SendRevocation r
                && r.recipient().equals(laptop.address()) && r.revocation().target().equals(laptop.address())),
                "the revocation goes to the online member itself: " + effects);
        assertEquals(Conditions.REASON_REVOKED, reason(member("payments", "laptop-alice").getStatus().getConditions(),
                Conditions.AUTHORIZED));
        assertRefused(RefusalCode.ACCESS_DENIED, request(laptop, nwid, 1100));

        editMember("payments", "laptop-alice", x -> x.getSpec().setAuthorized(true));
        await("authorized again", CONVERGE, () -> Boolean.FALSE.equals(member("payments", "laptop-alice").getStatus().getRevoked()));
        effects.clear();
        cluster.client.resource(member("payments", "laptop-alice")).delete();
        await("deleted after the finalizer", CONVERGE, () -> member("payments", "laptop-alice") == null);
        assertTrue(effects.stream().anyMatch(e -> e instanceof ControllerEffect.SendRevocation r
                && r.revocation().target().equals(laptop.address())), "deletion revoked the member: " + effects);
        assertTrue(events(Conditions.REASON_REVOKED) >= 2, "events for deauthorization and deletion");
        await("counts back to 0", CONVERGE, () -> network("prod-mesh").getStatus().getMembers().getTotal() == 0);
    }

    private ConfigDecision request(Identity who, NetworkId nwid, long waitMs) throws Exception {
        Thread.sleep(waitMs); // the controller drops a member's requests within 1 s of its last one
        return request(who, nwid);
    }

    private static void assertRefused(RefusalCode code, ConfigDecision d) {
        assertEquals(code, assertInstanceOf(ConfigDecision.Refuse.class, d, String.valueOf(d)).code());
    }

    @Test
    void unknownDeviceBecomesAPendingMemberThatAnAdministratorAuthorizes() throws Exception {
        ZeroTierNetwork n = createReadyNetwork();
        NetworkId nwid = NetworkId.parse(n.getStatus().getNetworkId());
        assertRefused(RefusalCode.ACCESS_DENIED, request(stranger, nwid));
        String name = stranger.address() + "-prod-mesh";
        Member pending = member(MockCluster.PENDING, name);
        assertNotNull(pending, "pending Member " + name);
        assertFalse(pending.getSpec().getAuthorized());
        assertEquals("true", pending.getMetadata().getLabels().get(WellKnownNames.PENDING_LABEL));
        assertEquals(stranger.publicOnly().toString(), pending.getMetadata().getAnnotations().get(WellKnownNames.IDENTITY_ANNOTATION));
        await("PendingAuthorization", CONVERGE, () -> Conditions.REASON_PENDING_AUTHORIZATION.equals(
                reason(member(MockCluster.PENDING, name).getStatus().getConditions(), Conditions.AUTHORIZED)));
        assertNull(member(MockCluster.PENDING, name).getStatus().getIpAssignments());

        editMember(MockCluster.PENDING, name, x -> x.getSpec().setAuthorized(true));
        await("addressed", CONVERGE, () -> member(MockCluster.PENDING, name).getStatus().getIpAssignments() != null);
        NetworkConfig config = reply(request(stranger, nwid, 1100));
        assertEquals(1, config.staticIps().size());
        assertEquals(Optional.of(stranger.publicOnly()), operator.store()
                .record(member(MockCluster.PENDING, name)).orElseThrow().identity(), "the annotation pins the identity");
    }

    @Test
    void twoMembersNeverGetTheSameAddress() throws Exception {
        createReadyNetwork();
        cluster.client.resource(laptopMember(true)).create();
        Member second = laptopMember(true);
        second.getMetadata().setName("server-bob");
        second.getSpec().setAddress(stranger.address().toString());
        cluster.client.resource(second).create();
        await("both addressed", CONVERGE, () -> member("payments", "laptop-alice").getStatus().getIpAssignments() != null
                && member("payments", "server-bob").getStatus().getIpAssignments() != null);
        assertFalse(member("payments", "laptop-alice").getStatus().getIpAssignments()
                .equals(member("payments", "server-bob").getStatus().getIpAssignments()));
    }

    @Test
    void memberOfAMissingNetworkSaysSo() {
        cluster.client.resource(laptopMember(true)).create();
        await("NetworkNotFound", CONVERGE, () -> Conditions.REASON_NETWORK_NOT_FOUND.equals(
                reason(member("payments", "laptop-alice").getStatus().getConditions(), Conditions.VALID)));
        assertEquals(ConditionStatus.False, condition(member("payments", "laptop-alice").getStatus().getConditions(),
                Conditions.READY));
    }
}
