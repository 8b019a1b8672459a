package dev.zerokube.overlay.node;

import dev.zerokube.overlay.controller.ControllerAttachment;
import dev.zerokube.overlay.controller.InMemoryPolicyStore;
import dev.zerokube.overlay.controller.IpPool;
import dev.zerokube.overlay.controller.MemberRecord;
import dev.zerokube.overlay.controller.NetworkController;
import dev.zerokube.overlay.controller.NetworkRecord;
import dev.zerokube.overlay.controller.PolicyChange;
import dev.zerokube.overlay.node.sim.SimNode;
import dev.zerokube.overlay.node.sim.Simulation;
import dev.zerokube.overlay.node.sim.Star;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.netconf.Route;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * A simulated virtual network for tests: a {@link Star} (root plus leaves) whose first leaf hosts
 * the network controller ({@link ControllerAttachment} over an {@link InMemoryPolicyStore}), one
 * private network of that controller with an IPv4 pool, and helpers to authorize, join, push
 * credentials (what the frame path does before a frame) and ask the gate. Lives in the node
 * package to reach the gate and the push, which frames drive.
 */
final class NetworkLab {
    static final InetEndpoint POOL_START = ip("10.147.17.10");
    static final InetEndpoint POOL_END = ip("10.147.17.250");

    final Simulation sim;
    final Star star;
    final SimNode controllerNode;
    final List<SimNode> members;
    final NetworkId nwid;
    final InMemoryPolicyStore store = new InMemoryPolicyStore();
    final ControllerAttachment controller;

    /** A star of {@code leaves} leaves; leaf 1 is the controller; {@code tune} adjusts the network record. */
    NetworkLab(Simulation sim, int leaves, UnaryOperator<NetworkRecord.Builder> tune) {
        this.sim = sim;
        this.star = Star.start(sim, leaves, false);
        this.controllerNode = star.leaves().getFirst();
        this.members = star.leaves();
        this.nwid = new NetworkId((controllerNode.address().value() << 24) | 0x000001L);
        NetworkRecord network = tune.apply(NetworkRecord.builder(nwid, sim.nowMs()).name("lab").v4AssignZt(true)
                .ipAssignmentPools(List.of(new IpPool(POOL_START, POOL_END)))
                .routes(List.of(Route.direct(InetEndpoint.parse("10.147.17.0/24"))))).build();
        store.putNetwork(network);
        NetworkController c = new NetworkController(controllerNode.identity(), store, new SplittableRandom(sim.seed()));
        ControllerAttachment[] attached = new ControllerAttachment[1];
        controllerNode.act(n -> attached[0] = ControllerAttachment.attach(n, c, new SplittableRandom(sim.seed() + 1)));
        this.controller = attached[0];
    }

    static InetEndpoint ip(String text) {
        return InetEndpoint.of(InetEndpoint.parseIp(text), 0);
    }

    /** Authorizes (or deauthorizes) a member as an administrator does, and lets the controller act on it. */
    void authorize(SimNode member, boolean authorized) {
        MemberRecord m = store.member(nwid, member.address())
                .orElseGet(() -> MemberRecord.builder(nwid, member.address(), sim.nowMs()).build());
        store.putMember(m.withAuthorizedByApi(authorized, sim.nowMs())).ifPresent(this::changed);
    }

    /** Hands a policy change to the controller (on the controller node's thread). */
    void changed(PolicyChange change) {
        controllerNode.act(n -> controller.onPolicyChange(change, sim.nowMs()));
    }

    void join(SimNode member) {
        member.act(n -> n.join(nwid, sim.nowMs()));
    }

    Optional<NetworkStatus> status(SimNode member) {
        return member.node().network(nwid);
    }

    boolean hasStatus(SimNode member, NetworkStatus.Status s) {
        return status(member).map(x -> x.status() == s).orElse(false);
    }

    Network network(SimNode member) {
        return member.node().networkTable().get(nwid.value());
    }

    /** Whether {@code at}'s gate lets {@code peer} talk (ZT1-05 §7.3). */
    boolean gate(SimNode at, SimNode peer) {
        Network n = network(at);
        return n != null && n.gate(peer.address().value(), peer.identity());
    }

    /** What the frame path does before a frame from {@code from} to {@code to}: push credentials if needed. */
    void pushBeforeFrame(SimNode from, SimNode to) {
        from.act(n -> {
            Network net = n.networkTable().get(nwid.value());
            if (net != null && net.config() != null) {
                n.networkTable().credentials.pushIfNeeded(net, to.address().value(), sim.nowMs());
            }
        });
    }

    /** {@link #pushBeforeFrame} along every ordered pair of these members. */
    void pushAll(List<SimNode> among) {
        for (SimNode a : among) {
            for (SimNode b : among) {
                if (a != b) {
                    pushBeforeFrame(a, b);
                }
            }
        }
    }

    /** Every ordered pair of these members passes the other's gate. */
    boolean allGated(List<SimNode> among) {
        for (SimNode a : among) {
            for (SimNode b : among) {
                if (a != b && !gate(a, b)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Which pairs fail the gate and why, for failure messages. */
    String refusals(List<SimNode> among) {
        StringBuilder why = new StringBuilder();
        for (SimNode a : among) {
            for (SimNode b : among) {
                if (a != b && !gate(a, b)) {
                    Membership m = network(a).existingMembership(b.address().value());
                    why.append(a.name()).append(" refuses ").append(b.name()).append(": ")
                            .append(m == null ? "no membership" : m.certificateOfMembership()
                                    .map(c -> "COM of " + c.timestampMs()).orElse("no COM"))
                            .append(", drops ").append(java.util.Arrays.stream(DropReason.values())
                                    .filter(r -> a.node().dropCount(r) > 0).map(r -> r + "=" + a.node().dropCount(r))
                                    .toList())
                            .append("; ");
                }
            }
        }
        return why.toString();
    }
}
