package dev.zerokube.overlay.runtime.port;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Goal: {@link GroMerger} merges exactly the runs the kernel may receive as one GSO packet, writes
 * correct GSO headers, and changes nothing else. Method: the segmenter is its inverse, so a
 * super-frame cut by {@link TsoSegmenter}, merged, and cut again must give the same segments;
 * plus hand-made runs that must break (out of order, PSH, short segment, other flow, bad checksum,
 * 64 KiB limit) and frames that must pass unmerged and in order.
 */
class GroMergerTest {
    private static final int TCP_ACK = 0x10;
    private static final int TCP_PSH = 0x08;

    /** What the merger wrote: virtio-net header + frame each. */
    private final List<byte[]> writes = new ArrayList<>();
    private final GroMerger.Sink sink = (b, off, len) -> writes.add(Arrays.copyOfRange(b, off, off + len));

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void mergingUndoesSegmenting(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int round = 0; round < 20; round++) {
            boolean v4 = random.nextBoolean();
            int options = random.nextBoolean() ? 12 : 0;
            int mss = 500 + random.nextInt(2500);
            int payloadLen = mss * (1 + random.nextInt(60_000 / mss)) - (random.nextBoolean() ? random.nextInt(mss) : 0);
            byte[] payload = bytes(random.nextLong(), payloadLen);
            List<byte[]> segments = segment(Frames.tcpFrame(v4, 7, random.nextLong() & 0xffff_ffffL, TCP_ACK | TCP_PSH, options, payload), v4, mss);
            writes.clear();
            GroMerger merger = new GroMerger(false, 0, 1514 + 3000);
            for (byte[] s : segments) {
                assertTrue(merger.offer(s, 0, s.length, sink));
            }
            assertTrue(merger.flush(sink));
            String ctx = "seed " + seed + " round " + round + " mss " + mss + " payload " + payloadLen;
            assertEquals(1, writes.size(), ctx + ": one write (the run ends with PSH and is flushed by it)");
            byte[] w = writes.get(0);
            ByteBuffer h = ByteBuffer.wrap(w, 0, 10).order(ByteOrder.nativeOrder());
            if (segments.size() == 1) {
                assertEquals(0, w[1], ctx + " a single segment is written plainly");
                assertArrayEquals(segments.get(0), Arrays.copyOfRange(w, 10, w.length));
                continue;
            }
            assertEquals(TsoSegmenter.FLAG_NEEDS_CSUM, w[0], ctx);
            assertEquals(v4 ? TsoSegmenter.GSO_TCPV4 : TsoSegmenter.GSO_TCPV6, w[1], ctx);
            int headerLen = 14 + (v4 ? 20 : 40) + 20 + options;
            assertEquals(headerLen, h.getShort(2), ctx + " hdr_len");
            assertEquals(mss, h.getShort(4), ctx + " gso_size");
            assertEquals(headerLen - 20 - options, h.getShort(6), ctx + " csum_start");
            assertEquals(16, h.getShort(8), ctx + " csum_offset");
            if (v4) {
                assertEquals(0xffff, Frames.referenceSum(w, 24, 20), ctx + " IPv4 header checksum");
            }
            // The kernel's view: NEEDS_CSUM means "field holds the pseudo-header sum"; cutting it
            // again must give back the very same segments.
            Frames.Collector again = new Frames.Collector();
            assertEquals(segments.size(), new TsoSegmenter().deliver(w, 0, w.length, again), ctx);
            for (int i = 0; i < segments.size(); i++) {
                assertArrayEquals(segments.get(i), again.frames.get(i), ctx + " segment " + i);
            }
            assertEquals(segments.size() - 1, merger.mergedSegments(), ctx);
        }
    }

    @Test
    void runsBreakWhereTheKernelWouldNotMerge() {
        byte[] payload = bytes(9, 6 * 1000);
        List<byte[]> s = segment(Frames.tcpFrame(true, 1, 1000, TCP_ACK, 0, payload), true, 1000);
        GroMerger merger = new GroMerger(false, TsoSegmenter.FLAG_DATA_VALID, 1514);
        // 0,1 merge; 3 is out of order (2 missing) -> new run; 2 then does not follow 3 -> new run.
        for (int i : new int[] {0, 1, 3, 2}) {
            merger.offer(s.get(i), 0, s.get(i).length, sink);
        }
        // A frame of another flow (different source port) and an ARP frame pass on their own, in order.
        byte[] other = s.get(4).clone();
        other[34] ^= 1;
        Checksum.putU16(other, 50, 0);
        Checksum.putU16(other, 50, Checksum.finish(Checksum.pseudoHeader(other, 26, 4, 6, other.length - 34) + Checksum.sum(other, 34, other.length - 34)));
        merger.offer(other, 0, other.length, sink);
        byte[] arp = new byte[42];
        Checksum.putU16(arp, 12, 0x0806);
        merger.offer(arp, 0, arp.length, sink);
        merger.flush(sink);
        assertEquals(5, writes.size(), "run {0,1}, {3}, {2}, the other flow, ARP");
        assertEquals(TsoSegmenter.GSO_TCPV4, writes.get(0)[1]);
        assertEquals(14 + 20 + 20 + 2000, writes.get(0).length - 10);
        for (int i = 1; i < 5; i++) {
            assertEquals(TsoSegmenter.GSO_NONE, writes.get(i)[1], "write " + i);
            assertEquals(TsoSegmenter.FLAG_DATA_VALID, writes.get(i)[0], "plain frames carry the plain flags");
        }
        assertArrayEquals(s.get(3), Arrays.copyOfRange(writes.get(1), 10, writes.get(1).length));
        assertArrayEquals(arp, Arrays.copyOfRange(writes.get(4), 10, writes.get(4).length));
    }

    @Test
    void pshAndShortSegmentsEndARunAndSoDoesTheSizeLimit() {
        // 1000-byte MSS, 2500 bytes: segments 1000, 1000, 500 (short, ends the run by itself).
        List<byte[]> s = segment(Frames.tcpFrame(false, 0, 5, TCP_ACK, 0, bytes(3, 2500)), false, 1000);
        GroMerger merger = new GroMerger(false, 0, 1514);
        s.forEach(f -> merger.offer(f, 0, f.length, sink));
        assertEquals(1, writes.size(), "written without a flush: the short segment ended the run");
        assertEquals(14 + 40 + 20 + 2500, writes.get(0).length - 10);

        // 100 full segments of 1000 bytes: at most 65535 bytes of IP packet per write.
        writes.clear();
        List<byte[]> many = segment(Frames.tcpFrame(true, 0, 5, TCP_ACK, 0, bytes(4, 100_000 / 2)), true, 1000);
        many.addAll(segment(Frames.tcpFrame(true, 0, 5 + 50_000, TCP_ACK, 0, bytes(5, 100_000 / 2)), true, 1000));
        many.forEach(f -> merger.offer(f, 0, f.length, sink));
        merger.flush(sink);
        int total = 0;
        for (byte[] w : writes) {
            assertTrue(w.length - 10 - 14 <= 65_535, "IP packet of " + (w.length - 24));
            total += w.length - 10 - 54;
        }
        assertEquals(100_000, total, "every payload byte written once");
        assertEquals(2, writes.size(), "65 + 35 segments");
    }

    @Test
    void aSegmentWithABadChecksumIsNotMergedUnlessTrusted() {
        List<byte[]> s = segment(Frames.tcpFrame(true, 0, 5, TCP_ACK, 0, bytes(6, 3000)), true, 1000);
        s.get(1)[60] ^= 0x40;
        GroMerger checking = new GroMerger(false, 0, 1514);
        s.forEach(f -> checking.offer(f, 0, f.length, sink));
        checking.flush(sink);
        assertEquals(3, writes.size(), "segment 1 alone, so segments 0 and 2 cannot join either");
        assertArrayEquals(s.get(1), Arrays.copyOfRange(writes.get(1), 10, writes.get(1).length), "passed on as it came");
        writes.clear();
        GroMerger trusting = new GroMerger(true, 0, 1514);
        s.forEach(f -> trusting.offer(f, 0, f.length, sink));
        trusting.flush(sink);
        assertEquals(1, writes.size(), "trusted frames are merged without a check");
    }

    private static List<byte[]> segment(byte[] superFrame, boolean v4, int mss) {
        byte[] in = Frames.withVnetHeader(0, v4 ? TsoSegmenter.GSO_TCPV4 : TsoSegmenter.GSO_TCPV6, 0, mss, 0, 0, superFrame);
        Frames.Collector c = new Frames.Collector();
        new TsoSegmenter().deliver(in, 0, in.length, c);
        return c.frames;
    }

    private static byte[] bytes(long seed, int len) {
        byte[] b = new byte[len];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }
}
