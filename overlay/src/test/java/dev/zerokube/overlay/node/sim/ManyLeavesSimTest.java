package dev.zerokube.overlay.node.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/*
 * Goal: twenty leaves behind one root: every leaf reaches every other (380 ordered pairs), through
 * the root first and directly afterwards. Method: seeded simulation on a slightly lossy underlay;
 * each leaf pings every other until answered.
 */
class ManyLeavesSimTest {
    static LongStream seeds() {
        return Simulation.seeds(21);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyPairOfTwentyLeavesReachesTheOther(long seed) {
        Simulation.replay(seed, new SimConditions(2, 20, 0.01, 0.01, 0.01, 50), sim -> {
            Star star = Star.start(sim, 20, false);
            assertTrue(sim.runUntil(star::online, 60_000), "all leaves online");
            assertEquals(20, star.root().node().usage().peers(), "the root knows every leaf (and nobody else)");
            List<SimNode[]> unanswered = sim.pingUntilAnswered(Simulation.orderedPairs(star.leaves()), 5, 2_000, 120_000);
            assertTrue(unanswered.isEmpty(), unanswered.size() + " of 380 pairs never answered");
            long deadline = sim.nowMs() + 120_000;
            while (!star.allDirect() && sim.nowMs() < deadline) {
                sim.pingUntilAnswered(Simulation.orderedPairs(star.leaves()), 5, 5_000, 30_000);
            }
            assertTrue(star.allDirect(), "every pair direct");
        });
    }
}
