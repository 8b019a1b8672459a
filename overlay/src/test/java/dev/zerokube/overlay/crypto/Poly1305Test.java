package dev.zerokube.overlay.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/*
 * Goal: the tuned Poly1305 equals the standard one-time authenticator for every length, offset
 * and key, including the carry and final-reduction edge cases.
 * Method: Bouncy Castle's Poly1305 without a cipher (raw r ‖ s key, an independent implementation)
 * as the reference, over seeded random inputs and over all-0xff keys and messages, which drive
 * every limb to its maximum.
 */
class Poly1305Test {

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void matchesBouncyCastle(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        org.bouncycastle.crypto.macs.Poly1305 bc = new org.bouncycastle.crypto.macs.Poly1305();
        for (int trial = 0; trial < 3000; trial++) {
            int len = trial < 2000 ? random.nextInt(200) : random.nextInt(5000);
            byte[] key = Salsa20Test.bytes(random, 32);
            byte[] msg = Salsa20Test.bytes(random, len);
            switch (trial % 5) {
                case 1 -> Arrays.fill(msg, (byte) 0xff);
                case 2 -> Arrays.fill(key, (byte) 0xff);
                case 3 -> {
                    Arrays.fill(key, (byte) 0xff);
                    Arrays.fill(msg, (byte) 0xff);
                }
                default -> { }
            }
            byte[] expected = new byte[16];
            bc.init(new KeyParameter(key));
            bc.update(msg, 0, len);
            bc.doFinal(expected, 0);

            int keyOff = random.nextInt(7);
            int msgOff = random.nextInt(7);
            int tagOff = random.nextInt(7);
            byte[] keyBuf = new byte[keyOff + 32 + 3];
            System.arraycopy(key, 0, keyBuf, keyOff, 32);
            byte[] msgBuf = new byte[msgOff + len + 3];
            System.arraycopy(msg, 0, msgBuf, msgOff, len);
            byte[] tagBuf = new byte[tagOff + 16 + 3];
            Poly1305.mac(keyBuf, keyOff, msgBuf, msgOff, len, tagBuf, tagOff);
            assertArrayEquals(expected, Arrays.copyOfRange(tagBuf, tagOff, tagOff + 16), "length " + len);
        }
    }

    @Test
    void rejectsOutOfRangeArguments() {
        byte[] key = new byte[32];
        byte[] tag = new byte[16];
        assertThrows(IndexOutOfBoundsException.class, () -> Poly1305.mac(key, 1, new byte[4], 0, 4, tag, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> Poly1305.mac(key, 0, new byte[4], 1, 4, tag, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> Poly1305.mac(key, 0, new byte[4], 0, 4, tag, 1));
    }
}
