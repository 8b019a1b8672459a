package dev.zerokube.overlay.node.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.node.DropReason;
import dev.zerokube.overlay.node.Node;
import dev.zerokube.overlay.wire.Fragment;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.PacketHeader;
import dev.zerokube.overlay.wire.Verb;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/*
 * Goal: a flood of hostile datagrams never makes a node throw and never grows its memory past its
 * caps (peers, paths, packets waiting for WHOIS, their buffers), and the network still works
 * afterwards. Method: a root and two leaves with small caps; 20 000 datagrams from spoofed
 * 198.18/15 endpoints: random bytes, packet heads for the target with random sources, ciphers, hops
 * and verbs, fake HELLOs, fragments, relay candidates, and captured real packets with one byte
 * flipped; the caps are checked all along; then a ping must still go through.
 */
class GarbageFloodSimTest {
    static LongStream seeds() {
        return Simulation.seeds(51, 52);
    }

    private static final int PEERS_MAX = 40;
    private static final int PATHS_MAX = 64;
    private static final int WAITING_MAX = 8;

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aFloodOfGarbageNeverThrowsAndLeavesMemoryBounded(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            Star star = Star.start(sim, 2, false, c -> c.withLimits(PEERS_MAX, PATHS_MAX, WAITING_MAX, WAITING_MAX));
            SimNode a = star.leaves().get(0);
            SimNode b = star.leaves().get(1);
            List<byte[]> captured = new ArrayList<>();
            sim.network().addTap(d -> {
                if (captured.size() < 64 && d.data().length >= PacketHeader.MIN_LENGTH) {
                    captured.add(d.data());
                }
            });
            assertTrue(sim.runUntil(star::online, 10_000));
            RootOutageSimTest.goDirect(sim, a, b);

            Probe probe = sim.addProbe(Simulation.endpoint(300, 1));
            SplittableRandom r = new SplittableRandom(seed);
            List<SimNode> targets = List.of(star.root(), a, b);
            for (int i = 0; i < 20_000; i++) {
                SimNode target = targets.get(r.nextInt(targets.size()));
                InetEndpoint from = Simulation.endpoint(r.nextInt(1, 500), r.nextInt(1, 255), r.nextInt(1, 65536));
                probe.sendSpoofed(from, target.endpoint(), garbage(r, target, captured));
                if (i % 50 == 0) {
                    sim.runFor(10);
                    targets.forEach(this::checkCaps);
                }
            }
            sim.runFor(10_000);
            targets.forEach(this::checkCaps);
            Node root = star.root().node();
            long drops = 0;
            for (DropReason reason : DropReason.values()) {
                drops += root.dropCount(reason) + a.node().dropCount(reason) + b.node().dropCount(reason);
            }
            assertTrue(drops > 10_000, "the garbage was counted as dropped: " + drops);
            assertTrue(pathsSeenMax == PATHS_MAX && parkedSeenMax == WAITING_MAX,
                    "the flood did fill the tables to their caps: paths " + pathsSeenMax + ", parked " + parkedSeenMax);
            assertTrue(a.node().dropCount(DropReason.BAD_MAC) > 0);
            assertTrue(a.node().dropCount(DropReason.UNKNOWN_SOURCE) > 0);
            assertTrue(a.node().dropCount(DropReason.RELAY_REFUSED) > 0);
            assertTrue(sim.pingUntilAnswered(Simulation.orderedPairs(star.leaves()), 10, 1_000, 10_000).isEmpty(),
                    "the leaves still reach each other");
        });
    }

    private int pathsSeenMax;
    private int parkedSeenMax;

    private void checkCaps(SimNode n) {
        Node.Usage u = n.node().usage();
        pathsSeenMax = Math.max(pathsSeenMax, u.paths());
        parkedSeenMax = Math.max(parkedSeenMax, u.parked());
        assertTrue(u.peers() <= u.peersMax() && u.peersMax() == PEERS_MAX, n + " peers " + u);
        assertTrue(u.paths() <= u.pathsMax() && u.pathsMax() == PATHS_MAX, n + " paths " + u);
        assertTrue(u.parked() <= u.parkedMax() && u.parkedMax() == WAITING_MAX, n + " parked " + u);
        assertTrue(u.queued() <= WAITING_MAX, n + " queued " + u);
        assertTrue(u.queueBufferBytes() <= 2L * WAITING_MAX * PacketHeader.MAX_LENGTH, n + " buffers " + u);
    }

    private static byte[] garbage(SplittableRandom r, SimNode target, List<byte[]> captured) {
        long dest = target.address().value();
        switch (r.nextInt(6)) {
            case 0 -> { // anything
                byte[] b = new byte[r.nextInt(0, 1500)];
                r.nextBytes(b);
                return b;
            }
            case 1 -> { // a head for the target from a random source, random cipher, hops and verb
                byte[] b = new byte[r.nextInt(PacketHeader.MIN_LENGTH, 400)];
                r.nextBytes(b);
                PacketHeader.setDestination(b, 0, dest);
                PacketHeader.setSource(b, 0, r.nextLong(1, 1L << 32));
                return b;
            }
            case 2 -> { // a HELLO-looking head: cipher 0, verb HELLO, random body
                byte[] b = new byte[r.nextInt(PacketHeader.MIN_LENGTH + 1, 300)];
                r.nextBytes(b);
                PacketHeader.setDestination(b, 0, dest);
                PacketHeader.setSource(b, 0, r.nextLong(1, 1L << 32));
                PacketHeader.setFlags(b, 0, r.nextInt(8));
                PacketHeader.setVerbByte(b, 0, Verb.HELLO.code());
                b[PacketHeader.IDX_PAYLOAD] = (byte) r.nextInt(20);
                return b;
            }
            case 3 -> { // fragments, for the target or for anyone
                byte[] b = new byte[r.nextInt(Fragment.HEADER_LENGTH + 1, 1500)];
                r.nextBytes(b);
                Fragment.writeHeader(b, 0, r.nextLong(8), r.nextBoolean() ? dest : r.nextLong(1L << 40),
                        r.nextInt(16), r.nextInt(16), r.nextInt(8));
                return b;
            }
            case 4 -> { // for someone else: a relay candidate
                byte[] b = new byte[r.nextInt(PacketHeader.MIN_LENGTH, 600)];
                r.nextBytes(b);
                PacketHeader.setDestination(b, 0, r.nextLong(1, 1L << 32));
                PacketHeader.setSource(b, 0, r.nextLong(1, 1L << 32));
                PacketHeader.setHops(b, 0, r.nextInt(8));
                return b;
            }
            default -> { // a real packet with one byte changed
                byte[] b = captured.get(r.nextInt(captured.size())).clone();
                int at = r.nextInt(b.length);
                b[at] ^= (byte) r.nextInt(1, 256);
                return b;
            }
        }
    }
}
