package dev.zerokube.overlay.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/*
 * Goal: AES-GMAC-SIV and its building blocks (Aes CTR, Gmac) compute ZT1-01 §15 for any sizes and
 * offsets, round-trip, and reject every tampering; GMAC gives the same tags on the JDK's GHASH
 * (the default where the package is opened) as through AES-GCM, and CTR the same stream on the
 * JDK's counter mode as built from ECB, wrap included, compiled or not.
 * Method: a straight reference composition of stock JCE transforms (AES/GCM for the tag,
 * AES/ECB for the SIV block, AES/CTR/NoPadding for the stream), written in the test, compared on
 * seeded random inputs; then single-bit flips of ciphertext, tag and AAD, and truncation, must all
 * fail to decrypt.
 */
class AesGmacSivTest {

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void matchesAReferenceBuiltFromStockJceTransforms(long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        for (int trial = 0; trial < 150; trial++) {
            byte[] k0 = Salsa20Test.bytes(random, 32);
            byte[] k1 = Salsa20Test.bytes(random, 32);
            AesGmacSiv siv = new AesGmacSiv(k0, k1);
            for (int packet = 0; packet < 3; packet++) {
                byte[] iv = Salsa20Test.bytes(random, 8);
                byte[] aad = Salsa20Test.bytes(random, random.nextInt(40));
                int len = random.nextInt(trial < 100 ? 100 : 9000);
                byte[] pt = Salsa20Test.bytes(random, len);

                byte[] expectedTag = new byte[16];
                byte[] expectedCt = reference(k0, k1, iv, aad, pt, expectedTag);

                int off = random.nextInt(30);
                byte[] buf = new byte[off + len + 5];
                System.arraycopy(pt, 0, buf, off, len);
                byte[] tag = new byte[20];
                siv.encrypt(iv, 0, aad, 0, aad.length, buf, off, buf, off, len, tag, 2);
                assertArrayEquals(expectedTag, Arrays.copyOfRange(tag, 2, 18));
                assertArrayEquals(expectedCt, Arrays.copyOfRange(buf, off, off + len));

                byte[] back = new byte[len];
                assertTrue(siv.decrypt(tag, 2, aad, 0, aad.length, buf, off, back, 0, len));
                assertArrayEquals(pt, back);
            }
        }
    }

    @Test
    void everySingleBitFlipAndTruncationIsRejected() {
        SplittableRandom random = new SplittableRandom(17);
        byte[] k0 = Salsa20Test.bytes(random, 32);
        byte[] k1 = Salsa20Test.bytes(random, 32);
        AesGmacSiv siv = new AesGmacSiv(k0, k1);
        byte[] iv = Salsa20Test.bytes(random, 8);
        byte[] aad = Salsa20Test.bytes(random, 11);
        byte[] pt = Salsa20Test.bytes(random, 97);
        byte[] ct = new byte[pt.length];
        byte[] tag = new byte[16];
        siv.encrypt(iv, 0, aad, 0, aad.length, pt, 0, ct, 0, pt.length, tag, 0);
        byte[] out = new byte[pt.length];
        for (int bit = 0; bit < ct.length * 8; bit++) {
            byte[] bad = ct.clone();
            bad[bit >> 3] ^= (byte) (1 << (bit & 7));
            assertFalse(siv.decrypt(tag, 0, aad, 0, aad.length, bad, 0, out, 0, bad.length), "ciphertext bit " + bit);
        }
        for (int bit = 0; bit < 128; bit++) {
            byte[] bad = tag.clone();
            bad[bit >> 3] ^= (byte) (1 << (bit & 7));
            assertFalse(siv.decrypt(bad, 0, aad, 0, aad.length, ct, 0, out, 0, ct.length), "tag bit " + bit);
        }
        for (int bit = 0; bit < aad.length * 8; bit++) {
            byte[] bad = aad.clone();
            bad[bit >> 3] ^= (byte) (1 << (bit & 7));
            assertFalse(siv.decrypt(tag, 0, bad, 0, bad.length, ct, 0, out, 0, ct.length), "aad bit " + bit);
        }
        assertFalse(siv.decrypt(tag, 0, aad, 0, aad.length, ct, 0, out, 0, ct.length - 1), "truncated");
        assertFalse(siv.decrypt(tag, 0, aad, 0, aad.length - 1, ct, 0, out, 0, ct.length), "shorter aad");
        // and the genuine packet still decrypts, twice in a row (same recovered nonce both times)
        assertTrue(siv.decrypt(tag, 0, aad, 0, aad.length, ct, 0, out, 0, ct.length));
        assertTrue(siv.decrypt(tag, 0, aad, 0, aad.length, ct, 0, out, 0, ct.length));
        assertArrayEquals(pt, out);
    }

