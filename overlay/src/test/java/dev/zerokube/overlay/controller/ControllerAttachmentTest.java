package dev.zerokube.overlay.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.Node;
import dev.zerokube.overlay.node.NodeConfig;
import dev.zerokube.overlay.node.NodeEvent;
import dev.zerokube.overlay.node.NodeHost;
import dev.zerokube.overlay.node.NetworkStatus;
import dev.zerokube.overlay.node.Timing;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/*
 * Goal: the bridge between a node and the controller it hosts: it refuses a controller whose
 * identity is not the node's, answers the node's own request in place, and turns policy changes
 * into pushes and revocations through the node. Method: one node with a recording host running the
 * controller of its own network over an InMemoryPolicyStore (the controller node as a member of
 * its network, the case 1.14.1 short-circuits); remote members are covered by the simulator tests
 * in the node package.
 */
class ControllerAttachmentTest {
    private static final Identity SELF = ControllerFixtures.gen(1);
    private static final NetworkId NWID = new NetworkId((SELF.address().value() << 24) | 9);
    private static final long T = 1_700_000_000_000L;

    private final List<NodeEvent> events = new ArrayList<>();
    private final Node node = new Node(SELF, NodeConfig.of(null), new NodeHost() {
        @Override
        public boolean sendDatagram(long s, InetEndpoint r, byte[] d, int o, int l, int t) {
            return true;
        }

        @Override
        public void onEvent(NodeEvent e) {
            events.add(e);
        }
    }, new SplittableRandom(3), id -> true);

    @Test
    void refusesAControllerWithAnotherIdentity() {
        NetworkController other = new NetworkController(ControllerFixtures.gen(2), new InMemoryPolicyStore(),
                new SplittableRandom(1));
        assertThrows(IllegalArgumentException.class, () -> ControllerAttachment.attach(node, other, new SplittableRandom(1)));
    }

    @Test
    void servesItsOwnNodeAndActsOnPolicyChanges() {
        InMemoryPolicyStore store = new InMemoryPolicyStore();
        store.putNetwork(NetworkRecord.builder(NWID, T).name("own").build());
        ControllerAttachment a = ControllerAttachment.attach(node,
                new NetworkController(SELF, store, new SplittableRandom(1)), new SplittableRandom(2));

        node.join(NWID, T);
        node.tick(T);
        assertEquals(NetworkStatus.Status.ACCESS_DENIED, node.network(NWID).orElseThrow().status(),
                "its own node is a member like any other: not authorized yet");
        assertTrue(store.member(NWID, SELF.address()).isPresent(), "recorded as pending");

        MemberRecord pending = store.member(NWID, SELF.address()).orElseThrow();
        a.onPolicyChange(store.putMember(pending.withAuthorizedByApi(true, T)).orElseThrow(), T + 1);
        node.tick(T + Timing.PING_CHECK_INTERVAL_MS);
        NetworkStatus s = node.network(NWID).orElseThrow();
        assertEquals(NetworkStatus.Status.OK, s.status(), "configured at its next request, in place");
        assertEquals("own", s.config().orElseThrow().name());

        List<ControllerEffect> pushed = a.onPolicyChange(store.putNetwork(store.network(NWID).orElseThrow().toBuilder()
                .name("renamed").build()).orElseThrow(), T + Timing.PING_CHECK_INTERVAL_MS + 10);
        assertEquals(1, pushed.size());
        assertInstanceOf(ControllerEffect.PushConfig.class, pushed.getFirst());
        assertEquals("renamed", node.network(NWID).orElseThrow().config().orElseThrow().name(), "the push applied");

        MemberRecord m = store.member(NWID, SELF.address()).orElseThrow();
        List<ControllerEffect> revoked = a.onPolicyChange(store.putMember(m.withAuthorizedByApi(false, T + 6_000))
                .orElseThrow(), T + 6_000);
        ControllerEffect.SendRevocation r = assertInstanceOf(ControllerEffect.SendRevocation.class, revoked.getLast());
        assertEquals(SELF.address(), r.recipient(), "sent to every online member, the revoked one included");
        assertEquals(SELF.address(), r.revocation().target());
        assertTrue(events.stream().anyMatch(e -> e instanceof NodeEvent.NetworkUpdated u
                && u.status().config().map(c -> c.name().equals("renamed")).orElse(false)));
    }
}
