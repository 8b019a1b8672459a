package dev.zerokube.overlay.node;

import dev.zerokube.overlay.testing.Frames;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.sim.SimConditions;
import dev.zerokube.overlay.node.sim.SimNode;
import dev.zerokube.overlay.node.sim.Simulation;
import dev.zerokube.overlay.rules.RuleCompiler;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.Mac;
import dev.zerokube.overlay.wire.MulticastGroup;
import dev.zerokube.overlay.wire.Verb;
import dev.zerokube.overlay.wire.inspect.DatagramRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/*
 * Goal: members of a network run by the real controller (over the controller bridge) and the
 * real membership layer carry Ethernet between them as ZT1-08 describes: an ARP request becomes
 * a multicast to the target's address-resolution group, found through the root's multicast
 * directory, and the unicast reply comes back as FRAME; a multicast reaches every subscribed
 * member and no one else; a network rule dropping ICMP stops ping at the sender while TCP passes;
 * a node that never got a valid COM cannot get a frame delivered; a deauthorized (revoked)
 * member's frames are dropped while the others still pass. Method: NetworkLab (a star whose first
 * leaf hosts the controller), seeded and replayable, clean and lossy underlays; frames go into
 * the nodes' local ports and are read from what the nodes deliver, byte for byte.
 */
class EthernetSimTest {
    static LongStream seeds() {
        return Simulation.seeds(31, 32, 33);
    }

    static final int IPV4 = 0x0800;
    static final int ARP = 0x0806;
    static final long MDNS_MAC = 0x01005e0000fbL;

    /** A lab whose members are all authorized, joined and configured. */
    static NetworkLab lab(Simulation sim, int members, String rules) throws Exception {
        var compiled = RuleCompiler.compile(rules).rules();
        NetworkLab lab = new NetworkLab(sim, members, b -> b.rules(compiled));
        assertTrue(sim.runUntil(lab.star::online, 60_000), "leaves online");
        lab.members.forEach(m -> lab.authorize(m, true));
        lab.members.forEach(lab::join);
        assertTrue(sim.runUntil(() -> lab.members.stream().allMatch(m -> lab.hasStatus(m, NetworkStatus.Status.OK)),
                30_000), "all configured");
        sim.runFor(6_000); // one announcement round: every member LIKEs its address-resolution group
        return lab;
    }

    static long mac(NetworkLab lab, SimNode m) {
        return Mac.fromAddressValue(m.address().value(), lab.nwid.value());
    }

    static byte[] ip(NetworkLab lab, SimNode m) {
        return lab.status(m).orElseThrow().assignedAddresses().getFirst().ip();
    }

    static byte[] ethernet(long dst, long src, int etherType, byte[] payload) {
        return Frames.ethernet(dst, src, etherType, payload);
    }

    /** An ARP packet (opcode 1 request, 2 reply) for IPv4 over Ethernet. */
    static byte[] arp(int opcode, long senderMac, byte[] senderIp, long targetMac, byte[] targetIp) {
        return Frames.arp(opcode, senderMac, senderIp, targetMac, targetIp);
    }

    /** A 40-byte IPv4 packet with this protocol (1 ICMP, 6 TCP, 17 UDP) and a marker byte. */
    static byte[] ipv4(int proto, byte[] src, byte[] dst, int marker) {
        byte[] p = new byte[40];
        p[0] = 0x45;
        p[3] = 40;
        p[8] = 64;
        p[9] = (byte) proto;
        System.arraycopy(src, 0, p, 12, 4);
        System.arraycopy(dst, 0, p, 16, 4);
        p[39] = (byte) marker;
        return p;
    }

