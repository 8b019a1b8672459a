package dev.zerokube.overlay.runtime.udp;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.zerokube.overlay.runtime.sys.Libc;
import dev.zerokube.overlay.wire.InetEndpoint;
import java.lang.foreign.MemorySegment;

/**
 * Maps the {@code sockaddr} of a received datagram to the core's {@link InetEndpoint} without
 * allocating for a remote seen recently: a direct-mapped table of {@link #SLOTS} endpoints
 * indexed by a hash of address and port. A new remote, or one whose slot another took since,
 * costs one endpoint; the table never grows, so a flood of forged source addresses costs at most
 * its fixed size. Event loop thread only.
 */
final class EndpointCache {
    /** A power of two: far more than the peers a node talks to at once; a root's misses only allocate. */
    static final int SLOTS = 1024;

    private final InetEndpoint[] slots = new InetEndpoint[SLOTS];

    /**
     * The endpoint in the {@code sockaddr} at {@code at} in {@code addr} ({@code addrLength} bytes
     * as the kernel returned them), or null for an address that is neither IPv4 nor IPv6.
     */
    InetEndpoint endpoint(MemorySegment addr, long at, int addrLength) {
        int family = SockAddr.family(addr, at);
        long ipOffset;
        int ipLength;
        if (family == Libc.AF_INET && addrLength >= SockAddr.IPV4_LENGTH) {
            ipOffset = at + 4;
            ipLength = 4;
        } else if (family == Libc.AF_INET6 && addrLength >= SockAddr.IPV6_LENGTH - 4) {
            boolean mapped = SockAddr.isIpv4Mapped(addr, at);
            ipOffset = at + (mapped ? 20 : 8);
            ipLength = mapped ? 4 : 16;
        } else {
            return null;
        }
        int port = SockAddr.port(addr, at);
        int hash = port * 0x9e3779b1;
        for (int i = 0; i < ipLength; i++) {
            hash = (hash ^ (addr.get(JAVA_BYTE, ipOffset + i) & 0xff)) * 0x01000193;
        }
        int slot = (hash ^ (hash >>> 16)) & (SLOTS - 1);
        InetEndpoint e = slots[slot];
        if (e != null && matches(e, addr, ipOffset, ipLength, port)) {
            return e;
        }
        byte[] ip = new byte[ipLength];
        MemorySegment.copy(addr, JAVA_BYTE, ipOffset, ip, 0, ipLength);
        e = InetEndpoint.of(ip, port);
        slots[slot] = e;
        return e;
    }

    private static boolean matches(InetEndpoint e, MemorySegment addr, long ipOffset, int ipLength, int port) {
        if (e.port() != port || e.ipLength() != ipLength) {
            return false;
        }
        for (int i = 0; i < ipLength; i++) {
            if (e.ipByte(i) != addr.get(JAVA_BYTE, ipOffset + i)) {
                return false;
            }
        }
        return true;
    }
}
