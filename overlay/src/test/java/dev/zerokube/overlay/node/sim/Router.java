package dev.zerokube.overlay.node.sim;

import dev.zerokube.overlay.wire.InetEndpoint;

/**
 * A box between some simulated hosts and the public underlay: the seam where NAT models (full
 * cone, restricted, port-restricted, symmetric; ZT1-07 §11.1) plug in. Time is an input, so a
 * mapping table with timeouts stays deterministic. A router decrements the TTL of what crosses it
 * ({@link SimDatagram#hop}), so the TTL-2 datagram after RENDEZVOUS leaves its own NAT but dies in
 * the next one.
 */
public interface Router {
    /**
     * A datagram from a host behind this router toward {@code d.to()}: returns it as it appears
     * outside (source rewritten by a NAT), or null to drop it.
     */
    SimDatagram outbound(SimDatagram d, long nowMs);

    /**
     * A datagram that reached one of this router's public addresses: returns it as delivered to
     * the inside host (destination rewritten), or null to drop it (filtering).
     */
    SimDatagram inbound(SimDatagram d, long nowMs);

    /** Whether {@code publicEndpoint}'s IP is one of this router's outside addresses. */
    boolean owns(InetEndpoint publicEndpoint);
}
