package dev.zerokube.overlay.node.sim;

import dev.zerokube.overlay.wire.InetEndpoint;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A stateful firewall without address translation: the simplest {@link Router}, here to exercise
 * the seam until the NAT models come (they add a mapping table to the same two methods). Outbound
 * datagrams always pass and open a pinhole for (inside endpoint, remote endpoint) for
 * {@code pinholeMs}; inbound ones pass only through an open pinhole (address-and-port-dependent
 * filtering). Each crossing costs one TTL, so the TTL-2 datagram sent after RENDEZVOUS leaves its
 * own firewall and dies at the other side's.
 */
public final class StatefulFirewall implements Router {
    private record Pinhole(InetEndpoint inside, InetEndpoint outside) {}

    private final Set<InetEndpoint> inside;
    private final long pinholeMs;
    private final Map<Pinhole, Long> openUntilMs = new HashMap<>();
    private long filtered;
    private long expiredTtl;

    /** A firewall in front of these inside endpoints. */
    public StatefulFirewall(Set<InetEndpoint> inside, long pinholeMs) {
        this.inside = Set.copyOf(inside);
        this.pinholeMs = pinholeMs;
    }

    @Override
    public SimDatagram outbound(SimDatagram d, long nowMs) {
        SimDatagram out = d.hop();
        if (out == null) {
            expiredTtl++;
            return null;
        }
        openUntilMs.put(new Pinhole(d.from(), d.to()), nowMs + pinholeMs);
        return out;
    }

    @Override
    public SimDatagram inbound(SimDatagram d, long nowMs) {
        SimDatagram in = d.hop();
        if (in == null) {
            expiredTtl++;
            return null;
        }
        Long until = openUntilMs.get(new Pinhole(d.to(), d.from()));
        if (until == null || until < nowMs) {
            filtered++;
            return null;
        }
        return in;
    }

    @Override
    public boolean owns(InetEndpoint publicEndpoint) {
        return inside.contains(publicEndpoint);
    }

    /** Inbound datagrams dropped for lack of a pinhole. */
    public long filteredCount() {
        return filtered;
    }

    /** Datagrams whose TTL ran out here. */
    public long expiredTtlCount() {
        return expiredTtl;
    }
}
