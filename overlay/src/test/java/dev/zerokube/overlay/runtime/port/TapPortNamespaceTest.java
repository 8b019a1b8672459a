package dev.zerokube.overlay.runtime.port;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.zerokube.overlay.runtime.LocalApi;
import dev.zerokube.overlay.runtime.PortFactory;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.Mac;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.netconf.Route;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Goal: {@link TapPort} works against the real kernel: configuration over rtnetlink is what
 * {@code ip} then shows, frames the namespace's stack sends come out of the port (ARP, UDP with
 * a completed checksum, ICMP), frames written into the port are taken by the stack, a large TCP
 * transfer comes out as TSO super-frames that the segmenter cuts into frames the receiving kernel
 * accepts without a checksum error, and a TAP descriptor handed over a Unix socket keeps working.
 * Method: namespaces made by the test ({@code zk-test-*}, deleted in {@code @AfterEach} even on
 * failure), addresses from 198.18.0.0/15 and fd5a::/16, sockets opened inside the namespaces with
 * {@link NetNs}. Skipped with a message unless root.
 */
@Timeout(120)
class TapPortNamespaceTest {
    private static final Mac MAC_A = Mac.parse("02:5a:00:00:00:01");
    private static final Mac MAC_B = Mac.parse("02:5a:00:00:00:02");
    private static final byte[] IP_A = {(byte) 198, 18, 77, 1};
    private static final byte[] IP_B = {(byte) 198, 18, 77, 2};
    private static final long WAIT_MS = 10_000;

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @BeforeEach
    void root() {
        TestNamespace.assumeRoot();
    }

