package dev.zerokube.overlay.wire.netconf;

import dev.zerokube.overlay.wire.InetEndpoint;
import java.util.Objects;

/**
 * One managed route of a network config ({@code RT}, ZT1-04 §3.3).
 *
 * <pre>
 * target  InetAddress, "port" = prefix length   e.g. 04 0a 93 11 00 00 18 = 10.147.17.0/24
 * via     InetAddress with port 0, or 00 (nil) = on this network, no gateway
 * [2]     flags  (1.14.1's controller writes 0)
 * [2]     metric (1.14.1's controller writes 0)
 * </pre>
 *
 * @param target the routed prefix; its port is the prefix length (nil only if a peer sent one)
 * @param via the gateway, or {@link InetEndpoint#NIL}
 * @param flags 16-bit route flags
 * @param metric 16-bit metric
 */
public record Route(InetEndpoint target, InetEndpoint via, int flags, int metric) {
    public Route {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(via, "via");
        if (flags < 0 || flags > 0xffff || metric < 0 || metric > 0xffff) {
            throw new IllegalArgumentException("route flags and metric are 16-bit: " + flags + ", " + metric);
        }
    }

    /** A route to {@code target} directly on the network (no gateway), flags and metric 0. */
    public static Route direct(InetEndpoint target) {
        return new Route(target, InetEndpoint.NIL, 0, 0);
    }

    /** The prefix length, which ZeroTier keeps in the target's port field. */
    public int prefixBits() {
        return target.port();
    }

    /** {@code target via gateway [flags/metric]}, addresses in {@code ip/bits} form. */
    @Override
    public String toString() {
        return target + (via.isNil() ? "" : " via " + via)
                + (flags == 0 && metric == 0 ? "" : " flags " + flags + " metric " + metric);
    }
}
