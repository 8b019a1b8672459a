package dev.zerokube.overlay.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.crypto.C25519;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.DropReason;
import dev.zerokube.overlay.node.IdentityValidator;
import dev.zerokube.overlay.node.Node;
import dev.zerokube.overlay.node.NodeConfig;
import dev.zerokube.overlay.node.NodeEvent;
import dev.zerokube.overlay.node.NodeHost;
import dev.zerokube.overlay.node.PeerStatus;
import dev.zerokube.overlay.node.Timing;
import dev.zerokube.overlay.node.sim.SimIdentities;
import dev.zerokube.overlay.testing.LoopbackRig;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.World;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/*
 * Goal (issue 5's proof item): many pods behind one address reach our root at once. 100
 * pre-made identities (test resource identities-100.txt, made with the real proof of work) start
 * together from 127.0.0.1 and are all admitted by the root and online; and a flood of HELLOs from
 * one address, each with a fresh identity that fails the proof of work, costs the root only as
 * many proof-of-work checks as its per-/24 bucket allows (Timing.IDENTITY_VALIDATION_SOURCE_*).
 * In the flood the check is a counter that says "invalid" at once, so that the gate, not the
 * speed of the machine, decides how many checks run; the cost of one real check is what the
 * first test measures.
 * Method: real NodeServices on loopback (100 leaves on two shared event loop threads, the root on
 * its own); the root's identity check is the real one wrapped in a counter. What makes the 5 s
 * goal reachable is asserted exactly: every pod is admitted at its first HELLO (one check each,
 * none refused by the gate), so admission costs the root 100 proofs of work (about 25 ms each on
 * an idle core) and no 5 s retry. The time is printed and asserted against 5 s plus a margin only
 * when the measured check cost shows an idle enough machine (a shared, overloaded 2-core machine
 * makes each check several times slower); "online" as the node reports it is computed at its 5 s
 * contact round (as 1.14.1), so that flag is awaited after admission.
 */
class RootAdmissionTest {
    private static final int PODS = 100;

    @Test
    void hundredPodsBehindOneAddressComeOnlineTogether() throws Exception {
        List<Identity> ids = identities();
        assertEquals(PODS, ids.size());
        Identity rootId = SimIdentities.get(0);
        int rootPort = LoopbackRig.freeUdpPort();
        World planet = LoopbackRig.planet(rootId, rootPort, 7);
        NodeConfig config = NodeConfig.of(planet);
        Counting validator = new Counting();
        List<NodeService> leaves = new ArrayList<>();
        try (Loops rootLoop = Loops.create(1); Loops leafLoops = Loops.create(2);
                NodeService root = NodeService.start(rootId, config, NodeService.Options.loopback()
                        .withPorts(List.of(rootPort)).withValidator(validator), rootLoop)) {
            long t0 = System.nanoTime();
            for (Identity id : ids) {
                leaves.add(NodeService.start(id, config, NodeService.Options.loopback(), leafLoops));
            }
            long startedMs = (System.nanoTime() - t0) / 1_000_000;
            long admittedMs = LoopbackRig.await(60_000, () -> admitted(root, leaves));
            long admittedTotalMs = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(admittedMs >= 0, "all " + PODS + " admitted by the root and holding a path to it; "
                    + "admitted so far: " + root.call(n -> n.usage().peers()).join());
            long onlineMs = LoopbackRig.await(15_000, () -> leaves.stream().allMatch(l -> l.call(Node::isOnline).join()));
            long onlineTotalMs = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(onlineMs >= 0, "every leaf reports online within 15 s more");
            long refused = root.call(n -> n.dropCount(DropReason.RATE_LIMITED)).join();
            assertEquals(0, refused, "no new identity was refused by the per-/24 gate");
            assertEquals(PODS, validator.calls.get(), "one proof-of-work check per pod: admitted at the first HELLO");
            if (validator.meanMs() <= 40) {
                assertTrue(admittedTotalMs <= 10_000, "admitted within 5 s (+5 s margin): " + admittedTotalMs + " ms");
            }
            System.out.printf("RootAdmissionTest: %d pods started in %d ms; all admitted by the root %d ms after the "
                    + "first start; all report online after %d ms (the 5 s contact round); %d checks, %.1f ms each%n",
                    PODS, startedMs, admittedTotalMs, onlineTotalMs, validator.calls.get(), validator.meanMs());
        } finally {
            leaves.forEach(NodeService::close);
        }
    }

