package dev.zerokube.operator;

import static dev.zerokube.operator.MockCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.operator.api.ConditionStatus;
import dev.zerokube.operator.api.WellKnownNames;
import dev.zerokube.operator.api.member.Member;
import dev.zerokube.operator.api.network.ZeroTierNetwork;
import dev.zerokube.operator.controller.ControllerIdentitySecret;
import dev.zerokube.operator.controller.ControllerNode;
import dev.zerokube.overlay.crypto.C25519;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.NetworkStatus;
import dev.zerokube.overlay.node.NodeConfig;
import dev.zerokube.overlay.root.RootWorlds;
import dev.zerokube.overlay.runtime.NodeService;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.World;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/*
 * Goal: the topology e2e's K3sClusterTest stands on, where no Docker engine is needed to check it:
 * a private planet whose only root is the controller itself, reached at one address (in k3s, the
 * controller Service's NodePort), is enough for a device outside the cluster to become a pending
 * Member and, once a CR edit authorizes it, to get its config; the controller identity comes from a
 * Secret made before the operator starts (the operator adopts it, never overwrites it).
 * Method: the Fabric8 mock API server in CRUD mode (MockCluster), the identity Secret created
 * first, one operator replica whose ControllerNode holds that planet (so it is a root), and a
 * member NodeService on 127.0.0.1 with the same planet and no other peer to ask; every wait
 * bounded, on what the member node itself reports.
 */
class ControllerAsRootOverUdpTest {
    private static final Duration CONVERGE = Duration.ofSeconds(30);

    @Test
    void deviceWhoseOnlyRootIsTheControllerJoinsOnceAMemberEditAuthorizesIt() throws Exception {
        Identity controller = Identity.generate(new SplittableRandom(40));
        Identity device = Identity.generate(new SplittableRandom(41));
        int controllerPort = freeUdpPort();
        World planet = RootWorlds.first(World.Type.PLANET, 0x6b3L, 1_000L,
                List.of(RootWorlds.root(controller, List.of(InetEndpoint.of(InetEndpoint.parseIp("127.0.0.1"), controllerPort)))),
                C25519.generate(new SplittableRandom(42)));
        try (MockCluster cluster = new MockCluster()) {
            cluster.client.resource(new SecretBuilder().withNewMetadata().withName("zerokube-controller-identity")
                    .withNamespace(MockCluster.NAMESPACE).endMetadata()
                    .withData(Map.of(ControllerIdentitySecret.KEY_SECRET, Base64.getEncoder().encodeToString(
                            controller.toString(true).getBytes(StandardCharsets.UTF_8))))
                    .build()).create();
            ZerokubeOperator op = cluster.startReplica("replica-a", false, 1, o -> o.setControllerNode(
                    new ControllerNode.Settings(InetAddress.getLoopbackAddress(), controllerPort, planet, true)));
            await("the UDP node is bound", CONVERGE, () -> op.controllerNode().isPresent());
            assertEquals(controller, op.identity(), "the operator adopts the Secret's identity");
            assertTrue(op.controllerNode().orElseThrow().service().call(n -> n.isRoot()).join(),
                    "holding a planet that lists it makes the controller a root");

            try (InputStream in = Files.newInputStream(MockCluster.root().resolve("examples/network.yaml"))) {
                cluster.client.resource(cluster.client.getKubernetesSerialization().unmarshal(in, ZeroTierNetwork.class)).create();
            }
            await("network Ready", CONVERGE, () -> cluster.client.resources(ZeroTierNetwork.class).withName("prod-mesh").get()
                    .getStatus().getConditions().stream()
                    .anyMatch(c -> c.getType().equals(Conditions.READY) && c.getStatus() == ConditionStatus.True));
            NetworkId nwid = NetworkId.parse(cluster.client.resources(ZeroTierNetwork.class).withName("prod-mesh").get()
                    .getStatus().getNetworkId());
            assertEquals(controller.address().value(), nwid.value() >>> 24, "the network ID starts with the controller's address");

            try (NodeService node = NodeService.start(device, NodeConfig.of(planet), NodeService.Options.loopback())) {
                node.execute(n -> n.join(nwid, node.nowMs()));
                String name = device.address() + "-prod-mesh";
                await("a pending Member", CONVERGE, () -> member(cluster, name) != null);
                Member pending = member(cluster, name);
                assertFalse(pending.getSpec().getAuthorized());
                assertEquals("true", pending.getMetadata().getLabels().get(WellKnownNames.PENDING_LABEL));
                await("the pending device is refused", CONVERGE,
                        () -> status(node, nwid).status() == NetworkStatus.Status.ACCESS_DENIED);

                KubeEdits.edit(cluster.client.resources(Member.class).inNamespace(MockCluster.PENDING).withName(name),
                        m -> m.getSpec().setAuthorized(true));
                await("the authorized device gets its config", CONVERGE, () -> status(node, nwid).status() == NetworkStatus.Status.OK
                        && !status(node, nwid).assignedAddresses().isEmpty());
                InetEndpoint ip = status(node, nwid).assignedAddresses().getFirst();
                long v = ip.ipv4Value();
                assertTrue(v >= ipv4("10.147.17.10") && v <= ipv4("10.147.17.254"), "from the pool: " + ip);
                await("its Member records the address", CONVERGE,
                        () -> List.of(ip.ipString()).equals(member(cluster, name).getStatus().getIpAssignments()));
                assertNotNull(member(cluster, name).getStatus().getLastSeen());
            }
        }
    }

    private static Member member(MockCluster cluster, String name) {
        return cluster.client.resources(Member.class).inNamespace(MockCluster.PENDING).withName(name).get();
    }

    private static NetworkStatus status(NodeService node, NetworkId nwid) {
        return node.call(n -> n.network(nwid)).join().orElseThrow();
    }

    private static long ipv4(String text) {
        return InetEndpoint.of(InetEndpoint.parseIp(text), 0).ipv4Value();
    }

    private static int freeUdpPort() throws java.io.IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        }
    }
}
