package dev.zerokube.overlay.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.zerokube.overlay.codec.WireFormatException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Goal: our LZ4 block codec round-trips, respects the caller's output bound, and rejects
 * malformed blocks with a WireFormatException only. Method: seeded random inputs of mixed
 * compressibility; hand-built blocks for each end-of-buffer rule of the reference safe decoder;
 * every prefix and many random corruptions of valid blocks.
 */
class Lz4Test {
    private static final HexFormat HEX = HexFormat.of();

    /** Inputs ranging from random to highly repetitive, sizes 0..12000. */
    static byte[] input(SplittableRandom rnd) {
        int n = switch (rnd.nextInt(4)) {
            case 0 -> rnd.nextInt(20);
            case 1 -> rnd.nextInt(300);
            case 2 -> rnd.nextInt(3000);
            default -> rnd.nextInt(12000);
        };
        byte[] b = new byte[n];
        int alphabet = 1 + rnd.nextInt(256);
        for (int i = 0; i < n; i++) {
            if (i > 8 && rnd.nextInt(4) == 0) {
                // Copy a short run from earlier to create matches at all distances.
                int from = rnd.nextInt(i);
                int len = Math.min(n - i, 1 + rnd.nextInt(40));
                for (int k = 0; k < len; k++) {
                    b[i + k] = b[from + k];
                }
                i += len - 1;
            } else {
                b[i] = (byte) rnd.nextInt(alphabet);
            }
        }
        return b;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void roundTrip(long seed) throws WireFormatException {
        SplittableRandom rnd = new SplittableRandom(seed);
        Lz4 lz4 = new Lz4();
        for (int t = 0; t < 200; t++) {
            byte[] in = input(rnd);
            int off = rnd.nextInt(5);
            byte[] src = new byte[off + in.length];
            System.arraycopy(in, 0, src, off, in.length);
            int max = Lz4.maxCompressedLength(in.length);
            byte[] block = new byte[3 + max];
            int n = lz4.compress(src, off, in.length, block, 3, max);
            assertTrue(n > 0 && n <= max, "length " + n);
            // Exact capacity is enough: the block follows the format's end rules.
            byte[] out = new byte[in.length + 2];
            int m = Lz4.decompress(block, 3, n, out, 2, in.length);
            assertEquals(in.length, m);
            assertArrayEquals(in, Arrays.copyOfRange(out, 2, 2 + m));
            // A smaller output bound is refused, never overrun.
            if (in.length > 0) {
                byte[] small = new byte[in.length - 1];
                assertThrows(WireFormatException.class, () -> Lz4.decompress(block, 3, n, small, 0, small.length));
            }
        }
    }

    @Test
    void compressRefusesWhenTheBoundIsTooSmall() {
        Lz4 lz4 = new Lz4();
        byte[] in = input(new SplittableRandom(99));
        byte[] dst = new byte[Lz4.maxCompressedLength(in.length)];
        int full = lz4.compress(in, 0, in.length, dst, 0, dst.length);
        assertEquals(-1, lz4.compress(in, 0, in.length, dst, 0, full - 1));
        assertEquals(full, lz4.compress(in, 0, in.length, dst, 0, full));
    }

    @Test
    void payloadRuleFollowsTheSenderOf1141() {
        Lz4 lz4 = new Lz4();
        byte[] zeros = new byte[64];
        assertEquals(-1, lz4.compressPayload(zeros, 0, 64, new byte[64], 0), "64 bytes are never compressed");
        byte[] z65 = new byte[65];
        int n = lz4.compressPayload(z65, 0, 65, new byte[64], 0);
        assertTrue(n > 0 && n < 65);
        byte[] random = new byte[500];
        new SplittableRandom(5).nextBytes(random);
        assertEquals(-1, lz4.compressPayload(random, 0, random.length, new byte[499], 0));
    }

    @Test
    void workedExampleOfZt102() throws WireFormatException {
        // ZT1-02 §7: "abcdefgh" x 20 as an 18-byte block.
        byte[] block = HEX.parseHex("8f6162636465666768080080506465666768");
        byte[] out = new byte[9996];
        int n = Lz4.decompress(block, 0, block.length, out, 0, out.length);
        assertEquals("abcdefgh".repeat(20), new String(out, 0, n, java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Test
    void endRulesOfTheReferenceDecoder() throws WireFormatException {
        byte[] out = new byte[64];
        // Only literals, ending the block: fine.
        assertEquals(3, Lz4.decompress(HEX.parseHex("30616263"), 0, 4, out, 0, 64));
        // A token with no literals that ends the block decodes to nothing.
        assertEquals(0, Lz4.decompress(HEX.parseHex("00"), 0, 1, out, 0, 64));
        // Literals then a trailing byte: the last sequence must end the block exactly.
        assertRejects("3061626300", 64);
        // Match with offset 0.
        assertRejects("1061" + "0000" + "5061626364650000", 64);
        // A match may not reach into the last 5 bytes of the output capacity: 1 literal, an
        // 8-byte match (ends at 9), 5 final literals = 14 bytes.
        String block = "14610100" + "50" + "6263646566";
        assertEquals(14, Lz4.decompress(HEX.parseHex(block), 0, 10, out, 0, 14));
        assertRejects(block, 13);
        // Literals leaving fewer than 12 bytes of capacity must be the last sequence.
        String shortBlock = "1061" + "0100" + "506263646566";
        assertEquals(10, Lz4.decompress(HEX.parseHex(shortBlock), 0, 10, out, 0, 13));
        assertRejects(shortBlock, 12);
        // A match length extension must leave 5 input bytes.
        assertRejects("1f610100ffff0062636465", 64);
    }

    private static void assertRejects(String hexBlock, int capacity) {
        byte[] block = HEX.parseHex(hexBlock);
        byte[] out = new byte[capacity];
        assertThrows(WireFormatException.class, () -> Lz4.decompress(block, 0, block.length, out, 0, capacity),
                hexBlock);
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13})
    void malformedBlocksNeverThrowUnchecked(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Lz4 lz4 = new Lz4();
        byte[] out = new byte[9996];
        for (int t = 0; t < 100; t++) {
            byte[] in = input(rnd);
            byte[] block = new byte[Lz4.maxCompressedLength(in.length)];
            int n = lz4.compress(in, 0, in.length, block, 0, block.length);
            for (int cut = 0; cut < n; cut += 1 + n / 64) {
                decodeQuietly(block, cut, out);
            }
            for (int k = 0; k < 50; k++) {
                byte[] bad = Arrays.copyOf(block, n);
                bad[rnd.nextInt(n)] = (byte) rnd.nextInt(256);
                decodeQuietly(bad, n, out);
            }
        }
        for (int k = 0; k < 2000; k++) {
            byte[] junk = new byte[rnd.nextInt(64)];
            rnd.nextBytes(junk);
            decodeQuietly(junk, junk.length, out);
        }
    }

    private static void decodeQuietly(byte[] block, int len, byte[] out) {
        try {
            int n = Lz4.decompress(block, 0, len, out, 0, out.length);
            assertTrue(n >= 0 && n <= out.length);
        } catch (WireFormatException expected) {
            // a verdict, not a crash
        } catch (RuntimeException e) {
            fail("unchecked " + e + " on " + HEX.formatHex(block, 0, len));
        }
    }
}