    @Test
    void theSameNonceTwiceInARowEncryptsDeterministically() {
        // The JDK refuses to re-initialise GCM encryption with an unchanged key and IV; Gmac must cope.
        SplittableRandom random = new SplittableRandom(5);
        AesGmacSiv siv = new AesGmacSiv(Salsa20Test.bytes(random, 32), Salsa20Test.bytes(random, 32));
        byte[] iv = Salsa20Test.bytes(random, 8);
        byte[] pt = Salsa20Test.bytes(random, 50);
        byte[][] cts = new byte[3][50];
        byte[][] tags = new byte[3][16];
        for (int i = 0; i < 3; i++) {
            siv.encrypt(iv, 0, new byte[0], 0, 0, pt, 0, cts[i], 0, pt.length, tags[i], 0);
        }
        assertArrayEquals(cts[0], cts[1]);
        assertArrayEquals(cts[0], cts[2]);
        assertArrayEquals(tags[0], tags[2]);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void ctrMatchesJceAndWrapsItsThirtyTwoBitCounterWithoutCarry(boolean onJdkCounterMode) throws Exception {
        assumeTrue(!onJdkCounterMode || JdkCounterMode.AVAILABLE, "the JDK's counter mode is not opened in this JVM");
        SplittableRandom random = new SplittableRandom(8);
        byte[] key = Salsa20Test.bytes(random, 32);
        Aes aes = new Aes(key, onJdkCounterMode);
        assertEquals(onJdkCounterMode, aes.ctrOnJdkCounterMode());
        for (int trial = 0; trial < 200; trial++) {
            byte[] counter = Salsa20Test.bytes(random, 16);
            counter[12] &= 0x7f; // no 32-bit wrap within these lengths, so JCE's 128-bit counter agrees
            byte[] in = Salsa20Test.bytes(random, random.nextInt(10000));
            Cipher ctr = Cipher.getInstance("AES/CTR/NoPadding");
            ctr.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(counter));
            byte[] expected = ctr.doFinal(in);
            byte[] out = new byte[in.length];
            aes.ctr(counter, 0, in, 0, out, 0, in.length);
            assertArrayEquals(expected, out);
        }
        // Counter ff..ff ends the 32-bit range: the next block is 00000000 with bytes 0..11 unchanged.
        byte[] counter = Salsa20Test.bytes(random, 16);
        Arrays.fill(counter, 12, 16, (byte) 0xff);
        byte[] out = new byte[32];
        aes.ctr(counter, 0, new byte[32], 0, out, 0, 32);
        byte[] second = counter.clone();
        Arrays.fill(second, 12, 16, (byte) 0);
        byte[] expected = new byte[32];
        aes.encryptBlock(counter, 0, expected, 0);
        aes.encryptBlock(second, 0, expected, 16);
        assertArrayEquals(expected, out);
    }

    @Test
    void theBuildsJvmsComputeGmacOnTheJdksGhash() {
        // surefire's argLine opens the package as zerokube's jar manifests do; if either stops
        // doing it, GMAC silently falls back to the slower AES-GCM path
        assertTrue(Gmac.usesJdkGhash(), "not on the JDK's GHASH: " + Gmac.whyNotJdkGhash());
        assertNull(Gmac.whyNotJdkGhash());
        assertTrue(new Gmac(new byte[32]).direct());
    }

    @Test
    void theBuildsJvmsRunCtrOnTheJdksCounterMode() {
        assertTrue(JdkCounterMode.AVAILABLE, "not on the JDK's counter mode: " + JdkCounterMode.unavailableReason());
        assertTrue(new Aes(new byte[32]).ctrOnJdkCounterMode());
    }

    @Test
    void ctrOnTheJdksCounterModeEqualsCtrBuiltFromEcbOnceCompiled() {
        // Enough runs for the JIT to compile both paths (the JDK's then runs HotSpot's AES-CTR
        // stub), a fifth of them with a counter a few blocks before the 32-bit wrap, in place or not.
        assumeTrue(JdkCounterMode.AVAILABLE, "the JDK's counter mode is not opened in this JVM");
        SplittableRandom random = new SplittableRandom(11);
        byte[] key = Salsa20Test.bytes(random, 32);
        Aes direct = new Aes(key, true);
        Aes fromEcb = new Aes(key, false);
        byte[] data = Salsa20Test.bytes(random, 3000);
        byte[] counter = new byte[20];
        byte[] a = new byte[3000];
        byte[] b = new byte[3000];
        for (int i = 0; i < 100_000; i++) {
            random.nextBytes(counter);
            int counterOff = random.nextInt(5);
            if (i % 5 == 0) {
                java.util.Arrays.fill(counter, counterOff + 12, counterOff + 15, (byte) 0xff);
            }
            int off = random.nextInt(100);
            int len = random.nextInt(data.length - off);
            fromEcb.ctr(counter, counterOff, data, off, b, off, len);
            if (i % 2 == 0) {
                direct.ctr(counter, counterOff, data, off, a, off, len);
            } else {
                System.arraycopy(data, off, a, off, len);
                direct.ctr(counter, counterOff, a, off, a, off, len);
            }
            if (!Arrays.equals(a, off, off + len, b, off, off + len)) {
                assertArrayEquals(Arrays.copyOfRange(b, off, off + len), Arrays.copyOfRange(a, off, off + len),
                        "run " + i + " of " + len + " bytes");
            }
        }
    }

