package dev.zerokube.operator;

import static dev.zerokube.operator.MockCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.operator.api.network.ZeroTierNetwork;
import dev.zerokube.operator.api.network.ZeroTierNetworkStatus;
import dev.zerokube.operator.controller.KubernetesPolicyStore;
import dev.zerokube.overlay.controller.PolicyChange;
import dev.zerokube.overlay.wire.NetworkId;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Goal: every spec edit of a served network reaches the controller as a NetworkChanged (so online
 * members get a fresh config), however the store's readers interleave with its informer. Method:
 * the mock API server (CRUD) and a bare KubernetesPolicyStore. An informer puts an object in its
 * cache first and hands the event to its handlers afterwards, on another thread; meanwhile any
 * reader (a reconcile counting members, a config request) may read the new object from that cache.
 * Here the window is held open on purpose: the change consumer blocks in the first NetworkChanged,
 * the network's spec is edited, the store is read until it serves the edit, and only then is the
 * handler released. The edit's NetworkChanged must still come. (This is what made
 * OperatorLifecycleTest time out waiting for "fresh config pushed" under load.)
 */
class PolicyStoreNetworkFeedTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final NetworkId ID = NetworkId.parse("8056c2e21c000001");

    @Test
    void anEditReadFromTheCacheBeforeItsEventIsHandledIsStillAChange() throws Exception {
        HeldChangeFeed feed = new HeldChangeFeed(c -> true, WAIT);
        var changes = feed.changes;
        try (MockCluster cluster = new MockCluster();
                KubernetesPolicyStore store = new KubernetesPolicyStore(cluster.client, MockCluster.PENDING, feed,
                        name -> { })) {
            store.start();
            try (InputStream in = Files.newInputStream(MockCluster.root().resolve("examples/network.yaml"))) {
                cluster.client.resource(cluster.client.getKubernetesSerialization().unmarshal(in, ZeroTierNetwork.class))
                        .create();
            }
            var network = cluster.client.resources(ZeroTierNetwork.class).withName("prod-mesh");
            network.editStatus(n -> {
                ZeroTierNetworkStatus s = new ZeroTierNetworkStatus();
                s.setNetworkId(ID.toString());
                n.setStatus(s);
                return n;
            });
            PolicyChange served = feed.next();
            assertEquals(2800, assertInstanceOf(PolicyChange.NetworkChanged.class, served, "served").network().mtu());

            // The handler is now blocked; the edit goes into the cache but its event waits.
            KubeEdits.edit(network, n -> n.getSpec().setMtu(2000));
            await("the cache holds the edit", WAIT,
                    () -> store.networkNamed("prod-mesh").orElseThrow().getSpec().getMtu() == 2000);
            assertEquals(2000, store.network(ID).orElseThrow().mtu(), "a reader sees the edit before the feed does");
            assertTrue(changes.isEmpty(), "the feed is still held: " + changes);
            feed.release();

            PolicyChange edited = feed.next();
            assertEquals(2000, assertInstanceOf(PolicyChange.NetworkChanged.class, edited,
                    "the edit's change (none means online members never get the new MTU)").network().mtu());
        }
    }
}
