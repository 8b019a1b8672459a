package dev.zerokube.overlay.node.sim;

import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.NodeConfig;
import dev.zerokube.overlay.wire.World;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The usual simulated network: one root (identity 0 at 198.18.0.1) and {@code n} leaves
 * (identity i at 198.18.i.2, each in its own /24 so that the root's per-/24 gate on new identities
 * does not slow them down), all on the planet that lists the root.
 */
public record Star(Simulation sim, World planet, SimNode root, List<SimNode> leaves, Wiretap tap) {
    public static Star start(Simulation sim, int n, boolean withTap) {
        return start(sim, n, withTap, c -> c);
    }

    /** As {@link #start(Simulation, int, boolean)}, with each node's config adjusted by {@code tune}. */
    public static Star start(Simulation sim, int n, boolean withTap, UnaryOperator<NodeConfig> tune) {
        World planet = sim.planet(List.of(SimIdentities.get(0)), List.of(Simulation.endpoint(0, 1)));
        NodeConfig config = tune.apply(NodeConfig.of(planet));
        List<Identity> ids = new ArrayList<>();
        for (int i = 0; i <= n; i++) {
            ids.add(SimIdentities.get(i));
        }
        Wiretap tap = withTap ? new Wiretap(sim, ids) : null;
        SimNode root = sim.addNode("root", ids.getFirst(), config, Simulation.endpoint(0, 1));
        List<SimNode> leaves = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            leaves.add(sim.addNode("leaf" + i, ids.get(i), config, Simulation.endpoint(i, 2)));
        }
        return new Star(sim, planet, root, List.copyOf(leaves), tap);
    }

    /** Every leaf that is up is online and has a direct path to the root. */
    public boolean online() {
        return leaves.stream().filter(SimNode::isUp).allMatch(l -> l.node().isOnline() && l.hasDirectPathTo(root));
    }

    /** Every ordered pair of leaves has direct paths both ways. */
    public boolean allDirect() {
        for (SimNode a : leaves) {
            for (SimNode b : leaves) {
                if (a != b && !a.hasDirectPathTo(b)) {
                    return false;
                }
            }
        }
        return true;
    }
}