    @Test
    void gmacOnTheJdksGhashEqualsGmacThroughAesGcmOnceCompiled() {
        // Enough tags for the JIT to compile the direct path, whose GHASH then runs HotSpot's
        // carry-less-multiply stub instead of the JDK's Java loop: both must give the same tags.
        assumeTrue(JdkGhash.AVAILABLE, "the JDK's GHASH is not opened in this JVM");
        SplittableRandom random = new SplittableRandom(10);
        byte[] key = Salsa20Test.bytes(random, 32);
        Gmac direct = new Gmac(key, true);
        Gmac throughCipher = new Gmac(key, false);
        byte[] data = Salsa20Test.bytes(random, 3000);
        byte[] iv = new byte[12];
        byte[] a = new byte[16];
        byte[] b = new byte[16];
        for (int i = 0; i < 100_000; i++) {
            random.nextBytes(iv);
            int off = random.nextInt(100);
            int len = random.nextInt(data.length - off);
            int split = random.nextInt(len + 1);
            for (Gmac g : List.of(direct, throughCipher)) {
                g.init(iv, 0);
                g.update(data, off, split);
                g.update(data, off + split, len - split);
            }
            direct.finish(a, 0);
            throughCipher.finish(b, 0);
            if (!Arrays.equals(a, b)) {
                assertArrayEquals(b, a, "tag " + i + " of " + len + " bytes");
            }
            data[random.nextInt(data.length)] ^= 1;
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void gmacFedInPiecesEqualsJceGcmTag(boolean onJdkGhash) throws Exception {
        assumeTrue(!onJdkGhash || JdkGhash.AVAILABLE, "the JDK's GHASH is not opened in this JVM");
        SplittableRandom random = new SplittableRandom(9);
        for (int trial = 0; trial < 100; trial++) {
            byte[] key = Salsa20Test.bytes(random, 32);
            byte[] iv = Salsa20Test.bytes(random, 12);
            byte[] data = Salsa20Test.bytes(random, random.nextInt(3000));
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
            gcm.updateAAD(data);
            byte[] expected = gcm.doFinal();
            Gmac gmac = new Gmac(key, onJdkGhash);
            assertEquals(onJdkGhash, gmac.direct());
            gmac.init(iv, 0);
            for (int pos = 0; pos < data.length; ) {
                int n = Math.min(data.length - pos, random.nextInt(40));
                gmac.update(data, pos, n);
                pos += n;
            }
            byte[] tag = new byte[16];
            gmac.finish(tag, 0);
            assertArrayEquals(expected, tag);
        }
    }

    /** ZT1-01 §15.2 step by step with stock JCE transforms. */
    private static byte[] reference(byte[] k0, byte[] k1, byte[] iv8, byte[] aad, byte[] pt, byte[] tagOut)
            throws Exception {
        byte[] gmacInput = new byte[(aad.length + 15) / 16 * 16 + pt.length];
        System.arraycopy(aad, 0, gmacInput, 0, aad.length);
        System.arraycopy(pt, 0, gmacInput, gmacInput.length - pt.length, pt.length);
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(k0, "AES"), new GCMParameterSpec(128, Arrays.copyOf(iv8, 12)));
        gcm.updateAAD(gmacInput);
        byte[] t = gcm.doFinal();
        byte[] block = Arrays.copyOf(iv8, 16);
        for (int i = 0; i < 8; i++) {
            block[8 + i] = (byte) (t[i] ^ t[8 + i]);
        }
        Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
        ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(k1, "AES"));
        byte[] s = ecb.doFinal(block);
        System.arraycopy(s, 0, tagOut, 0, 16);
        byte[] c0 = s.clone();
        c0[12] &= 0x7f;
        Cipher ctr = Cipher.getInstance("AES/CTR/NoPadding");
        ctr.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(k1, "AES"), new IvParameterSpec(c0));
        return ctr.doFinal(pt);
    }
}
