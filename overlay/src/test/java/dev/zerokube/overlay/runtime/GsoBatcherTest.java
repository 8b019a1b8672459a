package dev.zerokube.overlay.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.SegmentedDatagramPacket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/*
 * Goal: GsoBatcher gathers exactly what the kernel's UDP_SEGMENT accepts (datagrams of one length
 * to one remote on one channel, one shorter datagram at most and only last, at most 64 segments
 * and 65,000 bytes) and sends everything it was given, byte for byte and in order. Method: runs
 * of datagram lengths through a batcher whose sink records the sends; the sends are cut at their
 * segment size and compared with the datagrams given.
 */
class GsoBatcherTest {
    private final InetSocketAddress peerA = new InetSocketAddress("198.18.0.1", 9993);
    private final InetSocketAddress peerB = new InetSocketAddress("198.18.0.2", 9993);
    private final EmbeddedChannel ch1 = new EmbeddedChannel();
    private final EmbeddedChannel ch2 = new EmbeddedChannel();
    private final List<Sent> sends = new ArrayList<>();
    private final GsoBatcher batcher = new GsoBatcher(this::record);
    private final List<byte[]> given = new ArrayList<>();
    private final SplittableRandom random = new SplittableRandom(5);

    private record Sent(Channel channel, InetSocketAddress to, int segmentSize, byte[] bytes) {}

    private void record(Channel ch, DatagramPacket p) {
        int segment = p instanceof SegmentedDatagramPacket s ? s.segmentSize() : 0;
        sends.add(new Sent(ch, p.recipient(), segment, ByteBufUtil.getBytes(p.content())));
        p.release();
    }

    @AfterEach
    void close() {
        batcher.discard();
        ch1.finishAndReleaseAll();
        ch2.finishAndReleaseAll();
    }

    private void add(Channel ch, InetSocketAddress to, int len) {
        byte[] d = new byte[len];
        random.nextBytes(d);
        given.add(d);
        batcher.add(ch, to, d, 0, len);
    }

    /** Segment counts of the sends (1 = a plain datagram), after checking every byte came out in order. */
    private List<Integer> shapes() {
        List<byte[]> out = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (Sent s : sends) {
            if (s.segmentSize() == 0) {
                out.add(s.bytes());
                counts.add(1);
                continue;
            }
            int n = 0;
            for (int at = 0; at < s.bytes().length; at += s.segmentSize(), n++) {
                out.add(java.util.Arrays.copyOfRange(s.bytes(), at, Math.min(s.bytes().length, at + s.segmentSize())));
            }
            counts.add(n);
        }
        assertEquals(given.size(), out.size(), "every datagram sent once");
        for (int i = 0; i < given.size(); i++) {
            assertArrayEquals(given.get(i), out.get(i), "datagram " + i);
        }
        return counts;
    }

    @Test
    void aBurstOfFullFramesIsOneSendPerSixtyFourKibibytes() {
        for (int i = 0; i < 100; i++) {
            add(ch1, peerA, 1427);
        }
        batcher.flush();
        assertEquals(List.of(45, 45, 10), shapes(), "45 x 1427 = 64,215 bytes fit in 65,000, a 46th does not");
        assertEquals(1427, sends.getFirst().segmentSize());
    }

    @Test
    void aShorterDatagramEndsTheBatchAndALongerOneStartsANewOne() {
        add(ch1, peerA, 1427);
        add(ch1, peerA, 1427);
        add(ch1, peerA, 758); // the last segment may be shorter...
        add(ch1, peerA, 758); // ...but nothing may follow it
        add(ch1, peerA, 900); // longer than the batch's segment: a new batch
        add(ch1, peerA, 900);
        batcher.flush();
        assertEquals(List.of(3, 1, 2), shapes());
        assertEquals(List.of(1427, 0, 900), sends.stream().map(Sent::segmentSize).toList());
    }

    @Test
    void anotherRemoteOrChannelStartsANewBatch() {
        add(ch1, peerA, 100);
        add(ch1, peerA, 100);
        add(ch1, peerB, 100);
        add(ch2, peerB, 100);
        add(ch2, new InetSocketAddress("198.18.0.2", 9993), 100); // equal, not the same object
        batcher.flush();
        assertEquals(List.of(2, 1, 2), shapes());
        assertEquals(List.of(ch1, ch1, ch2), sends.stream().map(Sent::channel).toList());
        assertEquals(List.of(peerA, peerB, peerB), sends.stream().map(Sent::to).toList());
    }

    @Test
    void atMostSixtyFourSegmentsPerSend() {
        for (int i = 0; i < 130; i++) {
            add(ch1, peerA, 64);
        }
        batcher.flush();
        assertEquals(List.of(64, 64, 2), shapes());
    }

    @Test
    void aLoneDatagramIsAPlainOneAndAnEmptyFlushSendsNothing() {
        batcher.flush();
        assertEquals(0, sends.size());
        add(ch1, peerA, 1427);
        batcher.flush();
        batcher.flush();
        assertEquals(List.of(1), shapes());
        assertFalse(sends.getFirst().segmentSize() > 0);
    }

    @Test
    void randomRunsComeOutWholeAndInOrder() {
        int[] lengths = {64, 727, 1000, 1427, 1432};
        for (int round = 0; round < 200; round++) {
            int run = random.nextInt(1, 80);
            int len = lengths[random.nextInt(lengths.length)];
            InetSocketAddress to = random.nextBoolean() ? peerA : peerB;
            for (int i = 0; i < run; i++) {
                add(ch1, to, random.nextInt(10) == 0 ? random.nextInt(1, len + 1) : len);
            }
            if (random.nextInt(4) == 0) {
                batcher.flush();
            }
        }
        batcher.flush();
        shapes();
        for (Sent s : sends) {
            if (s.segmentSize() > 0) {
                assertFalse(s.bytes().length > GsoBatcher.BYTES_MAX);
                assertFalse((s.bytes().length + s.segmentSize() - 1) / s.segmentSize() > GsoBatcher.SEGMENTS_MAX);
            }
        }
    }
}
