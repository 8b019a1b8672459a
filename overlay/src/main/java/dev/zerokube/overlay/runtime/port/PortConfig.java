package dev.zerokube.overlay.runtime.port;

import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.Mac;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import dev.zerokube.overlay.wire.netconf.Route;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link VirtualPort} should look like to the host: MTU, MAC, addresses and routes.
 *
 * <p>Addresses and routes use the network config's own types, so a config maps over directly
 * ({@link #of(NetworkConfig, Mac)}): an address is an {@link InetEndpoint} whose port is the prefix
 * length (ZeroTier's convention, ZT1-04 §3.3), a route is a {@link Route} (no gateway = on link).
 * Which routes to install (e.g. a default route only when the user allows it) is the caller's
 * choice; the port installs exactly what it is given.
 *
 * @param mtu the Ethernet payload MTU, {@link NetworkConfig#MTU_MIN}..{@link NetworkConfig#MTU_MAX}
 * @param mac the port's MAC (unicast)
 * @param addresses assigned addresses with prefix length in the port field
 * @param routes routes through this port
 */
public record PortConfig(int mtu, Mac mac, List<InetEndpoint> addresses, List<Route> routes) {
    public PortConfig {
        if (mtu < NetworkConfig.MTU_MIN || mtu > NetworkConfig.MTU_MAX) {
            throw new IllegalArgumentException("MTU must be " + NetworkConfig.MTU_MIN + ".." + NetworkConfig.MTU_MAX + ": " + mtu);
        }
        Objects.requireNonNull(mac, "mac");
        if (mac.isMulticast() || mac.isNil()) {
            throw new IllegalArgumentException("port MAC must be unicast and not nil: " + mac);
        }
        addresses = List.copyOf(addresses);
        routes = List.copyOf(routes);
        for (InetEndpoint a : addresses) {
            checkPrefix(a, "address");
        }
        for (Route r : routes) {
            checkPrefix(r.target(), "route target");
            if (!r.via().isNil() && r.via().isIpv4() != r.target().isIpv4()) {
                throw new IllegalArgumentException("route gateway family differs from its target: " + r);
            }
        }
    }

    /** The port for a network config: its MTU, static IPs and routes, with the member MAC. */
    public static PortConfig of(NetworkConfig config, Mac mac) {
        return new PortConfig(config.mtu(), mac, config.staticIps(), config.routes());
    }

    /** Whether {@code route} is the on-link prefix of one of the addresses (the kernel adds it). */
    boolean isConnectedRoute(Route route) {
        if (!route.via().isNil()) {
            return false;
        }
        for (InetEndpoint a : addresses) {
            if (a.isIpv4() == route.target().isIpv4() && a.port() == route.prefixBits()
                    && samePrefix(a.ip(), route.target().ip(), route.prefixBits())) {
                return true;
            }
        }
        return false;
    }

    static boolean samePrefix(byte[] a, byte[] b, int bits) {
        for (int i = 0; i < a.length && bits > 0; i++, bits -= 8) {
            int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
            if (((a[i] ^ b[i]) & mask) != 0) {
                return false;
            }
        }
        return true;
    }

    private static void checkPrefix(InetEndpoint e, String what) {
        if (e.isNil()) {
            throw new IllegalArgumentException(what + " must not be nil");
        }
        int max = e.isIpv4() ? 32 : 128;
        if (e.port() > max) {
            throw new IllegalArgumentException(what + " prefix longer than " + max + " bits: " + e);
        }
    }
}
