package dev.zerokube.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.zerokube.operator.api.network.ZeroTierNetwork;
import dev.zerokube.operator.controller.KubernetesPolicyStore;
import dev.zerokube.operator.network.NetworkIdAllocator;
import dev.zerokube.operator.network.ZeroTierNetworkReconciler;
import dev.zerokube.overlay.identity.Address;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Clock;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Goal: a network's ID never changes once assigned, even when the reconciler is handed a copy of
 * the network older than its own first status write (JOSDK's cache can lag behind that write, and
 * a Member event then asks for a reconcile at once): OperatorLifecycleTest once got OBJECT_NOT_FOUND
 * for the ID it had read after Ready. Method: the mock API server (CRUD), a store and the
 * reconciler called directly, twice with the copy of the network as created (no status).
 */
class NetworkIdStaysTest {
    @Test
    void aReconcileOfAStaleCopyKeepsTheAssignedId() throws Exception {
        try (MockCluster cluster = new MockCluster();
                KubernetesPolicyStore store = new KubernetesPolicyStore(cluster.client, MockCluster.PENDING, c -> { },
                        name -> { })) {
            store.start();
            ZeroTierNetwork created;
            try (InputStream in = Files.newInputStream(MockCluster.root().resolve("examples/network.yaml"))) {
                created = cluster.client.resource(cluster.client.getKubernetesSerialization()
                        .unmarshal(in, ZeroTierNetwork.class)).create();
            }
            assertNull(created.getStatus());
            Address controller = Address.parse("8056c2e21c");
            ZeroTierNetworkReconciler reconciler = new ZeroTierNetworkReconciler(cluster.client, store,
                    new NetworkIdAllocator(controller, new SplittableRandom(1)), controller,
                    new EventRecorder(cluster.client, Clock.systemUTC(), "test", MockCluster.NAMESPACE), Clock.systemUTC());
            var network = cluster.client.resources(ZeroTierNetwork.class).withName("prod-mesh");

            reconciler.reconcile(cluster.client.getKubernetesSerialization().clone(created), null);
            String id = network.get().getStatus().getNetworkId();
            assertNotNull(id);
            reconciler.reconcile(cluster.client.getKubernetesSerialization().clone(created), null);
            assertEquals(id, network.get().getStatus().getNetworkId(), "the ID stays what it was first");
        }
    }
}
