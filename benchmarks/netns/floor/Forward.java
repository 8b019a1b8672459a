import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.net.InetAddress;

/**
 * forward.c in Java: the same two blocking threads, the same system calls, made through the FFM
 * API. Run by rtt-floor.sh with the source launcher ({@code java Forward.java ...}); it tells what
 * the JVM itself adds to a userspace overlay hop (thread wake-ups, downcalls), apart from any
 * overlay work.
 */
public final class Forward {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle OPEN = libc("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle IOCTL = libc("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));
    private static final MethodHandle SOCKET = libc("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = libc("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle READ = libc("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = libc("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle RECV = libc("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SENDTO = libc("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final int O_RDWR = 2;
    private static final long TUNSETIFF = 0x400454caL;
    private static final short IFF_TAP_NO_PI = 0x0002 | 0x1000;
    private static final int BUFFER = 65536;

    private static MethodHandle libc(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor);
    }

    private static MemorySegment sockaddr(Arena arena, String ip, int port) throws Exception {
        MemorySegment s = arena.allocate(16);
        s.set(JAVA_SHORT, 0, (short) 2); // AF_INET, host order
        s.set(JAVA_BYTE, 2, (byte) (port >> 8));
        s.set(JAVA_BYTE, 3, (byte) port);
        MemorySegment.copy(InetAddress.getByName(ip).getAddress(), 0, s, JAVA_BYTE, 4, 4);
        return s;
    }

    public static void main(String[] args) throws Throwable {
        if (args.length != 4) {
            System.err.println("usage: java Forward.java TAPNAME LOCAL_IP PEER_IP PORT");
            System.exit(2);
        }
        Arena arena = Arena.global();
        int tap = (int) OPEN.invokeExact(arena.allocateFrom("/dev/net/tun"), O_RDWR);
        MemorySegment ifreq = arena.allocate(40);
        ifreq.setString(0, args[0]);
        ifreq.set(JAVA_SHORT, 16, IFF_TAP_NO_PI);
        if (tap < 0 || (int) IOCTL.invokeExact(tap, TUNSETIFF, ifreq) < 0) {
            throw new IllegalStateException("cannot open TAP " + args[0]);
        }
        int port = Integer.parseInt(args[3]);
        int udp = (int) SOCKET.invokeExact(2, 2, 0); // AF_INET, SOCK_DGRAM
        if (udp < 0 || (int) BIND.invokeExact(udp, sockaddr(arena, args[1], port), 16) < 0) {
            throw new IllegalStateException("cannot bind UDP " + args[1] + ":" + port);
        }
        MemorySegment peer = sockaddr(arena, args[2], port);
        MemorySegment fromTap = arena.allocate(BUFFER);
        MemorySegment fromUdp = arena.allocate(BUFFER);
        Thread tapToUdp = Thread.ofPlatform().name("tap-to-udp").start(() -> {
            try {
                for (;;) {
                    long n = (long) READ.invokeExact(tap, fromTap, (long) BUFFER);
                    if (n > 0) {
                        long sent = (long) SENDTO.invokeExact(udp, fromTap, n, 0, peer, 16);
                    }
                }
            } catch (Throwable e) {
                e.printStackTrace();
            }
        });
        Thread.ofPlatform().name("udp-to-tap").start(() -> {
            try {
                for (;;) {
                    long n = (long) RECV.invokeExact(udp, fromUdp, (long) BUFFER, 0);
                    if (n > 0) {
                        long written = (long) WRITE.invokeExact(tap, fromUdp, n);
                    }
                }
            } catch (Throwable e) {
                e.printStackTrace();
            }
        });
        tapToUdp.join();
    }
}
