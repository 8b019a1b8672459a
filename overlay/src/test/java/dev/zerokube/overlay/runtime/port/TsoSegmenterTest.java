package dev.zerokube.overlay.runtime.port;

import static dev.zerokube.overlay.runtime.port.Frames.u16;
import static dev.zerokube.overlay.runtime.port.Frames.u32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Goal: {@link TsoSegmenter} turns TAP reads with a virtio-net header into correct MTU-sized
 * frames: segments carry the right lengths, sequence numbers, IPv4 ids, flags and checksums, the
 * payload survives intact, partial checksums are completed, and bad headers are dropped with a
 * code, never an exception. Method: super-frames built by hand (IPv4 and IPv6, with and without
 * TCP options, seeded random sizes), each segment checked field by field against the original
 * and its checksums against a slow reference sum; random garbage into {@code deliver}. The
 * kernel checks the same code in {@code TapPortNamespaceTest}.
 */
class TsoSegmenterTest {
    private static final int TCP_FIN = 0x01;
    private static final int TCP_PSH = 0x08;
    private static final int TCP_ACK = 0x10;
    private static final int TCP_CWR = 0x80;

    @Test
    void ipv4SuperFrameIsCutIntoCheckedSegments() {
        byte[] payload = payload(1, 5000);
        byte[] frame = Frames.tcpFrame(true, 0xfffe, 0xffff_f000L, TCP_ACK | TCP_PSH | TCP_FIN | TCP_CWR, 12, payload);
        checkSegments(true, frame, payload, 1448, 0xfffe, 0xffff_f000L, TCP_ACK | TCP_PSH | TCP_FIN | TCP_CWR, 12);
    }

