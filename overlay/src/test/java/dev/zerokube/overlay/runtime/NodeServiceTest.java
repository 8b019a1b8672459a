package dev.zerokube.overlay.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.NodeConfig;
import dev.zerokube.overlay.node.NodeEvent;
import dev.zerokube.overlay.node.PeerStatus;
import dev.zerokube.overlay.node.sim.SimIdentities;
import dev.zerokube.overlay.testing.LoopbackRig;
import dev.zerokube.overlay.wire.World;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/*
 * Goal: the node runs over real UDP. A root and two leaves, each a NodeService on 127.0.0.1,
 * find each other through the root (the leaves know only the planet), come online, and a leaf's
 * ping (ECHO) to the other leaf is answered; the traffic counters move; close() releases the
 * sockets. Method: real sockets on loopback with the transport this machine offers (epoll, whose
 * sockets are FFM's, else NIO), once with NIO forced, and once on epoll with Netty's datagram
 * channels for the leaves while the root keeps FFM sockets (the two drivers talk to each other);
 * bounded waits, the time taken is printed.
 */
class NodeServiceTest {
    @Test
    void leavesFindEachOtherThroughTheRootAndPing() throws Exception {
        runStar(Loops.create(2));
    }

    @Test
    void nioTransportWorksToo() throws Exception {
        runStar(Loops.create(2, false));
    }

    @Test
    void nettyDatagramChannelsOnEpollWorkBesideFfmSockets() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Loops.epollAvailable(), "skipped: no epoll transport here");
        runStar(Loops.create(2, true), true);
    }

    private static void runStar(Loops loops) throws Exception {
        runStar(loops, false);
    }

    private static NodeService startLeaf(Identity id, NodeConfig config, NodeService.Options options, Loops loops,
            boolean nettyUdp) throws java.io.IOException {
        return nettyUdp ? NodeService.startWithNettyUdp(id, config, options, loops) : NodeService.start(id, config, options, loops);
    }

    private static void runStar(Loops loops, boolean nettyLeaves) throws Exception {
        Identity rootId = SimIdentities.get(0);
        Identity aId = SimIdentities.get(1);
        Identity bId = SimIdentities.get(2);
        int rootPort = LoopbackRig.freeUdpPort();
        World planet = LoopbackRig.planet(rootId, rootPort, 1);
        NodeConfig config = NodeConfig.of(planet);
        NodeService.Options leafOptions = NodeService.Options.loopback();
        try (loops;
                NodeService root = NodeService.start(rootId, config, leafOptions.withPorts(List.of(rootPort)), loops);
                NodeService a = startLeaf(aId, config, leafOptions, loops, nettyLeaves);
                NodeService b = startLeaf(bId, config, leafOptions, loops, nettyLeaves)) {
            assertEquals(loops.isEpoll() && !nettyLeaves ? "ffm" : "netty", a.udpKind());
            assertEquals(loops.isEpoll() ? "ffm" : "netty", root.udpKind());
            assertEquals(rootPort, root.primaryPort());
            assertTrue(root.call(n -> n.isRoot()).get());
            long onlineMs = LoopbackRig.await(10_000, () -> a.call(n -> n.isOnline()).join() && b.call(n -> n.isOnline()).join());
            assertTrue(onlineMs >= 0, "leaves online within 10 s");
            List<NodeEvent.EchoReply> replies = new CopyOnWriteArrayList<>();
            a.addListener(e -> {
                if (e instanceof NodeEvent.EchoReply r && r.roundTripMs().isPresent()) {
                    replies.add(r);
                }
            });
            long pingMs = LoopbackRig.await(10_000, () -> {
                if (replies.isEmpty()) {
                    a.execute(n -> n.ping(bId.address(), a.nowMs()));
                }
                return !replies.isEmpty();
            });
            assertTrue(pingMs >= 0, "B answered A's ping within 10 s");
            assertEquals(bId.address(), replies.getFirst().peer());
            PeerStatus bAtRoot = root.call(n -> n.peer(bId.address(), root.nowMs())).get().orElseThrow();
            assertTrue(bAtRoot.hasDirectPath(), "the root holds a direct path to B: " + bAtRoot);
            NodeService.Traffic t = a.traffic();
            assertTrue(t.packetsIn() > 0 && t.packetsOut() > 0 && t.bytesIn() > t.packetsIn(), t.toString());
            System.out.printf("NodeServiceTest (%s): online after %d ms, first echo after %d ms more (%d hops, rtt %d ms), a: %s%n",
                    loops.isEpoll() ? "epoll" : "nio", onlineMs, pingMs, replies.getFirst().hops(),
                    replies.getFirst().roundTripMs().orElseThrow(), t);
        }
    }
}