    /** Frames {@code to} delivered from index {@code from} on whose source MAC is {@code src}. */
    static List<byte[]> framesFrom(SimNode to, int from, long src) {
        List<byte[]> out = new ArrayList<>();
        List<SimNode.DeliveredFrame> all = to.frames();
        for (int i = from; i < all.size(); i++) {
            if (Ethernet.mac(all.get(i).frame(), 6) == src) {
                out.add(all.get(i).frame());
            }
        }
        return out;
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void arpThenUnicastBetweenMembers(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            NetworkLab lab = lab(sim, 4, "accept;");
            SimNode a = lab.members.get(1);
            SimNode b = lab.members.get(2);
            SimNode c = lab.members.get(3);
            byte[] request = ethernet(Mac.BROADCAST.value(), mac(lab, a), ARP, arp(1, mac(lab, a), ip(lab, a), 0, ip(lab, b)));
            int bBefore = b.frames().size();
            int cBefore = c.frames().size();
            a.sendFrame(lab.nwid, request);
            assertTrue(sim.runUntil(() -> b.frames().size() > bBefore, 5_000), "B got the ARP request");
            assertArrayEquals(request, b.frames().get(bBefore).frame());
            sim.runFor(2_000);
            assertEquals(cBefore, c.frames().size(), "C is not in B's address-resolution group");

            byte[] reply = ethernet(mac(lab, a), mac(lab, b), ARP, arp(2, mac(lab, b), ip(lab, b), mac(lab, a), ip(lab, a)));
            int aBefore = a.frames().size();
            b.sendFrame(lab.nwid, reply);
            assertTrue(sim.runUntil(() -> a.frames().size() > aBefore, 5_000), "A got the reply");
            assertArrayEquals(reply, a.frames().get(aBefore).frame());

            for (int i = 0; i < 10; i++) {
                a.sendFrame(lab.nwid, ethernet(mac(lab, b), mac(lab, a), IPV4, ipv4(6, ip(lab, a), ip(lab, b), i)));
                b.sendFrame(lab.nwid, ethernet(mac(lab, a), mac(lab, b), IPV4, ipv4(6, ip(lab, b), ip(lab, a), i)));
                sim.runFor(10);
            }
            sim.runFor(2_000);
            assertEquals(11, framesFrom(b, bBefore, mac(lab, a)).size(), "the request and 10 TCP frames");
            assertEquals(11, framesFrom(a, aBefore, mac(lab, b)).size(), "the reply and 10 TCP frames");
            assertEquals(0, a.node().frameDropCount(FrameDropReason.NOT_A_MEMBER)
                    + b.node().frameDropCount(FrameDropReason.NOT_A_MEMBER), "credentials went ahead of the frames");
        });
    }

    /*
     * PUSH_DIRECT_PATHS (ZT1-07 §5.6, ZT1-11 IOP-15): once a member has proven common membership
     * (a frame past the gate), a packet from it makes us push our direct paths to it, and it tries
     * each one it has no path to. The root, with which we share no network, gets none.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void membersPushTheirDirectPathsAndPeersTryThem(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            NetworkLab lab = lab(sim, 3, "accept;");
            SimNode a = lab.members.get(1);
            SimNode b = lab.members.get(2);
            List<Identity> ids = new ArrayList<>();
            ids.add(lab.star.root().identity());
            lab.members.forEach(m -> ids.add(m.identity()));
            dev.zerokube.overlay.node.sim.Wiretap tap = new dev.zerokube.overlay.node.sim.Wiretap(sim, ids);
            InetEndpoint advertised = InetEndpoint.parse("198.19.9.9/9993");
            a.act(n -> n.setDirectPaths(List.of(advertised)));
            b.ping(a);
            sim.runFor(2_000);
            assertTrue(tap.packets(Verb.PUSH_DIRECT_PATHS.code(), a, b).isEmpty(), "no push before b proved membership");

            int aBefore = a.frames().size();
            b.sendFrame(lab.nwid, ethernet(Mac.BROADCAST.value(), mac(lab, b), ARP,
                    arp(1, mac(lab, b), ip(lab, b), 0, ip(lab, a))));
            assertTrue(sim.runUntil(() -> a.frames().size() > aBefore, 5_000), "a got b's ARP request: b is trusted");
            b.ping(a); // the next packet from b after that
            sim.runFor(2_000);
            List<DatagramRecord> pushes = tap.packets(Verb.PUSH_DIRECT_PATHS.code(), a, b);
            assertEquals(1, pushes.size(), "one push, then none for 120 s over a direct path: " + pushes);
            assertTrue(pushes.getFirst().summary().contains("198.19.9.9/9993"), pushes.getFirst().summary());
            assertFalse(tap.matching(r -> r.src().equals(b.endpoint().toString()) && r.dst().equals(advertised.toString()))
                    .isEmpty(), "b tried the pushed address");
            assertTrue(tap.packets(Verb.PUSH_DIRECT_PATHS.code(), a, lab.star.root()).isEmpty(), "no push to the root");
        });
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void multicastReachesEverySubscribedMemberOnly(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            NetworkLab lab = lab(sim, 5, "accept;");
            MulticastGroup mdns = new MulticastGroup(new Mac(MDNS_MAC), 0);
            List<SimNode> subscribed = lab.members.subList(1, 4);
            SimNode other = lab.members.get(4);
            for (SimNode m : subscribed) {
                m.act(n -> n.multicastSubscribe(lab.nwid, mdns, sim.nowMs()));
                assertTrue(m.node().multicastGroups(lab.nwid).contains(mdns));
            }
            sim.runFor(2_000);
            SimNode a = subscribed.getFirst();
            int[] before = lab.members.stream().mapToInt(m -> m.frames().size()).toArray();
            byte[] frame = ethernet(MDNS_MAC, mac(lab, a), IPV4, ipv4(17, ip(lab, a), new byte[] {(byte) 224, 0, 0, (byte) 251}, 1));
            a.sendFrame(lab.nwid, frame);
            sim.runFor(5_000);
            for (int i = 2; i < 4; i++) {
                List<byte[]> got = framesFrom(lab.members.get(i), before[i], mac(lab, a));
                assertEquals(1, got.size(), lab.members.get(i) + " is subscribed");
                assertArrayEquals(frame, got.getFirst());
            }
            assertEquals(0, framesFrom(other, before[4], mac(lab, a)).size(), "not subscribed");
            assertEquals(before[1], a.frames().size(), "not back to the sender");
            a.sendFrame(lab.nwid, frame);
            sim.runFor(2_000);
            for (int i = 2; i < 4; i++) {
                assertEquals(2, framesFrom(lab.members.get(i), before[i], mac(lab, a)).size());
            }
        });
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aRuleDroppingIcmpStopsPingWhileTcpPasses(long seed) {
        Simulation.replay(seed, SimConditions.lossy(0.0), sim -> {
            NetworkLab lab = lab(sim, 3, "drop ipprotocol 1;\naccept;");
            SimNode a = lab.members.get(1);
            SimNode b = lab.members.get(2);
            int bBefore = b.frames().size();
            for (int i = 0; i < 5; i++) {
                a.sendFrame(lab.nwid, ethernet(mac(lab, b), mac(lab, a), IPV4, ipv4(1, ip(lab, a), ip(lab, b), i)));
                a.sendFrame(lab.nwid, ethernet(mac(lab, b), mac(lab, a), IPV4, ipv4(6, ip(lab, a), ip(lab, b), i)));
            }
            sim.runFor(3_000);
            List<byte[]> got = framesFrom(b, bBefore, mac(lab, a));
            assertEquals(5, got.size(), "TCP only");
            assertTrue(got.stream().allMatch(f -> f[14 + 9] == 6));
            assertEquals(5, a.node().frameDropCount(FrameDropReason.RULES_OUTBOUND), "ICMP stopped at the sender");
        });
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aRevokedMembersFramesAreDroppedAndANonMembersNeverPass(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            NetworkLab lab = lab(sim, 5, "accept;");
            SimNode a = lab.members.get(1);
            SimNode b = lab.members.get(2);
            SimNode revoked = lab.members.get(3);
            SimNode outsider = lab.members.get(4);
            int aBefore = a.frames().size();
            revoked.sendFrame(lab.nwid, ethernet(mac(lab, a), mac(lab, revoked), IPV4, ipv4(6, ip(lab, revoked), ip(lab, a), 1)));
            sim.runFor(2_000);
            assertEquals(1, framesFrom(a, aBefore, mac(lab, revoked)).size(), "a member until revoked");

            lab.authorize(revoked, false);
            assertTrue(sim.runUntil(() -> !lab.gate(a, revoked), 5_000), "the revocation reached A");
            long dropped = a.node().frameDropCount(FrameDropReason.NOT_A_MEMBER);
            revoked.sendFrame(lab.nwid, ethernet(mac(lab, a), mac(lab, revoked), IPV4, ipv4(6, ip(lab, revoked), ip(lab, a), 2)));
            b.sendFrame(lab.nwid, ethernet(mac(lab, a), mac(lab, b), IPV4, ipv4(6, ip(lab, b), ip(lab, a), 3)));
            sim.runFor(Timing.RECEIVE_QUEUE_TIMEOUT_MS + 2_000); // kept 5 s for credentials that never come
            assertEquals(1, framesFrom(a, aBefore, mac(lab, revoked)).size(), "the revoked member's frame is dropped");
            assertEquals(1, framesFrom(a, aBefore, mac(lab, b)).size(), "B still passes");
            assertTrue(a.node().frameDropCount(FrameDropReason.NOT_A_MEMBER) > dropped);

            // An outsider sends with a config of its own making: a COM signed by a controller of its own.
            outsider.act(n -> n.leave(lab.nwid, sim.nowMs()));
            Identity forgerId = dev.zerokube.overlay.node.sim.SimIdentities.get(7);
            TestNetwork.Controller forger = new TestNetwork.Controller(forgerId, lab.nwid, sim.nowMs());
            TestNetwork fake = new TestNetwork(forger, outsider.identity());
            fake.setConfig(forger.issue(outsider.identity(), 99));
            outsider.act(n -> n.openNetworkPort(fake));
            long refused = a.node().frameDropCount(FrameDropReason.NOT_A_MEMBER);
            for (int i = 0; i < 3; i++) {
                outsider.sendFrame(lab.nwid, ethernet(mac(lab, a), mac(lab, outsider), IPV4,
                        ipv4(6, new byte[] {10, (byte) 147, 17, 99}, ip(lab, a), i)));
                sim.runFor(1_500);
            }
            sim.runFor(Timing.RECEIVE_QUEUE_TIMEOUT_MS + 1_000);
            assertEquals(0, framesFrom(a, aBefore, mac(lab, outsider)).size(), "nothing from the outsider");
            assertTrue(a.node().frameDropCount(FrameDropReason.NOT_A_MEMBER) >= refused + 3);
        });
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void arpAndUnicastSurviveALossyUnderlay(long seed) {
        Simulation.replay(seed, SimConditions.lossy(0.05), sim -> {
            NetworkLab lab = lab(sim, 3, "accept;");
            SimNode a = lab.members.get(1);
            SimNode b = lab.members.get(2);
            int bBefore = b.frames().size();
            byte[] request = ethernet(Mac.BROADCAST.value(), mac(lab, a), ARP, arp(1, mac(lab, a), ip(lab, a), 0, ip(lab, b)));
            // ARP retries once a second, as a kernel does.
            boolean through = false;
            for (int i = 0; i < 20 && !through; i++) {
                a.sendFrame(lab.nwid, request);
                through = sim.runUntil(() -> b.frames().size() > bBefore, 1_000);
            }
            assertTrue(through, "the ARP request got through");
            int sent = 0;
            for (int i = 0; i < 40; i++) {
                a.sendFrame(lab.nwid, ethernet(mac(lab, b), mac(lab, a), IPV4, ipv4(6, ip(lab, a), ip(lab, b), i)));
                sent++;
                sim.runFor(50);
            }
            sim.runFor(3_000);
            int got = framesFrom(b, bBefore, mac(lab, a)).size() - 1;
            assertTrue(got >= sent * 8 / 10 && got <= sent * 2, got + " of " + sent + " with 5% loss and duplication");
        });
    }
}
