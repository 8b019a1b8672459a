package dev.zerokube.overlay.node.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/*
 * Goal: with 5% of datagrams lost, 5% duplicated and 5% reordered, a root and three leaves still
 * converge: all come online, every leaf reaches every other, and they end up on direct paths.
 * Method: seeded simulation; HELLO retries every 5 s, WHOIS retries every 500 ms, RENDEZVOUS
 * repeats every 30 s while traffic is relayed, and pings are repeated until answered, exactly as a
 * real node and application would; the bounds are generous multiples of those periods.
 */
class LossyUnderlaySimTest {
    static LongStream seeds() {
        return Simulation.seeds(11, 12, 13, 14, 15);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void convergesDespiteLossDuplicationAndReordering(long seed) {
        Simulation.replay(seed, SimConditions.lossy(0.05), sim -> {
            Star star = Star.start(sim, 3, false);
            assertTrue(sim.runUntil(star::online, 60_000), "all leaves online within 60 s");
            List<SimNode[]> unanswered = sim.pingUntilAnswered(Simulation.orderedPairs(star.leaves()), 50, 2_000, 60_000);
            assertTrue(unanswered.isEmpty(), unanswered.size() + " pairs never answered");
            // keep talking so that the root repeats its introductions until every pair is direct
            long deadline = sim.nowMs() + 180_000;
            while (!star.allDirect() && sim.nowMs() < deadline) {
                sim.pingUntilAnswered(Simulation.orderedPairs(star.leaves()), 50, 5_000, 30_000);
            }
            assertTrue(star.allDirect(), "every pair of leaves direct within 3 minutes of talking");
            assertTrue(sim.network().lostCount() > 0, "the underlay did lose datagrams");
        });
    }
}
