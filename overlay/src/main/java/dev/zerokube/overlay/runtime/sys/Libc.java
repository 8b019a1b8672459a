package dev.zerokube.overlay.runtime.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few Linux libc calls the runtime needs (the TAP port, rtnetlink, descriptor passing and the
 * UDP sockets), bound once through FFM (DATAPATH.md, "TAP via FFM").
 *
 * <p>Every call takes a call-state segment first ({@link #newCallState}) where the linker stores
 * {@code errno} right after the call, before the JVM can clobber it. Hot paths keep one such
 * segment per thread; other callers allocate one in a short-lived arena. The methods return the
 * raw result; {@link #error} turns a failure into an {@link IOException} naming the step and the
 * system's reason. Linux x86-64/aarch64 constants (the only platforms these classes are used on).
 */
public final class Libc {
    public static final int O_RDWR = 0x2;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int EBADF = 9;
    public static final short POLLIN = 0x1;
    public static final int EFD_CLOEXEC = 0x80000;
    public static final int EFD_NONBLOCK = 0x800;
    public static final int AF_UNIX = 1;
    public static final int AF_NETLINK = 16;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int CLONE_NEWNET = 0x40000000;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int SOL_SOCKET = 1;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int IPPROTO_IP = 0;
    public static final int IP_TTL = 2;
    public static final int IPPROTO_IPV6 = 41;
    public static final int IPV6_UNICAST_HOPS = 16;
    public static final int SOL_UDP = 17;
    public static final int UDP_SEGMENT = 103;
    public static final int UDP_GRO = 104;
    public static final int EIO = 5;
    public static final int EINVAL = 22;
    public static final int EMSGSIZE = 90;
    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MADV_NOHUGEPAGE = 15;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN = bind("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            ERRNO_OPTION, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO_OPTION);
    private static final MethodHandle READ = bind("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO_OPTION);
    private static final MethodHandle WRITE = bind("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO_OPTION);
    private static final MethodHandle IOCTL_PTR = bind("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            ERRNO_OPTION, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL_LONG = bind("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG),
            ERRNO_OPTION, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle FCNTL = bind("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            ERRNO_OPTION, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle POLL = bind("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), ERRNO_OPTION);
    private static final MethodHandle EVENTFD = bind("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), ERRNO_OPTION);
    private static final MethodHandle SOCKET = bind("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), ERRNO_OPTION);
    private static final MethodHandle SOCKETPAIR = bind("socketpair",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), ERRNO_OPTION);
    private static final MethodHandle BIND = bind("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), ERRNO_OPTION);
    private static final MethodHandle CONNECT = bind("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), ERRNO_OPTION);
    private static final MethodHandle LISTEN = bind("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), ERRNO_OPTION);
    private static final MethodHandle ACCEPT4 = bind("accept4",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT), ERRNO_OPTION);
    private static final MethodHandle SEND = bind("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), ERRNO_OPTION);
    private static final MethodHandle RECV = bind("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), ERRNO_OPTION);
    private static final MethodHandle SENDMSG = bind("sendmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), ERRNO_OPTION);
    private static final MethodHandle RECVMSG = bind("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), ERRNO_OPTION);
    private static final MethodHandle SETNS = bind("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), ERRNO_OPTION);
    private static final MethodHandle IF_NAMETOINDEX = bind("if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS), ERRNO_OPTION);
    private static final MethodHandle GETSOCKOPT = bind("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), ERRNO_OPTION);
    private static final MethodHandle SETSOCKOPT = bind("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), ERRNO_OPTION);
    private static final MethodHandle GETSOCKNAME = bind("getsockname",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), ERRNO_OPTION);
    private static final MethodHandle SENDMMSG = bind("sendmmsg",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), ERRNO_OPTION);
    private static final MethodHandle RECVMMSG = bind("recvmmsg",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS), ERRNO_OPTION);
    private static final MethodHandle MMAP = bind("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), ERRNO_OPTION);
    private static final MethodHandle MADVISE = bind("madvise", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT),
            ERRNO_OPTION);
    private static final MethodHandle MUNMAP = bind("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), ERRNO_OPTION);
    private static final MethodHandle UNLINK = bind("unlink", FunctionDescriptor.of(JAVA_INT, ADDRESS), ERRNO_OPTION);
    private static final MethodHandle STRERROR = bind("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private Libc() {
    }

    private static MethodHandle bind(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, fd, options);
    }

    /** A segment for the call state ({@code errno}) of calls made by one thread. */
    public static MemorySegment newCallState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    /** Nothing: calling it makes the class, i.e. all its downcall handles (see TapPort.prepare). */
    public static void prepare() {
    }

    public static int errno(MemorySegment callState) {
        return (int) ERRNO.get(callState, 0L);
    }

    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** An exception for a failed call: {@code what: reason (errno N)}. */
    public static IOException error(String what, MemorySegment callState) {
        int e = errno(callState);
        return new IOException(what + ": " + strerror(e) + " (errno " + e + ")");
    }

    // Downcalls do not throw; invokeExact's Throwable is only declared.
    private static AssertionError impossible(Throwable t) {
        return new AssertionError("downcall threw", t);
    }

    public static int open(MemorySegment st, MemorySegment path, int flags) {
        try {
            return (int) OPEN.invokeExact(st, path, flags, 0);
        } catch (Throwable t) {
            throw impossible(t);
        }
    }

    public static int close(MemorySegment st, int fd) {
        try {
            return (int) CLOSE.invokeExact(st, fd);
        } catch (Throwable t) {
            throw impossible(t);
        }
    }

    public static long read(MemorySegment st, int fd, MemorySegment buf, long len) {
        try {
            return (long) READ.invokeExact(st, fd, buf, len);
        } catch (Throwable t) {
            throw impossible(t);
        }
    }

    public static long write(MemorySegment st, int fd, MemorySegment buf, long len) {
        try {
            return (long) WRITE.invokeExact(st, fd, buf, len);
        } catch (Throwable t) {
            throw impossible(t);
        }
    }

    public static int ioctl(MemorySegment st, int fd, long request, MemorySegment arg) {
        try {
            return (int) IOCTL_PTR.invokeExact(st, fd, request, arg);
        } catch (Throwable t) {
            throw impossible(t);
        }
    }

    public static int ioctl(MemorySegment st, int fd, long request, long arg) {
        try {
            return (int) IOCTL_LONG.invokeExact(st, fd, request, arg);
        } catch (Throwable t) {
            throw impossible(t);
        }
    }

    public static int fcntl(MemorySegment st, int fd, int cmd, int arg) {
        try {
            return (int) FCNTL.invokeExact(st, fd, cmd, arg);
        } catch (Throwable t) {
            throw impossible(t);
        }
    }

    public static int poll(MemorySegment st, MemorySegment fds, long nfds, int timeoutMs) {
        try {
            return (int) POLL.invokeExact(st, fds, nfds, timeoutMs);
        } catch (Throwable t) {
            throw impossible(t);
        }
    }

    public static int eventfd(MemorySegment st, int initval, int flags) {
        try {
            return (int) EVENTFD.invokeExact(st, initval, flags);
        } catch (Throwable t) {
            throw impossible(t);
        }
    }

    public static int socket(MemorySegment st, int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(st, domain, type, protocol);
        } catch (Throwable t) {
            throw impossible(t);
        }
    }

    public static int socketpair(MemorySegment st, int domain, int type, int protocol, MemorySegment fds) {
        try {
            return (int) SOCKETPAIR.invokeExact(st, domain, type, protocol, fds);
        } catch (Throwable t) {
            throw impossible(t);
        }
    }

    public static int bind(MemorySegment st, int fd, MemorySegment addr, int len) {
        try {
            return (int) BIND.invokeExact(st, fd, addr, len);
        } catch (Throwable t) {
            throw impossible(t);
        }
    }

    public static int connect(MemorySegment st, int fd, MemorySegment addr, int len) {
        try {
            return (int) CONNECT.invokeExact(st, fd, addr, len);
        } catch (Throwable t) {
            throw impossible(t);
        }
    }

    public static int listen(MemorySegment st, int fd, int backlog) {
        try {
            return (int) LISTEN.invokeExact(st, fd, backlog);
        } catch (Throwable t) {
            throw impossible(t);
        }
    }

    public static int accept4(MemorySegment st, int fd, int flags) {
        try {
            return (int) ACCEPT4.invokeExact(st, fd, MemorySegment.NULL, MemorySegment.NULL, flags);
        } catch (Throwable t) {
            throw impossible(t);
        }
    }

    public static long send(MemorySegment st, int fd, MemorySegment buf, long len, int flags) {
        try {
            return (long) SEND.invokeExact(st, fd, buf, len, flags);
        } catch (Throwable t) {
            throw impossible(t);
        }
    }

    public static long recv(MemorySegment st, int fd, MemorySegment buf, long len, int flags) {
        try {
            return (long) RECV.invokeExact(st, fd, buf, len, flags);
        } catch (Throwable t) {
            throw impossible(t);
        }
    }

    public static long sendmsg(MemorySegment st, int fd, MemorySegment msg, int flags) {
        try {
            return (long) SENDMSG.invokeExact(st, fd, msg, flags);
        } catch (Throwable t) {
            throw impossible(t);
        }
    }

    public static long recvmsg(MemorySegment st, int fd, MemorySegment msg, int flags) {
        try {
            return (long) RECVMSG.invokeExact(st, fd, msg, flags);
        } catch (Throwable t) {
            throw impossible(t);
        }
    }

    public static int setns(MemorySegment st, int fd, int nstype) {
        try {
            return (int) SETNS.invokeExact(st, fd, nstype);
        } catch (Throwable t) {
            throw impossible(t);
        }
    }

    public static int ifNameToIndex(MemorySegment st, MemorySegment name) {
        try {
            return (int) IF_NAMETOINDEX.invokeExact(st, name);
        } catch (Throwable t) {
            throw impossible(t);
        }
    }

    public static int getsockopt(MemorySegment st, int fd, int level, int name, MemorySegment value, MemorySegment len) {
        try {
            return (int) GETSOCKOPT.invokeExact(st, fd, level, name, value, len);
        } catch (Throwable t) {
            throw impossible(t);
        }
    }

    public static int setsockopt(MemorySegment st, int fd, int level, int name, MemorySegment value, int len) {
        try {
            return (int) SETSOCKOPT.invokeExact(st, fd, level, name, value, len);
        } catch (Throwable t) {
            throw impossible(t);
        }
    }

    public static int getsockname(MemorySegment st, int fd, MemorySegment addr, MemorySegment len) {
        try {
            return (int) GETSOCKNAME.invokeExact(st, fd, addr, len);
        } catch (Throwable t) {
            throw impossible(t);
        }
    }

    /** {@code sendmmsg(fd, msgs, count, flags)}: the number of messages sent, or -1. */
    public static int sendmmsg(MemorySegment st, int fd, MemorySegment msgs, int count, int flags) {
        try {
            return (int) SENDMMSG.invokeExact(st, fd, msgs, count, flags);
        } catch (Throwable t) {
            throw impossible(t);
        }
    }

    /** {@code recvmmsg(fd, msgs, count, flags, NULL)}: the number of messages received, or -1. */
    public static int recvmmsg(MemorySegment st, int fd, MemorySegment msgs, int count, int flags) {
        try {
            return (int) RECVMMSG.invokeExact(st, fd, msgs, count, flags, MemorySegment.NULL);
        } catch (Throwable t) {
            throw impossible(t);
        }
    }

    /** {@code mmap(NULL, length, prot, flags, -1, 0)}: the mapping, or {@code MAP_FAILED} (address -1). */
    public static MemorySegment mmapAnonymous(MemorySegment st, long length, int prot, int flags) {
        try {
            return (MemorySegment) MMAP.invokeExact(st, MemorySegment.NULL, length, prot, flags, -1, 0L);
        } catch (Throwable t) {
            throw impossible(t);
        }
    }

    public static int madvise(MemorySegment st, MemorySegment addr, long length, int advice) {
        try {
            return (int) MADVISE.invokeExact(st, addr, length, advice);
        } catch (Throwable t) {
            throw impossible(t);
        }
    }

    public static int munmap(MemorySegment st, MemorySegment addr, long length) {
        try {
            return (int) MUNMAP.invokeExact(st, addr, length);
        } catch (Throwable t) {
            throw impossible(t);
        }
    }

    public static int unlink(MemorySegment st, MemorySegment path) {
        try {
            return (int) UNLINK.invokeExact(st, path);
        } catch (Throwable t) {
            throw impossible(t);
        }
    }

    /** Closes {@code fd}, ignoring errors (for cleanup paths). */
    public static void closeQuietly(int fd) {
        if (fd < 0) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            close(newCallState(arena), fd);
        }
    }
}
