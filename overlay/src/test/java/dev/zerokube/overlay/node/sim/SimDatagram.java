package dev.zerokube.overlay.node.sim;

import dev.zerokube.overlay.wire.InetEndpoint;

/**
 * One UDP datagram on the simulated underlay.
 *
 * @param sentMs when it left its sender
 * @param from source endpoint as seen on this hop (a router may rewrite it)
 * @param to destination endpoint on this hop
 * @param data the payload, owned by this record (never changed after creation)
 * @param ttl IP TTL / hop limit; 0 means the default (64)
 */
public record SimDatagram(long sentMs, InetEndpoint from, InetEndpoint to, byte[] data, int ttl) {
    /** Default TTL of an ordinary datagram. */
    public static final int DEFAULT_TTL = 64;

    /** The effective TTL. */
    public int effectiveTtl() {
        return ttl == 0 ? DEFAULT_TTL : ttl;
    }

    public SimDatagram withFrom(InetEndpoint newFrom) {
        return new SimDatagram(sentMs, newFrom, to, data, ttl);
    }

    public SimDatagram withTo(InetEndpoint newTo) {
        return new SimDatagram(sentMs, from, newTo, data, ttl);
    }

    /** One router hop: the TTL decreases; null when it reaches zero (the datagram dies there). */
    public SimDatagram hop() {
        int t = effectiveTtl() - 1;
        return t <= 0 ? null : new SimDatagram(sentMs, from, to, data, t);
    }
}
