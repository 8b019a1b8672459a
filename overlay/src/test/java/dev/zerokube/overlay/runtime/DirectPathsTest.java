package dev.zerokube.overlay.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.wire.InetEndpoint;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/*
 * Goal: the addresses pushed to peers (PUSH_DIRECT_PATHS) are the bound sockets' own: a socket
 * bound to one address gives that one, a wildcard socket every usable address of its family on an
 * interface that is up, each with the socket's port; never loopback (unless the node uses loopback
 * paths), link-local, or an address of an lo/zt/tun/tap interface. Method: DirectPaths.of against
 * this machine's interfaces, compared with what java.net lists.
 */
class DirectPathsTest {
    @Test
    void aSocketBoundToOneAddressAdvertisesThatAddress() throws Exception {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 9993);
        assertEquals(List.of(InetEndpoint.of(InetAddress.getLoopbackAddress(), 9993)),
                DirectPaths.of(List.of(loopback), true));
        assertEquals(List.of(), DirectPaths.of(List.of(loopback), false), "no loopback paths: nothing to push");
    }

    @Test
    void aWildcardSocketAdvertisesEveryUsableInterfaceAddress() throws Exception {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getByAddress(new byte[4]), 29993);
        List<InetEndpoint> pushed = DirectPaths.of(List.of(any), false);
        int expected = 0;
        for (NetworkInterface i : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            String name = i.getName();
            boolean skipped = !i.isUp() || i.isLoopback() || name.startsWith("zt") || name.startsWith("tun")
                    || name.startsWith("tap") || name.startsWith("lo");
            for (InetAddress a : Collections.list(i.getInetAddresses())) {
                boolean usable = a.getAddress().length == 4 && !a.isLinkLocalAddress() && !a.isLoopbackAddress();
                if (!skipped && usable) {
                    expected++;
                    assertTrue(pushed.contains(InetEndpoint.of(a, 29993)), a + " of " + name + " in " + pushed);
                }
            }
        }
        assertEquals(expected, pushed.size(), pushed.toString());
        assertTrue(pushed.stream().allMatch(e -> e.isIpv4() && e.port() == 29993), pushed.toString());
    }
}
