package dev.zerokube.overlay.runtime.udp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.zerokube.overlay.runtime.port.NetNs;
import dev.zerokube.overlay.runtime.port.TestNamespace;
import dev.zerokube.overlay.runtime.sys.Libc;
import dev.zerokube.overlay.wire.InetEndpoint;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/*
 * Goal: a full socket buffer loses nothing that the queue holds and never blocks the caller: the
 * flush says the socket is full, waits for writable are the caller's, and after them everything
 * queued leaves in order; a datagram that finds the queue full as well is refused and counted.
 * Method: a throwaway namespace zk-udp-* whose loopback is slowed by a token bucket (tc tbf,
 * 20 Mbit/s), so what was sent sits in the qdisc, charged to the sender's buffer, until the
 * kernel answers EAGAIN. Skipped with a message unless root with iproute2's tc and sch_tbf.
 */
@Timeout(60)
class DatagramSenderNetnsTest {
    @Test
    void aFullSocketBufferMakesTheQueueWaitAndLosesNothing() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")) && TestNamespace.exitCode("ip", "netns", "list") == 0,
                "needs root and iproute2 (network namespaces): skipped");
        String ns = "zk-udp-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        try (Arena arena = Arena.ofShared()) {
            assertEquals(0, TestNamespace.exitCode("ip", "netns", "add", ns));
            assertEquals(0, TestNamespace.exitCode("ip", "-n", ns, "link", "set", "lo", "up"));
            assumeTrue(TestNamespace.exitCode("tc", "-n", ns, "qdisc", "add", "dev", "lo", "root", "tbf", "rate", "20mbit", "burst", "16kb",
                    "limit", "64mb") == 0, "needs tc and the tbf qdisc: skipped");
            Path nsFile = Path.of("/var/run/netns", ns);
            InetAddress lo = InetAddress.getByName("127.0.0.1");
            // small kernel buffers (the kernel doubles them): the sender's fills after ~100 KB
            UdpSocket a = NetNs.call(nsFile, () -> UdpSocket.open(arena, lo, 0, 48 << 10, false));
            UdpSocket b = NetNs.call(nsFile, () -> UdpSocket.open(arena, lo, 0, 4 << 20, false));
            try (a; b) {
                DatagramSender sender = new DatagramSender(arena, a, 256, 512 << 10, false);
                InetEndpoint to = InetEndpoint.of(lo, b.localAddress().getPort());
                Random random = new Random(5);
                List<byte[]> sent = new ArrayList<>();
                for (int i = 0; i < 256; i++) { // 256 x 1,400 bytes: more than the socket's buffer
                    byte[] d = new byte[1400];
                    random.nextBytes(d);
                    sent.add(d);
                    assertTrue(sender.add(to, d, 0, d.length), "datagram " + i + " queued");
                }
                assertFalse(sender.flush(), "the socket's buffer filled: the flush says so");
                assertTrue(sender.isBlocked());
                assertEquals(1, sender.waits());
                assertFalse(sender.flush(), "blocked: nothing is tried before writable");
                assertFalse(sender.add(to, new byte[10], 0, 10), "the queue is full as well: refused");
                assertEquals(1, sender.failures());

                List<byte[]> got = new ArrayList<>();
                DatagramReceiver receiver = new DatagramReceiver(arena, 16, 2048, 2048);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                boolean out = false;
                while ((!out || got.size() < sent.size()) && System.nanoTime() < deadline) {
                    if (!out && writable(a.fd())) {
                        sender.writable();
                        out = sender.flush();
                    }
                    receiver.receive(b.fd(), (from, data, off, len) -> got.add(java.util.Arrays.copyOfRange(data, off, off + len)));
                    Thread.sleep(1);
                }
                assertTrue(out, "the queue went out after writable events; waits " + sender.waits());
                assertEquals(sent.size(), got.size(), "every queued datagram arrived");
                for (int i = 0; i < sent.size(); i++) {
                    assertArrayEquals(sent.get(i), got.get(i), "datagram " + i + " in order");
                }
                assertEquals(1, sender.failures(), "only the refused one failed");
                System.out.println("DatagramSenderNetnsTest: 256 datagrams through a full buffer, waits " + sender.waits());
            }
        } finally {
            TestNamespace.exitCode("ip", "netns", "del", ns);
        }
    }

    /** poll(POLLOUT) with no wait. */
    private static boolean writable(int fd) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment pfd = call.allocate(8, 4);
            pfd.set(ValueLayout.JAVA_INT, 0, fd);
            pfd.set(ValueLayout.JAVA_SHORT, 4, (short) 0x4); // POLLOUT
            int n = Libc.poll(Libc.newCallState(call), pfd, 1, 0);
            return n > 0 && (pfd.get(ValueLayout.JAVA_SHORT, 6) & 0x4) != 0;
        }
    }
}
