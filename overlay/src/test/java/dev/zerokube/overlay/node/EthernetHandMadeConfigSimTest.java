package dev.zerokube.overlay.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.sim.SimConditions;
import dev.zerokube.overlay.node.sim.SimIdentities;
import dev.zerokube.overlay.node.sim.SimNode;
import dev.zerokube.overlay.node.sim.Simulation;
import dev.zerokube.overlay.wire.Mac;
import dev.zerokube.overlay.wire.MulticastGroup;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.World;
import dev.zerokube.overlay.wire.netconf.Specialist;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/*
 * Goal: the Ethernet side where members' configs differ in ways a real controller would not
 * make them, and with the membership layer replaced by a stand-in (TestNetwork): a rule dropping
 * ICMP stops it whether the sender's or only the receiver's config carries it, while TCP passes;
 * frames from a node whose COM another controller signed are dropped; only active bridges carry
 * foreign MACs, learned routes lead back to them and unknown MACs go to them; with broadcast off
 * ARP still goes and other broadcasts do not, and a multicast limit of 0 stops both; also ARP and
 * multicast without credential exchange. Method: a deterministic simulation (root + leaves, clean underlay,
 * seeded), configs issued by a test controller identity with signed COMs, COMs known to members
 * out of band, frames put into the local ports and read from what the nodes deliver.
 * EthernetSimTest covers the same with the real controller and membership layer.
 */
class EthernetHandMadeConfigSimTest {
    static LongStream seeds() {
        return Simulation.seeds(1, 2, 3);
    }

    private static final int IPV4 = 0x0800;
    private static final int ARP = 0x0806;
    private static final long MDNS_MAC = 0x01005e0000fbL;

    /** A root and {@code n} member leaves of one network, each leaf with IP 10.147.17.(i+1). */
    static final class Lan {
        final Simulation sim;
        final SimNode root;
        final List<SimNode> members = new ArrayList<>();
        final List<TestNetwork> networks = new ArrayList<>();
        final TestNetwork.Controller controller;

        Lan(Simulation sim, int n, String rules) {
            this.sim = sim;
            World planet = sim.planet(List.of(SimIdentities.get(0)), List.of(Simulation.endpoint(0, 1)));
            NodeConfig config = NodeConfig.of(planet);
            root = sim.addNode("root", SimIdentities.get(0), config, Simulation.endpoint(0, 1));
            controller = new TestNetwork.Controller(SimIdentities.get(9), 1, Simulation.START_MS);
            controller.rules(rules);
            for (int i = 0; i < n; i++) {
                Identity id = SimIdentities.get(1 + i);
                SimNode leaf = sim.addNode("m" + i, id, config, Simulation.endpoint(1 + i, 2));
                members.add(leaf);
                networks.add(join(leaf, controller.issue(id, i + 1)));
            }
            sim.runFor(10_000);
        }

        TestNetwork join(SimNode leaf, dev.zerokube.overlay.wire.netconf.NetworkConfig config) {
            TestNetwork net = new TestNetwork(controller, leaf.identity());
            net.setConfig(config);
            leaf.node().openNetworkPort(net);
            return net;
        }

        NetworkId id() {
            return controller.id;
        }

        long mac(SimNode n) {
            return Mac.fromAddressValue(n.address().value(), id().value());
        }

        /** Frames {@code to} delivered since index {@code from} whose source MAC is {@code src}. */
        List<byte[]> framesFrom(SimNode to, int from, long src) {
            List<byte[]> out = new ArrayList<>();
            List<SimNode.DeliveredFrame> all = to.frames();
            for (int i = from; i < all.size(); i++) {
                if (Ethernet.mac(all.get(i).frame(), 6) == src) {
                    out.add(all.get(i).frame());
                }
            }
            return out;
        }
    }

    static byte[] ethernet(long dst, long src, int etherType, byte[] payload) {
        byte[] f = new byte[14 + payload.length];
        for (int i = 0; i < 6; i++) {
            f[i] = (byte) (dst >>> (40 - 8 * i));
            f[6 + i] = (byte) (src >>> (40 - 8 * i));
        }
        f[12] = (byte) (etherType >>> 8);
        f[13] = (byte) etherType;
        System.arraycopy(payload, 0, f, 14, payload.length);
        return f;
    }

