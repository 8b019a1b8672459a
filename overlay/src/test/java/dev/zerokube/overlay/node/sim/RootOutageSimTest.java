package dev.zerokube.overlay.node.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.node.NodeConfig;
import dev.zerokube.overlay.node.NodeEvent;
import dev.zerokube.overlay.node.Timing;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/*
 * Goal: a root going down and coming back (restarted, with no memory) as ZT1-07 §4.5 describes:
 * direct paths keep working without it; after 500 s without a root the leaves report offline; once
 * it is back they return within a few 5 s contact rounds (their root paths expired, so they HELLO
 * its stable endpoint every 5 s) and it relays and introduces again; after a short outage the
 * restarted root learns the leaves at their next contact round (about every 225 s). Method: seeded
 * simulation; the root node is stopped and restarted; a new leaf joins after the restart.
 */
class RootOutageSimTest {
    static LongStream seeds() {
        return Simulation.seeds(31, 32, 33);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void directPathsOutliveTheRootAndLeavesReturnWhenItIsBack(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            Star star = Star.start(sim, 2, false);
            SimNode a = star.leaves().get(0);
            SimNode b = star.leaves().get(1);
            assertTrue(sim.runUntil(star::online, 10_000));
            goDirect(sim, a, b);

            star.root().stop();
            long downAt = sim.nowMs();
            for (int i = 0; i < 20; i++) {
                int before = a.pingRepliesFrom(b).size();
                a.ping(b);
                assertTrue(sim.runUntil(() -> a.pingRepliesFrom(b).size() > before, 2_000), "ping " + i + " answered");
                assertEquals(0, a.pingRepliesFrom(b).getLast().hops(), "direct while the root is down");
                sim.runFor(30_000);
            }
            assertTrue(sim.nowMs() - downAt > 500_000);
            for (SimNode leaf : star.leaves()) {
                assertFalse(leaf.node().isOnline(), leaf + " offline after 500 s without a root");
                assertFalse(leaf.events(NodeEvent.Online.class, e -> !e.online()).isEmpty());
            }

            star.root().start();
            long upAt = sim.nowMs();
            assertTrue(sim.runUntil(star::online, 20_000), "leaves back online within 20 s");
            assertTrue(sim.nowMs() - upAt <= 20_000);

            SimNode c = sim.addNode("c", SimIdentities.get(3), NodeConfig.of(star.planet()), Simulation.endpoint(3, 2));
            assertTrue(sim.runUntil(() -> c.node().isOnline(), 10_000));
            assertTrue(sim.pingUntilAnswered(List.<SimNode[]>of(new SimNode[] {c, a}), 10, 1_000, 10_000).isEmpty(),
                    "the restarted root relays between a new leaf and an old one");
        });
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aRestartedRootLearnsLeavesAtTheirNextContactRound(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            Star star = Star.start(sim, 1, false);
            SimNode a = star.leaves().getFirst();
            assertTrue(sim.runUntil(star::online, 10_000));
            sim.runFor(30_000);
            star.root().stop();
            sim.runFor(60_000);
            star.root().start();
            long upAt = sim.nowMs();
            SimNode c = sim.addNode("c", SimIdentities.get(3), NodeConfig.of(star.planet()), Simulation.endpoint(3, 2));
            assertTrue(sim.runUntil(() -> star.root().node().peer(a.address(), sim.nowMs()).isPresent(),
                    Timing.UPSTREAM_CONTACT_INTERVAL_MS + 2 * Timing.PING_CHECK_INTERVAL_MS), "a HELLOs the restarted root within one contact round");
            assertTrue(sim.pingUntilAnswered(List.<SimNode[]>of(new SimNode[] {c, a}), 10, 1_000, 10_000).isEmpty());
            assertTrue(sim.nowMs() - upAt < 240_000);
        });
    }

    static void goDirect(Simulation sim, SimNode a, SimNode b) {
        goDirect(sim, a, b, 30_000);
    }

    /** Pings a → b until both hold a direct path to the other, within {@code maxMs}. */
    static void goDirect(Simulation sim, SimNode a, SimNode b, long maxMs) {
        long deadline = sim.nowMs() + maxMs;
        while (!(a.hasDirectPathTo(b) && b.hasDirectPathTo(a)) && sim.nowMs() < deadline) {
            sim.pingUntilAnswered(List.<SimNode[]>of(new SimNode[] {a, b}), 10, 1_000, 5_000);
        }
        assertTrue(a.hasDirectPathTo(b) && b.hasDirectPathTo(a), "a and b direct");
    }
}
