package dev.zerokube.overlay.runtime.udp;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.zerokube.overlay.runtime.sys.Libc;
import dev.zerokube.overlay.wire.InetEndpoint;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One non-blocking UDP socket opened through FFM: bound, with large kernel buffers and, where
 * asked and the kernel has it, UDP GRO. An IPv6 socket is dual-stack unless the system says
 * otherwise ({@code net.ipv6.bindv6only}), as Java's own sockets are. The descriptor is read and
 * written by a {@link DatagramReceiver} and a {@link DatagramSender}; closing happens once, after
 * the event loop stopped watching it.
 */
public final class UdpSocket implements AutoCloseable {
    private final int fd;
    private final boolean ipv6;
    private final boolean gro;
    private final InetSocketAddress localAddress;
    private final int defaultTtl;
    private final MemorySegment callState;
    private final MemorySegment intValue;
    private final AtomicBoolean closed = new AtomicBoolean();

    private UdpSocket(int fd, boolean ipv6, boolean gro, InetSocketAddress localAddress, int defaultTtl, Arena arena) {
        this.fd = fd;
        this.ipv6 = ipv6;
        this.gro = gro;
        this.localAddress = localAddress;
        this.defaultTtl = defaultTtl;
        this.callState = Libc.newCallState(arena);
        this.intValue = arena.allocate(JAVA_INT);
    }

    /**
     * Opens a socket bound to {@code address}:{@code port} (0: an ephemeral port).
     *
     * @param arena owns the socket's small native scratch; must outlive it
     * @param bufferBytes {@code SO_RCVBUF} and {@code SO_SNDBUF} (the kernel caps them at its maxima)
     * @param gro ask for UDP GRO; a kernel without it is not an error ({@link #groOn})
     * @throws IOException naming the address and the system's reason when the socket cannot be made or bound
     */
    public static UdpSocket open(Arena arena, InetAddress address, int port, int bufferBytes, boolean gro)
            throws IOException {
        boolean v6 = address instanceof Inet6Address;
        try (Arena call = Arena.ofConfined()) {
            MemorySegment st = Libc.newCallState(call);
            int fd = Libc.socket(st, v6 ? Libc.AF_INET6 : Libc.AF_INET,
                    Libc.SOCK_DGRAM | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw Libc.error("cannot open a UDP socket", st);
            }
            try {
                MemorySegment value = call.allocate(JAVA_INT);
                setInt(st, fd, Libc.SOL_SOCKET, Libc.SO_RCVBUF, bufferBytes, value, "SO_RCVBUF");
                setInt(st, fd, Libc.SOL_SOCKET, Libc.SO_SNDBUF, bufferBytes, value, "SO_SNDBUF");
                boolean groOn = gro && trySetInt(st, fd, Libc.SOL_UDP, Libc.UDP_GRO, 1, value);
                MemorySegment addr = call.allocate(SockAddr.BYTES, 8);
                int addrLength = SockAddr.write(InetEndpoint.of(address, port), v6, addr, 0);
                if (Libc.bind(st, fd, addr, addrLength) != 0) {
                    throw Libc.error("cannot bind UDP " + address.getHostAddress() + "/" + port, st);
                }
                MemorySegment length = call.allocate(JAVA_INT);
                length.set(JAVA_INT, 0, SockAddr.BYTES);
                if (Libc.getsockname(st, fd, addr, length) != 0) {
                    throw Libc.error("getsockname", st);
                }
                InetSocketAddress local = SockAddr.toJava(addr);
                int ttl = getInt(st, fd, v6 ? Libc.IPPROTO_IPV6 : Libc.IPPROTO_IP,
                        v6 ? Libc.IPV6_UNICAST_HOPS : Libc.IP_TTL, call);
                return new UdpSocket(fd, v6, groOn, local, ttl, arena);
            } catch (IOException | RuntimeException e) {
                Libc.closeQuietly(fd);
                throw e;
            }
        }
    }

    private static void setInt(MemorySegment st, int fd, int level, int name, int v, MemorySegment value, String what)
            throws IOException {
        if (!trySetInt(st, fd, level, name, v, value)) {
            throw Libc.error("setsockopt " + what, st);
        }
    }

    private static boolean trySetInt(MemorySegment st, int fd, int level, int name, int v, MemorySegment value) {
        value.set(JAVA_INT, 0, v);
        return Libc.setsockopt(st, fd, level, name, value, 4) == 0;
    }

    private static int getInt(MemorySegment st, int fd, int level, int name, Arena call) throws IOException {
        MemorySegment value = call.allocate(JAVA_INT);
        MemorySegment length = call.allocate(JAVA_INT);
        length.set(JAVA_INT, 0, 4);
        if (Libc.getsockopt(st, fd, level, name, value, length) != 0) {
            throw Libc.error("getsockopt " + level + "/" + name, st);
        }
        return value.get(JAVA_INT, 0);
    }

    public int fd() {
        return fd;
    }

    /** Whether the socket is IPv6 (and then also reaches IPv4 remotes through mapped addresses). */
    public boolean isIpv6() {
        return ipv6;
    }

    /** Whether the kernel merges bursts of received datagrams (UDP GRO). */
    public boolean groOn() {
        return gro;
    }

    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /**
     * Sets the TTL (hop limit) of what the socket sends from now on; {@code 0} restores the
     * system's default. Returns false if the kernel refused. The node's thread only.
     */
    boolean setTtl(int ttl) {
        intValue.set(JAVA_INT, 0, ttl == 0 ? defaultTtl : ttl);
        return Libc.setsockopt(callState, fd, ipv6 ? Libc.IPPROTO_IPV6 : Libc.IPPROTO_IP,
                ipv6 ? Libc.IPV6_UNICAST_HOPS : Libc.IP_TTL, intValue, 4) == 0;
    }

    /** Closes the descriptor (once; later calls do nothing). */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            Libc.closeQuietly(fd);
        }
    }

    @Override
    public String toString() {
        return "udp " + localAddress.getAddress().getHostAddress() + "/" + localAddress.getPort() + " fd " + fd
                + (gro ? " gro" : "");
    }
}
