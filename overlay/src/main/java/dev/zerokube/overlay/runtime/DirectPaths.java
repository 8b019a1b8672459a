package dev.zerokube.overlay.runtime;

import dev.zerokube.overlay.wire.InetEndpoint;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The (address, port) pairs a node tells peers to try in PUSH_DIRECT_PATHS (ZT1-07 §5.6), as
 * zerotier-one's {@code Node::directPaths} lists them: every bound socket's port on the address it
 * is bound to, or, for a wildcard socket, on each address of every interface that is up, of the
 * socket's family. Skipped like zerotier-one skips them: loopback (unless the node uses loopback
 * paths), link-local and multicast addresses, and interfaces named {@code lo}, {@code zt},
 * {@code tun} or {@code tap}: our own overlay ports among them, whose addresses a peer could only
 * reach through the overlay.
 */
final class DirectPaths {
    private static final List<String> SKIPPED_INTERFACE_PREFIXES = List.of("lo", "zt", "tun", "tap");

    private DirectPaths() {}

    /** The pairs for these bound sockets; empty if the interfaces cannot be read. */
    static List<InetEndpoint> of(List<InetSocketAddress> sockets, boolean loopbackPaths) {
        List<InetEndpoint> out = new ArrayList<>();
        for (InetSocketAddress socket : sockets) {
            InetAddress bound = socket.getAddress();
            if (!bound.isAnyLocalAddress()) {
                add(out, bound, socket.getPort(), loopbackPaths);
                continue;
            }
            for (InetAddress a : interfaceAddresses(loopbackPaths)) {
                if ((a instanceof Inet4Address) == (bound instanceof Inet4Address)) {
                    add(out, a, socket.getPort(), loopbackPaths);
                }
            }
        }
        return out;
    }

    private static void add(List<InetEndpoint> out, InetAddress a, int port, boolean loopbackPaths) {
        if ((a.isLoopbackAddress() && !loopbackPaths) || a.isLinkLocalAddress() || a.isMulticastAddress()
                || a.isAnyLocalAddress()) {
            return;
        }
        InetEndpoint e = InetEndpoint.of(a, port);
        if (!out.contains(e)) {
            out.add(e);
        }
    }

    private static List<InetAddress> interfaceAddresses(boolean loopbackPaths) {
        List<InetAddress> out = new ArrayList<>();
        try {
            for (NetworkInterface i : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                String name = i.getName().toLowerCase(Locale.ROOT);
                boolean loopback = i.isLoopback();
                if (!i.isUp() || (loopback && !loopbackPaths)
                        || (!loopback && SKIPPED_INTERFACE_PREFIXES.stream().anyMatch(name::startsWith))) {
                    continue;
                }
                out.addAll(Collections.list(i.getInetAddresses()));
            }
        } catch (SocketException e) {
            return List.of(); // no pushes rather than a failing node
        }
        return out;
    }
}
