package dev.zerokube.overlay.runtime.port;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.runtime.sys.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Goal: {@link FdPassing} moves a working descriptor between sockets, over a socket pair and over
 * a listening socket on a path, with its message, and refuses what is not one descriptor.
 * Method: pass one end of a second socket pair and talk through the received copy; no privileges
 * needed (the TAP handover itself is in {@code TapPortNamespaceTest}).
 */
@Timeout(30)
class FdPassingTest {
    private final List<Integer> fds = new ArrayList<>();

    @AfterEach
    void closeAll() {
        fds.forEach(FdPassing::close);
    }

    private int[] pair() throws IOException {
        int[] p = FdPassing.socketPair();
        fds.add(p[0]);
        fds.add(p[1]);
        return p;
    }

    @Test
    void aDescriptorCrossesASocketPairAndStillWorks() throws IOException {
        int[] carrier = pair();
        int[] passenger = pair();
        FdPassing.send(carrier[0], passenger[1], "network 8056c2e21c000001".getBytes(StandardCharsets.UTF_8));
        FdPassing.Received r = FdPassing.receive(carrier[1]);
        fds.add(r.fd());
        assertEquals("network 8056c2e21c000001", r.text());
        assertNotEquals(passenger[1], r.fd(), "the receiver gets its own descriptor");
        FdPassing.close(passenger[1]);
        fds.remove(Integer.valueOf(passenger[1]));
        // The received copy is the same socket: bytes written to the other end arrive on it.
        assertArrayEquals(new byte[] {1, 2, 3}, roundTrip(passenger[0], r.fd(), new byte[] {1, 2, 3}));
    }

    @Test
    void thePeerIsThisProcess() throws IOException {
        int[] p = pair();
        FdPassing.Peer peer = FdPassing.peer(p[0]);
        assertEquals(ProcessHandle.current().pid(), peer.pid());
        assertEquals(((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue(), peer.uid());
        assertThrows(IOException.class, () -> FdPassing.peer(-1));
    }

    @Test
    void aDescriptorCrossesAListeningSocket() throws Exception {
        Path dir = Files.createTempDirectory("zk-fdpass");
        Path path = dir.resolve("agent.sock");
        int listener = FdPassing.listen(path);
        fds.add(listener);
        int[] passenger = pair();
        Thread agent = Thread.ofPlatform().start(() -> {
            try {
                int conn = FdPassing.accept(listener);
                FdPassing.send(conn, passenger[1], new byte[] {42});
                FdPassing.close(conn);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        int client = FdPassing.connect(path);
        fds.add(client);
        FdPassing.Received r = FdPassing.receive(client);
        fds.add(r.fd());
        agent.join();
        assertArrayEquals(new byte[] {42}, r.message());
        assertArrayEquals(new byte[] {9}, roundTrip(passenger[0], r.fd(), new byte[] {9}));
        Files.delete(path);
        Files.delete(dir);
    }

    @Test
    void refusals() throws IOException {
        int[] carrier = pair();
        assertThrows(IllegalArgumentException.class, () -> FdPassing.send(carrier[0], carrier[0], new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> FdPassing.send(carrier[0], carrier[0], new byte[FdPassing.MESSAGE_MAX + 1]));
        // Data without a descriptor.
        write(carrier[0], new byte[] {1});
        IOException none = assertThrows(IOException.class, () -> FdPassing.receive(carrier[1]));
        assertTrue(none.getMessage().contains("exactly one descriptor"), none.getMessage());
        // The peer went away.
        FdPassing.close(carrier[0]);
        fds.remove(Integer.valueOf(carrier[0]));
        IOException closed = assertThrows(IOException.class, () -> FdPassing.receive(carrier[1]));
        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
        IOException notTap = assertThrows(IOException.class, () -> TapPort.adopt(carrier[1]));
        assertTrue(notTap.getMessage().contains("TUNGETIFF"), notTap.getMessage());
        IOException noPath = assertThrows(IOException.class, () -> FdPassing.connect(Path.of("/nonexistent/zk.sock")));
        assertTrue(noPath.getMessage().contains("/nonexistent/zk.sock"), noPath.getMessage());
    }

    private static byte[] roundTrip(int from, int to, byte[] data) throws IOException {
        write(from, data);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Libc.newCallState(arena);
            MemorySegment buf = arena.allocate(64);
            long n = Libc.recv(st, to, buf, 64, 0);
            if (n < 0) {
                throw Libc.error("recv", st);
            }
            return buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    private static void write(int fd, byte[] data) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Libc.newCallState(arena);
            MemorySegment buf = arena.allocate(data.length);
            MemorySegment.copy(data, 0, buf, ValueLayout.JAVA_BYTE, 0, data.length);
            if (Libc.send(st, fd, buf, data.length, 0) != data.length) {
                throw Libc.error("send", st);
            }
        }
    }
}
