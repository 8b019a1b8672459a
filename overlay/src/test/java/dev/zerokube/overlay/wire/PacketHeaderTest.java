package dev.zerokube.overlay.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Goal: the header accessors and datagram classification match ZT1-02 §2-§3. Method: the worked
 * packet of ZT1-02 §4.6 read field by field, the flags table of §3.2 rebuilt with setCipher, a
 * seeded write/read round trip of every field at random offsets, and classification at every
 * boundary length.
 */
class PacketHeaderTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void readsTheWorkedExampleOfZt1_02() {
        byte[] wire = HEX.parseHex("0123456789abcdef7202a77aad1d939ff88488856c9611155c39e6"
                + "f9c74145235facea6b851d29d520692031f60507a50ed6b71754c539f677425c44ee30d7c94b971575430f93");
        assertEquals(0x0123456789abcdefL, PacketHeader.packetId(wire, 0));
        assertEquals(0x7202a77aadL, PacketHeader.destination(wire, 0));
        assertEquals(0x1d939ff884L, PacketHeader.source(wire, 0));
        assertEquals(0x88, PacketHeader.flags(wire, 0));
        assertEquals(PacketHeader.CIPHER_POLY1305_SALSA2012, PacketHeader.cipher(wire, 0));
        assertEquals(0, PacketHeader.hops(wire, 0));
        assertFalse(PacketHeader.isFragmented(wire, 0));
        assertEquals(0x856c9611155c39e6L, PacketHeader.mac(wire, 0));
        assertEquals(0xf9, PacketHeader.verbByte(wire, 0));
        assertEquals(0x19, PacketHeader.verb(wire, 0));
        assertTrue(PacketHeader.isCompressed(wire, 0));
        assertEquals(Datagram.Kind.PACKET, Datagram.classify(wire, 0, wire.length));
    }

    @Test
    void setCipherGivesTheFlagBytesOf1_14_1() {
        int[][] table = {{0, 0x00, 0x40}, {1, 0x88, 0xc8}, {2, 0x10, 0x50}, {3, 0x18, 0x58}};
        byte[] p = new byte[28];
        for (int[] row : table) {
            for (int fragmented = 0; fragmented < 2; fragmented++) {
                // start from a dirty byte: every cipher and the 0x80 flag must be replaced
                PacketHeader.setFlags(p, 0, 0xb8);
                PacketHeader.setFragmented(p, 0, fragmented == 1);
                PacketHeader.setCipher(p, 0, row[0]);
                assertEquals(row[1 + fragmented], PacketHeader.flags(p, 0), "cipher " + row[0]);
                assertEquals(row[0], PacketHeader.cipher(p, 0));
            }
        }
        assertThrows(IllegalArgumentException.class, () -> PacketHeader.setCipher(p, 0, 8));
    }

    @Test
    void hopsIncrementWrapsAndLeavesOtherBits() {
        byte[] p = new byte[28];
        PacketHeader.setFlags(p, 0, 0xce);
        PacketHeader.incrementHops(p, 0);
        assertEquals(0xcf, PacketHeader.flags(p, 0));
        PacketHeader.incrementHops(p, 0);
        assertEquals(0xc8, PacketHeader.flags(p, 0));
        PacketHeader.setHops(p, 0, 5);
        assertEquals(5, PacketHeader.hops(p, 0));
        assertEquals(0xcd, PacketHeader.flags(p, 0));
        assertThrows(IllegalArgumentException.class, () -> PacketHeader.setHops(p, 0, 8));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 1764460800000L})
    void fieldsRoundTripAtAnyOffset(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 200; i++) {
            int off = random.nextInt(0, 40);
            byte[] p = new byte[off + 28 + random.nextInt(0, 10)];
            random.nextBytes(p);
            long id = random.nextLong();
            long dest = random.nextLong() >>> 24;
            long src = random.nextLong() >>> 24;
            int verbByte = random.nextInt(256);
            assertEquals(28, PacketHeader.writeHeader(p, off, id, dest, src, verbByte));
            int cipher = random.nextInt(8);
            int hops = random.nextInt(8);
            boolean fragmented = random.nextBoolean();
            long mac = random.nextLong();
            PacketHeader.setCipher(p, off, cipher);
            PacketHeader.setHops(p, off, hops);
            PacketHeader.setFragmented(p, off, fragmented);
            PacketHeader.setMac(p, off, mac);
            assertEquals(id, PacketHeader.packetId(p, off));
            assertEquals(dest, PacketHeader.destination(p, off));
            assertEquals(src, PacketHeader.source(p, off));
            assertEquals(cipher, PacketHeader.cipher(p, off));
            assertEquals(hops, PacketHeader.hops(p, off));
            assertEquals(fragmented, PacketHeader.isFragmented(p, off));
            assertEquals(cipher == 1, (PacketHeader.flags(p, off) & PacketHeader.FLAG_ENCRYPTED) != 0);
            assertEquals(mac, PacketHeader.mac(p, off));
            assertEquals(mac, PacketHeader.trustedPathId(p, off));
            assertEquals(verbByte, PacketHeader.verbByte(p, off));
            assertEquals(verbByte & 0x1f, PacketHeader.verb(p, off));
            assertEquals((verbByte & 0x80) != 0, PacketHeader.isCompressed(p, off));
        }
        assertThrows(IllegalArgumentException.class, () -> PacketHeader.setDestination(new byte[28], 0, 1L << 40));
    }

    @Test
    void classificationFollows1_14_1Order() {
        byte[] d = new byte[PacketHeader.MAX_LENGTH + 1];
        for (int len = 0; len <= 40; len++) {
            d[13] = 0;
            Datagram.Kind expected = len == 13 ? Datagram.Kind.BEACON
                    : len >= 28 ? Datagram.Kind.PACKET : Datagram.Kind.TOO_SHORT;
            assertEquals(expected, Datagram.classify(d, 0, len), "len " + len);
            d[13] = (byte) 0xff;
            expected = len == 13 ? Datagram.Kind.BEACON
                    : len > 16 ? Datagram.Kind.FRAGMENT : Datagram.Kind.TOO_SHORT;
            assertEquals(expected, Datagram.classify(d, 0, len), "fragment len " + len);
        }
        assertEquals(Datagram.Kind.FRAGMENT, Datagram.classify(d, 0, PacketHeader.MAX_LENGTH));
        assertEquals(Datagram.Kind.TOO_LONG, Datagram.classify(d, 0, PacketHeader.MAX_LENGTH + 1));
        d[13] = 0;
        assertEquals(Datagram.Kind.PACKET, Datagram.classify(d, 0, PacketHeader.MAX_LENGTH));
        // an offset into a larger buffer: byte 13 is relative to the offset
        d[5 + 13] = (byte) 0xff;
        assertEquals(Datagram.Kind.FRAGMENT, Datagram.classify(d, 5, 30));
    }
}
