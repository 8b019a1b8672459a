package dev.zerokube.overlay.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.codec.WireFormatException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Goal: the fragment codec is exact and total, and splitting a packet follows ZT1-02 §6.1.
 * Method: the worked example of ZT1-02 §6.5; seeded random fragments encoded and decoded both
 * ways; every malformed variant (short, long, wrong indicator, bad number/total, hop bits)
 * rejected with a named error; random packets split at random MTUs and joined back.
 */
class FragmentTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void workedExampleOfZt1_02() {
        // 1500-byte cipher-1 packet at MTU 1432: head 1432 + one 84-byte fragment "21 00"
        byte[] packet = new byte[1500];
        new SplittableRandom(6).nextBytes(packet);
        PacketHeader.writeHeader(packet, 0, 0xa0a1a2a3a4a5a6a7L, 0x7202a77aadL, 0x1d939ff884L, 0x14);
        assertEquals(2, Fragmentation.markFragmented(packet, 0, 1500, 1432));
        PacketHeader.setCipher(packet, 0, 1);
        assertEquals(0xc8, PacketHeader.flags(packet, 0));
        assertEquals(1432, Fragmentation.headLength(1500, 1432));
        byte[] out = new byte[1432];
        int n = Fragmentation.writeFragment(packet, 0, 1500, 1432, 1, out, 0);
        assertEquals(84, n);
        assertEquals("a0a1a2a3a4a5a6a77202a77aadff2100", HEX.formatHex(out, 0, 16));
        assertArrayEquals(Arrays.copyOfRange(packet, 1432, 1500), Arrays.copyOfRange(out, 16, 84));
        assertEquals(9928, Fragmentation.maxPacketLength(1432));
        assertEquals(2, Fragmentation.pieces(2838, 1432));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void codecRoundTrips(long seed) throws WireFormatException {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 300; i++) {
            int total = random.nextInt(2, 16);
            byte[] payload = new byte[random.nextInt(1, 1500)];
            random.nextBytes(payload);
            Fragment f = new Fragment(random.nextLong(), random.nextLong() >>> 24, random.nextInt(1, total), total,
                    random.nextInt(8), payload);
            byte[] wire = f.encode();
            assertEquals(Datagram.Kind.FRAGMENT, Datagram.classify(wire, 0, wire.length));
            assertEquals(f, Fragment.decode(wire));
            assertArrayEquals(wire, Fragment.decode(wire).encode());
            assertEquals(f.packetId(), Fragment.packetIdAt(wire, 0));
            assertEquals(f.destination(), Fragment.destinationAt(wire, 0));
            assertEquals(f.number(), Fragment.numberAt(wire, 0));
            assertEquals(f.total(), Fragment.totalAt(wire, 0));
            assertEquals(f.hops(), Fragment.hopsAt(wire, 0));
            // random bytes either decode to something that re-encodes to the same bytes, or fail cleanly
            byte[] junk = new byte[random.nextInt(0, 64)];
            random.nextBytes(junk);
            try {
                assertArrayEquals(junk, Fragment.decode(junk).encode());
            } catch (WireFormatException expected) {
                assertTrue(expected.what().startsWith("fragment: "), expected.what());
            }
        }
    }

    @Test
    void malformedFragmentsAreRejectedByName() {
        byte[] good = new Fragment(7, 0x7202a77aadL, 1, 2, 0, new byte[] {1, 2, 3}).encode();
        assertRejected(Arrays.copyOf(good, 16), "length 16");
        assertRejected(new byte[PacketHeader.MAX_LENGTH + 1], "exceeds");
        byte[] b = good.clone();
        b[13] = 0x12;
        assertRejected(b, "indicator");
        b = good.clone();
        b[14] = 0x20; // number 0
        assertRejected(b, "number 0 of total 2");
        b[14] = 0x22; // number = total
        assertRejected(b, "number 2 of total 2");
        b[14] = 0x11; // total 1
        assertRejected(b, "number 1 of total 1");
        b = good.clone();
        b[15] = 0x08;
        assertRejected(b, "hops byte 8");
        assertThrows(IllegalArgumentException.class, () -> new Fragment(1, 1, 0, 2, 0, new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> new Fragment(1, 1, 1, 2, 0, new byte[0]));
    }

    private static void assertRejected(byte[] data, String what) {
        WireFormatException e = assertThrows(WireFormatException.class, () -> Fragment.decode(data));
        assertTrue(e.what().contains(what), e.what());
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13})
    void splittingAndJoiningRoundTrips(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 200; i++) {
            int mtu = random.nextBoolean() ? 1432 : random.nextInt(Fragmentation.MIN_MTU, 3000);
            int len = random.nextInt(PacketHeader.MIN_LENGTH, Fragmentation.maxPacketLength(mtu) + 1);
            byte[] packet = new byte[len];
            random.nextBytes(packet);
            packet[13] = 0x22; // a real source address never starts with 0xff
            int pieces = Fragmentation.markFragmented(packet, 0, len, mtu);
            assertTrue(pieces >= 1 && pieces <= Fragment.MAX_PIECES);
            assertEquals(pieces > 1, PacketHeader.isFragmented(packet, 0));
            byte[] joined = new byte[len];
            int head = Fragmentation.headLength(len, mtu);
            System.arraycopy(packet, 0, joined, 0, head);
            int at = head;
            byte[] datagram = new byte[mtu];
            for (int k = 1; k < pieces; k++) {
                int n = Fragmentation.writeFragment(packet, 0, len, mtu, k, datagram, 0);
                assertTrue(n > Fragment.HEADER_LENGTH && n <= mtu);
                assertEquals(k, Fragment.numberAt(datagram, 0));
                assertEquals(pieces, Fragment.totalAt(datagram, 0));
                assertEquals(PacketHeader.packetId(packet, 0), Fragment.packetIdAt(datagram, 0));
                System.arraycopy(datagram, 16, joined, at, n - 16);
                at += n - 16;
            }
            assertEquals(len, at);
            assertArrayEquals(packet, joined);
        }
        assertThrows(IllegalArgumentException.class,
                () -> Fragmentation.markFragmented(new byte[9929], 0, 9929, 1432));
        assertThrows(IllegalArgumentException.class, () -> Fragmentation.evenPieceLength(9929, 1432));
        assertThrows(IllegalArgumentException.class,
                () -> Fragmentation.writeFragment(new byte[1432], 0, 1432, 1432, 1, new byte[1432], 0));
    }

    @Test
    void aFullFrameSplitsIntoTwoEqualDatagrams() {
        // FRAME of a 2800-byte TAP frame: 2838 bytes -> 1427 + (16 + 1411) instead of 1432 + 1422
        assertEquals(1427, Fragmentation.evenPieceLength(2838, 1432));
        assertEquals(1427, Fragmentation.headLength(2838, 1427));
        assertEquals(2, Fragmentation.pieces(2838, 1427));
        assertEquals(1432, Fragmentation.evenPieceLength(1432, 1432), "unfragmented: nothing to even out");
        assertEquals(1432, Fragmentation.evenPieceLength(100, 1432));
    }

    @Test
    void evenPiecesKeepTheCountAndDifferByAtMostTheLastOne() {
        // every packet length at a few MTUs: same number of datagrams as the 1.14.1 split, all of
        // the piece length but a shorter last one, none above the MTU, and they join back
        for (int mtu : new int[] {1400, 1432, 1500, 2800, 9000}) {
            byte[] packet = new byte[Fragmentation.maxPacketLength(mtu)];
            new SplittableRandom(mtu).nextBytes(packet);
            packet[13] = 0x22;
            byte[] datagram = new byte[mtu];
            for (int len = PacketHeader.MIN_LENGTH; len <= packet.length; len++) {
                int piece = Fragmentation.evenPieceLength(len, mtu);
                int pieces = Fragmentation.pieces(len, mtu);
                assertTrue(piece <= mtu, "piece " + piece + " > mtu " + mtu);
                assertEquals(pieces, Fragmentation.pieces(len, piece), "len " + len + " mtu " + mtu);
                int head = Fragmentation.headLength(len, piece);
                assertEquals(pieces == 1 ? len : piece, head);
                int joined = head;
                for (int k = 1; k < pieces; k++) {
                    int n = Fragmentation.writeFragment(packet, 0, len, piece, k, datagram, 0);
                    if (k < pieces - 1) {
                        assertEquals(piece, n, "len " + len + " mtu " + mtu + " fragment " + k);
                    } else {
                        assertTrue(n <= piece && n >= piece - pieces, "last " + n + " piece " + piece);
                    }
                    assertArrayEquals(Arrays.copyOfRange(packet, joined, joined + n - 16),
                            Arrays.copyOfRange(datagram, 16, n));
                    joined += n - 16;
                }
                assertEquals(len, joined);
            }
        }
    }
}
