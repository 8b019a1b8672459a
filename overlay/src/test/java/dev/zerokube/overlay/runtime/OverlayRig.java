package dev.zerokube.overlay.runtime;

import dev.zerokube.overlay.controller.ControllerAttachment;
import dev.zerokube.overlay.controller.InMemoryPolicyStore;
import dev.zerokube.overlay.controller.IpPool;
import dev.zerokube.overlay.controller.MemberRecord;
import dev.zerokube.overlay.controller.NetworkController;
import dev.zerokube.overlay.controller.NetworkRecord;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.NetworkStatus;
import dev.zerokube.overlay.node.NodeConfig;
import dev.zerokube.overlay.node.sim.SimIdentities;
import dev.zerokube.overlay.rules.RuleCompiler;
import dev.zerokube.overlay.testing.LoopbackRig;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.World;
import dev.zerokube.overlay.wire.netconf.Route;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * An overlay on 127.0.0.1 for runtime tests: a root, a node hosting the controller of one private
 * network (ControllerAttachment over an InMemoryPolicyStore, IPv4 pool 10.147.17.10-250, rules
 * "accept;"), and member nodes that a test authorizes and joins. Every node is a NodeService on
 * shared loops.
 */
final class OverlayRig implements AutoCloseable {
    final Loops loops;
    final NodeService root;
    final NodeService controllerNode;
    final NodeConfig config;
    final NetworkId nwid;
    final InMemoryPolicyStore store = new InMemoryPolicyStore();
    final ControllerAttachment controller;
    private final NodeService.Options leafOptions = NodeService.Options.loopback().withValidator(SimIdentities.VALIDATOR);

    OverlayRig(long seed) throws Exception {
        this.loops = Loops.create(2);
        Identity rootId = SimIdentities.get(0);
        Identity controllerId = SimIdentities.get(1);
        int rootPort = LoopbackRig.freeUdpPort();
        World planet = LoopbackRig.planet(rootId, rootPort, seed);
        this.config = NodeConfig.of(planet);
        this.root = NodeService.start(rootId, config, leafOptions.withPorts(List.of(rootPort)), loops);
        this.controllerNode = NodeService.start(controllerId, config, leafOptions, loops);
        this.nwid = new NetworkId((controllerId.address().value() << 24) | 0x000001L);
        long now = controllerNode.nowMs();
        store.putNetwork(NetworkRecord.builder(nwid, now).name("portwire").v4AssignZt(true)
                .ipAssignmentPools(List.of(new IpPool(ip("10.147.17.10"), ip("10.147.17.250"))))
                .routes(List.of(Route.direct(InetEndpoint.parse("10.147.17.0/24"))))
                .rules(RuleCompiler.compile("accept;").rules()).build());
        NetworkController c = new NetworkController(controllerId, store, new SplittableRandom(seed));
        this.controller = controllerNode.call(n -> ControllerAttachment.attach(n, c, new SplittableRandom(seed + 1))).get();
    }

    static InetEndpoint ip(String text) {
        return InetEndpoint.of(InetEndpoint.parseIp(text), 0);
    }

    /** A member node (identity {@code index} of the pre-generated ones, 2 and up). */
    NodeService member(int index) throws IOException {
        return NodeService.start(SimIdentities.get(index), config, leafOptions, loops);
    }

    /** Authorizes {@code member} as an administrator does and lets the controller act on it. */
    void authorize(NodeService member) throws Exception {
        long now = controllerNode.nowMs();
        MemberRecord m = store.member(nwid, member.address())
                .orElseGet(() -> MemberRecord.builder(nwid, member.address(), now).build());
        var change = store.putMember(m.withAuthorizedByApi(true, now));
        if (change.isPresent()) {
            controllerNode.call(n -> controller.onPolicyChange(change.get(), controllerNode.nowMs())).get();
        }
    }

    void join(NodeService member) {
        member.execute(n -> n.join(nwid, member.nowMs()));
    }

    Optional<NetworkStatus> status(NodeService member) {
        return member.call(n -> n.network(nwid)).join();
    }

    boolean ok(NodeService member) {
        return status(member).map(s -> s.status() == NetworkStatus.Status.OK && !s.assignedAddresses().isEmpty())
                .orElse(false);
    }

    @Override
    public void close() {
        controllerNode.close();
        root.close();
        loops.close();
    }
}
