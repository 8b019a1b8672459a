package dev.zerokube.overlay.node.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.node.NodeConfig;
import dev.zerokube.overlay.node.NodeEvent;
import dev.zerokube.overlay.node.PeerStatus;
import dev.zerokube.overlay.node.Timing;
import dev.zerokube.overlay.wire.PacketHeader;
import dev.zerokube.overlay.wire.TrustedPaths;
import dev.zerokube.overlay.wire.Verb;
import dev.zerokube.overlay.wire.World;
import dev.zerokube.overlay.wire.inspect.DatagramRecord;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/*
 * Goal: one root and two leaves behave as ZT1-07 describes: leaves come online by HELLO/OK(HELLO)
 * with the ciphers 1.14.1 uses, find each other by WHOIS through the root, exchange ECHO relayed
 * first, and talk directly once RENDEZVOUS made them try. Method: a deterministic simulation on a
 * clean underlay; assertions on the nodes' events and state and on every datagram as decoded by
 * the independent wire.inspect dissector.
 */
class RootAndLeavesSimTest {
    static LongStream seeds() {
        return Simulation.seeds(1, 2, 3);
    }

    /** Root r at 198.18.0.1, leaves a and b at 198.18.1.2 and 198.18.2.2. */
    record Trio(Simulation sim, SimNode root, SimNode a, SimNode b, Wiretap tap) {
        static Trio start(Simulation sim, boolean tap) {
            World planet = sim.planet(List.of(SimIdentities.get(0)), List.of(Simulation.endpoint(0, 1)));
            NodeConfig config = NodeConfig.of(planet);
            Wiretap wiretap = tap ? new Wiretap(sim, List.of(SimIdentities.get(0), SimIdentities.get(1), SimIdentities.get(2))) : null;
            SimNode root = sim.addNode("root", SimIdentities.get(0), config, Simulation.endpoint(0, 1));
            SimNode a = sim.addNode("a", SimIdentities.get(1), config, Simulation.endpoint(1, 2));
            SimNode b = sim.addNode("b", SimIdentities.get(2), config, Simulation.endpoint(2, 2));
            return new Trio(sim, root, a, b, wiretap);
        }

