package dev.zerokube.overlay.runtime.udp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.zerokube.overlay.wire.InetEndpoint;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Goal: the FFM sockets carry datagrams byte for byte on loopback, with the sender's true address,
 * through plain {@code sendmmsg} batches and UDP GSO messages cut again after UDP GRO; remotes a
 * socket cannot reach and datagrams longer than the receiver takes are refused and counted; IPv4
 * remotes of an IPv6 socket travel as mapped addresses and come back as IPv4 endpoints; and the
 * warm send-and-receive path allocates nothing.
 */
class UdpSocketTest {
    private static final int GRO_SLOT = 65_535;
    private static final int BUFFERS = 1 << 20;

    private final Arena arena = Arena.ofShared();
    private final List<UdpSocket> sockets = new ArrayList<>();

    @AfterEach
    void close() {
        sockets.forEach(UdpSocket::close);
        arena.close();
    }

    private UdpSocket open(String address, boolean gro) throws IOException {
        UdpSocket s = UdpSocket.open(arena, InetAddress.getByName(address), 0, BUFFERS, gro);
        sockets.add(s);
        return s;
    }

    private static InetEndpoint endpointOf(UdpSocket s) {
        return InetEndpoint.of(s.localAddress().getAddress(), s.localAddress().getPort());
    }

    private record Got(InetEndpoint from, byte[] bytes) {}

    /** Receives until {@code count} datagrams arrived (or 5 s passed); returns them and how many messages carried them. */
    private static List<Got> receive(DatagramReceiver r, UdpSocket s, int count, int[] messages) throws InterruptedException {
        List<Got> got = new ArrayList<>();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (got.size() < count && System.nanoTime() < deadline) {
            int n = r.receive(s.fd(), (from, data, off, len) -> got.add(new Got(from, java.util.Arrays.copyOfRange(data, off, off + len))));
            if (n > 0) {
                messages[0] += n;
            } else {
                Thread.sleep(1);
            }
        }
        return got;
    }

