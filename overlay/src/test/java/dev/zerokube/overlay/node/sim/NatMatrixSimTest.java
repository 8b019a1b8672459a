package dev.zerokube.overlay.node.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.node.NodeConfig;
import dev.zerokube.overlay.wire.World;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/*
 * Goal: NAT traversal behaves as ZT1-07 §11.2's matrix says 1.14.1's mechanisms allow: every pair
 * of sides (public, full cone, restricted, port-restricted, symmetric) reaches the other, directly
 * where the matrix says "direct" and through the root forever where it says "relayed". Method:
 * seeded simulation per unordered pair of sides; a root on the public underlay; the leaves ping
 * each other for several RENDEZVOUS periods (30 s); the NATs are NatBox models with 300 s
 * mappings and no hairpinning.
 */
class NatMatrixSimTest {
    private static final long SEED = 4242;

    static Stream<Arguments> pairs() {
        List<Arguments> out = new ArrayList<>();
        NatSide[] sides = NatSide.values();
        for (int i = 0; i < sides.length; i++) {
            for (int j = i; j < sides.length; j++) {
                out.add(Arguments.of(sides[i], sides[j]));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} + {1}")
    @MethodSource("pairs")
    void pairConnectsAsTheMatrixSays(NatSide sideA, NatSide sideB) {
        Simulation.replay(SEED + sideA.ordinal() * 10L + sideB.ordinal(), SimConditions.clean(), sim -> {
            World planet = sim.planet(List.of(SimIdentities.get(0)), List.of(Simulation.endpoint(0, 1)));
            NodeConfig config = NodeConfig.of(planet);
            SimNode root = sim.addNode("root", SimIdentities.get(0), config, Simulation.endpoint(0, 1));
            SimNode a = sideA.place(sim, "a", SimIdentities.get(1), config, 1);
            SimNode b = sideB.place(sim, "b", SimIdentities.get(2), config, 2);
            assertTrue(sim.runUntil(() -> a.node().isOnline() && b.node().isOnline(), 30_000), "both online");

            // Talk both ways for four minutes: eight RENDEZVOUS periods, sixteen PUSH_DIRECT_PATHS.
            long end = sim.nowMs() + 240_000;
            while (sim.nowMs() < end && !(a.hasDirectPathTo(b) && b.hasDirectPathTo(a))) {
                List<SimNode[]> unanswered = sim.pingUntilAnswered(List.of(new SimNode[] {a, b}, new SimNode[] {b, a}), 10, 2_000, 20_000);
                assertTrue(unanswered.isEmpty(), "every ping round is answered, relayed or not");
                sim.runFor(3_000);
            }
            boolean expected = NatSide.direct(sideA, sideB);
            assertEquals(expected, a.hasDirectPathTo(b) && b.hasDirectPathTo(a),
                    sideA + " + " + sideB + ": the matrix says " + (expected ? "direct" : "relayed forever"));
            if (!expected) {
                assertFalse(a.hasDirectPathTo(b) || b.hasDirectPathTo(a), "no direct path either way");
                assertTrue(a.pingRepliesFrom(b).getLast().hops() > 0, "still reaching each other through the root");
            } else {
                int before = a.pingRepliesFrom(b).size();
                a.ping(b);
                assertTrue(sim.runUntil(() -> a.pingRepliesFrom(b).size() > before, 2_000));
                assertEquals(0, a.pingRepliesFrom(b).getLast().hops(), "the reply came directly");
            }
            assertTrue(root.node().isRoot());
            assertEquals(0, sim.network().unreachableCount(), "nothing reached a NAT's inside around it");
        });
    }
}
