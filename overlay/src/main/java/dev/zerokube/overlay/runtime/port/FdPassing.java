package dev.zerokube.overlay.runtime.port;

import dev.zerokube.overlay.runtime.sys.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * Hands an open file descriptor (a TAP) from one process to another over a Unix domain stream
 * socket with {@code SCM_RIGHTS} ({@code unix(7)}): the node agent, which may open TAPs, passes
 * one to the sidecar, which may not. The receiver gets its own descriptor for the same open file
 * and the sender may close its copy.
 *
 * <p>Works on raw descriptors (ints), because JDK sockets do not expose theirs. Sockets made here
 * are blocking and close-on-exec. Each descriptor travels with a short message (at least one byte:
 * a stream socket carries ancillary data only alongside data), e.g. the network id it is for.
 *
 * <p>Layouts (Linux, 64-bit):
 * <pre>
 *   msghdr  [8] name [4] namelen [4] pad [8] iov [8] iovlen [8] control [8] controllen [4] flags [4] pad
 *   iovec   [8] base [8] len
 *   cmsghdr [8] len = 20 [4] level SOL_SOCKET [4] type SCM_RIGHTS, [4] fd, [4] pad to 24
 *   sockaddr_un [2] family AF_UNIX, [108] path (NUL-terminated)
 * </pre>
 */
public final class FdPassing {
    /** Longest message sent with a descriptor. */
    public static final int MESSAGE_MAX = 4096;
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    private static final int MSG_CTRUNC = 0x8;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int MSGHDR_BYTES = 56;
    private static final int CMSG_LEN_ONE_FD = 20;
    private static final int CMSG_SPACE_ONE_FD = 24;
    // Room for a few descriptors, so that extra ones a confused peer sends can be closed.
    private static final int CONTROL_BYTES = 64;
    private static final int SUN_PATH_MAX = 108;
    private static final int SO_PEERCRED = 17;

    /**
     * A descriptor received with its message.
     *
     * @param fd the new descriptor, owned by the receiver (close-on-exec)
     * @param message the bytes that came with it
     */
    public record Received(int fd, byte[] message) {
        public Received {
            message = message.clone();
        }

        @Override
        public byte[] message() {
            return message.clone();
        }

        /** The message as UTF-8 text. */
        public String text() {
            return new String(message, StandardCharsets.UTF_8);
        }
    }

    /**
     * Who is at the other end of a connected Unix socket, as the kernel recorded it at
     * {@code connect} ({@code SO_PEERCRED}): the node agent uses it to tell which pod a sidecar
     * belongs to without trusting anything the sidecar says.
     *
     * @param pid the peer's process id in the caller's PID namespace (0 if the peer is in a PID
     *     namespace the caller cannot see into)
     * @param uid the peer's user id in the caller's user namespace
     * @param gid the peer's group id
     */
    public record Peer(int pid, int uid, int gid) {
    }

    private FdPassing() {
    }

