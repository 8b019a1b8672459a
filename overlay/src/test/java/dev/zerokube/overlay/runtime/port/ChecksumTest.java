package dev.zerokube.overlay.runtime.port;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Goal: {@link Checksum} computes the Internet checksum of RFC 1071. Method: the RFC's own worked
 * example, a well-known IPv4 header, and seeded random buffers of every small length at odd and
 * even offsets against a slow word-by-word reference.
 */
class ChecksumTest {
    @Test
    void rfc1071Example() {
        byte[] b = {0x00, 0x01, (byte) 0xf2, 0x03, (byte) 0xf4, (byte) 0xf5, (byte) 0xf6, (byte) 0xf7};
        // RFC 1071 §3: the folded sum is ddf2.
        assertEquals(0xddf2, Checksum.fold(Checksum.sum(b, 0, b.length)));
        assertEquals(0x220d, Checksum.finish(Checksum.sum(b, 0, b.length)));
    }

    @Test
    void ipv4HeaderChecksum() {
        byte[] h = java.util.HexFormat.of().parseHex("450000730000400040110000c0a80001c0a800c7");
        assertEquals(0xb861, Checksum.finish(Checksum.sum(h, 0, h.length)));
        Checksum.putU16(h, 10, 0xb861);
        assertEquals(0, Checksum.finish(Checksum.sum(h, 0, h.length)), "a header with its checksum sums to ffff");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 0x5eed})
    void matchesTheSlowReference(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int len = 0; len < 200; len++) {
            for (int off = 0; off < 3; off++) {
                byte[] b = new byte[off + len + 3];
                random.nextBytes(b);
                assertEquals(Frames.referenceSum(b, off, len), Checksum.fold(Checksum.sum(b, off, len)),
                        "seed " + seed + " len " + len + " off " + off);
            }
        }
        byte[] big = new byte[65_536];
        random.nextBytes(big);
        assertEquals(Frames.referenceSum(big, 0, big.length), Checksum.fold(Checksum.sum(big, 0, big.length)));
        java.util.Arrays.fill(big, (byte) 0xff);
        assertEquals(Frames.referenceSum(big, 0, big.length), Checksum.fold(Checksum.sum(big, 0, big.length)),
                "all-ones 64 KiB: the largest sum must not overflow");
    }

    @Test
    void partialSumsAdd() {
        SplittableRandom random = new SplittableRandom(7);
        byte[] b = new byte[1000];
        random.nextBytes(b);
        for (int cut = 0; cut <= 1000; cut += 2) {
            assertEquals(Checksum.fold(Checksum.sum(b, 0, 1000)), Checksum.fold(Checksum.sum(b, 0, cut) + Checksum.sum(b, cut, 1000 - cut)));
        }
    }
}
