package dev.zerokube.overlay.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.wire.Reassembler.Status;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Goal: the Reassembler rebuilds exactly the packets whose pieces all arrive, in any order and
 * with duplicates, never anything else, and never holds more than its limits. Method: seeded
 * random packets split with {@link Fragmentation}, delivered shuffled, duplicated, with pieces
 * missing, hops changed and interleaved with other packets; the caller's buffers are scribbled
 * over after each call (the reassembler must have copied); a flood of distinct packet IDs checks
 * the packet and byte caps after every call; timeouts, eviction order and invalid pieces
 * are checked one by one.
 */
class ReassemblerTest {
    private static final long NOW = 1_764_460_800_000L;

    /** A random packet of {@code len} bytes split for {@code mtu}: element 0 is the head. */
    static List<byte[]> split(SplittableRandom random, int len, int mtu, byte[] packetOut) {
        random.nextBytes(packetOut);
        packetOut[13] = 0x22;
        Fragmentation.markFragmented(packetOut, 0, len, mtu);
        List<byte[]> pieces = new ArrayList<>();
        pieces.add(Arrays.copyOf(packetOut, Fragmentation.headLength(len, mtu)));
        byte[] d = new byte[mtu];
        for (int k = 1; k < Fragmentation.pieces(len, mtu); k++) {
            int n = Fragmentation.writeFragment(packetOut, 0, len, mtu, k, d, 0);
            pieces.add(Arrays.copyOf(d, n));
        }
        return pieces;
    }

