package dev.zerokube.overlay.node.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.DropReason;
import dev.zerokube.overlay.wire.Armor;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.PacketHeader;
import dev.zerokube.overlay.wire.Verb;
import dev.zerokube.overlay.wire.inspect.DatagramRecord;
import dev.zerokube.overlay.wire.verbs.PushDirectPaths;
import dev.zerokube.overlay.wire.verbs.PushDirectPaths.PathRecord;
import dev.zerokube.overlay.wire.verbs.Rendezvous;
import dev.zerokube.overlay.wire.verbs.VerbPayload;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/*
 * Goal: the two path hints a leaf receives are handled as ZT1-07 §5.4 and §5.6 say. PUSH_DIRECT_PATHS
 * from a peer: each new usable address is contacted (a full HELLO from every socket while the
 * peer's version is unknown), forget records and unusable addresses are skipped, at most 8 per
 * (scope, family) per packet, and only 8 pushes close together are read; the HELLO to the real
 * address then teaches a direct path with no relay involved. RENDEZVOUS from a peer that is not a
 * root is ignored. Method: seeded simulation; b's packets are forged by the test with b's key (the
 * test holds every secret), so a receives exactly the pushes and hints under test; the wiretap
 * shows what a sent.
 */
class PathHintsSimTest {
    static LongStream seeds() {
        return Simulation.seeds(71, 72);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void pushedPathsAreContactedWithinTheLimits(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            Star star = Star.start(sim, 2, true);
            SimNode a = star.leaves().get(0);
            SimNode b = star.leaves().get(1);
            assertTrue(sim.runUntil(star::online, 10_000));
            Probe probe = sim.addProbe(Simulation.endpoint(200, 9));

            List<PathRecord> records = new ArrayList<>();
            records.add(PathRecord.of(PushDirectPaths.FLAG_FORGET_PATH, Simulation.endpoint(50, 1)));
            records.add(PathRecord.of(0, InetEndpoint.parse("127.0.0.1/9993")));
            records.add(PathRecord.of(0, b.endpoint()));
            for (int i = 0; i < 10; i++) {
                records.add(PathRecord.of(0, Simulation.endpoint(60, 1 + i))); // PRIVATE IPv4, like b's
            }
            records.add(PathRecord.of(0, InetEndpoint.parse("1.2.3.4/9993"))); // GLOBAL: its own quota
            probe.sendSpoofed(b.endpoint(), a.endpoint(), packet(sim, b.identity(), a.identity(), new PushDirectPaths(records)));
            assertTrue(sim.runUntil(() -> a.hasDirectPathTo(b), 5_000), "the pushed real address became a direct path");

            List<String> contacted = contacts(star.tap(), a);
            assertTrue(contacted.contains(b.endpoint().toString()));
            assertTrue(contacted.contains("1.2.3.4/9993"));
            assertFalse(contacted.contains(Simulation.endpoint(50, 1).toString()), "forget records are skipped");
            assertFalse(contacted.contains("127.0.0.1/9993"), "loopback is never a path");
            long privateOnes = contacted.stream().filter(t -> t.startsWith("198.18.60.")).count();
            assertEquals(7, privateOnes, "8 per (scope, family): b's own address and 7 of the 10 others");
            assertEquals(0, star.tap().packets(Verb.ECHO.code(), a, star.root()).size(), "nothing went through the root");

            // the 9th push within 30 s is not read
            for (int i = 0; i < 9; i++) {
                PushDirectPaths one = new PushDirectPaths(List.of(PathRecord.of(0, Simulation.endpoint(70, 1 + i))));
                probe.sendSpoofed(b.endpoint(), a.endpoint(), packet(sim, b.identity(), a.identity(), one));
                sim.runFor(100);
            }
            List<String> later = contacts(star.tap(), a);
            for (int i = 0; i < 9; i++) {
                assertEquals(i < 7, later.contains(Simulation.endpoint(70, 1 + i).toString()), "push " + (i + 2));
            }
            assertTrue(a.node().dropCount(DropReason.RATE_LIMITED) >= 2);
        });
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void rendezvousFromANonRootIsIgnored(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            Star star = Star.start(sim, 3, true);
            SimNode a = star.leaves().get(0);
            SimNode b = star.leaves().get(1);
            SimNode c = star.leaves().get(2);
            assertTrue(sim.runUntil(star::online, 10_000));
            RootOutageSimTest.goDirect(sim, a, b);
            assertTrue(sim.pingUntilAnswered(List.<SimNode[]>of(new SimNode[] {a, c}), 10, 1_000, 5_000).isEmpty());
            Probe probe = sim.addProbe(Simulation.endpoint(200, 9));
            InetEndpoint lure = Simulation.endpoint(66, 6);
            probe.sendSpoofed(b.endpoint(), a.endpoint(),
                    packet(sim, b.identity(), a.identity(), Rendezvous.of(c.address(), lure)));
            sim.runFor(2_000);
            assertTrue(a.node().dropCount(DropReason.UNTRUSTED_SENDER) >= 1);
            assertTrue(star.tap().matching(r -> r.src().equals(a.endpoint().toString()) && r.dst().equals(lure.toString()))
                    .isEmpty(), "a sent nothing to the address a non-root named");
        });
    }

    /** Where {@code from} sent contact attempts (HELLO, or ECHO once the peer's version is known), in order. */
    private static List<String> contacts(Wiretap tap, SimNode from) {
        return tap.matching(r -> r.authOk() && r.verb() != null
                && (r.verb() == Verb.HELLO.code() || r.verb() == Verb.ECHO.code())
                && r.src().equals(from.endpoint().toString())).stream().map(DatagramRecord::dst).toList();
    }

    /** A packet from {@code from} to {@code to} carrying {@code payload}, armored with their key (cipher 1). */
    private static byte[] packet(Simulation sim, Identity from, Identity to, VerbPayload payload) {
        byte[] body = payload.toBytes();
        byte[] p = new byte[PacketHeader.IDX_PAYLOAD + body.length];
        PacketHeader.writeHeader(p, 0, sim.random().nextLong(), to.address().value(),
                from.address().value(), payload.verbCode());
        System.arraycopy(body, 0, p, PacketHeader.IDX_PAYLOAD, body.length);
        new Armor(from.agree(to)).armor(p, 0, p.length, PacketHeader.CIPHER_POLY1305_SALSA2012);
        return p;
    }
}