        boolean online() {
            return a.node().isOnline() && b.node().isOnline() && a.hasDirectPathTo(root) && b.hasDirectPathTo(root);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void leavesComeOnlineWithTheCiphersOf1141(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            Trio t = Trio.start(sim, true);
            assertTrue(t.root().node().isRoot());
            assertFalse(t.a().node().isRoot());
            assertTrue(sim.runUntil(t::online, 10_000), "leaves online within 10 s");

            for (SimNode leaf : List.of(t.a(), t.b())) {
                assertEquals(1, leaf.events(NodeEvent.Online.class, NodeEvent.Online::online).size());
                PeerStatus root = leaf.node().peer(t.root().address(), sim.nowMs()).orElseThrow();
                assertTrue(root.upstream());
                assertEquals(PacketHeader.PROTOCOL_VERSION, root.remoteProtocol());
                assertEquals("1.14.1", root.remoteVersion());
                assertTrue(root.latencyMs() < Timing.LATENCY_UNKNOWN, "latency measured from OK(HELLO)");
                assertTrue(t.root().node().peer(leaf.address(), sim.nowMs()).orElseThrow().hasDirectPath());

                List<DatagramRecord> hellos = t.tap().packets(Verb.HELLO.code(), leaf, t.root());
                assertFalse(hellos.isEmpty());
                assertTrue(hellos.stream().allMatch(r -> r.cipher() == PacketHeader.CIPHER_POLY1305_NONE), "HELLO is cipher 0");
                List<DatagramRecord> oks = t.tap().matching(r -> r.authOk() && r.verb() == Verb.OK.code()
                        && r.inReVerb() != null && r.inReVerb() == Verb.HELLO.code()
                        && r.dst().equals(leaf.endpoint().toString()));
                assertFalse(oks.isEmpty());
                assertEquals(PacketHeader.CIPHER_POLY1305_SALSA2012, oks.getFirst().cipher(),
                        "the first OK(HELLO) to a new peer is cipher 1 (its version is recorded after the reply)");
            }
            // Once versions are known everything encrypted is AES-GMAC-SIV: the next HELLO round's OK
            sim.runFor(300_000);
            DatagramRecord lastOk = t.tap().matching(r -> r.authOk() && r.verb() == Verb.OK.code()
                    && r.src().equals(t.root().endpoint().toString())).getLast();
            assertEquals(PacketHeader.CIPHER_AES_GMAC_SIV, lastOk.cipher());
            assertTrue(t.a().node().isOnline());
        });
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void leavesFindEachOtherThroughTheRootThenGoDirect(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            Trio t = Trio.start(sim, true);
            SimNode a = t.a();
            SimNode b = t.b();
            assertTrue(sim.runUntil(t::online, 10_000));
            assertTrue(a.node().peer(b.address(), sim.nowMs()).isEmpty(), "a does not know b yet");

            a.ping(b);
            assertTrue(sim.runUntil(() -> !a.pingRepliesFrom(b).isEmpty(), 5_000), "first ECHO answered");
            NodeEvent.EchoReply first = a.pingRepliesFrom(b).getFirst();
            assertTrue(first.hops() > 0, "the first answer came through the root: " + first);

            // a asked the root who b is, b asked who a is (the relayed ECHO came from an unknown source)
            assertFalse(t.tap().packets(Verb.WHOIS.code(), a, t.root()).isEmpty());
            assertFalse(t.tap().packets(Verb.WHOIS.code(), b, t.root()).isEmpty());
            // the ECHO itself crossed the root: a -> root and root -> b, with hops 1 on the second hop
            assertTrue(t.tap().packets(Verb.ECHO.code(), t.root(), b).stream().anyMatch(r -> r.hops() == 1));
            // the root introduced them to each other
            assertFalse(t.tap().packets(Verb.RENDEZVOUS.code(), t.root(), a).isEmpty());
            assertFalse(t.tap().packets(Verb.RENDEZVOUS.code(), t.root(), b).isEmpty());
            // the NAT-opening 4-byte datagram went from a leaf straight to the other
            assertFalse(t.tap().matching(r -> r.length() == 4 && (r.src().equals(a.endpoint().toString())
                    || r.src().equals(b.endpoint().toString()))).isEmpty());

            assertTrue(sim.runUntil(() -> a.hasDirectPathTo(b) && b.hasDirectPathTo(a), 5_000), "direct paths learned");
            int before = a.pingRepliesFrom(b).size();
            a.ping(b);
            assertTrue(sim.runUntil(() -> a.pingRepliesFrom(b).size() > before, 5_000));
            assertEquals(0, a.pingRepliesFrom(b).getLast().hops(), "now direct");
            List<DatagramRecord> direct = t.tap().packets(Verb.ECHO.code(), a, b);
            assertFalse(direct.isEmpty(), "an ECHO went straight from a to b");
            assertTrue(direct.stream().allMatch(r -> r.cipher() == PacketHeader.CIPHER_AES_GMAC_SIV));
        });
    }

    /*
     * An idle leaf keeps its NAT mapping to the root open: it sends the root something at least
     * every 14–19 s (an ECHO on a path idle for 14 s, between the 225 s HELLO rounds). Before, a
     * leaf with nothing to send was silent toward its root for up to 225 s, longer than NATs keep
     * an idle UDP mapping, and relayed packets for it were lost (seen in the interop lab).
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void anIdleLeafTalksToItsRootOftenEnoughToKeepANatOpen(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            Trio t = Trio.start(sim, false);
            assertTrue(sim.runUntil(t::online, 10_000));
            String leaf = t.a().endpoint().toString();
            String root = t.root().endpoint().toString();
            List<Long> sent = new java.util.ArrayList<>();
            sim.network().addTap(d -> {
                if (d.from().toString().equals(leaf) && d.to().toString().equals(root)) {
                    sent.add(d.sentMs());
                }
            });
            long start = sim.nowMs();
            sim.runFor(600_000);
            long gap = 0;
            long last = start;
            for (long at : sent) {
                gap = Math.max(gap, at - last);
                last = at;
            }
            gap = Math.max(gap, sim.nowMs() - last);
            assertTrue(gap <= 20_000, "longest silence toward the root: " + gap + " ms (" + sent.size() + " datagrams)");
            assertTrue(t.a().node().isOnline());
        });
    }

    /*
     * The lab's ECHO with a chosen payload (ZT1-11 IOP-11b, ZT1-03 §4.9): the answer carries the
     * payload back verbatim, and a burst of ECHOs closer than 166 ms gets one answer per path.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void echoCarriesItsPayloadBackAndBurstsAreAnsweredOncePer166Ms(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            Trio t = Trio.start(sim, false);
            SimNode a = t.a();
            SimNode b = t.b();
            assertTrue(sim.runUntil(t::online, 10_000));
            a.ping(b);
            assertTrue(sim.runUntil(() -> a.hasDirectPathTo(b) && b.hasDirectPathTo(a), 10_000), "direct paths learned");
            sim.runFor(1_000); // past the rate gate of the last answer

            byte[] payload = new byte[32];
            new java.util.SplittableRandom(seed).nextBytes(payload);
            int before = echoes(a, b).size();
            a.act(n -> n.echo(b.address(), payload, sim.nowMs()));
            assertTrue(sim.runUntil(() -> echoes(a, b).size() > before, 2_000), "the ECHO answered");
            NodeEvent.EchoReply reply = echoes(a, b).getLast();
            assertArrayEquals(payload, reply.payload(), "the payload came back verbatim");
            assertEquals(0, reply.hops());
            sim.runFor(1_000);

            int beforeBurst = echoes(a, b).size();
            for (int i = 0; i < 10; i++) { // 10 ECHOs within 90 ms, each with its own payload
                byte[] numbered = {(byte) i};
                a.act(n -> n.echo(b.address(), numbered, sim.nowMs()));
                sim.runFor(10);
            }
            sim.runFor(1_000);
            List<NodeEvent.EchoReply> burst = echoes(a, b).subList(beforeBurst, echoes(a, b).size());
            assertEquals(1, burst.size(), "one answer to the burst: " + burst);
            assertArrayEquals(new byte[] {0}, burst.getFirst().payload(), "the first of the burst");

            byte[] tooLong = new byte[dev.zerokube.overlay.node.Node.ECHO_PAYLOAD_MAX + 1];
            assertThrows(IllegalArgumentException.class, () -> a.node().echo(b.address(), tooLong, sim.nowMs()));
        });
    }

    /** The answers a has had from b that carry a payload (keepalive probes' carry none). */
    private static List<NodeEvent.EchoReply> echoes(SimNode a, SimNode b) {
        return a.events(NodeEvent.EchoReply.class, e -> e.peer().equals(b.address()) && e.payload().length > 0);
    }

    /*
     * Trusted paths (ZT1-02 §11, ZT1-11 IOP-17): a and b list each other's address with one ID.
     * Once direct, what a's switch sends b (a ping's ECHO) leaves as cipher 2 carrying the ID, b
     * takes it and answers with a direct send, armored as usual; relayed through the root, whose
     * address is not trusted, everything stays encrypted. When b expects another ID, it drops a's
     * cipher-2 packets and the pings go unanswered.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void trustedPathsCarryCipher2AndAnotherIdIsDropped(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            TrustedPair t = TrustedPair.start(sim, 101, 101);
            assertTrue(t.a().node().peer(t.b().address(), sim.nowMs()).isPresent(), "a met b");
            List<DatagramRecord> relayedOrHello = t.tap().matching(r -> r.cipher() != null
                    && r.cipher() == PacketHeader.CIPHER_TRUSTED_PATH && !r.dst().equals(t.b().endpoint().toString()));
            assertTrue(relayedOrHello.isEmpty(), "cipher 2 only on the trusted direct path: " + relayedOrHello);

            int before = t.a().pingRepliesFrom(t.b()).size();
            long trustedBefore = t.aToBTrusted().size();
            t.a().ping(t.b());
            assertTrue(sim.runUntil(() -> t.a().pingRepliesFrom(t.b()).size() > before, 2_000), "answered");
            List<DatagramRecord> trusted = t.aToBTrusted();
            assertTrue(trusted.size() > trustedBefore, "the ECHO went as cipher 2");
            assertTrue(trusted.getLast().summary().contains(String.format("%016x", 101)), trusted.getLast().summary());
            assertEquals(0, t.a().pingRepliesFrom(t.b()).getLast().hops(), "over the direct path");
            List<DatagramRecord> oks = t.tap().packets(Verb.OK.code(), t.b(), t.a());
            assertTrue(oks.getLast().authOk() && oks.getLast().cipher() == PacketHeader.CIPHER_AES_GMAC_SIV,
                    "b's OK(ECHO), a direct send, is armored: " + oks.getLast());
            assertEquals(0, t.b().node().dropCount(dev.zerokube.overlay.node.DropReason.UNTRUSTED_PATH));
        });
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            TrustedPair t = TrustedPair.start(sim, 101, 102);
            int before = t.a().pingRepliesFrom(t.b()).size();
            long dropsBefore = t.b().node().dropCount(dev.zerokube.overlay.node.DropReason.UNTRUSTED_PATH);
            t.a().ping(t.b());
            assertFalse(sim.runUntil(() -> t.a().pingRepliesFrom(t.b()).size() > before, 2_000), "no answer");
            assertFalse(t.aToBTrusted().isEmpty());
            assertTrue(t.b().node().dropCount(dev.zerokube.overlay.node.DropReason.UNTRUSTED_PATH) > dropsBefore,
                    "b dropped a's cipher-2 ECHO");
        });
    }

    /** Leaves a and b trusting each other's address (a with ID {@code idAtA}, b with {@code idAtB}), direct already. */
    private record TrustedPair(SimNode a, SimNode b, Wiretap tap) {
        static TrustedPair start(Simulation sim, long idAtA, long idAtB) {
            World planet = sim.planet(List.of(SimIdentities.get(0)), List.of(Simulation.endpoint(0, 1)));
            NodeConfig config = NodeConfig.of(planet);
            Wiretap tap = new Wiretap(sim, List.of(SimIdentities.get(0), SimIdentities.get(1), SimIdentities.get(2)));
            sim.addNode("root", SimIdentities.get(0), config, Simulation.endpoint(0, 1));
            SimNode a = sim.addNode("a", SimIdentities.get(1), config.withTrustedPaths(trusting(Simulation.endpoint(2, 2), idAtA)),
                    Simulation.endpoint(1, 2));
            SimNode b = sim.addNode("b", SimIdentities.get(2), config.withTrustedPaths(trusting(Simulation.endpoint(1, 2), idAtB)),
                    Simulation.endpoint(2, 2));
            assertTrue(sim.runUntil(() -> a.node().isOnline() && b.node().isOnline(), 10_000), "both online");
            a.ping(b); // relayed first, then RENDEZVOUS: a direct path each way
            assertTrue(sim.runUntil(() -> a.hasDirectPathTo(b) && b.hasDirectPathTo(a), 10_000), "direct paths");
            sim.runFor(1_000);
            return new TrustedPair(a, b, tap);
        }

        List<DatagramRecord> aToBTrusted() {
            return tap.matching(r -> r.src().equals(a.endpoint().toString()) && r.dst().equals(b.endpoint().toString())
                    && r.cipher() != null && r.cipher() == PacketHeader.CIPHER_TRUSTED_PATH);
        }

        private static TrustedPaths trusting(dev.zerokube.overlay.wire.InetEndpoint peer, long id) {
            return TrustedPaths.of(List.of(new TrustedPaths.Network(peer.ip(), 32, id)));
        }
    }

    /*
     * The interop lab's switches (ZT1-11 IOP-08): leaf a announces protocol 11, so the root
     * (which announces 12) encrypts to it with cipher 1; leaf b forces cipher 1 on everything it
     * sends, which the root still reads. Both come online and a ping between them is answered.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void labSwitchesMakeCipher1BothWays(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            World planet = sim.planet(List.of(SimIdentities.get(0)), List.of(Simulation.endpoint(0, 1)));
            NodeConfig config = NodeConfig.of(planet);
            Wiretap tap = new Wiretap(sim, List.of(SimIdentities.get(0), SimIdentities.get(1), SimIdentities.get(2)));
            SimNode root = sim.addNode("root", SimIdentities.get(0), config, Simulation.endpoint(0, 1));
            SimNode a = sim.addNode("a", SimIdentities.get(1), config.withLabSwitches(11, false), Simulation.endpoint(1, 2));
            SimNode b = sim.addNode("b", SimIdentities.get(2), config.withLabSwitches(PacketHeader.PROTOCOL_VERSION, true),
                    Simulation.endpoint(2, 2));
            assertTrue(sim.runUntil(() -> a.node().isOnline() && b.node().isOnline(), 10_000), "both online");
            a.ping(b);
            assertTrue(sim.runUntil(() -> !a.pingRepliesFrom(b).isEmpty(), 5_000), "a's ping answered");
            sim.runFor(300_000); // another HELLO round, with every version known

            assertEquals(11, root.node().peer(a.address(), sim.nowMs()).orElseThrow().remoteProtocol());
            List<DatagramRecord> rootToA = encrypted(tap, root, a);
            assertFalse(rootToA.isEmpty());
            assertTrue(rootToA.stream().allMatch(r -> r.cipher() == PacketHeader.CIPHER_POLY1305_SALSA2012),
                    "a announced protocol 11: the root encrypts to it with cipher 1");
            assertEquals(PacketHeader.CIPHER_AES_GMAC_SIV, encrypted(tap, a, root).getLast().cipher(),
                    "a itself still uses cipher 3 to a peer that announced 12");

            List<DatagramRecord> fromB = tap.matching(r -> r.authOk() && r.cipher() != PacketHeader.CIPHER_POLY1305_NONE
                    && r.headerSrc() != null && r.headerSrc() == b.address().value());
            assertTrue(fromB.size() > 3);
            assertTrue(fromB.stream().allMatch(r -> r.cipher() == PacketHeader.CIPHER_POLY1305_SALSA2012),
                    "b forces cipher 1 on everything it encrypts");
            assertEquals(PacketHeader.CIPHER_AES_GMAC_SIV, encrypted(tap, root, b).getLast().cipher(),
                    "b announced 12: the root uses cipher 3 to it");
        });
    }

    /** Encrypted packets from {@code from}'s address to {@code to}'s, by the ZeroTier header (relayed ones too). */
    private static List<DatagramRecord> encrypted(Wiretap tap, SimNode from, SimNode to) {
        return tap.matching(r -> r.authOk() && r.cipher() != PacketHeader.CIPHER_POLY1305_NONE && r.headerSrc() != null
                && r.headerSrc() == from.address().value() && r.headerDst() == to.address().value());
    }
}
