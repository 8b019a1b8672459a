package dev.zerokube.overlay.node.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.crypto.C25519;
import dev.zerokube.overlay.node.NodeConfig;
import dev.zerokube.overlay.node.NodeEvent;
import dev.zerokube.overlay.root.RootWorlds;
import dev.zerokube.overlay.wire.World;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/*
 * Goal: worlds decide who the roots are (ZT1-07 §3, §4): a planet revision signed with the current
 * update key reaches leaves in OK(HELLO) and its new root becomes an upstream they contact; a
 * revision signed with another key is ignored; a moon alone makes its root a root, which relays
 * and introduces like a planet root; orbiting a moon by id and seed (zerotier-cli orbit) fetches it
 * from the seed through the planet's root, makes its root an upstream, and deorbit undoes that; a
 * seed that is not one of the moon's roots cannot hand it over. Method: seeded simulations with
 * worlds built by RootWorlds.
 */
class WorldsSimTest {
    static LongStream seeds() {
        return Simulation.seeds(61, 62);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aSignedPlanetRevisionReachesLeavesAndAddsARoot(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            SplittableRandom r = new SplittableRandom(seed);
            C25519.KeyPair k1 = C25519.generate(r);
            C25519.KeyPair k2 = C25519.generate(r);
            World.Root r1 = RootWorlds.root(SimIdentities.get(0), List.of(Simulation.endpoint(0, 1)));
            World.Root r2 = RootWorlds.root(SimIdentities.get(4), List.of(Simulation.endpoint(0, 2)));
            World rev1 = RootWorlds.first(World.Type.PLANET, Simulation.PLANET_ID, Simulation.START_MS, List.of(r1), k1);
            World rev2 = RootWorlds.revise(rev1, Simulation.START_MS + 1_000, List.of(r1, r2), k1, k2.publicKey());

            SimNode root1 = sim.addNode("root1", SimIdentities.get(0), NodeConfig.of(rev2), Simulation.endpoint(0, 1));
            SimNode root2 = sim.addNode("root2", SimIdentities.get(4), NodeConfig.of(rev2), Simulation.endpoint(0, 2));
            SimNode leaf = sim.addNode("leaf", SimIdentities.get(1), NodeConfig.of(rev1), Simulation.endpoint(1, 2));
            assertTrue(root1.node().isRoot() && root2.node().isRoot());

            assertTrue(sim.runUntil(() -> leaf.hasDirectPathTo(root2), 20_000), "the leaf contacts the new root");
            assertEquals(rev2, leaf.node().planet());
            assertEquals(List.of(rev2), leaf.events(NodeEvent.WorldUpdated.class, e -> true).stream()
                    .map(NodeEvent.WorldUpdated::world).toList());
            assertTrue(leaf.node().peer(root2.address(), sim.nowMs()).orElseThrow().upstream());
            assertTrue(root2.node().peer(leaf.address(), sim.nowMs()).isPresent());
        });
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aRevisionSignedWithAnotherKeyIsIgnored(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            SplittableRandom r = new SplittableRandom(seed);
            C25519.KeyPair k1 = C25519.generate(r);
            C25519.KeyPair impostor = C25519.generate(r);
            World.Root r1 = RootWorlds.root(SimIdentities.get(0), List.of(Simulation.endpoint(0, 1)));
            World.Root r2 = RootWorlds.root(SimIdentities.get(4), List.of(Simulation.endpoint(0, 2)));
            World rev1 = RootWorlds.first(World.Type.PLANET, Simulation.PLANET_ID, Simulation.START_MS, List.of(r1), k1);
            World forged = World.make(World.Type.PLANET, Simulation.PLANET_ID, Simulation.START_MS + 1_000,
                    impostor.publicKey(), List.of(r1, r2), impostor);

            SimNode root1 = sim.addNode("root1", SimIdentities.get(0), NodeConfig.of(forged), Simulation.endpoint(0, 1));
            SimNode leaf = sim.addNode("leaf", SimIdentities.get(1), NodeConfig.of(rev1), Simulation.endpoint(1, 2));
            assertTrue(sim.runUntil(() -> leaf.node().isOnline(), 20_000));
            sim.runFor(30_000);
            assertEquals(rev1, leaf.node().planet(), "the forged revision was offered but not accepted");
            assertTrue(leaf.events(NodeEvent.WorldUpdated.class, e -> true).isEmpty());
            assertTrue(leaf.node().peer(SimIdentities.get(4).address(), sim.nowMs()).isEmpty());
            assertTrue(root1.node().isRoot());
        });
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aMoonRootRelaysAndIntroducesLeavesThatOrbitOnlyTheMoon(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            C25519.KeyPair key = C25519.generate(new SplittableRandom(seed));
            World moon = RootWorlds.first(World.Type.MOON, SimIdentities.get(5).address().value(), Simulation.START_MS,
                    List.of(RootWorlds.root(SimIdentities.get(5), List.of(Simulation.endpoint(0, 5)))), key);
            NodeConfig config = NodeConfig.of(null).withMoons(List.of(moon));
            SimNode moonRoot = sim.addNode("moon", SimIdentities.get(5), config, Simulation.endpoint(0, 5));
            SimNode a = sim.addNode("a", SimIdentities.get(1), config, Simulation.endpoint(1, 2));
            SimNode b = sim.addNode("b", SimIdentities.get(2), config, Simulation.endpoint(2, 2));
            assertTrue(moonRoot.node().isRoot());
            assertFalse(a.node().isRoot());
            assertTrue(sim.runUntil(() -> a.node().isOnline() && b.node().isOnline(), 10_000));
            RootOutageSimTest.goDirect(sim, a, b);
            assertTrue(a.pingRepliesFrom(b).getFirst().hops() > 0, "first relayed by the moon root");
        });
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void orbitFetchesTheMoonFromItsSeedAndDeorbitDropsIt(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            World planet = MoonLab.planet(seed);
            World moon = MoonLab.moon(seed);
            long moonId = moon.id();
            sim.addNode("root", SimIdentities.get(0), NodeConfig.of(planet), Simulation.endpoint(0, 1));
            SimNode moonRoot = sim.addNode("moon", SimIdentities.get(5), NodeConfig.of(planet).withMoons(List.of(moon)),
                    Simulation.endpoint(0, 5));
            SimNode leaf = sim.addNode("leaf", SimIdentities.get(1), NodeConfig.of(planet), Simulation.endpoint(1, 2));
            assertTrue(sim.runUntil(() -> leaf.node().isOnline() && moonRoot.node().isOnline(), 20_000));
            assertTrue(leaf.node().moons().isEmpty());

            leaf.node().orbit(moonId, moonRoot.address(), sim.nowMs());
            assertTrue(sim.runUntil(() -> leaf.node().moons().equals(List.of(moon)), 60_000),
                    "the seed answered the leaf's HELLO with the moon");
            assertEquals(List.of(moon), leaf.events(NodeEvent.WorldUpdated.class, e -> true).stream()
                    .map(NodeEvent.WorldUpdated::world).toList(), "announced once, for the host to save");
            assertTrue(sim.runUntil(() -> leaf.node().peer(moonRoot.address(), sim.nowMs())
                    .map(p -> p.upstream()).orElse(false), 10_000), "the moon's root is an upstream now");

            assertTrue(leaf.node().deorbit(moonId));
            assertTrue(leaf.node().moons().isEmpty());
            assertFalse(leaf.node().peer(moonRoot.address(), sim.nowMs()).orElseThrow().upstream(),
                    "after deorbit the moon's root is a leaf again");
            assertFalse(leaf.node().deorbit(moonId), "nothing left to drop");
        });
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aSeedThatIsNotOneOfTheMoonsRootsCannotHandItOver(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            World planet = MoonLab.planet(seed);
            World moon = MoonLab.moon(seed);
            long moonId = moon.id();
            sim.addNode("root", SimIdentities.get(0), NodeConfig.of(planet), Simulation.endpoint(0, 1));
            // holds the moon (so it lists it in its OK(HELLO)) but is not one of its roots
            SimNode holder = sim.addNode("holder", SimIdentities.get(2), NodeConfig.of(planet).withMoons(List.of(moon)),
                    Simulation.endpoint(2, 2));
            SimNode leaf = sim.addNode("leaf", SimIdentities.get(1), NodeConfig.of(planet), Simulation.endpoint(1, 2));
            assertTrue(sim.runUntil(() -> leaf.node().isOnline() && holder.node().isOnline(), 20_000));

            leaf.node().orbit(moonId, holder.address(), sim.nowMs());
            assertTrue(sim.runUntil(() -> leaf.node().peer(holder.address(), sim.nowMs()).isPresent(), 20_000),
                    "the leaf found the seed");
            sim.runFor(60_000);
            assertTrue(leaf.node().moons().isEmpty(), "a moon from a seed outside its roots is refused");
            assertTrue(leaf.events(NodeEvent.WorldUpdated.class, e -> true).isEmpty());
        });
    }

    /** A planet whose root is sim identity 0 at (0, 1), and a moon whose root is identity 5 at (0, 5). */
    private static final class MoonLab {
        static World planet(long seed) {
            return RootWorlds.first(World.Type.PLANET, Simulation.PLANET_ID, Simulation.START_MS,
                    List.of(RootWorlds.root(SimIdentities.get(0), List.of(Simulation.endpoint(0, 1)))),
                    C25519.generate(new SplittableRandom(seed)));
        }

        static World moon(long seed) {
            return RootWorlds.first(World.Type.MOON, SimIdentities.get(5).address().value(), Simulation.START_MS,
                    List.of(RootWorlds.root(SimIdentities.get(5), List.of(Simulation.endpoint(0, 5)))),
                    C25519.generate(new SplittableRandom(seed + 1)));
        }
    }
}
