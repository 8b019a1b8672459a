package dev.zerokube.overlay.runtime.port;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.Mac;
import dev.zerokube.overlay.wire.netconf.Route;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Goal: the in-memory port behaves like a bounded interface: frames cross in both directions
 * intact and in order, full queues and oversized frames are dropped and counted, configuration is
 * kept, and its thread stops on close. Method: drive both sides directly, with and without the
 * port's own thread.
 */
class UserspacePortTest {
    private static final PortConfig CONFIG = new PortConfig(1500, Mac.parse("02:aa:bb:cc:dd:ee"),
            List.of(InetEndpoint.parse("198.18.9.1/24")), List.of(Route.direct(InetEndpoint.parse("198.19.0.0/16"))));

    @Test
    void framesCrossBothWaysInOrderAndQueuesAreBounded() throws Exception {
        try (UserspacePort port = new UserspacePort("u0", 3)) {
            for (int i = 0; i < 5; i++) {
                boolean accepted = port.sendFromHost(frame(i, 60), 0, 60);
                assertEquals(i < 3, accepted, "frame " + i);
            }
            Frames.Collector got = new Frames.Collector();
            assertEquals(3, port.pump(got));
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(frame(i, 60), got.frames.get(i));
            }
            for (int i = 0; i < 4; i++) {
                assertEquals(i < 3, port.write(frame(10 + i, 100), 0, 100));
            }
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(frame(10 + i, 100), port.receiveToHost(1000));
            }
            assertNull(port.receiveToHost(1));
            PortCounters c = port.counters();
            assertEquals(new PortCounters(3, 180, 0, 2, 3, 300, 1), c);
        }
    }

    @Test
    void frameLengthsFollowTheMtu() {
        try (UserspacePort port = new UserspacePort("u1", 10)) {
            port.configure(CONFIG);
            assertSame(CONFIG, port.config());
            assertTrue(port.write(new byte[1514], 0, 1514));
            assertFalse(port.write(new byte[1515], 0, 1515), "longer than MTU + 14");
            assertFalse(port.write(new byte[13], 0, 13), "shorter than an Ethernet header");
            assertFalse(port.sendFromHost(new byte[1515], 0, 1515));
            assertEquals(2, port.counters().framesToHostDropped());
        }
    }

    @Test
    void theStartedPortDeliversOnItsThreadAndStopsOnClose() throws Exception {
        BlockingQueue<byte[]> got = new ArrayBlockingQueue<>(10);
        Thread[] thread = new Thread[1];
        UserspacePort port = new UserspacePort("u2", 10);
        port.start((f, off, len) -> {
            thread[0] = Thread.currentThread();
            got.add(java.util.Arrays.copyOfRange(f, off, off + len));
        });
        assertTrue(port.sendFromHost(frame(7, 64), 0, 64));
        assertArrayEquals(frame(7, 64), got.poll(5, TimeUnit.SECONDS));
        assertThrows(IllegalStateException.class, () -> port.pump(new Frames.Collector()));
        port.close();
        assertFalse(thread[0].isAlive(), "the port's thread ends with close");
        assertFalse(port.sendFromHost(frame(8, 64), 0, 64), "closed");
    }

    @Test
    void configRejectsNonsense() {
        Mac mac = Mac.parse("02:aa:bb:cc:dd:ee");
        assertThrows(IllegalArgumentException.class, () -> new PortConfig(100, mac, List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new PortConfig(1500, Mac.BROADCAST, List.of(), List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> new PortConfig(1500, mac, List.of(InetEndpoint.parse("198.18.0.1/33")), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new PortConfig(1500, mac, List.of(),
                List.of(new Route(InetEndpoint.parse("198.18.0.0/16"), InetEndpoint.parse("fd00::1/0"), 0, 0))));
        assertTrue(CONFIG.isConnectedRoute(Route.direct(InetEndpoint.parse("198.18.9.0/24"))));
        assertFalse(CONFIG.isConnectedRoute(Route.direct(InetEndpoint.parse("198.18.9.0/25"))));
        assertFalse(CONFIG.isConnectedRoute(CONFIG.routes().get(0)));
    }

    private static byte[] frame(int tag, int len) {
        byte[] f = new byte[len];
        for (int i = 0; i < len; i++) {
            f[i] = (byte) (tag * 31 + i);
        }
        return f;
    }
}
