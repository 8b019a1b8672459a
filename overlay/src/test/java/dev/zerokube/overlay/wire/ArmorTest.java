package dev.zerokube.overlay.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.wire.Armor.Verdict;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Goal: armor/dearmor round-trips for ciphers 0, 1 and 3 at every size, every authenticated bit
 * is authenticated and the hop bits are not, and the Salsa/Poly and AES-GMAC-SIV paths allocate
 * nothing. Method:
 * the worked examples of ZT1-02 §4.6 and ZT1-01 §19.4; seeded random packets of random sizes
 * armored with one key and dearmored by a second instance with the same key (as the peer would);
 * one random bit of every authenticated byte flipped, bytes cut and appended, the wrong key; the
 * thread's allocation counter around ten thousand calls.
 */
class ArmorTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] K = HEX.parseHex("009c21ce13a554b8122a891fef975a381826f86533c898fec080e572e9bd8b2c"
            + "a63808d26603d1737c399459cf36a116");
    private static final int[] CIPHERS = {0, 1, 3};

    private static byte[] quickBrownFox() {
        byte[] p = new byte[71];
        PacketHeader.writeHeader(p, 0, 0x0123456789abcdefL, 0x7202a77aadL, 0x1d939ff884L, 0x08);
        byte[] text = "The quick brown fox jumps over the lazy dog".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, p, 28, text.length);
        return p;
    }

    @Test
    void workedExamplesOfZt1_02AndZt1_01() {
        String[] wire = {
            "0123456789abcdef7202a77aad1d939ff884005bb3f85b6f9802960854686520717569636b2062726f776e20666f78206a756d7073206f76657220746865206c617a7920646f67",
            "0123456789abcdef7202a77aad1d939ff88488856c9611155c39e6f9c74145235facea6b851d29d520692031f60507a50ed6b71754c539f677425c44ee30d7c94b971575430f93",
            "a51731842a0612977202a77aad1d939ff8841845df484960a97c960ca95f01294baeecae5fde759f9fc715bb2305a81d7fda191de2c97f78591e5d0f49a9f10bb01d2e7a6a03ff",
        };
        Armor armor = new Armor(K);
        for (int i = 0; i < 3; i++) {
            byte[] p = quickBrownFox();
            armor.armor(p, 0, p.length, CIPHERS[i]);
            assertEquals(wire[i], HEX.formatHex(p), "cipher " + CIPHERS[i]);
            assertEquals(Verdict.AUTHENTICATED, armor.dearmor(p, 0, p.length));
            byte[] plain = quickBrownFox();
            assertArrayEquals(Arrays.copyOfRange(plain, 27, 71), Arrays.copyOfRange(p, 27, 71));
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void roundTripAndTamperingAtRandomSizes(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] key = new byte[48];
        random.nextBytes(key);
        Armor sender = new Armor(key);
        Armor receiver = new Armor(key);
        byte[] otherKey = key.clone();
        otherKey[random.nextInt(32)] ^= 1; // ciphers 0/1 use K[0..32); K feeds K0/K1 for cipher 3
        Armor stranger = new Armor(otherKey);
        for (int round = 0; round < 60; round++) {
            int cipher = CIPHERS[random.nextInt(3)];
            int len = random.nextInt(4) == 0 ? PacketHeader.MIN_LENGTH + random.nextInt(3)
                    : random.nextInt(PacketHeader.MIN_LENGTH, PacketHeader.MAX_LENGTH + 1);
            int off = random.nextInt(0, 9);
            byte[] buf = new byte[off + len + 3];
            random.nextBytes(buf);
            PacketHeader.setFlags(buf, off, random.nextBoolean() ? PacketHeader.FLAG_FRAGMENTED : 0);
            byte[] plain = Arrays.copyOfRange(buf, off, off + len);
            sender.armor(buf, off, len, cipher);
            assertEquals(cipher, PacketHeader.cipher(buf, off));
            if (cipher != 0 && len > 40) {
                assertNotEquals(HEX.formatHex(plain, 27, len), HEX.formatHex(buf, off + 27, off + len));
            }
            byte[] wire = Arrays.copyOfRange(buf, off, off + len);

            byte[] copy = wire.clone();
            assertEquals(Verdict.AUTHENTICATED, receiver.dearmor(copy, 0, len));
            assertArrayEquals(Arrays.copyOfRange(plain, 27, len), Arrays.copyOfRange(copy, 27, len));
            assertArrayEquals(Arrays.copyOfRange(wire, 0, 27), Arrays.copyOfRange(copy, 0, 27));
            if (cipher != 3) {
                assertArrayEquals(Arrays.copyOf(plain, 18), Arrays.copyOf(wire, 18), "ciphers 0/1 leave ID and addresses alone");
            }

            // hops are not authenticated
            copy = wire.clone();
            PacketHeader.setHops(copy, 0, 1 + random.nextInt(7));
            assertEquals(Verdict.AUTHENTICATED, receiver.dearmor(copy, 0, len));

            // every other byte is: flip one random bit in each
            for (int i = 0; i < len; i++) {
                if (i >= 28 && random.nextInt(8) != 0 && i < len - 1) {
                    continue; // sample the payload, cover the whole header
                }
                copy = wire.clone();
                int bit = i == PacketHeader.IDX_FLAGS ? 3 + random.nextInt(5) : random.nextInt(8);
                copy[i] ^= (byte) (1 << bit);
                Verdict v = receiver.dearmor(copy, 0, len);
                assertTrue(v == Verdict.BAD_MAC || v == Verdict.UNKNOWN_CIPHER || v == Verdict.TRUSTED_PATH,
                        "cipher " + cipher + " byte " + i + " bit " + bit + ": " + v);
            }
            // truncated or extended
            if (len > PacketHeader.MIN_LENGTH) {
                assertEquals(Verdict.BAD_MAC, receiver.dearmor(wire.clone(), 0, len - 1));
            }
            if (len < PacketHeader.MAX_LENGTH) {
                byte[] longer = Arrays.copyOf(wire, len + 1);
                assertEquals(Verdict.BAD_MAC, receiver.dearmor(longer, 0, len + 1));
            }
            assertEquals(Verdict.BAD_MAC, stranger.dearmor(wire.clone(), 0, len));
        }
    }

    @Test
    void lengthsAndCiphersOutsideTheProtocol() {
        Armor armor = new Armor(K);
        byte[] p = new byte[PacketHeader.MAX_LENGTH + 1];
        assertEquals(Verdict.TOO_SHORT, armor.dearmor(p, 0, 27));
        assertEquals(Verdict.TOO_LONG, armor.dearmor(p, 0, PacketHeader.MAX_LENGTH + 1));
        for (int c = 4; c < 8; c++) {
            PacketHeader.setCipher(p, 0, c);
            assertEquals(Verdict.UNKNOWN_CIPHER, armor.dearmor(p, 0, 100));
        }
        assertThrows(IllegalArgumentException.class, () -> armor.armor(p, 0, 100, 2));
        assertThrows(IllegalArgumentException.class, () -> armor.armor(p, 0, 27, 1));
        assertThrows(IllegalArgumentException.class, () -> new Armor(new byte[32]));
        Armor.setTrustedPath(p, 0, 0x0123456789abcdefL);
        assertEquals(0x10, PacketHeader.flags(p, 0));
        assertEquals(Verdict.TRUSTED_PATH, armor.dearmor(p, 0, 33));
    }

    @Test
    void trustedPathExampleOfZt1_02() {
        byte[] p = new byte[33];
        PacketHeader.writeHeader(p, 0, 0xf0e1d2c3b4a59687L, 0x7202a77aadL, 0x1d939ff884L, 0x04);
        System.arraycopy(HEX.parseHex("c9fee927f8"), 0, p, 28, 5);
        Armor.setTrustedPath(p, 0, 81985529216486895L);
        assertEquals("f0e1d2c3b4a596877202a77aad1d939ff884100123456789abcdef04c9fee927f8", HEX.formatHex(p));
    }

    @Test
    void salsaPoly1305PathAllocatesNothing() {
        long allocated = steadyStateAllocation(SALSA_AND_POLY);
        // a few hundred bytes of slack for the measurement itself; one byte per call would be 10 kB
        assertTrue(allocated < 1_000, allocated + " bytes allocated in the last of 500 windows of 10000 rounds");
    }

    @Test
    void aesGmacSivPathAllocatesNothing() {
        // The build's test JVMs open the JDK's GHASH as zerokube's jars do; through the AES-GCM API
        // (the fallback) each packet would leave ~1.1 KB plus its length behind.
        assertTrue(dev.zerokube.overlay.crypto.Gmac.usesJdkGhash(), "GMAC not on the JDK's GHASH: "
                + dev.zerokube.overlay.crypto.Gmac.whyNotJdkGhash());
        long allocated = steadyStateAllocation(AES_GMAC_SIV);
        assertTrue(allocated < 1_000, allocated + " bytes allocated in the last of 500 windows of 10000 rounds");
    }

    /** Round i's cipher: 0 and 1 alternately. */
    static final java.util.function.IntUnaryOperator SALSA_AND_POLY = i -> i & 1;
    /** Round i's cipher: always 3. */
    static final java.util.function.IntUnaryOperator AES_GMAC_SIV = i -> PacketHeader.CIPHER_AES_GMAC_SIV;

    /**
     * Bytes the armor path allocated in its last window of 10,000 rounds (packets of 28 to 1427
     * bytes, round i with cipher {@code cipherOfRound(i)}), measuring windows until one is clean or
     * 500 have run: the SIMD Salsa20 (packets of 256 bytes and more) allocates until C2 has
     * compiled it, which on a loaded machine can take many windows; a path that allocates in
     * steady state never gets clean.
     */
    static long steadyStateAllocation(java.util.function.IntUnaryOperator cipherOfRound) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Armor armor = new Armor(K);
        byte[] p = new byte[1432];
        byte[] junk = p.clone();
        long allocated = Long.MAX_VALUE;
        for (int window = 0; window < 500 && allocated >= 1_000; window++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 10_000; i++) {
                exercise(armor, p, junk, i, cipherOfRound.applyAsInt(i));
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
        }
        return allocated;
    }

    private static void exercise(Armor armor, byte[] p, byte[] junk, int i, int cipher) {
        int len = 28 + (i % 1400);
        PacketHeader.writeHeader(p, 0, i, 1, 2, 8);
        armor.armor(p, 0, len, cipher);
        if (armor.dearmor(p, 0, len) != Verdict.AUTHENTICATED || armor.dearmor(junk, 0, len) == Verdict.AUTHENTICATED) {
            throw new AssertionError("round " + i);
        }
    }
}