    static Status offer(Reassembler<String> r, byte[] piece, long nowMs, byte[] out) {
        byte[] copy = piece.clone();
        Status s = Fragment.isFragment(copy, 0)
                ? r.onFragment(copy, 0, copy.length, nowMs, out, 0)
                : r.onHead(copy, 0, copy.length, "path-" + PacketHeader.packetId(copy, 0), nowMs, out, 0);
        Arrays.fill(copy, (byte) 0x5a); // the caller reuses its buffer at once
        return s;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void shuffledDuplicatedAndMissingPieces(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Reassembler<String> r = new Reassembler<>();
        byte[] out = new byte[PacketHeader.MAX_LENGTH + 3];
        for (int round = 0; round < 100; round++) {
            int mtu = random.nextBoolean() ? 1432 : random.nextInt(200, 1500);
            int len = random.nextInt(mtu + 1, Fragmentation.maxPacketLength(mtu) + 1);
            byte[] packet = new byte[len];
            List<byte[]> pieces = split(random, len, mtu, packet);
            List<byte[]> deliveries = new ArrayList<>(pieces);
            boolean drop = random.nextInt(4) == 0;
            if (drop) {
                deliveries.remove(random.nextInt(deliveries.size()));
            }
            for (int d = random.nextInt(3); d > 0; d--) {
                deliveries.add(deliveries.get(random.nextInt(deliveries.size())).clone());
            }
            for (byte[] piece : deliveries) {
                if (random.nextInt(3) == 0) { // relays change hops; they are not part of the match
                    if (Fragment.isFragment(piece, 0)) {
                        piece[Fragment.IDX_HOPS] = (byte) random.nextInt(8);
                    }
                }
            }
            shuffle(deliveries, random);
            int completions = 0;
            for (byte[] piece : deliveries) {
                Status s = offer(r, piece, NOW + round, out);
                if (s == Status.COMPLETE) {
                    completions++;
                    assertEquals(len, r.assembledLength());
                    byte[] got = Arrays.copyOf(out, len);
                    // hops are the only bytes that may differ: fragments carry theirs separately
                    assertArrayEquals(packet, got, "seed " + seed + " round " + round);
                    assertEquals("path-" + PacketHeader.packetId(packet, 0), r.assembledPath());
                } else {
                    assertTrue(s == Status.PENDING || s == Status.DUPLICATE, s.toString());
                    assertEquals(-1, r.assembledLength());
                    assertNull(r.assembledPath());
                }
            }
            // a duplicate arriving after completion starts afresh and may complete again: 1.14.1 has
            // no replay protection either (ZT1-02 §9), dearmor accepts the copy as it did the first
            if (drop) {
                assertEquals(0, completions, "seed " + seed + " round " + round);
            } else {
                assertTrue(completions >= 1, "seed " + seed + " round " + round);
            }
            r.expire(NOW + round + Reassembler.DEFAULT_TIMEOUT_MS + 1);
            assertEquals(0, r.packetsInFlight());
            assertEquals(0, r.bytesInUse());
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {21, 22})
    void interleavedPacketsAllComplete(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Reassembler<String> r = new Reassembler<>(16, Reassembler.DEFAULT_BYTES_MAX, 5000);
        List<byte[]> packets = new ArrayList<>();
        List<byte[]> deliveries = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            int len = random.nextInt(1433, 9929);
            byte[] packet = new byte[len];
            deliveries.addAll(split(random, len, 1432, packet));
            packets.add(packet);
        }
        shuffle(deliveries, random);
        byte[] out = new byte[PacketHeader.MAX_LENGTH];
        List<byte[]> done = new ArrayList<>();
        for (byte[] piece : deliveries) {
            if (offer(r, piece, NOW, out) == Status.COMPLETE) {
                done.add(Arrays.copyOf(out, r.assembledLength()));
            }
        }
        assertEquals(16, done.size());
        for (byte[] packet : packets) {
            assertTrue(done.stream().anyMatch(d -> Arrays.equals(d, packet)));
        }
        assertEquals(0, r.packetsInFlight());
        assertEquals(0, r.evictedCount());
    }

    @ParameterizedTest
    @ValueSource(longs = {31, 32, 33})
    void memoryStaysBoundedUnderAFloodOfDistinctPacketIds(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int packetsMax = 20;
        int bytesMax = Reassembler.MIN_BYTES_MAX * 2;
        Reassembler<String> r = new Reassembler<>(packetsMax, bytesMax, 5000);
        byte[] out = new byte[PacketHeader.MAX_LENGTH];
        byte[] d = new byte[PacketHeader.MAX_LENGTH];
        for (int i = 0; i < 20_000; i++) {
            int len;
            if (random.nextBoolean()) { // fragment of a packet that never completes
                len = random.nextInt(17, 1433);
                random.nextBytes(d);
                int total = random.nextInt(2, 8);
                Fragment.writeHeader(d, 0, random.nextLong(), 1, random.nextInt(1, total), total, 0);
                assertEquals(Status.PENDING, r.onFragment(d, 0, len, NOW + i, out, 0));
            } else { // a fragmented head without its fragments
                len = random.nextInt(28, PacketHeader.MAX_LENGTH + 1);
                random.nextBytes(d);
                d[13] = 1;
                PacketHeader.setFragmented(d, 0, true);
                assertEquals(Status.PENDING, r.onHead(d, 0, len, "x", NOW + i, out, 0));
            }
            assertTrue(r.packetsInFlight() <= packetsMax);
            assertTrue(r.bytesInUse() <= bytesMax, () -> r.bytesInUse() + " > " + bytesMax);
        }
        assertEquals(packetsMax, r.packetsMax());
        assertTrue(r.evictedCount() > 10_000, "evictions " + r.evictedCount());
        // after the flood a genuine packet still gets through
        byte[] packet = new byte[5000];
        List<byte[]> pieces = split(random, 5000, 1432, packet);
        Status last = null;
        for (byte[] piece : pieces) {
            last = offer(r, piece, NOW + 20_000, out);
        }
        assertEquals(Status.COMPLETE, last);
        assertArrayEquals(packet, Arrays.copyOf(out, r.assembledLength()));
    }

    @Test
    void incompletePacketsTimeOut() {
        SplittableRandom random = new SplittableRandom(41);
        Reassembler<String> r = new Reassembler<>(8, Reassembler.MIN_BYTES_MAX, 5000);
        byte[] out = new byte[PacketHeader.MAX_LENGTH];
        byte[] packet = new byte[3000];
        List<byte[]> pieces = split(random, 3000, 1432, packet);
        assertEquals(Status.PENDING, offer(r, pieces.get(0), NOW, out));
        assertEquals(Status.PENDING, offer(r, pieces.get(1), NOW + 5000, out));
        // the rest arrives too late: the old pieces are gone, so this starts a new packet
        assertEquals(Status.PENDING, offer(r, pieces.get(2), NOW + 5001, out));
        assertEquals(1, r.expiredCount());
        assertEquals(1, r.packetsInFlight());
        r.expire(NOW + 5001 + 5000);
        assertEquals(1, r.packetsInFlight());
        r.expire(NOW + 5001 + 5001);
        assertEquals(0, r.packetsInFlight());
        assertEquals(0, r.bytesInUse());
        assertEquals(2, r.expiredCount());
    }

    @Test
    void aFullTableEvictsTheOldestPacket() {
        SplittableRandom random = new SplittableRandom(51);
        Reassembler<String> r = new Reassembler<>(3, Reassembler.DEFAULT_BYTES_MAX, 5000);
        byte[] out = new byte[PacketHeader.MAX_LENGTH];
        List<List<byte[]>> packets = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            List<byte[]> pieces = split(random, 2000, 1432, new byte[2000]);
            packets.add(pieces);
            assertEquals(Status.PENDING, offer(r, pieces.get(0), NOW, out));
        }
        assertEquals(1, r.evictedCount());
        assertEquals(3, r.packetsInFlight());
        // packet 0 was evicted: its fragment starts afresh; packets 1..3 complete
        assertEquals(Status.PENDING, offer(r, packets.get(0).get(1), NOW, out));
        assertEquals(2, r.evictedCount()); // ... evicting packet 1, now the oldest
        assertEquals(Status.PENDING, offer(r, packets.get(1).get(1), NOW, out));
        assertEquals(Status.COMPLETE, offer(r, packets.get(3).get(1), NOW, out));
    }

