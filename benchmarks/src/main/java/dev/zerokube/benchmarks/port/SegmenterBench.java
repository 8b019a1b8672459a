package dev.zerokube.benchmarks.port;

import dev.zerokube.overlay.runtime.port.FrameConsumer;
import dev.zerokube.overlay.runtime.port.TsoSegmenter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The TAP read path's user-space work per TSO super-frame (DATAPATH.md: segmentation and the Java
 * TCP checksum were 7 % of CPU at 5 Gbit/s): {@link TsoSegmenter} cutting an IPv4 super-frame of
 * about 64 KiB (TCP with the 12-byte timestamp option, as Linux sends) into {@code mss}-byte
 * segments, with and without the copy from the native read buffer that {@code TapPort} does first;
 * and completing the partial checksum of one full 1500-MTU frame. Frames/s = segments per
 * super-frame / time per operation. Segmenting in place leaves the buffer's first headers valid,
 * so the same buffer is reused and no restore copy is timed.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class SegmenterBench {
    /** 1448 = MTU 1500, 2748 = ZeroTier's default MTU 2800 (both with TCP timestamps). */
    @Param({"1448", "2748"})
    public int mss;

    private final TsoSegmenter segmenter = new TsoSegmenter();
    private Arena arena;
    private MemorySegment nativeRead;
    private byte[] superFrame;
    private byte[] single;
    private int superFrameLen;
    private Blackhole blackhole;
    private FrameConsumer consumer;

    @Setup(Level.Trial)
    public void setup(Blackhole bh) {
        blackhole = bh;
        consumer = (f, off, len) -> blackhole.consume(len);
        int payload = (65_535 - 20 - 32) / mss * mss;
        superFrame = vnetTcpFrame(TsoSegmenter.FLAG_NEEDS_CSUM, TsoSegmenter.GSO_TCPV4, mss, payload);
        superFrameLen = superFrame.length;
        single = vnetTcpFrame(TsoSegmenter.FLAG_NEEDS_CSUM, TsoSegmenter.GSO_NONE, 0, 1448);
        arena = Arena.ofConfined();
        nativeRead = arena.allocate(128 * 1024, 64);
        MemorySegment.copy(superFrame, 0, nativeRead, ValueLayout.JAVA_BYTE, 0, superFrameLen);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    /** Segments one ~64 KiB super-frame in place: 45 (mss 1448) or 23 (mss 2748) frames. */
    @Benchmark
    public int segment() {
        return segmenter.deliver(superFrame, 0, superFrameLen, consumer);
    }

    /** As TapPort does per read: copy from the native buffer into the heap array, then segment. */
    @Benchmark
    public int readCopyAndSegment() {
        MemorySegment.copy(nativeRead, ValueLayout.JAVA_BYTE, 0, superFrame, 0, superFrameLen);
        return segmenter.deliver(superFrame, 0, superFrameLen, consumer);
    }

    /** One 1514-byte frame with NEEDS_CSUM: its TCP checksum completed. */
    @Benchmark
    public int completeChecksum1514() {
        return segmenter.deliver(single, 0, single.length, consumer);
    }

    private static byte[] vnetTcpFrame(int flags, int gsoType, int gsoSize, int payload) {
        int headers = 14 + 20 + 32;
        ByteBuffer b = ByteBuffer.allocate(TsoSegmenter.VNET_HDR_LEN + headers + payload);
        b.order(ByteOrder.nativeOrder()).put((byte) flags).put((byte) gsoType).putShort((short) headers)
                .putShort((short) gsoSize).putShort((short) (14 + 20)).putShort((short) 16);
        b.order(ByteOrder.BIG_ENDIAN);
        b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + 32 + payload)).putShort((short) 1).putShort((short) 0x4000)
                .put((byte) 64).put((byte) 6).putShort((short) 0)
                .put(new byte[] {(byte) 198, 18, 0, 1, (byte) 198, 18, 0, 2});
        b.putShort((short) 40000).putShort((short) 5201).putInt(1).putInt(1).put((byte) (8 << 4)).put((byte) 0x18)
                .putShort((short) 512).putShort((short) 0).putShort((short) 0);
        b.put(new byte[] {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2});
        byte[] p = new byte[payload];
        new SplittableRandom(1).nextBytes(p);
        b.put(p);
        return b.array();
    }
}
