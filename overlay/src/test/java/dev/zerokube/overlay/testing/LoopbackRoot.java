package dev.zerokube.overlay.testing;

import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.NetworkStatus;
import dev.zerokube.overlay.node.NodeConfig;
import dev.zerokube.overlay.runtime.NodeService;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.World;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A root node on 127.0.0.1 under a planet of its own ({@link LoopbackRig#planet}), and the member
 * nodes a test starts under that planet: real UDP, each a {@link NodeService}. A controller that
 * serves these members (e.g. the operator's ControllerNode) binds its own port under {@link
 * #planet()}. Closing stops the members, then the root.
 */
public final class LoopbackRoot implements AutoCloseable {
    private final World planet;
    private final NodeService root;
    private final List<NodeService> members = new ArrayList<>();

    private LoopbackRoot(World planet, NodeService root) {
        this.planet = planet;
        this.root = root;
    }

    /** Starts the root with {@code rootIdentity} on a free loopback port; {@code seed} makes the planet's key. */
    public static LoopbackRoot start(Identity rootIdentity, long seed) throws IOException {
        int port = LoopbackRig.freeUdpPort();
        World planet = LoopbackRig.planet(rootIdentity, port, seed);
        return new LoopbackRoot(planet, NodeService.start(rootIdentity, NodeConfig.of(planet),
                NodeService.Options.loopback().withPorts(List.of(port))));
    }

    /** The planet naming the root. */
    public World planet() {
        return planet;
    }

    /** Starts a member node (any free loopback port) that knows the root through the planet. */
    public synchronized NodeService member(Identity identity) throws IOException {
        NodeService n = NodeService.start(identity, NodeConfig.of(planet), NodeService.Options.loopback());
        members.add(n);
        return n;
    }

    /** What {@code node} reports about network {@code nwid} (it must have joined it). */
    public static NetworkStatus status(NodeService node, NetworkId nwid) {
        Optional<NetworkStatus> s = node.call(n -> n.network(nwid)).join();
        return s.orElseThrow(() -> new IllegalStateException(node.address() + " has not joined " + nwid));
    }

    /** Whether {@code node} holds a config for {@code nwid} with at least one assigned address. */
    public static boolean hasConfig(NodeService node, NetworkId nwid) {
        NetworkStatus s = status(node, nwid);
        return s.status() == NetworkStatus.Status.OK && !s.assignedAddresses().isEmpty();
    }

    @Override
    public synchronized void close() {
        for (NodeService n : members) {
            n.close();
        }
        members.clear();
        root.close();
    }
}
