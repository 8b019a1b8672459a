package dev.zerokube.overlay.runtime;

import dev.zerokube.overlay.testing.Frames;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.node.NetworkStatus;
import dev.zerokube.overlay.runtime.port.PortConfig;
import dev.zerokube.overlay.runtime.port.UserspacePort;
import dev.zerokube.overlay.testing.LoopbackRig;
import dev.zerokube.overlay.wire.Mac;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/*
 * Goal: a running node's joined networks get Ethernet ports that carry frames over the overlay:
 * the port is opened on join, configured from the controller's config (MTU, MAC, the assigned
 * address), an ARP request and an ICMP echo written into A's port come out of B's port byte for
 * byte, and B's ARP reply and echo reply come back out of A's; the port closes when A leaves.
 * Method: real UDP on 127.0.0.1 (OverlayRig: root, controller node with ControllerAttachment over
 * an InMemoryPolicyStore, two member NodeServices with NetworkPorts over UserspacePorts); bounded
 * waits; frames are retried until the receiver's multicast membership is known (the ARP group is
 * learned from LIKE announcements), then compared exactly. No root needed.
 */
@Timeout(120)
class NetworkPortsTest {
    // the safety-net round, short here so that "not retried at every round" takes little time
    private static final long RECONCILE_MS = 300;
    static final int IPV4 = OverlayRig.PortPair.IPV4;
    static final int ARP = 0x0806;

    @Test
    void arpAndPingCrossTheOverlayBetweenUserspacePorts() throws Exception {
        try (OverlayRig rig = new OverlayRig(7);
                OverlayRig.PortPair pair = rig.userspacePorts()) {
            NetworkStatus sa = pair.statusA;
            NetworkStatus sb = pair.statusB;
            UserspacePort pa = pair.userspaceA();
            UserspacePort pb = pair.userspaceB();
            assertEquals(LocalApi.deviceName(rig.nwid), pa.name(), "named as zerotier-one names the TAP");
            PortConfig ca = pa.config();
            assertEquals(sa.config().orElseThrow().mtu(), ca.mtu());
            assertEquals(sa.mac(), ca.mac());
            assertEquals(sa.assignedAddresses(), ca.addresses());

            long macA = sa.mac().value();
            long macB = sb.mac().value();
            byte[] ipA = sa.assignedAddresses().getFirst().ip();
            byte[] ipB = sb.assignedAddresses().getFirst().ip();

            byte[] request = Frames.ethernet(Mac.BROADCAST.value(), macA, ARP, Frames.arp(1, macA, ipA, 0, ipB));
            assertArrayEquals(request, carry(pa, pb, request, 20_000), "B's port got A's ARP request");
            byte[] reply = Frames.ethernet(macA, macB, ARP, Frames.arp(2, macB, ipB, macA, ipA));
            assertArrayEquals(reply, carry(pb, pa, reply, 10_000), "A's port got B's ARP reply");

            byte[] echo = Frames.ethernet(macB, macA, IPV4, Frames.icmpEcho(8, ipA, ipB, 0x77, 1));
            assertArrayEquals(echo, carry(pa, pb, echo, 10_000), "B's port got A's echo request");
            byte[] echoReply = Frames.ethernet(macA, macB, IPV4, Frames.icmpEcho(0, ipB, ipA, 0x77, 1));
            assertArrayEquals(echoReply, carry(pb, pa, echoReply, 10_000), "A's port got B's echo reply");
            // the port counts a write just after queueing it: wait for the count to catch up
            assertTrue(LoopbackRig.await(2_000, () -> pa.counters().framesFromHost() >= 2
                    && pa.counters().framesToHost() >= 2) >= 0, pa.counters().toString());

            pair.a.execute(n -> n.leave(rig.nwid, pair.a.nowMs()));
            // the leave's event closes the port, not the next safety-net round (10 s apart)
            assertTrue(LoopbackRig.await(2_000, () -> pair.portsA.port(rig.nwid).isEmpty()) >= 0,
                    "A's port closed after leave");
            assertFalse(pa.sendFromHost(echo, 0, echo.length), "a closed port takes nothing");
            assertTrue(pair.log.stream().anyMatch(l -> l.contains("event=port_closed")), pair.log.toString());
            assertTrue(pair.portsB.port(rig.nwid).isPresent(), "B's port stays");
        }
    }

