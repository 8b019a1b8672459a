package dev.zerokube.overlay.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.PacketHeader;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/*
 * Goal: packets waiting for an identity are copied (the caller's buffer is reused at once), the
 * queue never holds more than its slots, drops its oldest packet when full, and its buffers never
 * exceed slots x 10024 bytes. Method: direct checks and a seeded stream of packets of random sizes.
 */
class WhoisQueueTest {
    @Test
    void copiesThePacket() {
        WhoisQueue q = new WhoisQueue(4);
        byte[] buf = new byte[100];
        Arrays.fill(buf, (byte) 7);
        WhoisQueue.Entry e = q.add(buf, 10, 50, 0x1234, 2, InetEndpoint.parse("198.18.0.1/1"), 5);
        Arrays.fill(buf, (byte) 9);
        assertEquals(50, e.length);
        byte[] expected = new byte[50];
        Arrays.fill(expected, (byte) 7);
        assertArrayEquals(expected, Arrays.copyOf(e.bytes, 50));
        assertTrue(q.waitsFor(0x1234));
        assertFalse(q.waitsFor(0x1235));
        q.free(e);
        assertFalse(q.waitsFor(0x1234));
        assertEquals(0, q.size());
    }

    @Test
    void dropsTheOldestWhenFullAndStaysBounded() {
        WhoisQueue q = new WhoisQueue(8);
        SplittableRandom r = new SplittableRandom(9);
        byte[] buf = new byte[PacketHeader.MAX_LENGTH];
        for (int i = 0; i < 1_000; i++) {
            int len = r.nextInt(PacketHeader.MAX_LENGTH + 1);
            q.add(buf, 0, len, i, 0, null, i);
            assertTrue(q.size() <= 8);
            assertTrue(q.bufferBytes() <= 8L * PacketHeader.MAX_LENGTH);
        }
        assertEquals(8, q.size());
        assertEquals(1_000 - 8, q.droppedCount());
        for (int i = 1_000 - 8; i < 1_000; i++) {
            assertTrue(q.waitsFor(i), "the newest eight remain: " + i);
        }
    }
}