    /** The credentials of the process that connected {@code socketFd} ({@code struct ucred}). */
    public static Peer peer(int socketFd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Libc.newCallState(arena);
            MemorySegment cred = arena.allocate(12, 4);
            MemorySegment len = arena.allocate(ValueLayout.JAVA_INT);
            len.set(ValueLayout.JAVA_INT, 0, 12);
            if (Libc.getsockopt(st, socketFd, SOL_SOCKET, SO_PEERCRED, cred, len) != 0) {
                throw Libc.error("getsockopt(SO_PEERCRED)", st);
            }
            return new Peer(cred.get(ValueLayout.JAVA_INT, 0), cred.get(ValueLayout.JAVA_INT, 4), cred.get(ValueLayout.JAVA_INT, 8));
        }
    }

    /** Two connected Unix stream sockets ({@code socketpair(2)}). */
    public static int[] socketPair() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Libc.newCallState(arena);
            MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
            if (Libc.socketpair(st, Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0, fds) != 0) {
                throw Libc.error("socketpair(AF_UNIX)", st);
            }
            return new int[] {fds.getAtIndex(ValueLayout.JAVA_INT, 0), fds.getAtIndex(ValueLayout.JAVA_INT, 1)};
        }
    }

    /**
     * A listening Unix stream socket bound to {@code path} (which must not exist). Only processes
     * that may write to {@code path} can connect: its directory's permissions are the access rule.
     */
    public static int listen(Path path) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Libc.newCallState(arena);
            int fd = unixSocket(st);
            if (Libc.bind(st, fd, sockaddr(arena, path), 2 + SUN_PATH_MAX) != 0 || Libc.listen(st, fd, 16) != 0) {
                IOException e = Libc.error("listen on " + path, st);
                Libc.closeQuietly(fd);
                throw e;
            }
            return fd;
        }
    }

    /** Waits for and accepts one connection on a socket from {@link #listen}. */
    public static int accept(int listenFd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Libc.newCallState(arena);
            while (true) {
                int fd = Libc.accept4(st, listenFd, Libc.SOCK_CLOEXEC);
                if (fd >= 0) {
                    return fd;
                }
                if (Libc.errno(st) != Libc.EINTR) {
                    throw Libc.error("accept", st);
                }
            }
        }
    }

    /** Connects to a socket from {@link #listen}. */
    public static int connect(Path path) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Libc.newCallState(arena);
            int fd = unixSocket(st);
            if (Libc.connect(st, fd, sockaddr(arena, path), 2 + SUN_PATH_MAX) != 0) {
                IOException e = Libc.error("connect to " + path, st);
                Libc.closeQuietly(fd);
                throw e;
            }
            return fd;
        }
    }

    /** Sends {@code fd} with {@code message} (1..{@link #MESSAGE_MAX} bytes) over {@code socketFd}. */
    public static void send(int socketFd, int fd, byte[] message) throws IOException {
        Objects.requireNonNull(message, "message");
        if (message.length < 1 || message.length > MESSAGE_MAX) {
            throw new IllegalArgumentException("message must be 1.." + MESSAGE_MAX + " bytes: " + message.length);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Libc.newCallState(arena);
            MemorySegment data = arena.allocate(message.length);
            MemorySegment.copy(message, 0, data, ValueLayout.JAVA_BYTE, 0, message.length);
            MemorySegment iov = arena.allocate(16, 8);
            iov.set(ValueLayout.ADDRESS, 0, data);
            iov.set(ValueLayout.JAVA_LONG, 8, message.length);
            MemorySegment control = arena.allocate(CMSG_SPACE_ONE_FD, 8);
            control.set(ValueLayout.JAVA_LONG, 0, CMSG_LEN_ONE_FD);
            control.set(ValueLayout.JAVA_INT, 8, SOL_SOCKET);
            control.set(ValueLayout.JAVA_INT, 12, SCM_RIGHTS);
            control.set(ValueLayout.JAVA_INT, 16, fd);
            MemorySegment msg = msghdr(arena, iov, control, CMSG_SPACE_ONE_FD);
            while (true) {
                long n = Libc.sendmsg(st, socketFd, msg, MSG_NOSIGNAL);
                if (n == message.length) {
                    return;
                }
                if (n >= 0) {
                    throw new IOException("sendmsg sent " + n + " of " + message.length + " bytes");
                }
                if (Libc.errno(st) != Libc.EINTR) {
                    throw Libc.error("sendmsg(SCM_RIGHTS)", st);
                }
            }
        }
    }

    /**
     * Waits for a descriptor and its message on {@code socketFd}.
     *
     * @throws IOException if the peer closed the socket, or the data came without exactly one
     *     descriptor (any descriptors that did come are closed)
     */
    public static Received receive(int socketFd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Libc.newCallState(arena);
            MemorySegment data = arena.allocate(MESSAGE_MAX);
            MemorySegment iov = arena.allocate(16, 8);
            iov.set(ValueLayout.ADDRESS, 0, data);
            iov.set(ValueLayout.JAVA_LONG, 8, MESSAGE_MAX);
            MemorySegment control = arena.allocate(CONTROL_BYTES, 8);
            MemorySegment msg = msghdr(arena, iov, control, CONTROL_BYTES);
            long n;
            while ((n = Libc.recvmsg(st, socketFd, msg, MSG_CMSG_CLOEXEC)) < 0) {
                if (Libc.errno(st) != Libc.EINTR) {
                    throw Libc.error("recvmsg", st);
                }
            }
            int[] fds = descriptors(control, msg.get(ValueLayout.JAVA_LONG, 40));
            if (n == 0 && fds.length == 0) {
                throw new IOException("the peer closed the socket before sending a descriptor");
            }
            if ((msg.get(ValueLayout.JAVA_INT, 48) & MSG_CTRUNC) != 0 || fds.length != 1) {
                Arrays.stream(fds).forEach(Libc::closeQuietly);
                throw new IOException("expected exactly one descriptor with the message, got " + fds.length
                        + ((msg.get(ValueLayout.JAVA_INT, 48) & MSG_CTRUNC) != 0 ? " (control data truncated)" : ""));
            }
            return new Received(fds[0], data.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    /** Closes a descriptor made or received here; errors are ignored. */
    public static void close(int fd) {
        Libc.closeQuietly(fd);
    }

    // Walks the SCM_RIGHTS control messages and collects every descriptor in them.
    private static int[] descriptors(MemorySegment control, long controlLen) {
        int[] out = new int[0];
        long at = 0;
        while (at + 16 <= controlLen) {
            long len = control.get(ValueLayout.JAVA_LONG, at);
            if (len < 16 || at + len > controlLen) {
                break;
            }
            if (control.get(ValueLayout.JAVA_INT, at + 8) == SOL_SOCKET && control.get(ValueLayout.JAVA_INT, at + 12) == SCM_RIGHTS) {
                int count = (int) ((len - 16) / 4);
                int base = out.length;
                out = Arrays.copyOf(out, base + count);
                for (int i = 0; i < count; i++) {
                    out[base + i] = control.get(ValueLayout.JAVA_INT, at + 16 + 4L * i);
                }
            }
            at += (len + 7) & ~7L;
        }
        return out;
    }

    private static MemorySegment msghdr(Arena arena, MemorySegment iov, MemorySegment control, long controlLen) {
        MemorySegment msg = arena.allocate(MSGHDR_BYTES, 8);
        msg.set(ValueLayout.ADDRESS, 16, iov);
        msg.set(ValueLayout.JAVA_LONG, 24, 1);
        msg.set(ValueLayout.ADDRESS, 32, control);
        msg.set(ValueLayout.JAVA_LONG, 40, controlLen);
        return msg;
    }

    private static int unixSocket(MemorySegment st) throws IOException {
        int fd = Libc.socket(st, Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw Libc.error("socket(AF_UNIX)", st);
        }
        return fd;
    }

    private static MemorySegment sockaddr(Arena arena, Path path) {
        byte[] p = path.toString().getBytes(StandardCharsets.UTF_8);
        if (p.length >= SUN_PATH_MAX) {
            throw new IllegalArgumentException("Unix socket path longer than " + (SUN_PATH_MAX - 1) + " bytes: " + path);
        }
        MemorySegment sa = arena.allocate(2 + SUN_PATH_MAX, 2);
        sa.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_UNIX);
        MemorySegment.copy(p, 0, sa, ValueLayout.JAVA_BYTE, 2, p.length);
        return sa;
    }
}
