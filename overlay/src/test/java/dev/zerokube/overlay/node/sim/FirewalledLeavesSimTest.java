package dev.zerokube.overlay.node.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.node.NodeConfig;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.World;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/*
 * Goal: the underlay's router seam works, and RENDEZVOUS does what it is for (ZT1-07 §5.5): two
 * leaves each behind a stateful firewall that drops unsolicited inbound datagrams reach each
 * other through the root, then punch through both firewalls and talk directly; the 4-byte TTL-2
 * datagram leaves its own firewall and dies at the other. Method: seeded simulation with a
 * StatefulFirewall (no address translation; the NAT models of ZT1-07 §11 plug into the same seam
 * later) in front of each leaf.
 */
class FirewalledLeavesSimTest {
    static LongStream seeds() {
        return Simulation.seeds(91, 92, 93);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void leavesPunchThroughTheirFirewalls(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            World planet = sim.planet(List.of(SimIdentities.get(0)), List.of(Simulation.endpoint(0, 1)));
            NodeConfig config = NodeConfig.of(planet);
            InetEndpoint aAt = Simulation.endpoint(1, 2);
            InetEndpoint bAt = Simulation.endpoint(2, 2);
            StatefulFirewall fwA = new StatefulFirewall(Set.of(aAt), 300_000);
            StatefulFirewall fwB = new StatefulFirewall(Set.of(bAt), 300_000);
            SimNode root = sim.addNode("root", SimIdentities.get(0), config, Simulation.endpoint(0, 1));
            SimNode a = sim.addNode("a", SimIdentities.get(1), config, List.of(aAt), fwA);
            SimNode b = sim.addNode("b", SimIdentities.get(2), config, List.of(bAt), fwB);
            assertTrue(sim.runUntil(() -> a.node().isOnline() && b.node().isOnline(), 10_000));

            // The first RENDEZVOUS usually reaches b before b knows who a is (b is still asking the
            // root about the relayed ECHO's sender), so b ignores it, sends nothing, and a's HELLO
            // dies at b's firewall. The root introduces them again 30 s later, when both act on it.
            RootOutageSimTest.goDirect(sim, a, b, 90_000);
            assertTrue(a.pingRepliesFrom(b).getFirst().hops() > 0, "relayed first");
            assertTrue(fwA.expiredTtlCount() + fwB.expiredTtlCount() >= 1, "a NAT-opening datagram died at the far side");
            int before = a.pingRepliesFrom(b).size();
            a.ping(b);
            assertTrue(sim.runUntil(() -> a.pingRepliesFrom(b).size() > before, 2_000));
            assertTrue(a.pingRepliesFrom(b).getLast().hops() == 0, "direct through both firewalls");
            assertTrue(root.node().isRoot());
        });
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void unsolicitedDatagramsDoNotCrossAFirewall(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            InetEndpoint aAt = Simulation.endpoint(1, 2);
            StatefulFirewall fw = new StatefulFirewall(Set.of(aAt), 300_000);
            World planet = sim.planet(List.of(SimIdentities.get(0)), List.of(Simulation.endpoint(0, 1)));
            SimNode a = sim.addNode("a", SimIdentities.get(1), NodeConfig.of(planet), List.of(aAt), fw);
            Probe probe = sim.addProbe(Simulation.endpoint(9, 9));
            probe.send(aAt, new byte[64]);
            sim.runFor(100);
            assertTrue(fw.filteredCount() == 1, "dropped at the firewall");
            assertTrue(a.node().usage().paths() == 0, "never reached the node");
        });
    }
}