    @AfterEach
    void cleanUp() throws Exception {
        Exception first = null;
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            try {
                cleanup.get(i).close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        cleanup.clear();
        if (first != null) {
            throw first;
        }
    }

    private TestNamespace namespace() throws IOException {
        TestNamespace ns = TestNamespace.create();
        cleanup.add(ns);
        return ns;
    }

    private TapPort tap(TestNamespace ns, String name) throws IOException {
        TapPort port = NetNs.call(ns.path, () -> TapPort.open(name));
        cleanup.add(port);
        return port;
    }

    private static PortConfig config(int mtu, Mac mac, byte[] ip) {
        return new PortConfig(mtu, mac, List.of(InetEndpoint.of(ip, 24)), List.of());
    }

    @Test
    void theKernelSeesTheConfiguration() throws Exception {
        TestNamespace ns = namespace();
        TapPort port = tap(ns, "zk0");
        assertEquals("zk0", port.name());
        assertTrue(port.vnetHeader());
        assertTrue(port.tso(), "TUNSETOFFLOAD with CSUM|TSO4|TSO6 accepted");
        port.configure(new PortConfig(2800, MAC_A,
                List.of(InetEndpoint.parse("198.18.77.1/24"), InetEndpoint.parse("fd5a::1/64")),
                List.of(Route.direct(InetEndpoint.parse("198.18.77.0/24")),
                        Route.direct(InetEndpoint.parse("198.19.88.0/24")),
                        new Route(InetEndpoint.parse("198.19.77.0/24"), InetEndpoint.parse("198.18.77.2/0"), 0, 0),
                        Route.direct(InetEndpoint.parse("fd5b::/48")))));
        String link = ns.ip("-o", "link", "show", "zk0");
        assertTrue(link.contains("mtu 2800"), link);
        assertTrue(link.contains("link/ether " + MAC_A), link);
        assertTrue(link.contains(",UP"), link);
        String addr = ns.ip("-o", "addr", "show", "dev", "zk0");
        assertTrue(addr.contains("inet 198.18.77.1/24"), addr);
        assertTrue(addr.contains("inet6 fd5a::1/64"), addr);
        String routes = ns.ip("route", "show", "dev", "zk0");
        assertTrue(routes.contains("198.19.88.0/24 proto static scope link"), routes);
        assertTrue(routes.contains("198.19.77.0/24 via 198.18.77.2 proto static"), routes);
        assertTrue(routes.contains("198.18.77.0/24 proto kernel"), "the connected route stays the kernel's: " + routes);
        assertTrue(ns.ip("-6", "route", "show", "dev", "zk0").contains("fd5b::/48 proto static"));

        // Reconfigure: smaller MTU, the IPv6 address and two routes gone.
        port.configure(new PortConfig(1500, MAC_B, List.of(InetEndpoint.parse("198.18.77.1/24")),
                List.of(new Route(InetEndpoint.parse("198.19.77.0/24"), InetEndpoint.parse("198.18.77.2/0"), 0, 0))));
        link = ns.ip("-o", "link", "show", "zk0");
        assertTrue(link.contains("mtu 1500") && link.contains("link/ether " + MAC_B), link);
        addr = ns.ip("-o", "addr", "show", "dev", "zk0");
        assertFalse(addr.contains("fd5a::1"), addr);
        assertTrue(addr.contains("inet 198.18.77.1/24"), addr);
        routes = ns.ip("route", "show", "dev", "zk0");
        assertFalse(routes.contains("198.19.88.0"), routes);
        assertTrue(routes.contains("198.19.77.0/24 via 198.18.77.2"), routes);
        assertFalse(ns.ip("-6", "route", "show", "dev", "zk0").contains("fd5b::"));
        port.configure(port.config()); // idempotent
    }

    @Test
    void udpFromTheNamespaceComesOutAfterWeAnswerArp() throws Exception {
        TestNamespace ns = namespace();
        TapPort port = tap(ns, "zk0");
        port.configure(config(1500, MAC_A, IP_A));
        BlockingQueue<byte[]> frames = collect(port);
        DatagramChannel udp = NetNs.call(ns.path, () -> DatagramChannel.open(StandardProtocolFamily.INET)
                .bind(new InetSocketAddress("198.18.77.1", 0)));
        cleanup.add(udp);
        byte[] payload = "hello from the namespace, an odd-length payload".getBytes(StandardCharsets.US_ASCII);
        udp.send(ByteBuffer.wrap(payload), new InetSocketAddress("198.18.77.2", 5555));

        byte[] arp = await(frames, f -> isArpRequestFor(f, IP_B), "ARP request for 198.18.77.2");
        assertArrayEquals(MAC_A.toBytes(), Arrays.copyOfRange(arp, 6, 12));
        assertTrue(port.write(arpReply(arp, MAC_B, IP_B), 0, 42), "ARP reply written");

        byte[] f = await(frames, g -> Frames.u16(g, 12) == 0x0800 && g[23] == 17, "the UDP datagram");
        assertArrayEquals(MAC_B.toBytes(), Arrays.copyOfRange(f, 0, 6), "sent to the MAC our ARP reply gave");
        assertEquals(5555, Frames.u16(f, 36));
        assertArrayEquals(payload, Arrays.copyOfRange(f, 42, f.length));
        assertTrue(Frames.l4ChecksumOk(f, 14, true, 17, 34, f.length - 34),
                "UDP checksum completed (the kernel left it partial: TUN_F_CSUM)");
    }

    @Test
    void anIcmpEchoWrittenIntoThePortIsAnswered() throws Exception {
        TestNamespace ns = namespace();
        TapPort port = tap(ns, "zk0");
        port.configure(config(1500, MAC_A, IP_A));
        ns.ip("neigh", "replace", "198.18.77.2", "lladdr", MAC_B.toString(), "dev", "zk0", "nud", "permanent");
        BlockingQueue<byte[]> frames = collect(port);
        byte[] echo = icmpEcho(MAC_B, MAC_A, IP_B, IP_A, 8, 0x4242, 7, "ping payload".getBytes(StandardCharsets.US_ASCII));
        assertTrue(port.write(echo, 0, echo.length));
        byte[] reply = await(frames, f -> Frames.u16(f, 12) == 0x0800 && f[23] == 1 && f[34] == 0, "ICMP echo reply");
        assertArrayEquals(MAC_B.toBytes(), Arrays.copyOfRange(reply, 0, 6));
        assertEquals(0x4242, Frames.u16(reply, 38));
        assertEquals(7, Frames.u16(reply, 40));
        assertArrayEquals(Arrays.copyOfRange(echo, 42, echo.length), Arrays.copyOfRange(reply, 42, reply.length));
        assertEquals(1, port.counters().framesToHost());
    }

    @Test
    void aUdpFrameWrittenIntoThePortReachesASocket() throws Exception {
        TestNamespace ns = namespace();
        TapPort port = tap(ns, "zk0");
        port.configure(config(1500, MAC_A, IP_A));
        DatagramChannel udp = NetNs.call(ns.path, () -> DatagramChannel.open(StandardProtocolFamily.INET)
                .bind(new InetSocketAddress("198.18.77.1", 0)));
        cleanup.add(udp);
        int dstPort = ((InetSocketAddress) udp.getLocalAddress()).getPort();
        byte[] payload = new byte[1000];
        new SplittableRandom(5).nextBytes(payload);
        byte[] f = udpFrame(MAC_B, MAC_A, IP_B, IP_A, 4444, dstPort, payload, true);
        byte[] badChecksum = f.clone();
        badChecksum[40] ^= 0x55;
        assertTrue(port.write(badChecksum, 0, badChecksum.length), "the TAP takes it; the stack then drops it");
        assertTrue(port.write(f, 0, f.length));
        java.net.DatagramPacket got = new java.net.DatagramPacket(new byte[2000], 2000);
        udp.socket().setSoTimeout((int) WAIT_MS);
        try {
            udp.socket().receive(got);
        } catch (java.net.SocketTimeoutException e) {
            fail("nothing received; " + ns.exec("cat", "/proc/net/snmp") + ns.ip("-s", "link", "show", "zk0") + port.counters());
        }
        assertEquals(new InetSocketAddress("198.18.77.2", 4444), got.getSocketAddress());
        assertArrayEquals(payload, Arrays.copyOf(got.getData(), got.getLength()), "the good datagram; the corrupted one was dropped");
        assertTrue(ns.snmp("Udp", "InCsumErrors") >= 1, "the kernel verified the checksum of the zero-header write");
    }

    /**
     * Two namespaces joined by two TAPs and this test as the "wire" (each port's frames written to
     * the other): a 16 MiB TCP transfer from A to B leaves A's TAP as TSO super-frames that the
     * segmenter must cut; B's kernel verifies every segment's checksums (zero virtio header).
     */
    @Test
    void aLargeTcpTransferIsSegmentedCorrectly() throws Exception {
        transfer(false);
    }

    /**
     * The same with user-space GRO on B's writes: A's segments are merged back into GSO writes
     * (flushed at the end of each of A's read batches), B's kernel receives them whole.
     */
    @Test
    void aLargeTcpTransferSurvivesMergedWrites() throws Exception {
        transfer(true, false);
    }

    /**
     * As a node's TAP writes (PortFactory): merged and marked DATA_VALID, so neither the merger
     * nor B's kernel sums the segments; the data must still arrive whole and in order.
     */
    @Test
    void aLargeTcpTransferSurvivesMergedWritesMarkedDataValid() throws Exception {
        transfer(true, true);
    }

    /**
     * As a node on the epoll transport reads its TAP: A is read by the caller's loop
     * ({@link TapPort#startPolled}, {@link TapPort#readReady} a few reads at a time), not by a
     * thread of the port's.
     */
    @Test
    void aLargeTcpTransferReadByTheCallersLoop() throws Exception {
        transfer(true, true, true);
    }

    @Test
    void aPortIsReadEitherByItsThreadOrByTheCallersLoopNeverBoth() throws Exception {
        TestNamespace ns = namespace();
        TapPort threaded = tap(ns, "zk0");
        assertThrows(IllegalStateException.class, () -> threaded.readReady(1), "not started for polling");
        threaded.start((f, off, len) -> { });
        assertThrows(IllegalStateException.class, () -> threaded.startPolled((f, off, len) -> { }));
        TapPort polled = tap(ns, "zk1");
        int fd = polled.startPolled((f, off, len) -> { });
        assertTrue(fd >= 0);
        assertThrows(IllegalStateException.class, () -> polled.start((f, off, len) -> { }));
        assertThrows(IllegalStateException.class, () -> polled.startPolled((f, off, len) -> { }));
        assertFalse(polled.readReady(4), "nothing waits on a port that is down");
        polled.close();
        assertFalse(polled.readReady(4), "a closed port reads nothing");
    }

    private void transfer(boolean merge) throws Exception {
        transfer(merge, false);
    }

    private void transfer(boolean merge, boolean dataValid) throws Exception {
        transfer(merge, dataValid, false);
    }

    private void transfer(boolean merge, boolean dataValid, boolean pollA) throws Exception {
        TestNamespace nsA = namespace();
        TestNamespace nsB = namespace();
        TapPort a = tap(nsA, "zk0");
        TapPort b = tap(nsB, "zk0");
        int mtu = 1500;
        a.configure(config(mtu, MAC_A, IP_A));
        b.configure(config(mtu, MAC_B, IP_B));
        AtomicInteger tooLong = new AtomicInteger();
        AtomicInteger badChecksum = new AtomicInteger();
        AtomicLong tcpFrames = new AtomicLong();
        b.markWritesDataValid(dataValid);
        b.mergeWrites(merge);
        FrameConsumer toB = new FrameConsumer() {
            @Override
            public void onFrame(byte[] f, int off, int len) {
            if (len > mtu + 14) {
                tooLong.incrementAndGet();
            }
            if (len > 54 && Frames.u16(f, off + 12) == 0x0800 && f[off + 23] == 6) {
                tcpFrames.incrementAndGet();
                byte[] copy = Arrays.copyOfRange(f, off, off + len);
                int ihl = (copy[14] & 0x0f) * 4;
                if (Frames.referenceSum(copy, 14, ihl) != 0xffff
                        || !Frames.l4ChecksumOk(copy, 14, true, 6, 14 + ihl, len - 14 - ihl)) {
                    badChecksum.incrementAndGet();
                }
            }
            b.write(f, off, len);
            }

            @Override
            public void onBatchEnd() {
                b.flush();
            }
        };
        java.util.concurrent.atomic.AtomicBoolean stopPolling = new java.util.concurrent.atomic.AtomicBoolean();
        Thread poller = null;
        if (pollA) {
            a.startPolled(toB);
            // the caller's loop, crudely: a few reads, a flush of what was merged, a short nap when empty
            poller = Thread.ofPlatform().daemon().name("test-poller").start(() -> {
                while (!stopPolling.get()) {
                    boolean more = a.readReady(4);
                    b.flush();
                    if (!more) {
                        java.util.concurrent.locks.LockSupport.parkNanos(20_000);
                    }
                }
            });
        } else {
            a.start(toB);
        }
        b.start(a::write);
        try {
            transferThrough(a, b, nsA, nsB, mtu, merge, tooLong, badChecksum, tcpFrames);
        } finally {
            stopPolling.set(true);
            if (poller != null) {
                poller.join(5_000);
            }
        }
    }

    private void transferThrough(TapPort a, TapPort b, TestNamespace nsA, TestNamespace nsB, int mtu, boolean merge,
            AtomicInteger tooLong, AtomicInteger badChecksum, AtomicLong tcpFrames) throws Exception {

        ServerSocketChannel server = NetNs.call(nsB.path, () -> ServerSocketChannel.open().bind(new InetSocketAddress("198.18.77.2", 0)));
        cleanup.add(server);
        int serverPort = ((InetSocketAddress) server.getLocalAddress()).getPort();
        SocketChannel client = NetNs.call(nsA.path, () -> SocketChannel.open());
        cleanup.add(client);
        client.connect(new InetSocketAddress("198.18.77.2", serverPort));
        SocketChannel accepted = server.accept();
        cleanup.add(accepted);

        int total = 16 << 20;
        byte[] data = new byte[total];
        new SplittableRandom(99).nextBytes(data);
        Thread sender = Thread.ofPlatform().start(() -> {
            try {
                ByteBuffer buf = ByteBuffer.wrap(data);
                while (buf.hasRemaining()) {
                    client.write(buf);
                }
                client.shutdownOutput();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        MessageDigest received = MessageDigest.getInstance("SHA-256");
        ByteBuffer in = ByteBuffer.allocate(1 << 16);
        long got = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (got < total && System.nanoTime() < deadline) {
            in.clear();
            int n = accepted.read(in);
            if (n < 0) {
                break;
            }
            received.update(in.array(), 0, n);
            got += n;
        }
        sender.join(10_000);
        assertEquals(total, got, "all bytes arrived");
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(data), received.digest(), "intact");
        PortCounters ca = a.counters();
        assertTrue(ca.superFramesFromHost() > 0, "A's kernel handed over TSO super-frames: " + ca);
        assertTrue(tcpFrames.get() > total / (mtu - 52), "segments: " + tcpFrames.get());
        assertEquals(0, tooLong.get(), "no frame longer than MTU + 14");
        assertEquals(0, badChecksum.get(), "every segment's IPv4 and TCP checksum verified");
        assertEquals(0, nsB.snmp("Tcp", "InCsumErrors"), "B's kernel found no checksum error");
        assertEquals(0, ca.framesFromHostDropped());
        assertEquals(0, b.counters().framesToHostDropped());
        if (merge) {
            assertTrue(b.mergedSegments() > tcpFrames.get() / 2, "most segments merged: " + b.mergedSegments() + " of " + tcpFrames.get());
        }
    }

    /**
     * The ports a node gets from {@link PortFactory}, a TAP it opens and one the node agent hands
     * over, write what the node gives them as authenticated frames: DATA_VALID and merged.
     */
    @Test
    void aNodesPortsWriteAuthenticatedFramesMerged() throws Exception {
        TestNamespace ns = namespace();
        NetworkId opened = NetworkId.parse("8056c2e21c000001");
        TapPort own = (TapPort) NetNs.call(ns.path, () -> PortFactory.tap().open(opened));
        cleanup.add(own);
        assertEquals(LocalApi.deviceName(opened), own.name());
        assertTrue(own.writesDataValid() && own.mergesWrites(), "the node's own TAP");

        TapPort agentPort = tap(ns, "zk1");
        int[] pair = FdPassing.socketPair();
        cleanup.add(() -> FdPassing.close(pair[0]));
        cleanup.add(() -> FdPassing.close(pair[1]));
        FdPassing.send(pair[0], agentPort.fd(), "8056c2e21c000002".getBytes(StandardCharsets.US_ASCII));
        int handedOver = FdPassing.receive(pair[1]).fd();
        NetworkId adopted = NetworkId.parse("8056c2e21c000002");
        PortFactory factory = PortFactory.adopting(Map.of(adopted, handedOver), id -> {
            throw new IOException("no other network here");
        });
        TapPort given = (TapPort) NetNs.call(ns.path, () -> factory.open(adopted));
        cleanup.add(given);
        assertEquals("zk1", given.name());
        assertTrue(given.writesDataValid() && given.mergesWrites(), "the TAP handed over");
    }

    @Test
    void aTapDescriptorHandedOverASocketKeepsWorking() throws Exception {
        TestNamespace ns = namespace();
        // The "node agent": opens and configures the TAP inside the namespace, passes it on.
        TapPort agentPort = tap(ns, "zk0");
        agentPort.configure(config(1500, MAC_A, IP_A));
        ns.ip("neigh", "replace", "198.18.77.2", "lladdr", MAC_B.toString(), "dev", "zk0", "nud", "permanent");
        int[] pair = FdPassing.socketPair();
        cleanup.add(() -> FdPassing.close(pair[0]));
        cleanup.add(() -> FdPassing.close(pair[1]));
        FdPassing.send(pair[0], agentPort.fd(), "8056c2e21c000001".getBytes(StandardCharsets.US_ASCII));
        FdPassing.Received received = FdPassing.receive(pair[1]);
        assertEquals("8056c2e21c000001", received.text());
        agentPort.close(); // the agent's copy goes; the sidecar's keeps the device alive

        // The "sidecar": adopts the descriptor (in its own namespace, where the TAP is).
        TapPort port = NetNs.call(ns.path, () -> TapPort.adopt(received.fd()));
        cleanup.add(port);
        assertEquals("zk0", port.name());
        assertTrue(port.vnetHeader());
        assertNotNull(port.counters());
        BlockingQueue<byte[]> frames = collect(port);
        byte[] echo = icmpEcho(MAC_B, MAC_A, IP_B, IP_A, 8, 0x77, 1, new byte[64]);
        assertTrue(port.write(echo, 0, echo.length));
        byte[] reply = await(frames, f -> Frames.u16(f, 12) == 0x0800 && f[23] == 1 && f[34] == 0, "ICMP echo reply");
        assertEquals(0x77, Frames.u16(reply, 38));
        assertTrue(ns.ip("-o", "link", "show", "zk0").contains("mtu 1500"), "the device survived the agent's close");
    }

    @Test
    void withoutOffloadsFramesFlowAndCloseRemovesTheDevice() throws Exception {
        TestNamespace ns = namespace();
        TapPort port = NetNs.call(ns.path, () -> TapPort.open("zk%d", false));
        cleanup.add(port);
        assertTrue(port.name().startsWith("zk"), port.name());
        assertFalse(port.vnetHeader());
        assertFalse(port.tso());
        port.configure(config(1280, MAC_A, IP_A));
        ns.ip("neigh", "replace", "198.18.77.2", "lladdr", MAC_B.toString(), "dev", port.name(), "nud", "permanent");
        BlockingQueue<byte[]> frames = collect(port);
        byte[] echo = icmpEcho(MAC_B, MAC_A, IP_B, IP_A, 8, 0x99, 3, new byte[1200]);
        assertTrue(port.write(echo, 0, echo.length));
        byte[] tooLong = new byte[1280 + 14 + 1];
        assertFalse(port.write(tooLong, 0, tooLong.length), "longer than MTU + 14");
        byte[] reply = await(frames, f -> Frames.u16(f, 12) == 0x0800 && f[23] == 1 && f[34] == 0, "ICMP echo reply");
        assertEquals(echo.length, reply.length);
        assertEquals(1, port.counters().framesToHostDropped());
        port.close();
        assertEquals(null, port.readFailure());
        assertFalse(port.write(echo, 0, echo.length), "closed");
        assertFalse(ns.ip("-o", "link").contains(port.name() + ":"), "the TAP went with its last descriptor");
    }

    @Test
    void aPersistentTapOwnedByAUserOutlivesItsDescriptor() throws Exception {
        TestNamespace ns = namespace();
        TapPort port = tap(ns, "zk0");
        port.makePersistent(65534);
        port.configure(config(1500, MAC_A, IP_A));
        port.close();
        String link = ns.ip("-d", "-o", "link", "show", "zk0");
        assertTrue(link.contains("persist on") && (link.contains("user 65534") || link.contains("user nobody")), link);
        assertTrue(ns.ip("-o", "addr", "show", "dev", "zk0").contains("198.18.77.1/24"), "configuration kept");
        // Attach again by name (as the sidecar would), then let it go.
        TapPort again = tap(ns, "zk0");
        assertTrue(again.vnetHeader());
        again.dropPersistence();
        again.close();
        assertFalse(ns.ip("-o", "link").contains("zk0:"), "gone with the last descriptor");
    }

    private BlockingQueue<byte[]> collect(TapPort port) {
        BlockingQueue<byte[]> q = new LinkedBlockingQueue<>();
        port.start((f, off, len) -> q.add(Arrays.copyOfRange(f, off, off + len)));
        return q;
    }

    private static byte[] await(BlockingQueue<byte[]> frames, Predicate<byte[]> wanted, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            byte[] f = frames.poll(100, TimeUnit.MILLISECONDS);
            if (f == null) {
                continue;
            }
            if (f.length >= 14 && wanted.test(f)) {
                return f;
            }
            seen.add(String.format("%04x/%d", f.length >= 14 ? Frames.u16(f, 12) : 0, f.length));
        }
        fail("no " + what + " within " + WAIT_MS + " ms; other frames (ethertype/length): " + seen);
        return null;
    }

    private static boolean isArpRequestFor(byte[] f, byte[] ip) {
        return f.length >= 42 && Frames.u16(f, 12) == 0x0806 && Frames.u16(f, 20) == 1
                && Arrays.equals(Arrays.copyOfRange(f, 38, 42), ip);
    }

    private static byte[] arpReply(byte[] request, Mac mac, byte[] ip) {
        byte[] r = new byte[42];
        System.arraycopy(request, 6, r, 0, 6);
        System.arraycopy(mac.toBytes(), 0, r, 6, 6);
        Checksum.putU16(r, 12, 0x0806);
        Checksum.putU16(r, 14, 1);
        Checksum.putU16(r, 16, 0x0800);
        r[18] = 6;
        r[19] = 4;
        Checksum.putU16(r, 20, 2);
        System.arraycopy(mac.toBytes(), 0, r, 22, 6);
        System.arraycopy(ip, 0, r, 28, 4);
        System.arraycopy(request, 22, r, 32, 10); // the asker's MAC and IP
        return r;
    }

    private static byte[] ipv4(Mac srcMac, Mac dstMac, byte[] src, byte[] dst, int proto, int l4Len) {
        byte[] f = new byte[14 + 20 + l4Len];
        System.arraycopy(dstMac.toBytes(), 0, f, 0, 6);
        System.arraycopy(srcMac.toBytes(), 0, f, 6, 6);
        Checksum.putU16(f, 12, 0x0800);
        f[14] = 0x45;
        Checksum.putU16(f, 16, 20 + l4Len);
        Checksum.putU16(f, 18, 0x1234);
        f[22] = 64;
        f[23] = (byte) proto;
        System.arraycopy(src, 0, f, 26, 4);
        System.arraycopy(dst, 0, f, 30, 4);
        Checksum.putU16(f, 24, Checksum.finish(Checksum.sum(f, 14, 20)));
        return f;
    }

    private static byte[] icmpEcho(Mac srcMac, Mac dstMac, byte[] src, byte[] dst, int type, int id, int seq, byte[] data) {
        byte[] f = ipv4(srcMac, dstMac, src, dst, 1, 8 + data.length);
        f[34] = (byte) type;
        Checksum.putU16(f, 38, id);
        Checksum.putU16(f, 40, seq);
        System.arraycopy(data, 0, f, 42, data.length);
        Checksum.putU16(f, 36, Checksum.finish(Checksum.sum(f, 34, 8 + data.length)));
        return f;
    }

    private static byte[] udpFrame(Mac srcMac, Mac dstMac, byte[] src, byte[] dst, int srcPort, int dstPort, byte[] payload, boolean checksum) {
        byte[] f = ipv4(srcMac, dstMac, src, dst, 17, 8 + payload.length);
        Checksum.putU16(f, 34, srcPort);
        Checksum.putU16(f, 36, dstPort);
        Checksum.putU16(f, 38, 8 + payload.length);
        System.arraycopy(payload, 0, f, 42, payload.length);
        if (checksum) {
            Checksum.putU16(f, 40, Checksum.finish(Checksum.pseudoHeader(f, 26, 4, 17, 8 + payload.length) + Checksum.sum(f, 34, 8 + payload.length)));
        }
        return f;
    }
}