    @Test
    void aBurstOfFullFramesLeavesInGsoSendsAndArrivesWholeAndInOrder() throws Exception {
        // The throughput path: a TSO burst's worth of MTU-sized frames written at once. Each frame
        // is one FRAME packet cut into two equal datagrams, so the burst leaves A as a few UDP GSO
        // buffers (where the kernel has UDP_SEGMENT) and B's GRO slots take it whole: every frame
        // must come out of B's port byte for byte, in order.
        try (OverlayRig rig = new OverlayRig(13);
                OverlayRig.PortPair pair = rig.userspacePorts()) {
            UserspacePort pa = pair.userspaceA();
            UserspacePort pb = pair.userspaceB();
            byte[] first = Frames.ethernet(pair.macB(), pair.macA(), IPV4, new byte[64]);
            assertArrayEquals(first, carry(pa, pb, first, 20_000), "a first frame crossed (paths known)");

            List<byte[]> burst = pair.burst(new java.util.SplittableRandom(13), 40);
            NodeService.Traffic before = pair.a.traffic();
            for (byte[] f : burst) {
                assertTrue(pa.sendFromHost(f, 0, f.length), "port took the frame");
            }
            pair.assertArrivesInOrder(burst, 0);
            // A counts a GSO send when its send system call has returned, so B can hand the frames
            // out before A's loop got that far (CI saw "0 of 81" once): a task on A's loop runs
            // only after that flush, so the counters are complete then
            pair.a.call(n -> null).get(10, java.util.concurrent.TimeUnit.SECONDS);
            NodeService.Traffic after = pair.a.traffic();
            long datagrams = after.packetsOut() - before.packetsOut();
            long gsoDatagrams = after.gsoDatagrams() - before.gsoDatagrams();
            System.out.printf("NetworkPortsTest GSO: %d frames of %d bytes -> %d datagrams, %d of them in %d GSO sends%n",
                    burst.size(), burst.getFirst().length, datagrams, gsoDatagrams, after.gsoSends() - before.gsoSends());
            assertTrue(datagrams >= 2L * burst.size(), "each full frame is two datagrams: " + datagrams);
            org.junit.jupiter.api.Assumptions.assumeTrue(pair.a.isEpoll() && io.netty.channel.epoll.Epoll.isAvailable()
                    && gsoKernel(), "no UDP GSO here (needs epoll and a kernel with UDP_SEGMENT): delivery checked only");
            assertTrue(gsoDatagrams >= burst.size(), "most of the burst left in GSO sends: " + gsoDatagrams + " of " + datagrams);
        }
    }

    @SuppressWarnings("deprecation")
    private static boolean gsoKernel() {
        return io.netty.channel.epoll.SegmentedDatagramPacket.isSupported();
    }

