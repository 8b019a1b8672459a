package dev.zerokube.overlay.runtime.port;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.Mac;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/*
 * Goal: the userspace host answers ARP and ICMP echo for its port's address, pings through ARP then
 * echo, counts what it exchanged per peer, and ignores (never throws on) frames that are not for it
 * or are malformed. Method: two configured UserspacePorts wired back to back by a shuttle thread
 * (what one port's host sends comes out of the other's as if the overlay carried it); malformed
 * input as truncations of real frames, a bad checksum, and seeded random bytes.
 */
@Timeout(30)
class UserspaceHostTest {
    static final byte[] IP_A = {10, (byte) 147, 17, 1};
    static final byte[] IP_B = {10, (byte) 147, 17, 2};
    static final long MAC_A = 0x32_11_22_33_44_01L;
    static final long MAC_B = 0x32_11_22_33_44_02L;

    static UserspacePort port(String name, long mac, byte[] ip) {
        UserspacePort p = new UserspacePort(name, 64);
        p.configure(new PortConfig(2800, new Mac(mac), List.of(InetEndpoint.of(ip, 24)), List.of()));
        return p;
    }

    @Test
    void pingsThroughArpThenEchoAndAnswersBothWays() throws Exception {
        UserspacePort a = port("a", MAC_A, IP_A);
        UserspacePort b = port("b", MAC_B, IP_B);
        Thread shuttle = Thread.ofPlatform().daemon().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                int n = a.pump(b::write) + b.pump(a::write);
                if (n == 0) {
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        });
        try (UserspaceHost ha = new UserspaceHost(a, 0x1234); UserspaceHost hb = new UserspaceHost(b, 0x5678)) {
            ha.start();
            hb.start();
            long rtt = ha.ping(IP_B, 5_000).get();
            assertTrue(rtt > 0, "RTT " + rtt);
            assertEquals(1, hb.echoRepliesSent());
            // A sent an ARP request and an echo; B answered with an ARP reply and an echo reply.
            UserspaceHost.Traffic t = ha.traffic(IP_B);
            assertEquals(2, t.framesOut(), t.toString());
            assertEquals(2, t.framesIn(), t.toString());
            assertEquals(14 + 28 + 14 + 20 + 8 + UserspaceHost.ECHO_DATA_BYTES, t.bytesOut(), t.toString());
            // The reverse ping needs no ARP: B learned A's MAC from A's request.
            hb.ping(IP_A, 5_000).get();
            assertEquals(3, hb.traffic(IP_A).framesIn(), "B got A's ARP request, A's echo and A's echo reply");
            assertEquals(3, hb.traffic(IP_A).framesOut(), "B sent an ARP reply, an echo reply and an echo, no ARP request");
            ha.ping(IP_B, 5_000).get();
            assertEquals(4, ha.traffic(IP_B).framesOut(), "ARP request, echo, echo reply, echo: no second ARP request");
            assertEquals(0, ha.framesIgnored() + hb.framesIgnored());
        } finally {
            shuttle.interrupt();
        }
    }

    @Test
    void aPingToNobodyTimesOutAndAnUnconfiguredPortRefuses() throws Exception {
        UserspacePort a = port("a", MAC_A, IP_A);
        try (UserspaceHost h = new UserspaceHost(a, 1)) {
            h.start();
            ExecutionException e = assertThrows(ExecutionException.class, () -> h.ping(IP_B, 200).get());
            assertTrue(e.getCause() instanceof TimeoutException, e.toString());
        }
        try (UserspaceHost h = new UserspaceHost(new UserspacePort("bare", 8), 1)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> h.ping(IP_B, 200).get());
            assertTrue(e.getCause().getMessage().contains("no IPv4 address"), e.toString());
        }
    }

    @Test
    void malformedOrForeignFramesAreIgnored() {
        UserspacePort a = port("a", MAC_A, IP_A);
        UserspaceHost h = new UserspaceHost(a, 1);
        byte[] arpRequest = UserspaceHost.ethernet(Mac.BROADCAST.value(), MAC_B, UserspaceHost.ETHERTYPE_ARP,
                UserspaceHost.arp(1, MAC_B, IP_B, 0, IP_A));
        byte[] echo = UserspaceHost.ethernet(MAC_A, MAC_B, UserspaceHost.ETHERTYPE_IPV4,
                UserspaceHost.icmpEcho(8, IP_B, IP_A, 7, 1, new byte[10]));
        long ignored = 0;
        for (byte[] good : List.of(arpRequest, echo)) {
            for (int len = 0; len < good.length; len++) {
                h.onFrame(java.util.Arrays.copyOf(good, len));
                assertEquals(++ignored, h.framesIgnored(), "truncated to " + len);
            }
        }
        byte[] badSum = echo.clone();
        badSum[badSum.length - 1] ^= 1;
        h.onFrame(badSum);
        byte[] forOther = UserspaceHost.ethernet(Mac.BROADCAST.value(), MAC_B, UserspaceHost.ETHERTYPE_ARP,
                UserspaceHost.arp(1, MAC_B, IP_B, 0, new byte[] {10, (byte) 147, 17, 9}));
        h.onFrame(forOther);
        assertEquals(ignored + 2, h.framesIgnored());
        assertEquals(0, h.echoRepliesSent());
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 5_000; i++) {
            byte[] f = random.nextBoolean() ? new byte[random.nextInt(100)] : (random.nextBoolean() ? echo : arpRequest).clone();
            if (f.length > 0) {
                f[random.nextInt(f.length)] ^= (byte) (1 + random.nextInt(255));
                if (random.nextBoolean()) {
                    random.nextBytes(f);
                }
            }
            h.onFrame(f); // must not throw
        }
        h.onFrame(echo);
        assertTrue(h.echoRepliesSent() >= 1, "a good echo is still answered");
    }
}
