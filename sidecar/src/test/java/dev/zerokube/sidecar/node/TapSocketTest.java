package dev.zerokube.sidecar.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.runtime.port.FdPassing;
import dev.zerokube.overlay.wire.NetworkId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/*
 * Goal: `zerokube node --tap-socket PATH` takes the descriptors the node agent sends, each keyed
 * by the network id that came with it, until the agent closes the socket; a descriptor with
 * anything else than a network id is refused with a clear message. Method: a listening Unix
 * socket in a temp dir and a sender thread passing ordinary descriptors (one end of socket pairs:
 * what the descriptor is does not matter until the node adopts it as a TAP).
 */
class TapSocketTest {
    @Test
    void receivesDescriptorsKeyedByNetworkUntilTheSenderCloses(@TempDir Path tmp) throws Exception {
        Path path = tmp.resolve("taps.sock");
        int listener = FdPassing.listen(path);
        int[] a = FdPassing.socketPair();
        int[] b = FdPassing.socketPair();
        Thread agent = Thread.ofPlatform().start(() -> send(listener, new int[] {a[0], b[0]},
                new String[] {"8056c2e21c000001", "1d71939404000001\n"}));
        try {
            Map<NetworkId, Integer> fds = NodeCommand.receiveTaps(path);
            agent.join(10_000);
            assertEquals(2, fds.size(), fds.toString());
            assertTrue(fds.get(NetworkId.parse("8056c2e21c000001")) > 2);
            assertTrue(fds.get(NetworkId.parse("1d71939404000001")) > 2);
            fds.values().forEach(FdPassing::close);
        } finally {
            for (int fd : new int[] {listener, a[0], a[1], b[0], b[1]}) {
                FdPassing.close(fd);
            }
        }
    }

    @Test
    void aDescriptorWithoutANetworkIdIsRefused(@TempDir Path tmp) throws Exception {
        Path path = tmp.resolve("taps.sock");
        int listener = FdPassing.listen(path);
        int[] a = FdPassing.socketPair();
        Thread agent = Thread.ofPlatform().start(() -> send(listener, new int[] {a[0]}, new String[] {"eth0"}));
        try {
            IOException e = assertThrows(IOException.class, () -> NodeCommand.receiveTaps(path));
            assertTrue(e.getMessage().contains("'eth0', not a network id"), e.getMessage());
            agent.join(10_000);
        } finally {
            for (int fd : new int[] {listener, a[0], a[1]}) {
                FdPassing.close(fd);
            }
        }
    }

    private static void send(int listener, int[] fds, String[] messages) {
        try {
            int conn = FdPassing.accept(listener);
            try {
                for (int i = 0; i < fds.length; i++) {
                    FdPassing.send(conn, fds[i], messages[i].getBytes(StandardCharsets.UTF_8));
                }
            } finally {
                FdPassing.close(conn);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