    @Test
    void aPortThatCannotBeOpenedIsReportedOnceAndRetriedLater() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicInteger opens = new java.util.concurrent.atomic.AtomicInteger();
        dev.zerokube.overlay.wire.NetworkId nwid = new dev.zerokube.overlay.wire.NetworkId(0x1d71939404000001L);
        var planet = LoopbackRig.planet(dev.zerokube.overlay.node.sim.SimIdentities.get(0), LoopbackRig.freeUdpPort(), 5);
        try (NodeService s = NodeService.start(dev.zerokube.overlay.node.sim.SimIdentities.get(4),
                dev.zerokube.overlay.node.NodeConfig.of(planet),
                NodeService.Options.loopback().withValidator(dev.zerokube.overlay.node.sim.SimIdentities.VALIDATOR));
                NetworkPorts ports = NetworkPorts.attach(s, id -> {
                    opens.incrementAndGet();
                    throw new java.io.IOException("TUNSETIFF " + LocalApi.deviceName(id) + ": Device or resource busy");
                }, log::add, RECONCILE_MS)) {
            s.execute(n -> n.join(nwid, s.nowMs()));
            assertTrue(LoopbackRig.await(5_000, () -> !log.isEmpty()) >= 0);
            Thread.sleep(3 * RECONCILE_MS);
            assertEquals(1, opens.get(), "not retried at every reconcile: " + log);
            assertEquals(1, log.size(), log.toString());
            assertTrue(log.getFirst().contains("event=port_error nwid=" + nwid) && log.getFirst().contains("Device or resource busy")
                    && log.getFirst().contains("level=warn"), log.getFirst());
            assertTrue(ports.port(nwid).isEmpty());
            assertTrue(s.call(n -> n.network(nwid).isPresent()).get(), "the node stays joined");
        }
    }

    @Test
    void aConfigThePortRefusesIsSaidOnceAndTriedAgainOnlyWhenItChanges() throws Exception {
        // A TAP handed over by the node agent to a sidecar without CAP_NET_ADMIN: the agent set it
        // up, the kernel refuses the sidecar's own attempt (EPERM). Status updates come at least
        // once a minute (the config is re-requested); each must not log the same error again.
        List<String> log = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicInteger configures = new java.util.concurrent.atomic.AtomicInteger();
        try (OverlayRig rig = new OverlayRig(11);
                NodeService a = rig.member(2);
                NetworkPorts ports = NetworkPorts.attach(a, id -> new RefusingPort(PortFactory.userspace().open(id), configures),
                        log::add, RECONCILE_MS)) {
            rig.authorize(a);
            rig.join(a);
            assertTrue(LoopbackRig.await(30_000, () -> rig.ok(a) && configures.get() == 1) >= 0, "configured once: " + log);
            // A change that leaves the port's config as it is (the network's name): a new status, the same PortConfig.
            dev.zerokube.overlay.controller.NetworkRecord n = rig.store.network(rig.nwid).orElseThrow();
            push(rig, n.toBuilder().name("renamed").build());
            assertTrue(LoopbackRig.await(30_000, () -> rig.status(a).flatMap(NetworkStatus::config)
                    .map(c -> c.name().equals("renamed")).orElse(false)) >= 0, "the new name reached the node");
            Thread.sleep(2 * RECONCILE_MS);
            assertEquals(1, configures.get(), "the refused config was not tried again: " + log);
            assertEquals(1, log.stream().filter(l -> l.contains("event=port_error")).count(), log.toString());
            assertTrue(log.stream().anyMatch(l -> l.contains("Operation not permitted") && l.contains("retry=\"when the config changes\"")),
                    log.toString());
            // The MTU changes: that config is tried, once.
            push(rig, n.toBuilder().name("renamed").mtu(2000).build());
            assertTrue(LoopbackRig.await(30_000, () -> configures.get() == 2) >= 0, "the changed config was tried: " + log);
            Thread.sleep(2 * RECONCILE_MS);
            assertEquals(2, configures.get(), log.toString());
            assertEquals(2, log.stream().filter(l -> l.contains("event=port_error")).count(), log.toString());
            assertTrue(ports.port(rig.nwid).isPresent(), "the port stays open and carries frames as it is");
        }
    }

    private static void push(OverlayRig rig, dev.zerokube.overlay.controller.NetworkRecord network) throws Exception {
        var change = rig.store.putNetwork(network).orElseThrow();
        rig.controllerNode.call(c -> rig.controller.onPolicyChange(change, rig.controllerNode.nowMs())).get();
    }

    /** A port whose configuration the kernel refuses, as a handed-over TAP's for an unprivileged process. */
    private static final class RefusingPort implements dev.zerokube.overlay.runtime.port.VirtualPort {
        private final dev.zerokube.overlay.runtime.port.VirtualPort inner;
        private final java.util.concurrent.atomic.AtomicInteger configures;

        RefusingPort(dev.zerokube.overlay.runtime.port.VirtualPort inner, java.util.concurrent.atomic.AtomicInteger configures) {
            this.inner = inner;
            this.configures = configures;
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public void start(dev.zerokube.overlay.runtime.port.FrameConsumer consumer) {
            inner.start(consumer);
        }

        @Override
        public boolean write(byte[] frame, int off, int len) {
            return inner.write(frame, off, len);
        }

        @Override
        public void configure(PortConfig config) throws java.io.IOException {
            configures.incrementAndGet();
            throw new java.io.IOException("set link 3 mtu " + config.mtu() + " up: Operation not permitted (errno 1)");
        }

        @Override
        public PortConfig config() {
            return null;
        }

        @Override
        public dev.zerokube.overlay.runtime.port.PortCounters counters() {
            return inner.counters();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    /**
     * Sends {@code frame} into {@code from} every second until a frame equal to it comes out of
     * {@code to} (the first ones may go before the sender knows the receiver's groups or paths);
     * returns what came out, or null.
     */
    private static byte[] carry(UserspacePort from, UserspacePort to, byte[] frame, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        Predicate<byte[]> same = f -> java.util.Arrays.equals(f, frame);
        while (System.nanoTime() < deadline) {
            assertTrue(from.sendFromHost(frame, 0, frame.length), "port took the frame");
            long roundEnd = System.nanoTime() + 1_000_000_000L;
            while (System.nanoTime() < roundEnd) {
                byte[] got = to.receiveToHost(100);
                if (got != null && same.test(got)) {
                    return got;
                }
            }
        }
        assertNotNull(null, "no frame came out within " + timeoutMs + " ms");
        return null;
    }
}