    @Test
    void datagramsOfOneBatchArriveWholeInOrderWithTheSendersAddress() throws Exception {
        UdpSocket a = open("127.0.0.1", false);
        UdpSocket b = open("127.0.0.1", false);
        DatagramSender sender = new DatagramSender(arena, a, 16, 128 << 10, false);
        DatagramReceiver receiver = new DatagramReceiver(arena, 4, 2048, 2048);
        Random random = new Random(7);
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            byte[] d = new byte[1 + random.nextInt(1500)];
            random.nextBytes(d);
            sent.add(d);
            assertTrue(sender.add(endpointOf(b), d, 0, d.length));
        }
        assertTrue(sender.flush());
        int[] messages = {0};
        List<Got> got = receive(receiver, b, 10, messages);
        assertEquals(10, got.size());
        for (int i = 0; i < 10; i++) {
            assertArrayEquals(sent.get(i), got.get(i).bytes(), "datagram " + i);
            assertEquals(endpointOf(a), got.get(i).from());
        }
        assertEquals(0, sender.gsoSends(), "GSO off: plain datagrams");
        assertEquals(10, receiver.datagrams());
        assertEquals(0, sender.failures());
    }

    @Test
    void aGsoMessageLeavesAsOneAndIsCutAgainAfterGro() throws Exception {
        UdpSocket a = open("127.0.0.1", true);
        UdpSocket b = open("127.0.0.1", true);
        assumeTrue(b.groOn(), "skipped: this kernel has no UDP_GRO");
        DatagramSender sender = new DatagramSender(arena, a, 16, 256 << 10, true);
        DatagramReceiver receiver = new DatagramReceiver(arena, 4, GRO_SLOT, 9_000);
        Random random = new Random(11);
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            byte[] d = new byte[i == 39 ? 600 : 1400]; // equal segments, then a shorter last one
            random.nextBytes(d);
            sent.add(d);
            assertTrue(sender.add(endpointOf(b), d, 0, d.length));
        }
        assertTrue(sender.flush());
        int[] messages = {0};
        List<Got> got = receive(receiver, b, 40, messages);
        assertEquals(40, got.size());
        for (int i = 0; i < 40; i++) {
            assertArrayEquals(sent.get(i), got.get(i).bytes(), "datagram " + i);
        }
        assertTrue(sender.gsoOn());
        assertEquals(1, sender.gsoSends(), "40 datagrams of one remote in one GSO message");
        assertEquals(40, sender.gsoDatagrams());
        assertTrue(messages[0] < 40, "GRO handed over bursts: " + messages[0] + " messages for 40 datagrams");
    }

    @Test
    void aLongerDatagramOrAnotherRemoteStartsANewMessage() throws Exception {
        UdpSocket a = open("127.0.0.1", true);
        UdpSocket b = open("127.0.0.1", true);
        UdpSocket c = open("127.0.0.1", true);
        DatagramSender sender = new DatagramSender(arena, a, 16, 256 << 10, true);
        byte[] d = new byte[1000];
        sender.add(endpointOf(b), d, 0, 500);
        sender.add(endpointOf(b), d, 0, 500);
        sender.add(endpointOf(b), d, 0, 1000); // longer than the segment: a new message
        sender.add(endpointOf(b), d, 0, 1000);
        sender.add(endpointOf(c), d, 0, 1000); // another remote: a new message
        sender.add(endpointOf(c), d, 0, 1000);
        assertTrue(sender.flush());
        assertEquals(3, sender.gsoSends());
        assertEquals(6, sender.gsoDatagrams());
    }

    @Test
    void unreachableRemotesAndOverlongDatagramsAreRefusedAndCounted() throws Exception {
        UdpSocket a = open("127.0.0.1", false);
        UdpSocket b = open("127.0.0.1", false);
        DatagramSender sender = new DatagramSender(arena, a, 16, 128 << 10, false);
        byte[] d = new byte[300];
        assertFalse(sender.add(InetEndpoint.parse("::1/9993"), d, 0, d.length), "IPv6 from an IPv4 socket");
        assertFalse(sender.add(InetEndpoint.NIL, d, 0, d.length));
        assertEquals(2, sender.failures());

        DatagramReceiver receiver = new DatagramReceiver(arena, 4, 2048, 200);
        assertTrue(sender.add(endpointOf(b), d, 0, 300));
        assertTrue(sender.add(endpointOf(b), d, 0, 100));
        assertTrue(sender.flush());
        int[] messages = {0};
        List<Got> got = receive(receiver, b, 1, messages);
        assertEquals(1, got.size());
        assertEquals(100, got.getFirst().bytes().length, "the 300-byte datagram is over the receiver's 200");
        assertEquals(2, receiver.datagrams());
        assertEquals(1, receiver.dropped());
    }

    @Test
    void anIpv6SocketReachesIpv4ThroughMappedAddressesAndReportsThemAsIpv4() throws Exception {
        UdpSocket v6;
        try {
            v6 = open("::", false);
        } catch (IOException e) {
            assumeTrue(false, "skipped: no IPv6 here (" + e.getMessage() + ")");
            return;
        }
        UdpSocket v4 = open("127.0.0.1", false);
        DatagramReceiver receiver = new DatagramReceiver(arena, 4, 2048, 2048);
        byte[] d = {1, 2, 3};
        DatagramSender fromV6 = new DatagramSender(arena, v6, 4, 128 << 10, false);
        assertTrue(fromV6.add(endpointOf(v4), d, 0, 3));
        assertTrue(fromV6.flush());
        int[] messages = {0};
        List<Got> atV4 = receive(receiver, v4, 1, messages);
        assertEquals(1, atV4.size());
        InetEndpoint v6Seen = atV4.getFirst().from();
        assertTrue(v6Seen.isIpv4(), "seen from the IPv4 socket: " + v6Seen);
        assertEquals(v6.localAddress().getPort(), v6Seen.port());

        DatagramSender fromV4 = new DatagramSender(arena, v4, 4, 128 << 10, false);
        assertTrue(fromV4.add(v6Seen, d, 0, 3));
        assertTrue(fromV4.flush());
        List<Got> atV6 = receive(receiver, v6, 1, messages);
        assertEquals(1, atV6.size());
        assertEquals(endpointOf(v4), atV6.getFirst().from(), "a mapped sender is an IPv4 endpoint");
    }

    @Test
    void aPortInUseIsAClearError() throws Exception {
        UdpSocket a = open("127.0.0.1", false);
        IOException e = assertThrows(IOException.class, () -> UdpSocket.open(arena, InetAddress.getByName("127.0.0.1"),
                a.localAddress().getPort(), BUFFERS, false));
        assertTrue(e.getMessage().contains("cannot bind UDP 127.0.0.1/" + a.localAddress().getPort()), e.getMessage());
        assertTrue(e.getMessage().contains("in use"), e.getMessage());
    }

    @Test
    void theWarmPathAllocatesNothing() throws Exception {
        UdpSocket a = open("127.0.0.1", true);
        UdpSocket b = open("127.0.0.1", true);
        DatagramSender sender = new DatagramSender(arena, a, 64, 256 << 10, true);
        DatagramReceiver receiver = new DatagramReceiver(arena, 8, GRO_SLOT, 9_000);
        InetEndpoint to = endpointOf(b);
        byte[] d = new byte[1400];
        long[] sum = {0};
        DatagramReceiver.Handler handler = (from, data, off, len) -> sum[0] += len + from.port();
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        // three rounds of 20,000 batches; the JIT compiles the path during the first ones, so the
        // least any round allocated is what the compiled path costs
        long least = Long.MAX_VALUE;
        for (int phase = 0; phase < 3; phase++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int round = 0; round < 20_000; round++) {
                for (int i = 0; i < 4; i++) {
                    sender.add(to, d, 0, (round & 1) == 0 ? d.length : 200);
                }
                sender.flush();
                while (receiver.receive(b.fd(), handler) > 0) {
                    // drain
                }
            }
            least = Math.min(least, threads.getCurrentThreadAllocatedBytes() - before);
        }
        long allocated = least;
        assertTrue(sum[0] > 0);
        assertTrue(allocated < 4096, allocated + " bytes allocated for 80,000 datagrams sent and received");
    }
}