    @Test
    void ipv6SuperFrameIsCutIntoCheckedSegments() {
        byte[] payload = payload(2, 9000);
        byte[] frame = Frames.tcpFrame(false, 0, 7, TCP_ACK | TCP_PSH, 0, payload);
        checkSegments(false, frame, payload, 2728, 0, 7, TCP_ACK | TCP_PSH, 0);
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13, 14, 15, 16, 17, 18})
    void randomSuperFrames(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int round = 0; round < 50; round++) {
            boolean v4 = random.nextBoolean();
            int options = 4 * random.nextInt(11);
            int gso = 1 + random.nextInt(3000);
            int len = 1 + random.nextInt(65_000 - 140);
            byte[] payload = payload(random.nextLong(), len);
            int flags = random.nextInt(256) & ~0x07 | TCP_ACK; // no SYN/RST/FIN-less variants needed
            int ipId = random.nextInt(0x10000);
            long seq = random.nextLong() & 0xffff_ffffL;
            checkSegments(v4, Frames.tcpFrame(v4, ipId, seq, flags, options, payload), payload, gso, ipId, seq, flags, options);
        }
    }

    private static void checkSegments(boolean v4, byte[] frame, byte[] payload, int gso, int ipId, long seq, int flags, int options) {
        int ipLen = v4 ? 20 : 40;
        int tcpOff = 14 + ipLen;
        int headerLen = tcpOff + 20 + options;
        byte[] original = frame.clone();
        byte[] in = Frames.withVnetHeader(TsoSegmenter.FLAG_NEEDS_CSUM, v4 ? TsoSegmenter.GSO_TCPV4 : TsoSegmenter.GSO_TCPV6,
                headerLen, gso, tcpOff, 16, frame);
        Frames.Collector out = new Frames.Collector();
        int n = new TsoSegmenter().deliver(in, 0, in.length, out);
        int expected = (payload.length + gso - 1) / gso;
        String ctx = (v4 ? "v4" : "v6") + " payload " + payload.length + " gso " + gso + " options " + options;
        assertEquals(expected, n, ctx);
        assertEquals(expected, out.frames.size(), ctx);
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            byte[] s = out.frames.get(i);
            int chunk = Math.min(gso, payload.length - i * gso);
            String at = ctx + " segment " + i;
            assertEquals(headerLen + chunk, s.length, at);
            assertArrayEquals(Arrays.copyOfRange(original, 0, 14), Arrays.copyOfRange(s, 0, 14), at + " Ethernet header");
            if (v4) {
                assertEquals(ipLen + 20 + options + chunk, u16(s, 16), at + " IPv4 total length");
                assertEquals((ipId + i) & 0xffff, u16(s, 18), at + " IPv4 id");
                assertEquals(0xffff, Frames.referenceSum(s, 14, 20), at + " IPv4 header checksum");
                assertArrayEquals(Arrays.copyOfRange(original, 20, 24), Arrays.copyOfRange(s, 20, 24), at + " flags/ttl/proto");
                assertArrayEquals(Arrays.copyOfRange(original, 26, 34), Arrays.copyOfRange(s, 26, 34), at + " addresses");
            } else {
                assertEquals(20 + options + chunk, u16(s, 18), at + " IPv6 payload length");
                assertArrayEquals(Arrays.copyOfRange(original, 20, 54), Arrays.copyOfRange(s, 20, 54), at + " next header/hops/addresses");
            }
            assertEquals((seq + (long) i * gso) & 0xffff_ffffL, u32(s, tcpOff + 4), at + " sequence number");
            int f = s[tcpOff + 13] & 0xff;
            int want = flags;
            if (i > 0) {
                want &= ~TCP_CWR;
            }
            if (i < n - 1) {
                want &= ~(TCP_FIN | TCP_PSH);
            }
            assertEquals(want, f, at + " TCP flags");
            assertArrayEquals(Arrays.copyOfRange(original, tcpOff + 8, tcpOff + 13), Arrays.copyOfRange(s, tcpOff + 8, tcpOff + 13), at + " ack/offset");
            assertArrayEquals(Arrays.copyOfRange(original, tcpOff + 14, tcpOff + 16), Arrays.copyOfRange(s, tcpOff + 14, tcpOff + 16), at + " window");
            assertArrayEquals(Arrays.copyOfRange(original, tcpOff + 20, headerLen), Arrays.copyOfRange(s, tcpOff + 20, headerLen), at + " options");
            assertTrue(Frames.l4ChecksumOk(s, 14, v4, 6, tcpOff, s.length - tcpOff), at + " TCP checksum");
            joined.write(s, headerLen, chunk);
        }
        assertArrayEquals(payload, joined.toByteArray(), ctx + " payload");
    }

    @Test
    void partialUdpChecksumIsCompleted() {
        byte[] f = udpFrame(payload(3, 333));
        int udp = 14 + 20;
        int udpLen = f.length - udp;
        // What the kernel leaves with CHECKSUM_PARTIAL: the folded pseudo-header sum, not complemented.
        Checksum.putU16(f, udp + 6, Checksum.fold(Checksum.pseudoHeader(f, 14 + 12, 4, 17, udpLen)));
        byte[] in = Frames.withVnetHeader(TsoSegmenter.FLAG_NEEDS_CSUM, TsoSegmenter.GSO_NONE, 0, 0, udp, 6, f);
        Frames.Collector out = new Frames.Collector();
        assertEquals(1, new TsoSegmenter().deliver(in, 0, in.length, out));
        byte[] s = out.frames.get(0);
        assertEquals(f.length, s.length);
        assertTrue(Frames.l4ChecksumOk(s, 14, true, 17, udp, udpLen), "UDP checksum");
    }

    @Test
    void partialTcpChecksumIsCompletedAndPlainFramesPassUnchanged() {
        byte[] payload = payload(4, 700);
        byte[] f = Frames.tcpFrame(false, 0, 1, TCP_ACK, 0, payload);
        int tcp = 14 + 40;
        Checksum.putU16(f, tcp + 16, Checksum.fold(Checksum.pseudoHeader(f, 14 + 8, 16, 6, f.length - tcp)));
        byte[] in = Frames.withVnetHeader(TsoSegmenter.FLAG_NEEDS_CSUM, TsoSegmenter.GSO_NONE, 0, 0, tcp, 16, f);
        Frames.Collector out = new Frames.Collector();
        assertEquals(1, new TsoSegmenter().deliver(in, 0, in.length, out));
        assertTrue(Frames.l4ChecksumOk(out.frames.get(0), 14, false, 6, tcp, f.length - tcp));

        byte[] plain = Frames.withVnetHeader(0, TsoSegmenter.GSO_NONE, 0, 0, 0, 0, f);
        out.frames.clear();
        assertEquals(1, new TsoSegmenter().deliver(plain, 0, plain.length, out));
        assertArrayEquals(f, out.frames.get(0), "without NEEDS_CSUM the frame is handed on untouched");
    }

    @Test
    void aSuperFrameThatFitsOneSegmentIsStillChecksummed() {
        byte[] payload = payload(5, 100);
        byte[] f = Frames.tcpFrame(true, 9, 1, TCP_ACK | TCP_PSH, 0, payload);
        byte[] in = Frames.withVnetHeader(TsoSegmenter.FLAG_NEEDS_CSUM, TsoSegmenter.GSO_TCPV4, 54, 1448, 34, 16, f);
        Frames.Collector out = new Frames.Collector();
        assertEquals(1, new TsoSegmenter().deliver(in, 0, in.length, out));
        assertTrue(Frames.l4ChecksumOk(out.frames.get(0), 14, true, 6, 34, f.length - 34));
        assertEquals(TCP_ACK | TCP_PSH, out.frames.get(0)[34 + 13]);
    }

    @Test
    void badHeadersAreDroppedWithACode() {
        TsoSegmenter seg = new TsoSegmenter();
        Frames.Collector out = new Frames.Collector();
        byte[] f = Frames.tcpFrame(true, 1, 1, TCP_ACK, 0, payload(6, 3000));
        assertEquals(TsoSegmenter.DROP_TOO_SHORT, seg.deliver(new byte[23], 0, 23, out), "shorter than vnet + Ethernet header");
        byte[] csumPastEnd = Frames.withVnetHeader(TsoSegmenter.FLAG_NEEDS_CSUM, 0, 0, 0, f.length - 10, 16, f);
        assertEquals(TsoSegmenter.DROP_MALFORMED, seg.deliver(csumPastEnd, 0, csumPastEnd.length, out), "checksum field past the end");
        byte[] udpGso = Frames.withVnetHeader(0, TsoSegmenter.GSO_UDP_L4, 0, 1000, 0, 0, f);
        assertEquals(TsoSegmenter.DROP_UNSUPPORTED, seg.deliver(udpGso, 0, udpGso.length, out), "UDP GSO was not asked for");
        byte[] v6TypeOnV4 = Frames.withVnetHeader(0, TsoSegmenter.GSO_TCPV6, 0, 1000, 0, 0, f);
        assertEquals(TsoSegmenter.DROP_UNSUPPORTED, seg.deliver(v6TypeOnV4, 0, v6TypeOnV4.length, out), "TCPv6 GSO on an IPv4 frame");
        byte[] zeroGso = Frames.withVnetHeader(0, TsoSegmenter.GSO_TCPV4, 0, 0, 0, 0, f);
        assertEquals(TsoSegmenter.DROP_MALFORMED, seg.deliver(zeroGso, 0, zeroGso.length, out), "gso_size 0");
        byte[] headersOnly = Frames.withVnetHeader(0, TsoSegmenter.GSO_TCPV4, 0, 1000, 0, 0, Arrays.copyOf(f, 54));
        assertEquals(TsoSegmenter.DROP_MALFORMED, seg.deliver(headersOnly, 0, headersOnly.length, out), "no payload");
        byte[] longTcpHeader = f.clone();
        longTcpHeader[34 + 12] = (byte) 0xf0;
        byte[] shortFrame = Frames.withVnetHeader(0, TsoSegmenter.GSO_TCPV4, 0, 1000, 0, 0, Arrays.copyOf(longTcpHeader, 80));
        assertEquals(TsoSegmenter.DROP_MALFORMED, seg.deliver(shortFrame, 0, shortFrame.length, out), "TCP header past the end");
        assertEquals(0, out.frames.size(), "nothing was handed on");
    }

    @ParameterizedTest
    @ValueSource(longs = {21, 22, 23})
    void garbageNeverThrows(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        TsoSegmenter seg = new TsoSegmenter();
        Frames.Collector out = new Frames.Collector();
        byte[] good = Frames.withVnetHeader(TsoSegmenter.FLAG_NEEDS_CSUM, TsoSegmenter.GSO_TCPV4, 54, 500, 34, 16,
                Frames.tcpFrame(true, 1, 1, TCP_ACK, 8, payload(seed, 4000)));
        for (int i = 0; i < 20_000; i++) {
            byte[] b = random.nextBoolean() ? new byte[random.nextInt(200)] : good.clone();
            if (b != good && random.nextBoolean()) {
                random.nextBytes(b);
            } else {
                for (int k = 0; k < 1 + random.nextInt(4); k++) {
                    if (b.length > 0) {
                        b[random.nextInt(Math.min(b.length, 120))] = (byte) random.nextInt();
                    }
                }
            }
            int len = b.length == 0 ? 0 : random.nextInt(b.length + 1);
            out.frames.clear();
            int r = seg.deliver(b, 0, len, out);
            assertTrue(r >= 0 ? out.frames.size() == r : out.frames.isEmpty(), "seed " + seed + " round " + i);
        }
    }

    private static byte[] udpFrame(byte[] payload) {
        byte[] f = new byte[14 + 20 + 8 + payload.length];
        System.arraycopy(Frames.MAC_B, 0, f, 0, 6);
        System.arraycopy(Frames.MAC_A, 0, f, 6, 6);
        Checksum.putU16(f, 12, 0x0800);
        f[14] = 0x45;
        Checksum.putU16(f, 16, 28 + payload.length);
        f[22] = 64;
        f[23] = 17;
        f[26] = (byte) 198;
        f[27] = 18;
        f[28] = 7;
        f[29] = 2;
        f[30] = (byte) 198;
        f[31] = 18;
        f[32] = 7;
        f[33] = 1;
        Checksum.putU16(f, 34, 5353);
        Checksum.putU16(f, 36, 9999);
        Checksum.putU16(f, 38, 8 + payload.length);
        System.arraycopy(payload, 0, f, 42, payload.length);
        return f;
    }

    private static byte[] payload(long seed, int len) {
        byte[] p = new byte[len];
        new SplittableRandom(seed).nextBytes(p);
        return p;
    }
}
