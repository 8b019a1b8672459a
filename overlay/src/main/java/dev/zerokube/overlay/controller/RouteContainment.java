package dev.zerokube.overlay.controller;

import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.netconf.Route;
import java.util.List;

/**
 * Whether a route's target contains an address, exactly as 1.14.1's
 * {@code InetAddress::containsAddress} decides it (ZT1-09 §4.8): families must match; for IPv4 a
 * /0 contains everything and otherwise the top bits are compared (host bits of the target are
 * ignored); for IPv6 the masked address must equal the target byte for byte, so a target with
 * host bits set contains nothing (and {@code ::/0} is the only /0 that contains anything).
 * Public for the node agent, which gives a pod's TAP the netmask its sidecar's config would.
 */
public final class RouteContainment {
    private RouteContainment() {}

    /** Whether {@code target} (its port is the prefix length) contains {@code ip}. */
    public static boolean contains(InetEndpoint target, InetEndpoint ip) {
        if (target.isNil() || ip.isNil() || target.isIpv4() != ip.isIpv4()) {
            return false;
        }
        int bits = target.port();
        if (target.isIpv4()) {
            if (bits == 0) {
                return true;
            }
            int shift = 32 - bits;
            return ((int) ip.ipv4Value() >>> shift) == ((int) target.ipv4Value() >>> shift);
        }
        byte[] a = ip.ip();
        byte[] t = target.ip();
        for (int i = 0; i < 16; i++) {
            int maskBits = Math.max(0, Math.min(8, bits - 8 * i));
            int mask = (0xff00 >>> maskBits) & 0xff;
            if ((a[i] & mask) != (t[i] & 0xff)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The longest prefix among the routes whose target contains {@code ip} (routes with a gateway
     * included), or −1 if none does: the netmask 1.14.1 gives a stored assignment (ZT1-09 §4.6).
     */
    public static int longestContainingPrefix(List<Route> routes, InetEndpoint ip) {
        int best = -1;
        for (Route r : routes) {
            if (contains(r.target(), ip)) {
                best = Math.max(best, r.prefixBits());
            }
        }
        return best;
    }
}
