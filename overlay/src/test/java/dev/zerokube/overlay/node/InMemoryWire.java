package dev.zerokube.overlay.node;

import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.sim.SimIdentities;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.PacketHeader;
import dev.zerokube.overlay.wire.World;
import java.lang.management.ManagementFactory;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Real nodes wired together in memory for the allocation tests: during set-up every datagram is
 * queued and {@link #deliverAll} hands it to the node at its destination; in measuring mode
 * ({@link #measure}) nothing is queued or copied into new arrays, only the last datagram is kept
 * (in a reused buffer) so the test can look at it, and the calling thread's allocated bytes are
 * counted around the measured rounds.
 */
final class InMemoryWire {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** One node's side of the wire: sends into the shared queue, counts delivered frames. */
    final class Host implements NodeHost {
        final InetEndpoint self;
        long delivered;
        int deliveredLength;

        Host(InetEndpoint self) {
            this.self = self;
        }

        @Override
        public boolean sendDatagram(long localSocket, InetEndpoint remote, byte[] data, int off, int len, int ttl) {
            sent++;
            if (measuring) {
                System.arraycopy(data, off, last, 0, len);
                lastLength = len;
            } else {
                pending.add(new Datagram(self, remote, Arrays.copyOfRange(data, off, off + len)));
            }
            return true;
        }

        @Override
        public void deliverFrame(NetworkId network, byte[] frame, int off, int len) {
            delivered++;
            deliveredLength = len;
        }

        @Override
        public void onEvent(NodeEvent event) {}
    }

    private record Datagram(InetEndpoint from, InetEndpoint to, byte[] bytes) {}

    private final ArrayDeque<Datagram> pending = new ArrayDeque<>();
    private final Map<InetEndpoint, Node> nodes = new HashMap<>();
    /** The last datagram sent in measuring mode: {@code last[0, lastLength)}. */
    final byte[] last = new byte[PacketHeader.MAX_LENGTH];
    int lastLength;
    /** Datagrams sent by every node so far. */
    long sent;
    /** The virtual clock; {@link #deliverAll} advances it by 1 ms per datagram. */
    long nowMs;
    private boolean measuring;

    InMemoryWire(long startMs) {
        this.nowMs = startMs;
    }

    /** A node with identity {@code id} at {@code at}, on its own {@link Host}. */
    Node node(Identity id, InetEndpoint at, World planet) {
        return node(id, at, planet, new Host(at));
    }

    /** A node with identity {@code id} at {@code at} on {@code host} (a test keeps it to read its counters). */
    Node node(Identity id, InetEndpoint at, World planet, Host host) {
        Node n = new Node(id, NodeConfig.of(planet), host, new SplittableRandom(id.address().value()),
                SimIdentities.VALIDATOR);
        nodes.put(at, n);
        return n;
    }

    Iterable<Node> nodes() {
        return nodes.values();
    }

    /** Delivers the queued datagrams (and those they cause) until the queue is empty. */
    void deliverAll() {
        while (!pending.isEmpty()) {
            Datagram d = pending.poll();
            nowMs++;
            Node to = nodes.get(d.to());
            if (to != null) {
                to.onWirePacket(1, d.from(), d.bytes(), 0, d.bytes().length, nowMs);
            }
        }
    }

    /** Switches to measuring mode for good (nothing queued from now on). */
    void startMeasuring() {
        measuring = true;
    }

    /**
     * Bytes the calling thread allocated over {@code rounds} runs of {@code round}, after a
     * warm-up of twice as many (so C2 has compiled the path); switches to measuring mode.
     */
    long measure(int rounds, Runnable round) {
        startMeasuring();
        for (int i = 0; i < 2 * rounds; i++) {
            round.run();
        }
        long before = THREADS.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < rounds; i++) {
            round.run();
        }
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }
}
