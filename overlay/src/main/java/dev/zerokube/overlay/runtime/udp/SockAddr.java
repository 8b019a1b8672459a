package dev.zerokube.overlay.runtime.udp;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import dev.zerokube.overlay.runtime.sys.Libc;
import dev.zerokube.overlay.wire.InetEndpoint;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * {@code sockaddr_in} and {@code sockaddr_in6} in native memory: the family in host order, the
 * port in network order. An IPv6 socket reaches IPv4 remotes through IPv4-mapped addresses
 * ({@code ::ffff:a.b.c.d}), and such an address read back is an IPv4 endpoint, as Java's own
 * sockets report it.
 */
final class SockAddr {
    /** Room for either kind: {@code sizeof(struct sockaddr_in6)} rounded up. */
    static final int BYTES = 32;
    static final int IPV4_LENGTH = 16;
    static final int IPV6_LENGTH = 28;

    private SockAddr() {
    }

    /**
     * Writes {@code remote} at {@code at} in {@code s} as the address a socket of the given family
     * sends to; returns its length, or 0 where that socket cannot reach it (nil, or IPv6 on an
     * IPv4 socket).
     */
    static int write(InetEndpoint remote, boolean ipv6Socket, MemorySegment s, long at) {
        int ipLength = remote.ipLength();
        if (ipLength == 0 || (ipLength == 16 && !ipv6Socket)) {
            return 0;
        }
        int port = remote.port();
        if (!ipv6Socket) {
            s.set(JAVA_SHORT_UNALIGNED, at, (short) Libc.AF_INET);
            s.set(JAVA_BYTE, at + 2, (byte) (port >>> 8));
            s.set(JAVA_BYTE, at + 3, (byte) port);
            for (int i = 0; i < 4; i++) {
                s.set(JAVA_BYTE, at + 4 + i, remote.ipByte(i));
            }
            s.set(JAVA_LONG_UNALIGNED, at + 8, 0L);
            return IPV4_LENGTH;
        }
        s.set(JAVA_SHORT_UNALIGNED, at, (short) Libc.AF_INET6);
        s.set(JAVA_BYTE, at + 2, (byte) (port >>> 8));
        s.set(JAVA_BYTE, at + 3, (byte) port);
        s.set(JAVA_INT_UNALIGNED, at + 4, 0); // flow info
        if (ipLength == 4) {
            s.set(JAVA_LONG_UNALIGNED, at + 8, 0L); // ::ffff:a.b.c.d
            s.set(JAVA_BYTE, at + 16, (byte) 0);
            s.set(JAVA_BYTE, at + 17, (byte) 0);
            s.set(JAVA_BYTE, at + 18, (byte) 0xff);
            s.set(JAVA_BYTE, at + 19, (byte) 0xff);
            for (int i = 0; i < 4; i++) {
                s.set(JAVA_BYTE, at + 20 + i, remote.ipByte(i));
            }
        } else {
            for (int i = 0; i < 16; i++) {
                s.set(JAVA_BYTE, at + 8 + i, remote.ipByte(i));
            }
        }
        s.set(JAVA_INT_UNALIGNED, at + 24, 0); // scope id
        return IPV6_LENGTH;
    }

    /** Whether the {@code sockaddr_in6} at {@code at} in {@code s} holds an IPv4-mapped address. */
    static boolean isIpv4Mapped(MemorySegment s, long at) {
        for (int i = 8; i < 18; i++) {
            if (s.get(JAVA_BYTE, at + i) != 0) {
                return false;
            }
        }
        return s.get(JAVA_BYTE, at + 18) == (byte) 0xff && s.get(JAVA_BYTE, at + 19) == (byte) 0xff;
    }

    static int family(MemorySegment s, long at) {
        return s.get(JAVA_SHORT_UNALIGNED, at) & 0xffff;
    }

    static int port(MemorySegment s, long at) {
        return ((s.get(JAVA_BYTE, at + 2) & 0xff) << 8) | (s.get(JAVA_BYTE, at + 3) & 0xff);
    }

    /** A Java socket address from a {@code sockaddr} (not on a per-packet path). */
    static InetSocketAddress toJava(MemorySegment addr) throws UnknownHostException {
        int family = family(addr, 0);
        byte[] ip;
        if (family == Libc.AF_INET) {
            ip = new byte[4];
            MemorySegment.copy(addr, JAVA_BYTE, 4, ip, 0, 4);
        } else if (family == Libc.AF_INET6) {
            ip = new byte[16];
            MemorySegment.copy(addr, JAVA_BYTE, 8, ip, 0, 16);
        } else {
            throw new UnknownHostException("address family " + family);
        }
        return new InetSocketAddress(InetAddress.getByAddress(ip), port(addr, 0));
    }
}
