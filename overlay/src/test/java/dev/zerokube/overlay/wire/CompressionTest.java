package dev.zerokube.overlay.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Goal: packet-level LZ4 follows ZT1-02 §7 (sender: only payloads over 64 bytes, only if strictly
 * shorter; receiver: bounded output, empty payload just loses the flag, bad blocks are a drop).
 * Method: the worked ECHO example of §7 decoded; seeded random packets of compressible and
 * incompressible payloads compressed and uncompressed back; invalid blocks.
 */
class CompressionTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void workedExampleOfZt1_02() {
        byte[] packet = HEX.parseHex("0123456789abcdef7202a77aad1d939ff884000000000000000000"
                + "888f6162636465666768080080506465666768");
        byte[] out = new byte[PacketHeader.MAX_LENGTH];
        int n = Compression.uncompress(packet, 0, packet.length, out, 0);
        assertEquals(28 + 160, n);
        assertEquals(0x08, PacketHeader.verbByte(out, 0));
        assertEquals("abcdefgh".repeat(20), new String(out, 28, 160, StandardCharsets.US_ASCII));
        assertArrayEquals(Arrays.copyOf(packet, 27), Arrays.copyOf(out, 27));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void compressThenUncompressRoundTrips(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Lz4 lz4 = new Lz4();
        byte[] scratch = new byte[PacketHeader.MAX_LENGTH];
        byte[] out = new byte[PacketHeader.MAX_LENGTH + 7];
        for (int i = 0; i < 300; i++) {
            int len = random.nextInt(28, PacketHeader.MAX_LENGTH + 1);
            byte[] packet = new byte[len];
            boolean repetitive = random.nextBoolean();
            if (repetitive) {
                byte[] unit = new byte[random.nextInt(1, 20)];
                random.nextBytes(unit);
                for (int k = 28; k < len; k++) {
                    packet[k] = unit[k % unit.length];
                }
            } else {
                random.nextBytes(packet);
            }
            PacketHeader.writeHeader(packet, 0, random.nextLong(), 1, 2, random.nextInt(0x20));
            byte[] original = packet.clone();
            int compressed = Compression.compress(lz4, packet, 0, len, scratch);
            if (len - 28 <= 64) {
                assertEquals(len, compressed, "payloads of 64 bytes or less are never compressed");
            }
            if (compressed == len) {
                assertArrayEquals(original, packet);
                assertFalse(PacketHeader.isCompressed(packet, 0));
            } else {
                assertTrue(compressed < len);
                assertTrue(PacketHeader.isCompressed(packet, 0));
                assertEquals(compressed, Compression.compress(lz4, packet, 0, compressed, scratch),
                        "an already compressed packet is left alone");
            }
            if (repetitive && len > 200) {
                assertTrue(compressed < len, "repetitive payload of " + len + " bytes");
            }
            int n = Compression.uncompress(packet, 0, compressed, out, 7);
            assertEquals(len, n);
            assertArrayEquals(original, Arrays.copyOfRange(out, 7, 7 + n));
        }
    }

    @Test
    void receiverEdgeCases() {
        byte[] out = new byte[PacketHeader.MAX_LENGTH];
        byte[] empty = new byte[28];
        empty[27] = (byte) 0x88;
        assertEquals(28, Compression.uncompress(empty, 0, 28, out, 0));
        assertEquals(0x08, out[27]);
        byte[] bad = HEX.parseHex("00000000000000000000000000000000000000000000000000000087ffffffff000102");
        assertEquals(-1, Compression.uncompress(bad, 0, bad.length, out, 0));
        byte[] nothing = HEX.parseHex("0000000000000000000000000000000000000000000000000000008700");
        assertEquals(-1, Compression.uncompress(nothing, 0, nothing.length, out, 0), "decodes to zero bytes");
        // a block that expands beyond 9996 bytes: 15 literals... then a long match
        byte[] bomb = new byte[28 + 64];
        bomb[27] = (byte) 0x80;
        bomb[28] = 0x1f; // 1 literal, match length 15+
        bomb[29] = 'a';
        bomb[30] = 1;
        bomb[31] = 0;
        Arrays.fill(bomb, 32, 32 + 50, (byte) 0xff); // match extension: far past 9996
        bomb[82] = 0;
        bomb[83] = 0x50;
        assertEquals(-1, Compression.uncompress(bomb, 0, 84 + 5, out, 0));
    }
}
