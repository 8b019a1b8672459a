package dev.zerokube.overlay.node.sim;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.Node;
import dev.zerokube.overlay.node.NodeConfig;
import dev.zerokube.overlay.node.NodeEvent;
import dev.zerokube.overlay.node.NodeHost;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * A {@link Node} on the simulated underlay, and the {@link NodeHost} it talks through: its
 * sockets are endpoints bound in the {@link SimNetwork} (socket ids 1, 2, …; {@link
 * NodeHost#ALL_SOCKETS} and 0 send from each), its events are recorded with their time, and it
 * can be stopped (it hears and says nothing) and restarted (a fresh node with the same identity
 * and no memory, like a restarted process).
 */
public final class SimNode implements NodeHost {
    /** An event with the virtual time it was reported at. */
    public record TimedEvent(long atMs, NodeEvent event) {}

    /** An Ethernet frame the node delivered to its local port of a network, with the virtual time. */
    public record DeliveredFrame(long atMs, NetworkId network, byte[] frame) {}

    private final Simulation sim;
    private final String name;
    private final Identity identity;
    private final NodeConfig config;
    private final List<InetEndpoint> sockets;
    private final List<TimedEvent> events = new ArrayList<>();
    private final List<DeliveredFrame> frames = new ArrayList<>();
    private final long randomSeed;
    private Node node;
    private boolean up;
    private long deadlineMs = Long.MAX_VALUE;
    private int starts;

    SimNode(Simulation sim, String name, Identity identity, NodeConfig config, List<InetEndpoint> sockets, Router router,
            long randomSeed) {
        this.sim = sim;
        this.name = name;
        this.identity = identity;
        this.config = config;
        this.sockets = List.copyOf(sockets);
        this.randomSeed = randomSeed;
        for (InetEndpoint s : this.sockets) {
            sim.network().bind(s, this::receive, router);
        }
        start();
    }

    /** Starts (or restarts, with no memory) the node; it runs its first tick right away. */
    public void start() {
        up = true;
        node = new Node(identity, config, this, new SplittableRandom(randomSeed + 7919L * starts++), SimIdentities.VALIDATOR);
        deadlineMs = node.tick(sim.nowMs());
    }

    /** Stops the node: datagrams to it are lost, it sends and ticks no more. */
    public void stop() {
        up = false;
        deadlineMs = Long.MAX_VALUE;
    }

    public boolean isUp() {
        return up;
    }

    public String name() {
        return name;
    }

    public Node node() {
        return node;
    }

    public Identity identity() {
        return identity;
    }

    public Address address() {
        return identity.address();
    }

    /** The node's first socket endpoint. */
    public InetEndpoint endpoint() {
        return sockets.getFirst();
    }

    public List<TimedEvent> events() {
        return events;
    }

    /** Every frame delivered to the node's local ports, oldest first. */
    public List<DeliveredFrame> frames() {
        return frames;
    }

    /** Sends an Ethernet frame from the node's local port of {@code network} now ({@link Node#onFrame}). */
    public void sendFrame(NetworkId network, byte[] frame) {
        node.onFrame(network, frame, 0, frame.length, sim.nowMs());
        deadlineMs = node.nextDeadlineMs();
    }

    /** Events of one type matching a condition. */
    public <E extends NodeEvent> List<E> events(Class<E> type, Predicate<E> condition) {
        List<E> out = new ArrayList<>();
        for (TimedEvent e : events) {
            if (type.isInstance(e.event()) && condition.test(type.cast(e.event()))) {
                out.add(type.cast(e.event()));
            }
        }
        return out;
    }

    /**
     * Answers to our {@link #ping}s received from {@code peer}; not those to keepalive probes,
     * which carry no payload and come over the direct path whatever the pings do.
     */
    public List<NodeEvent.EchoReply> pingRepliesFrom(SimNode peer) {
        return events(NodeEvent.EchoReply.class, e -> e.peer().equals(peer.address()) && e.roundTripMs().isPresent());
    }

    /** Pings {@code peer} now ({@link Node#ping}). */
    public void ping(SimNode peer) {
        node.ping(peer.address(), sim.nowMs());
        deadlineMs = node.nextDeadlineMs();
    }

    /**
     * Acts on the node now from outside (join, a controller's policy change, ...), then re-arms its
     * timer from {@link Node#nextDeadlineMs}, as a host does after any input.
     */
    public void act(java.util.function.Consumer<Node> action) {
        action.accept(node);
        deadlineMs = node.nextDeadlineMs();
    }

    /** Whether this node holds a non-expired direct path to {@code peer}. */
    public boolean hasDirectPathTo(SimNode peer) {
        return node.peer(peer.address(), sim.nowMs()).map(p -> p.hasDirectPath()).orElse(false);
    }

    long deadlineMs() {
        return deadlineMs;
    }

    void tick(long nowMs) {
        deadlineMs = node.tick(nowMs);
    }

    private void receive(SimDatagram d, long nowMs) {
        if (!up) {
            return;
        }
        long socket = sockets.indexOf(d.to()) + 1;
        node.onWirePacket(socket, d.from(), d.data(), 0, d.data().length, nowMs);
        deadlineMs = node.nextDeadlineMs();
    }

    @Override
    public boolean sendDatagram(long localSocket, InetEndpoint remote, byte[] data, int off, int len, int ttl) {
        if (!up) {
            return false;
        }
        byte[] copy = Arrays.copyOfRange(data, off, off + len);
        if (localSocket == ALL_SOCKETS || localSocket == 0) {
            for (InetEndpoint s : sockets) {
                if (s.isIpv6() == remote.isIpv6()) {
                    sim.network().send(new SimDatagram(sim.nowMs(), s, remote, copy, ttl), sim.nowMs());
                }
            }
            return true;
        }
        if (localSocket < 1 || localSocket > sockets.size()) {
            return false;
        }
        sim.network().send(new SimDatagram(sim.nowMs(), sockets.get((int) localSocket - 1), remote, copy, ttl), sim.nowMs());
        return true;
    }

    @Override
    public void deliverFrame(NetworkId network, byte[] frame, int off, int len) {
        frames.add(new DeliveredFrame(sim.nowMs(), network, Arrays.copyOfRange(frame, off, off + len)));
    }

    @Override
    public void onEvent(NodeEvent event) {
        events.add(new TimedEvent(sim.nowMs(), event));
    }

    @Override
    public String toString() {
        return name + "(" + identity.address() + " @ " + endpoint() + ")";
    }
}