    @Test
    void aFloodOfInvalidIdentitiesFromOneAddressCostsBoundedWork() throws Exception {
        Identity rootId = SimIdentities.get(0);
        int rootPort = LoopbackRig.freeUdpPort();
        World planet = LoopbackRig.planet(rootId, rootPort, 8);
        AtomicLong checks = new AtomicLong();
        IdentityValidator invalid = id -> {
            checks.incrementAndGet();
            return false;
        };
        int flood = 1_000;
        List<byte[]> hellos = fakeHellos(planet, flood);
        try (NodeService root = NodeService.start(rootId, NodeConfig.of(planet), NodeService.Options.loopback()
                .withPorts(List.of(rootPort)).withValidator(invalid));
                DatagramSocket attacker = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), rootPort);
            long t0 = System.nanoTime();
            for (byte[] h : hellos) {
                attacker.send(new DatagramPacket(h, h.length, to));
            }
            LoopbackRig.await(30_000, () -> root.traffic().packetsIn() >= flood);
            long[] counts = root.call(n -> new long[] {root.traffic().packetsIn(), checks.get(),
                    n.dropCount(DropReason.RATE_LIMITED), n.dropCount(DropReason.HELLO_REFUSED), n.usage().peers()}).join();
            long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
            long received = counts[0];
            long bound = Timing.IDENTITY_VALIDATION_SOURCE_BURST + elapsedMs / Timing.IDENTITY_VALIDATION_SOURCE_INTERVAL_MS + 1;
            System.out.printf("RootAdmissionTest flood: %d fake HELLOs from one address in %d ms, %d received, %d "
                    + "proof-of-work checks (gate bound %d), %d refused by the gate before any work, %d refused by the "
                    + "check, %d peers admitted%n", flood, elapsedMs, received, counts[1], bound, counts[2], counts[3],
                    counts[4]);
            assertEquals(flood, received, "the whole flood arrived (loopback, 4 MiB socket buffer)");
            assertTrue(counts[1] <= bound, counts[1] + " checks > bound " + bound);
            assertTrue(counts[1] >= Timing.IDENTITY_VALIDATION_SOURCE_BURST, "the burst is honoured: " + counts[1]);
            assertEquals(counts[1], counts[3], "every check refused its identity");
            assertEquals(received - counts[1], counts[2], "every other HELLO was refused by the gate, before any work");
            assertEquals(0, counts[4], "no peer admitted");
        }
    }

    private static boolean admitted(NodeService root, List<NodeService> leaves) {
        List<PeerStatus> atRoot = root.call(n -> n.peers(root.nowMs())).join();
        long direct = atRoot.stream().filter(PeerStatus::hasDirectPath).count();
        if (direct < PODS) {
            return false;
        }
        for (NodeService l : leaves) {
            boolean ok = l.call(n -> n.peer(root.address(), l.nowMs()).map(PeerStatus::hasDirectPath).orElse(false)).join();
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** HELLOs of identities whose address does not derive from their key, made by throwaway sans-I/O nodes. */
    private static List<byte[]> fakeHellos(World planet, int n) {
        SplittableRandom r = new SplittableRandom(42);
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            C25519.KeyPair keys = C25519.generate(r);
            Identity fake = new Identity(Address.fromLow40Bits(0x1000000000L + i), keys.publicKey(), keys.privateKey());
            List<byte[]> sent = new ArrayList<>();
            NodeHost capture = new NodeHost() {
                @Override
                public boolean sendDatagram(long s, InetEndpoint remote, byte[] data, int off, int len, int ttl) {
                    sent.add(java.util.Arrays.copyOfRange(data, off, off + len));
                    return true;
                }

                @Override
                public void onEvent(NodeEvent event) {}
            };
            new Node(fake, NodeConfig.of(planet), capture, r).tick(System.currentTimeMillis());
            out.add(Objects.requireNonNull(sent.isEmpty() ? null : sent.getFirst(), "the fake node sent its HELLO"));
        }
        return out;
    }

    private static List<Identity> identities() throws Exception {
        List<Identity> out = new ArrayList<>();
        try (var in = RootAdmissionTest.class.getResourceAsStream("identities-100.txt");
                BufferedReader r = new BufferedReader(new InputStreamReader(Objects.requireNonNull(in), StandardCharsets.US_ASCII))) {
            for (String line; (line = r.readLine()) != null;) {
                if (!line.isBlank()) {
                    out.add(Identity.parse(line.strip()));
                }
            }
        }
        return out;
    }

    /** The real check, counted and timed (called on the root's thread only). */
    private static final class Counting implements IdentityValidator {
        private final IdentityValidator real = IdentityValidator.memoryHard();
        final AtomicLong calls = new AtomicLong();
        private long nanos;

        @Override
        public boolean isValid(Identity identity) {
            long t = System.nanoTime();
            boolean ok = real.isValid(identity);
            nanos += System.nanoTime() - t;
            calls.incrementAndGet();
            return ok;
        }

        double meanMs() {
            return calls.get() == 0 ? 0 : nanos / 1e6 / calls.get();
        }
    }
}
