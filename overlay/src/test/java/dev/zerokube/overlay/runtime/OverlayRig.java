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
import dev.zerokube.overlay.runtime.port.UserspacePort;
import dev.zerokube.overlay.testing.Frames;
import dev.zerokube.overlay.testing.LoopbackRig;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.World;
import dev.zerokube.overlay.wire.netconf.Route;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An overlay on 127.0.0.1 for runtime tests: a root, a node hosting the controller of one private
 * network (ControllerAttachment over an InMemoryPolicyStore, IPv4 pool 10.147.17.10-250, rules
 * "accept;"), and member nodes that a test authorizes and joins, alone or as a {@link PortPair}
 * (two members with Ethernet ports, configured). Every node is a NodeService on shared loops.
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

    /** How a test starts member {@code index}: {@link #member}, or that inside a namespace. */
    @FunctionalInterface
    interface MemberStarter {
        NodeService start(int index) throws Exception;
    }

    /** {@link #ports(MemberStarter, PortFactory, PortFactory)} with userspace ports and members started here. */
    PortPair userspacePorts() throws Exception {
        return ports(this::member, PortFactory.userspace(), PortFactory.userspace());
    }

    /**
     * Members A and B (identities 2 and 3), started by {@code start}, with NetworkPorts opened by
     * {@code portsA} and {@code portsB}; both authorized and joined. Returns once both networks are
     * OK with an assigned address and both ports are configured with that address.
     */
    PortPair ports(MemberStarter start, PortFactory portsA, PortFactory portsB) throws Exception {
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            List<String> log = new CopyOnWriteArrayList<>();
            NodeService a = opened(opened, start.start(2));
            NodeService b = opened(opened, start.start(3));
            NetworkPorts pa = opened(opened, NetworkPorts.attach(a, portsA, log::add));
            NetworkPorts pb = opened(opened, NetworkPorts.attach(b, portsB, log::add));
            authorize(a);
            authorize(b);
            join(a);
            join(b);
            assertTrue(LoopbackRig.await(30_000, () -> ok(a) && ok(b)) >= 0,
                    "both members configured: " + status(a) + " / " + status(b));
            NetworkStatus sa = status(a).orElseThrow();
            NetworkStatus sb = status(b).orElseThrow();
            assertTrue(LoopbackRig.await(10_000, () -> configured(pa, sa) && configured(pb, sb)) >= 0,
                    "ports configured from the configs: " + log);
            return new PortPair(a, b, pa, pb, sa, sb, log, opened);
        } catch (Exception | Error e) {
            closeAll(opened);
            throw e;
        }
    }

    private boolean configured(NetworkPorts ports, NetworkStatus s) {
        return ports.port(nwid).map(p -> p.config() != null && p.config().addresses().equals(s.assignedAddresses()))
                .orElse(false);
    }

    private static <T extends AutoCloseable> T opened(List<AutoCloseable> opened, T resource) {
        opened.add(resource);
        return resource;
    }

    private static void closeAll(List<AutoCloseable> opened) throws Exception {
        Exception first = null;
        for (AutoCloseable c : opened.reversed()) {
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * Two configured members of the rig's network with their ports; closing it closes the ports,
     * then the nodes.
     */
    final class PortPair implements AutoCloseable {
        /** Ethernet type IPv4. */
        static final int IPV4 = 0x0800;

        final NodeService a;
        final NodeService b;
        final NetworkPorts portsA;
        final NetworkPorts portsB;
        /** A's network as it was once configured (config, MAC, addresses). */
        final NetworkStatus statusA;
        final NetworkStatus statusB;
        /** What both NetworkPorts logged. */
        final List<String> log;
        private final List<AutoCloseable> opened;

        private PortPair(NodeService a, NodeService b, NetworkPorts portsA, NetworkPorts portsB, NetworkStatus statusA,
                NetworkStatus statusB, List<String> log, List<AutoCloseable> opened) {
            this.a = a;
            this.b = b;
            this.portsA = portsA;
            this.portsB = portsB;
            this.statusA = statusA;
            this.statusB = statusB;
            this.log = log;
            this.opened = opened;
        }

        /** A's port, for pairs with userspace ports. */
        UserspacePort userspaceA() {
            return (UserspacePort) portsA.port(nwid).orElseThrow();
        }

        /** B's port, for pairs with userspace ports. */
        UserspacePort userspaceB() {
            return (UserspacePort) portsB.port(nwid).orElseThrow();
        }

        long macA() {
            return statusA.mac().value();
        }

        long macB() {
            return statusB.mac().value();
        }

        /** {@code count} IPv4 frames from A to B, each with a random payload of the network's MTU. */
        List<byte[]> burst(SplittableRandom random, int count) {
            int mtu = statusA.config().orElseThrow().mtu();
            List<byte[]> burst = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte[] payload = new byte[mtu];
                random.nextBytes(payload);
                burst.add(Frames.ethernet(macB(), macA(), IPV4, payload));
            }
            return burst;
        }

        /**
         * Asserts that frames {@code from} to the end of {@code burst} come out of B's userspace
         * port next, each within 10 s, byte for byte and in order.
         */
        void assertArrivesInOrder(List<byte[]> burst, int from) throws InterruptedException {
            UserspacePort pb = userspaceB();
            for (int i = from; i < burst.size(); i++) {
                byte[] got = pb.receiveToHost(10_000);
                assertNotNull(got, "frame " + i + " of " + burst.size() + " came out of B's port; A " + a.traffic()
                        + ", B " + b.traffic() + ", port B " + pb.counters());
                assertArrayEquals(burst.get(i), got, "frame " + i + " byte for byte, in order");
            }
        }

        @Override
        public void close() throws Exception {
            closeAll(opened);
        }
    }

    @Override
    public void close() {
        controllerNode.close();
        root.close();
        loops.close();
    }
}
