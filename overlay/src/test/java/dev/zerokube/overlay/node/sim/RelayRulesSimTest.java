package dev.zerokube.overlay.node.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.node.DropReason;
import dev.zerokube.overlay.wire.Fragment;
import dev.zerokube.overlay.wire.PacketHeader;
import dev.zerokube.overlay.wire.Verb;
import dev.zerokube.overlay.wire.inspect.DatagramRecord;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/*
 * Goal: the relay rules of ZT1-02 §8 and ZT1-07 §5.1–§5.3 at the root: a head or fragment for a
 * known leaf is forwarded byte for byte except the hop count, which goes up by one; nothing is
 * forwarded once it has been relayed three times; the two ends of a relayed head are introduced
 * (one RENDEZVOUS to each, naming the other's address) at most once per 30 s, and never for a
 * fragment; a leaf relays nothing. Method: seeded simulation; a probe injects heads and fragments
 * from leaf a's endpoint; the wiretap shows what the root emitted.
 */
class RelayRulesSimTest {
    static LongStream seeds() {
        return Simulation.seeds(81, 82);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void relayHopsAndIntroductions(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            Star star = Star.start(sim, 2, true);
            SimNode root = star.root();
            SimNode a = star.leaves().get(0);
            SimNode b = star.leaves().get(1);
            assertTrue(sim.runUntil(star::online, 10_000));
            sim.runFor(1_000);
            Probe probe = sim.addProbe(Simulation.endpoint(200, 9));
            SplittableRandom r = new SplittableRandom(seed);

            byte[] head = head(r, a, b, 0);
            probe.sendSpoofed(a.endpoint(), root.endpoint(), head);
            sim.runFor(100);
            List<DatagramRecord> relayed = toB(star, root, b, head.length);
            assertEquals(1, relayed.size());
            assertEquals(1, relayed.getFirst().hops());
            assertEquals(1, star.tap().packets(Verb.RENDEZVOUS.code(), root, a).size(), "a is told where b is");
            assertEquals(1, star.tap().packets(Verb.RENDEZVOUS.code(), root, b).size(), "b is told where a is");

            // the same pair within 30 s: relayed, not introduced again
            probe.sendSpoofed(a.endpoint(), root.endpoint(), head(r, a, b, 2));
            sim.runFor(100);
            assertEquals(2, toB(star, root, b, head.length).size());
            assertEquals(3, toB(star, root, b, head.length).getLast().hops(), "hops 2 in, 3 out");
            assertEquals(1, star.tap().packets(Verb.RENDEZVOUS.code(), root, a).size());

            // relayed three times already: dropped
            long hopsDrops = root.node().dropCount(DropReason.RELAY_HOPS);
            probe.sendSpoofed(a.endpoint(), root.endpoint(), head(r, a, b, 3));
            sim.runFor(100);
            assertEquals(2, toB(star, root, b, head.length).size());
            assertEquals(hopsDrops + 1, root.node().dropCount(DropReason.RELAY_HOPS));

            // a fragment: relayed with its hop byte raised, byte for byte otherwise, never introduced
            byte[] fragment = new byte[300];
            r.nextBytes(fragment);
            Fragment.writeHeader(fragment, 0, r.nextLong(), b.address().value(), 1, 2, 1);
            List<byte[]> atB = new java.util.ArrayList<>();
            sim.network().addTap(d -> {
                if (d.to().equals(b.endpoint()) && d.data().length == fragment.length) {
                    atB.add(d.data());
                }
            });
            sim.runFor(31_000);
            probe.sendSpoofed(a.endpoint(), root.endpoint(), fragment);
            // the wiretap's dissector holds records behind an incomplete packet for 5 s of capture time
            sim.runFor(6_000);
            assertEquals(1, atB.size());
            byte[] expected = fragment.clone();
            expected[Fragment.IDX_HOPS] = 2;
            assertArrayEquals(expected, atB.getFirst());
            assertEquals(1, star.tap().packets(Verb.RENDEZVOUS.code(), root, a).size(), "no introduction for fragments");

            // 30 s later a head introduces them again
            probe.sendSpoofed(a.endpoint(), root.endpoint(), head(r, a, b, 0));
            sim.runFor(100);
            assertEquals(2, star.tap().packets(Verb.RENDEZVOUS.code(), root, a).size());
            assertEquals(2, star.tap().packets(Verb.RENDEZVOUS.code(), root, b).size());

            // a leaf is no relay
            long refused = a.node().dropCount(DropReason.RELAY_REFUSED);
            probe.sendSpoofed(b.endpoint(), a.endpoint(), head(r, b, root, 0));
            sim.runFor(100);
            assertEquals(refused + 1, a.node().dropCount(DropReason.RELAY_REFUSED));
        });
    }

    /** An (unauthenticated: relays do not look) head from {@code from} to {@code to} with these hops. */
    private static byte[] head(SplittableRandom r, SimNode from, SimNode to, int hops) {
        byte[] p = new byte[200];
        r.nextBytes(p);
        PacketHeader.writeHeader(p, 0, r.nextLong(), to.address().value(), from.address().value(), Verb.FRAME.code());
        PacketHeader.setFlags(p, 0, 0x18 | hops);
        return p;
    }

    private static List<DatagramRecord> toB(Star star, SimNode root, SimNode b, int length) {
        return star.tap().matching(r -> r.src().equals(root.endpoint().toString()) && r.dst().equals(b.endpoint().toString())
                && r.length() == length && r.headerSrc() != null && r.headerSrc() != root.address().value());
    }
}