    @Test
    void invalidAndInconsistentPiecesAreIgnored() {
        SplittableRandom random = new SplittableRandom(61);
        Reassembler<String> r = new Reassembler<>();
        byte[] out = new byte[PacketHeader.MAX_LENGTH];
        byte[] packet = new byte[3000];
        List<byte[]> pieces = split(random, 3000, 1432, packet);
        byte[] unflagged = pieces.get(0).clone();
        PacketHeader.setFragmented(unflagged, 0, false);
        assertEquals(Status.INVALID, offer(r, unflagged, NOW, out));
        assertEquals(Status.INVALID, r.onHead(pieces.get(0), 0, 27, "p", NOW, out, 0));
        assertEquals(Status.INVALID, r.onFragment(pieces.get(1), 0, 16, NOW, out, 0));
        byte[] f = pieces.get(1).clone();
        f[14] = 0x30; // number 0
        assertEquals(Status.INVALID, offer(r, f, NOW, out));
        f[14] = (byte) 0x81; // total 8 > 7
        assertEquals(Status.INVALID, offer(r, f, NOW, out));
        f[14] = 0x33; // number = total
        assertEquals(Status.INVALID, offer(r, f, NOW, out));
        f[13] = 0;
        assertEquals(Status.INVALID, offer(r, f, NOW, out));
        assertEquals(0, r.packetsInFlight());

        assertEquals(Status.PENDING, offer(r, pieces.get(1), NOW, out));
        f = pieces.get(2).clone();
        f[14] = 0x42; // claims 4 pieces where fragment 1 said 3
        assertEquals(Status.INCONSISTENT, offer(r, f, NOW, out));
        assertEquals(Status.DUPLICATE, offer(r, pieces.get(1), NOW, out));
        assertEquals(Status.PENDING, offer(r, pieces.get(0), NOW, out));
        assertEquals(Status.DUPLICATE, offer(r, pieces.get(0), NOW, out));
        assertEquals(Status.COMPLETE, offer(r, pieces.get(2), NOW, out));
        assertArrayEquals(packet, Arrays.copyOf(out, r.assembledLength()));
        assertThrows(IllegalArgumentException.class,
                () -> r.onFragment(pieces.get(1), 0, pieces.get(1).length, NOW, new byte[100], 0));
    }

    @Test
    void piecesLargerThanAPacketBufferDropThePacket() {
        Reassembler<String> r = new Reassembler<>();
        byte[] out = new byte[PacketHeader.MAX_LENGTH];
        byte[] head = new byte[PacketHeader.MAX_LENGTH];
        PacketHeader.writeHeader(head, 0, 99, 1, 2, 0);
        PacketHeader.setFragmented(head, 0, true);
        assertEquals(Status.PENDING, r.onHead(head, 0, head.length, "p", NOW, out, 0));
        byte[] frag = new Fragment(99, 1, 1, 2, 0, new byte[1]).encode();
        assertEquals(Status.TOO_LARGE, r.onFragment(frag, 0, frag.length, NOW, out, 0));
        assertEquals(0, r.packetsInFlight());
        assertEquals(0, r.bytesInUse());
        assertSame(null, r.assembledPath());
        assertThrows(IllegalArgumentException.class, () -> new Reassembler<String>(1, Reassembler.MIN_BYTES_MAX - 1, 1));
    }

    static <T> void shuffle(List<T> list, SplittableRandom random) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }
}
