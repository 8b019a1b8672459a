package dev.zerokube.overlay.node.sim;

import dev.zerokube.overlay.wire.InetEndpoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The simulated underlay: UDP between endpoints (from 198.18.0.0/15), with seeded latency, loss,
 * duplication and reordering ({@link SimConditions}), and {@link Router}s in front of hosts that
 * sit behind one. Everything happens in virtual time: {@link #send} schedules, {@link #deliverDue}
 * delivers what is due, in (time, sequence) order, so a seed replays exactly.
 *
 * <p>Path of a datagram: the sender's router (if any) → taps (see everything that crosses the
 * public underlay) → tamperer (tests that forge or alter packets) → loss/duplication/latency →
 * the destination's router (if the destination is one of its public addresses) → the bound
 * receiver, or nowhere.
 */
public final class SimNetwork {
    /** Whatever is bound at an endpoint: a node's socket or a test probe. */
    public interface Receiver {
        void receive(SimDatagram d, long nowMs);
    }

    private record InFlight(long atMs, long sequence, SimDatagram datagram) {}

    private final SplittableRandom random;
    private SimConditions conditions;
    private final Map<InetEndpoint, Receiver> bound = new HashMap<>();
    private final Map<InetEndpoint, Router> behind = new HashMap<>();
    private final List<Router> routers = new ArrayList<>();
    private final List<Consumer<SimDatagram>> taps = new ArrayList<>();
    private UnaryOperator<SimDatagram> tamperer = UnaryOperator.identity();
    private final PriorityQueue<InFlight> inFlight = new PriorityQueue<>(
            (a, b) -> a.atMs != b.atMs ? Long.compare(a.atMs, b.atMs) : Long.compare(a.sequence, b.sequence));
    private long sequence;
    private long sent;
    private long delivered;
    private long lost;
    private long unreachable;

    public SimNetwork(long seed, SimConditions conditions) {
        this.random = new SplittableRandom(seed);
        this.conditions = conditions;
    }

    public void setConditions(SimConditions conditions) {
        this.conditions = conditions;
    }

    /** Binds a receiver at {@code endpoint}, optionally behind {@code router} (null: on the public underlay). */
    public void bind(InetEndpoint endpoint, Receiver receiver, Router router) {
        if (bound.putIfAbsent(endpoint, receiver) != null) {
            throw new IllegalArgumentException(endpoint + " is already bound");
        }
        if (router != null) {
            behind.put(endpoint, router);
            if (!routers.contains(router)) {
                routers.add(router);
            }
        }
    }

    /** Sees every datagram as it crosses the public underlay (before loss). */
    public void addTap(Consumer<SimDatagram> tap) {
        taps.add(tap);
    }

    /** Replaces (or drops, with null) datagrams on the public underlay; for forged-packet tests. */
    public void setTamperer(UnaryOperator<SimDatagram> tamperer) {
        this.tamperer = tamperer;
    }

    /** Sends a datagram from a bound endpoint at {@code nowMs}. */
    public void send(SimDatagram d, long nowMs) {
        sent++;
        Router router = behind.get(d.from());
        if (router != null) {
            d = router.outbound(d, nowMs);
            if (d == null) {
                return;
            }
        }
        for (Consumer<SimDatagram> tap : taps) {
            tap.accept(d);
        }
        d = tamperer.apply(d);
        if (d == null) {
            return;
        }
        if (random.nextDouble() < conditions.loss()) {
            lost++;
            return;
        }
        schedule(d, nowMs);
        if (random.nextDouble() < conditions.duplication()) {
            schedule(d, nowMs);
        }
    }

    private void schedule(SimDatagram d, long nowMs) {
        long latency = conditions.latencyMinMs()
                + (conditions.latencyMaxMs() > conditions.latencyMinMs()
                        ? random.nextLong(conditions.latencyMaxMs() - conditions.latencyMinMs() + 1) : 0);
        if (conditions.reorderDelayMaxMs() > 0 && random.nextDouble() < conditions.reordering()) {
            latency += 1 + random.nextLong(conditions.reorderDelayMaxMs());
        }
        inFlight.add(new InFlight(nowMs + latency, sequence++, d));
    }

    /** When the next datagram arrives, or {@link Long#MAX_VALUE}. */
    public long nextDeliveryMs() {
        InFlight next = inFlight.peek();
        return next == null ? Long.MAX_VALUE : next.atMs;
    }

    /** Delivers every datagram due at or before {@code nowMs}; returns how many were handed to receivers. */
    public int deliverDue(long nowMs) {
        int n = 0;
        while (!inFlight.isEmpty() && inFlight.peek().atMs <= nowMs) {
            SimDatagram d = inFlight.poll().datagram;
            Router owner = null;
            for (Router r : routers) {
                if (r.owns(d.to())) {
                    owner = r;
                    break;
                }
            }
            if (owner != null) {
                d = owner.inbound(d, nowMs);
            } else if (behind.containsKey(d.to())) {
                // An inside (private) endpoint of a NAT is not reachable from the underlay: only
                // its router's inbound translation leads there (no hairpinning either).
                unreachable++;
                d = null;
            }
            Receiver receiver = d == null ? null : bound.get(d.to());
            if (receiver != null) {
                delivered++;
                n++;
                receiver.receive(d, nowMs);
            }
        }
        return n;
    }

    /** Datagrams in flight. */
    public int inFlightCount() {
        return inFlight.size();
    }

    public long sentCount() {
        return sent;
    }

    public long deliveredCount() {
        return delivered;
    }

    public long lostCount() {
        return lost;
    }

    /** Datagrams addressed to an endpoint behind a router, sent around it (never delivered). */
    public long unreachableCount() {
        return unreachable;
    }
}