    static byte[] arpRequest(long senderMac, int senderHost, int targetHost) {
        byte[] a = new byte[28];
        a[1] = 1;
        a[2] = 0x08;
        a[4] = 6;
        a[5] = 4;
        a[7] = 1;
        for (int i = 0; i < 6; i++) {
            a[8 + i] = (byte) (senderMac >>> (40 - 8 * i));
        }
        byte[] s = {10, (byte) 147, 17, (byte) senderHost};
        byte[] t = {10, (byte) 147, 17, (byte) targetHost};
        System.arraycopy(s, 0, a, 14, 4);
        System.arraycopy(t, 0, a, 24, 4);
        return a;
    }

    static byte[] ipv4(int proto, int seq) {
        byte[] p = new byte[40];
        p[0] = 0x45;
        p[3] = 40;
        p[8] = 64;
        p[9] = (byte) proto;
        p[12] = 10;
        p[13] = (byte) 147;
        p[14] = 17;
        p[15] = 1;
        p[16] = 10;
        p[17] = (byte) 147;
        p[18] = 17;
        p[19] = 2;
        p[39] = (byte) seq;
        return p;
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void arpBroadcastThenUnicastBothWays(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            Lan lan = new Lan(sim, 3, "accept;");
            SimNode a = lan.members.get(0);
            SimNode b = lan.members.get(1);
            SimNode c = lan.members.get(2);
            byte[] request = ethernet(Mac.BROADCAST.value(), lan.mac(a), ARP, arpRequest(lan.mac(a), 1, 2));
            int bBefore = b.frames().size();
            int cBefore = c.frames().size();
            a.sendFrame(lan.id(), request);
            assertTrue(sim.runUntil(() -> b.frames().size() > bBefore, 5_000), "B got the ARP request");
            assertArrayEquals(request, b.frames().get(bBefore).frame(), "delivered as sent: broadcast from A");
            sim.runFor(2_000);
            assertEquals(cBefore, c.frames().size(), "C does not hold 10.147.17.2, so is not in its ARP group");

            byte[] reply = ethernet(lan.mac(a), lan.mac(b), ARP, arpRequest(lan.mac(b), 2, 1));
            reply[14 + 7] = 2;
            int aBefore = a.frames().size();
            b.sendFrame(lan.id(), reply);
            assertTrue(sim.runUntil(() -> a.frames().size() > aBefore, 5_000), "A got the unicast reply");
            assertArrayEquals(reply, a.frames().get(aBefore).frame());

            for (int i = 0; i < 5; i++) {
                b.sendFrame(lan.id(), ethernet(lan.mac(a), lan.mac(b), IPV4, ipv4(6, i)));
                a.sendFrame(lan.id(), ethernet(lan.mac(b), lan.mac(a), IPV4, ipv4(6, i)));
            }
            sim.runFor(1_000);
            assertEquals(5, lan.framesFrom(a, aBefore, lan.mac(b)).size() - 1, "every unicast frame B sent A");
            assertEquals(5, lan.framesFrom(b, bBefore, lan.mac(a)).size() - 1, "every unicast frame A sent B");
        });
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void multicastReachesEverySubscribedMemberOnly(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            Lan lan = new Lan(sim, 4, "accept;");
            MulticastGroup mdns = new MulticastGroup(new Mac(MDNS_MAC), 0);
            for (int i = 0; i < 3; i++) {
                lan.members.get(i).node().multicastSubscribe(lan.id(), mdns, sim.nowMs());
            }
            sim.runFor(6_000);
            SimNode a = lan.members.get(0);
            int[] before = lan.members.stream().mapToInt(m -> m.frames().size()).toArray();
            byte[] frame = ethernet(MDNS_MAC, lan.mac(a), IPV4, ipv4(17, 7));
            a.sendFrame(lan.id(), frame);
            sim.runFor(5_000);
            for (int i = 1; i < 4; i++) {
                List<byte[]> got = lan.framesFrom(lan.members.get(i), before[i], lan.mac(a));
                if (i < 3) {
                    assertEquals(1, got.size(), "subscribed member " + i + " got it once");
                    assertArrayEquals(frame, got.getFirst());
                } else {
                    assertEquals(0, got.size(), "member 3 did not subscribe");
                }
            }
            assertEquals(before[0], a.frames().size(), "not echoed to the sender");
            // Now the sender knows the members: a second frame goes out in one pass.
            a.sendFrame(lan.id(), frame);
            sim.runFor(1_000);
            assertEquals(2, lan.framesFrom(lan.members.get(1), before[1], lan.mac(a)).size());
            assertEquals(2, lan.framesFrom(lan.members.get(2), before[2], lan.mac(a)).size());
        });
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aRuleDroppingIcmpBlocksItOnSendAndOnReceiveWhileTcpPasses(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            Lan lan = new Lan(sim, 3, "accept;");
            SimNode a = lan.members.get(0);
            SimNode b = lan.members.get(1);
            SimNode c = lan.members.get(2);
            // A's config carries the rule (send side); B's carries it too (receive side); C's does not.
            lan.controller.rules("drop ipprotocol 1;\naccept;");
            lan.networks.get(0).setConfig(lan.controller.issue(a.identity(), 1));
            lan.networks.get(1).setConfig(lan.controller.issue(b.identity(), 2));
            int bBefore = b.frames().size();
            int cBefore = c.frames().size();
            a.sendFrame(lan.id(), ethernet(lan.mac(c), lan.mac(a), IPV4, ipv4(1, 1)));
            a.sendFrame(lan.id(), ethernet(lan.mac(c), lan.mac(a), IPV4, ipv4(6, 2)));
            c.sendFrame(lan.id(), ethernet(lan.mac(b), lan.mac(c), IPV4, ipv4(1, 3)));
            c.sendFrame(lan.id(), ethernet(lan.mac(b), lan.mac(c), IPV4, ipv4(6, 4)));
            sim.runFor(5_000);
            List<byte[]> atC = lan.framesFrom(c, cBefore, lan.mac(a));
            assertEquals(1, atC.size(), "only TCP left A");
            assertEquals(6, atC.getFirst()[14 + 9]);
            assertEquals(1, a.node().frameDropCount(FrameDropReason.RULES_OUTBOUND));
            List<byte[]> atB = lan.framesFrom(b, bBefore, lan.mac(c));
            assertEquals(1, atB.size(), "only TCP was delivered at B");
            assertEquals(6, atB.getFirst()[14 + 9]);
            assertEquals(1, b.node().frameDropCount(FrameDropReason.RULES_INBOUND));
        });
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void framesFromNonMembersAndRevokedMembersAreDropped(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            Lan lan = new Lan(sim, 3, "accept;");
            SimNode a = lan.members.get(0);
            SimNode b = lan.members.get(1);
            SimNode c = lan.members.get(2);
            // An outsider with a config of its own making: a COM signed by another controller.
            Identity outsiderId = SimIdentities.get(5);
            SimNode outsider = sim.addNode("outsider", outsiderId, NodeConfig.of(lan.root.node().planet()),
                    Simulation.endpoint(9, 2));
            TestNetwork.Controller forger = new TestNetwork.Controller(SimIdentities.get(6), 1, Simulation.START_MS);
            TestNetwork fake = new TestNetwork(lan.controller, outsiderId);
            fake.setConfig(forger.issue(outsiderId, 9).toBuilder().networkId(lan.id()).build());
            outsider.node().openNetworkPort(fake);
            sim.runFor(6_000);
            int aBefore = a.frames().size();
            outsider.sendFrame(lan.id(), ethernet(lan.mac(a), Mac.fromAddressValue(outsiderId.address().value(),
                    lan.id().value()), IPV4, ipv4(6, 1)));
            sim.runFor(Timing.RECEIVE_QUEUE_TIMEOUT_MS + 2_000); // kept 5 s for credentials that never come
            assertEquals(aBefore, a.frames().size(), "nothing from the outsider");
            assertTrue(a.node().frameDropCount(FrameDropReason.NOT_A_MEMBER) >= 1);

            // C is a member until revoked.
            c.sendFrame(lan.id(), ethernet(lan.mac(a), lan.mac(c), IPV4, ipv4(6, 2)));
            sim.runFor(2_000);
            assertEquals(1, lan.framesFrom(a, aBefore, lan.mac(c)).size());
            lan.controller.revoke(c.address());
            long dropped = a.node().frameDropCount(FrameDropReason.NOT_A_MEMBER);
            c.sendFrame(lan.id(), ethernet(lan.mac(a), lan.mac(c), IPV4, ipv4(6, 3)));
            b.sendFrame(lan.id(), ethernet(lan.mac(a), lan.mac(b), IPV4, ipv4(6, 4)));
            sim.runFor(Timing.RECEIVE_QUEUE_TIMEOUT_MS + 2_000);
            assertEquals(1, lan.framesFrom(a, aBefore, lan.mac(c)).size(), "the revoked member's frame is dropped");
            assertEquals(1, lan.framesFrom(a, aBefore, lan.mac(b)).size(), "B still gets through");
            assertTrue(a.node().frameDropCount(FrameDropReason.NOT_A_MEMBER) > dropped);
        });
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void onlyActiveBridgesCarryForeignMacsAndLearnedRoutesLeadBack(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            Lan lan = new Lan(sim, 3, "accept;");
            SimNode a = lan.members.get(0);
            SimNode bridge = lan.members.get(1);
            SimNode c = lan.members.get(2);
            long host = 0x00163e000042L; // a host behind the bridge
            bridge.sendFrame(lan.id(), ethernet(lan.mac(a), host, IPV4, ipv4(6, 1)));
            assertEquals(1, bridge.node().frameDropCount(FrameDropReason.NOT_A_BRIDGE), "no config says it bridges");
            a.sendFrame(lan.id(), ethernet(host, lan.mac(a), IPV4, ipv4(6, 2)));
            assertEquals(1, a.node().frameDropCount(FrameDropReason.NO_BRIDGE), "an unknown MAC and no bridge");

            // Only the bridge's own config lists it: the others refuse what it bridges.
            lan.controller.specialists = List.of(Specialist.of(bridge.address(), Specialist.ACTIVE_BRIDGE));
            lan.networks.get(1).setConfig(lan.controller.issue(bridge.identity(), 2));
            int aBefore = a.frames().size();
            bridge.sendFrame(lan.id(), ethernet(lan.mac(a), host, IPV4, ipv4(6, 3)));
            sim.runFor(1_000);
            assertEquals(aBefore, a.frames().size());
            assertEquals(1, a.node().frameDropCount(FrameDropReason.BRIDGING_NOT_ALLOWED));

            // Every config lists it now: A takes the bridged frame and learns where the host is.
            lan.networks.get(0).setConfig(lan.controller.issue(a.identity(), 1));
            lan.networks.get(2).setConfig(lan.controller.issue(c.identity(), 3));
            byte[] in = ethernet(lan.mac(a), host, IPV4, ipv4(6, 4));
            bridge.sendFrame(lan.id(), in);
            sim.runFor(1_000);
            List<byte[]> got = lan.framesFrom(a, aBefore, host);
            assertEquals(1, got.size());
            assertArrayEquals(in, got.getFirst());
            int bridgeBefore = bridge.frames().size();
            byte[] out = ethernet(host, lan.mac(a), IPV4, ipv4(6, 5));
            a.sendFrame(lan.id(), out);
            sim.runFor(1_000);
            List<byte[]> atBridge = lan.framesFrom(bridge, bridgeBefore, lan.mac(a));
            assertEquals(1, atBridge.size(), "along the learned route to the bridge, which delivers it for its host");
            assertArrayEquals(out, atBridge.getFirst());
            // C learned nothing: a frame for an unknown MAC goes to the active bridges.
            c.sendFrame(lan.id(), ethernet(0x00163e000099L, lan.mac(c), IPV4, ipv4(6, 6)));
            sim.runFor(1_000);
            assertEquals(1, lan.framesFrom(bridge, bridgeBefore, lan.mac(c)).size());
        });
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void broadcastOffStillCarriesArpAndMulticastLimitZeroCarriesNothing(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            Lan lan = new Lan(sim, 2, "accept;");
            SimNode a = lan.members.get(0);
            SimNode b = lan.members.get(1);
            MulticastGroup broadcast = MulticastGroup.BROADCAST;
            MulticastGroup arpForB = MulticastGroup.forAddressResolution(new byte[] {10, (byte) 147, 17, 2});
            assertTrue(b.node().multicastGroups(lan.id()).containsAll(List.of(broadcast, arpForB)));
            lan.controller.flags = 0;
            lan.networks.get(0).setConfig(lan.controller.issue(a.identity(), 1));
            lan.networks.get(1).setConfig(lan.controller.issue(b.identity(), 2));
            assertEquals(List.of(arpForB), b.node().multicastGroups(lan.id()), "broadcast is no longer announced");
            sim.runFor(6_000);
            int bBefore = b.frames().size();
            a.sendFrame(lan.id(), ethernet(Mac.BROADCAST.value(), lan.mac(a), IPV4, ipv4(17, 1)));
            assertEquals(1, a.node().frameDropCount(FrameDropReason.BROADCAST_DISABLED));
            byte[] request = ethernet(Mac.BROADCAST.value(), lan.mac(a), ARP, arpRequest(lan.mac(a), 1, 2));
            a.sendFrame(lan.id(), request);
            assertTrue(sim.runUntil(() -> b.frames().size() > bBefore, 5_000), "ARP still goes, as its own group");
            assertArrayEquals(request, b.frames().get(bBefore).frame());

            lan.controller.multicastLimit = 0;
            lan.networks.get(0).setConfig(lan.controller.issue(a.identity(), 1));
            a.sendFrame(lan.id(), request);
            assertEquals(1, a.node().frameDropCount(FrameDropReason.MULTICAST_DISABLED), "ml 0 stops ARP too");
        });
    }
}
