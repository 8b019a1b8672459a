package dev.zerokube.overlay.node.sim;

import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.NodeConfig;
import dev.zerokube.overlay.wire.InetEndpoint;
import java.util.List;

/**
 * Where a simulated leaf sits: on the public underlay, or behind one of the four NAT kinds of
 * ZT1-07 §11.1, and which pairs of sides 1.14.1's mechanisms connect directly (§11.2's matrix).
 */
public enum NatSide {
    PUBLIC(null),
    FULL_CONE(NatBox.Kind.FULL_CONE),
    RESTRICTED_CONE(NatBox.Kind.RESTRICTED_CONE),
    PORT_RESTRICTED_CONE(NatBox.Kind.PORT_RESTRICTED_CONE),
    SYMMETRIC(NatBox.Kind.SYMMETRIC);

    /** NAT mappings outlive every keepalive period of ZT1-07 (§11.2 assumes "well above 30 s"). */
    public static final long MAPPING_TIMEOUT_MS = 300_000;

    private final NatBox.Kind kind;

    NatSide(NatBox.Kind kind) {
        this.kind = kind;
    }

    /**
     * ZT1-07 §11.2: whether two leaves on these sides end up with a direct path. A public host
     * behaves as a full cone; only a port-restricted or symmetric NAT facing a symmetric one
     * (and two symmetric ones) stay relayed forever.
     */
    public static boolean direct(NatSide a, NatSide b) {
        boolean aPicky = a == PORT_RESTRICTED_CONE || a == SYMMETRIC;
        boolean bPicky = b == PORT_RESTRICTED_CONE || b == SYMMETRIC;
        return !((a == SYMMETRIC && bPicky) || (b == SYMMETRIC && aPicky));
    }

    /**
     * Adds leaf number {@code index} (1..250) on this side: public at 198.18.{index}.2, or inside
     * 198.19.{index}.2 behind a NAT whose public address is 198.18.{index}.1.
     */
    public SimNode place(Simulation sim, String name, Identity identity, NodeConfig config, int index) {
        if (kind == null) {
            return sim.addNode(name, identity, config, Simulation.endpoint(index, 2));
        }
        InetEndpoint inside = InetEndpoint.of(new byte[] {(byte) 198, 19, (byte) index, 2}, 9993);
        NatBox nat = new NatBox(kind, Simulation.endpoint(index, 1).ip(), MAPPING_TIMEOUT_MS, sim.seed() * 7919 + index);
        return sim.addNode(name, identity, config, List.of(inside), nat);
    }
}
