package dev.zerokube.operator;

import static dev.zerokube.operator.MockCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.operator.api.member.Member;
import dev.zerokube.operator.api.member.MemberSpec;
import dev.zerokube.operator.api.member.MemberStatus;
import dev.zerokube.operator.api.network.ZeroTierNetwork;
import dev.zerokube.operator.api.network.ZeroTierNetworkStatus;
import dev.zerokube.operator.controller.KubernetesPolicyStore;
import dev.zerokube.overlay.controller.MemberRecord;
import dev.zerokube.overlay.controller.MemberWrite;
import dev.zerokube.overlay.controller.PolicyChange;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Goal: the store serves its own writes of a Member until its cache holds them, even when a reader
 * hands it a newer copy of that Member from another cache (the reconcilers pass JOSDK's, which can
 * be ahead of the store's). Forgetting the own write then made the next read of the lagging cache
 * lose the address just written, and the controller gave the member a second one over the first
 * (OperatorLifecycleTest's "the config carries the address in status", about 1 run in 90 under
 * load; the mock server takes a status PUT whatever its resourceVersion, so the stale write went
 * through). Method: the mock API server (CRUD) and a bare KubernetesPolicyStore whose informers are
 * stopped once the Member is cached, so that its cache lags for as long as the test needs; the
 * newer copy comes from the API server.
 *
 * <p>Goal too: the store's own writes are no policy change, even when a reader has already found
 * them in the cache before the informer's handler hears of them (the leader pushed a member the
 * config it had just answered once more: ControllerOverUdpTest saw the member's config change
 * during a handover, 1 CI run in about 20). Method: the change consumer blocks in the Member's
 * first change, the store writes the Member twice and reads it from its cache, then the handler is
 * released and someone else edits the Member: the next change must be that edit.
 */
class PolicyStoreOwnWritesTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final NetworkId ID = NetworkId.parse("8056c2e21c000001");
    private static final Address ADDRESS = Address.parse("0123456789");

    @Test
    void anOwnWriteOutlivesANewerCopyFromAnotherCache() throws Exception {
        try (MockCluster cluster = new MockCluster();
                KubernetesPolicyStore store = new KubernetesPolicyStore(cluster.client, MockCluster.PENDING, c -> { },
                        name -> { })) {
            store.start();
            createServedNetworkAndMember(cluster, store);
            await("the store has the member", WAIT, () -> store.member(ID, ADDRESS).isPresent());
            store.close(); // the informers stop: from here on the cache lags behind the API server

            MemberRecord before = store.member(ID, ADDRESS).orElseThrow();
            assertTrue(before.ipAssignments().isEmpty(), before.toString());
            List<InetEndpoint> ips = List.of(InetEndpoint.of(InetEndpoint.parseIp("10.147.17.50"), 0));
            MemberWrite write = store.writeMember(before.toBuilder().ipAssignments(ips).build(),
                    OptionalLong.of(before.revision()));
            assertEquals(MemberWrite.Outcome.STORED, write.outcome());
            assertEquals(ips, store.member(ID, ADDRESS).orElseThrow().ipAssignments(), "the own write, over the cache");

            // someone else writes the status (the reconciler's conditions), and a reconciler hands
            // the store that newer copy, as JOSDK's cache has it
            var resource = cluster.client.resources(Member.class).inNamespace("payments").withName("laptop-alice");
            resource.editStatus(x -> {
                MemberStatus s = x.getStatus();
                s.setObservedGeneration(1L);
                return x;
            });
            Member newer = resource.get();
            assertEquals(ips, store.record(newer).orElseThrow().ipAssignments(), "the newer copy has the addresses");
            assertEquals(ips, store.member(ID, ADDRESS).orElseThrow().ipAssignments(),
                    "the lagging cache still reads through the own write");
        }
    }

    @Test
    void ownWritesReadBeforeTheirEventsAreHandledAreNoChange() throws Exception {
        HeldChangeFeed feed = new HeldChangeFeed(PolicyChange.MemberChanged.class::isInstance, WAIT);
        var changes = feed.changes;
        try (MockCluster cluster = new MockCluster();
                KubernetesPolicyStore store = new KubernetesPolicyStore(cluster.client, MockCluster.PENDING, feed,
                        name -> { })) {
            store.start();
            createServedNetworkAndMember(cluster, store);
            await("the member's first change, now holding the handler", WAIT,
                    () -> changes.stream().anyMatch(PolicyChange.MemberChanged.class::isInstance));
            changes.clear();

            MemberRecord before = store.member(ID, ADDRESS).orElseThrow();
            List<InetEndpoint> one = List.of(InetEndpoint.of(InetEndpoint.parseIp("10.147.17.50"), 0));
            MemberWrite firstWrite = store.writeMember(before.toBuilder().ipAssignments(one).build(),
                    OptionalLong.of(before.revision()));
            assertEquals(MemberWrite.Outcome.STORED, firstWrite.outcome());
            List<InetEndpoint> two = List.of(InetEndpoint.of(InetEndpoint.parseIp("10.147.17.51"), 0));
            MemberRecord written = firstWrite.stored().orElseThrow();
            assertEquals(MemberWrite.Outcome.STORED, store.writeMember(written.toBuilder().ipAssignments(two).build(),
                    OptionalLong.of(written.revision())).outcome());
            await("the cache holds the second write", WAIT,
                    () -> store.membersOf("prod-mesh").stream().anyMatch(m -> m.getStatus() != null
                            && List.of("10.147.17.51").equals(m.getStatus().getIpAssignments())));
            assertEquals(two, store.member(ID, ADDRESS).orElseThrow().ipAssignments(), "read from the cache");
            assertTrue(changes.isEmpty(), "the feed is still held: " + changes);
            feed.release();

            cluster.client.resources(Member.class).inNamespace("payments").withName("laptop-alice")
                    .edit(x -> {
                        x.getSpec().setActiveBridge(true);
                        return x;
                    });
            PolicyChange next = feed.next();
            MemberRecord edited = assertInstanceOf(PolicyChange.MemberChanged.class, next,
                    "the next change (the store's own writes are none)").after();
            assertTrue(edited.activeBridge(), "the next change is the foreign edit, not an own write: " + edited);
            assertFalse(edited.ipAssignments().isEmpty());
        }
    }

    /**
     * The example network, served (its ID in status), then a Member of it. The Member comes only
     * once the store serves the network: its first change is announced only if the network is
     * known when the informer hands the store the Member (not so in 1 CI run).
     */
    private static void createServedNetworkAndMember(MockCluster cluster, KubernetesPolicyStore store)
            throws java.io.IOException {
        try (InputStream in = Files.newInputStream(MockCluster.root().resolve("examples/network.yaml"))) {
            cluster.client.resource(cluster.client.getKubernetesSerialization().unmarshal(in, ZeroTierNetwork.class))
                    .create();
        }
        cluster.client.resources(ZeroTierNetwork.class).withName("prod-mesh").editStatus(n -> {
            ZeroTierNetworkStatus s = new ZeroTierNetworkStatus();
            s.setNetworkId(ID.toString());
            n.setStatus(s);
            return n;
        });
        await("the store serves the network", WAIT, () -> store.network(ID).isPresent());
        Member m = new Member();
        m.setMetadata(new ObjectMetaBuilder().withName("laptop-alice").withNamespace("payments").build());
        MemberSpec spec = new MemberSpec();
        spec.setNetwork("prod-mesh");
        spec.setAddress(ADDRESS.toString());
        spec.setAuthorized(true);
        m.setSpec(spec);
        cluster.client.resource(m).create();
    }
}
