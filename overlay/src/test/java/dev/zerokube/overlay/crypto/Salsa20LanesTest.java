package dev.zerokube.overlay.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/*
 * Goal: the lane-wise keystream is exactly Salsa20's, block for block, for every round count,
 * key, nonce and counter, including the counter's carry from word 8 into word 9.
 * Method: the scalar Salsa20 (itself checked against Bouncy Castle in Salsa20Test), with its
 * vector path off, gives the reference stream from the same key, nonce and counter; several
 * consecutive calls must continue it. The memory-hard hash built on it is checked against
 * ZeroTier One's own digests in CryptoVectorsTest and IdentitiesVectorTest.
 */
class Salsa20LanesTest {

    @ParameterizedTest
    @ValueSource(ints = {8, 12, 20})
    void equalsTheScalarKeystreamOverConsecutiveCalls(int rounds) {
        SplittableRandom random = new SplittableRandom(rounds);
        for (int trial = 0; trial < 8; trial++) {
            byte[] key = bytes(random, 40);
            byte[] iv = bytes(random, 16);
            int keyOff = random.nextInt(8);
            int ivOff = random.nextInt(8);
            Salsa20Lanes lanes = new Salsa20Lanes(rounds);
            lanes.init(key, keyOff, iv, ivOff);
            Salsa20 scalar = new Salsa20(rounds, false);
            scalar.init(key, keyOff, iv, ivOff);

            int calls = 3;
            byte[] expected = new byte[calls * Salsa20Lanes.BYTES];
            scalar.stream(expected, 0, expected.length);
            int outOff = random.nextInt(64);
            byte[] actual = new byte[outOff + calls * Salsa20Lanes.BYTES + 7];
            for (int c = 0; c < calls; c++) {
                assertEquals((long) c * Salsa20Lanes.BLOCKS, lanes.blockCounter());
                lanes.next(actual, outOff + c * Salsa20Lanes.BYTES);
            }
            assertArrayEquals(expected, Arrays.copyOfRange(actual, outOff, outOff + expected.length),
                    "rounds " + rounds + ", trial " + trial);
        }
    }

    @Test
    void carriesTheBlockCounterIntoItsHighWord() {
        byte[] key = bytes(new SplittableRandom(1), 32);
        byte[] iv = bytes(new SplittableRandom(2), 8);
        // the call covers blocks 2^32 - 100 .. 2^32 + 155: word 8 wraps to 0 and word 9 becomes 1
        long start = (1L << 32) - 100;
        Salsa20Lanes lanes = new Salsa20Lanes(20);
        lanes.init(key, 0, iv, 0);
        lanes.setBlockCounter(start);
        byte[] actual = new byte[Salsa20Lanes.BYTES];
        lanes.next(actual, 0);

        Salsa20 scalar = new Salsa20(20, false);
        scalar.init(key, 0, iv, 0);
        scalar.setBlockCounter(start);
        byte[] expected = new byte[Salsa20Lanes.BYTES];
        scalar.stream(expected, 0, expected.length);
        assertArrayEquals(expected, actual);
        assertEquals(start + Salsa20Lanes.BLOCKS, lanes.blockCounter());
    }

    @Test
    void refusesBadRoundsAndShortBuffers() {
        assertThrows(IllegalArgumentException.class, () -> new Salsa20Lanes(10));
        Salsa20Lanes lanes = new Salsa20Lanes(20);
        lanes.init(new byte[32], 0, new byte[8], 0);
        assertThrows(IndexOutOfBoundsException.class, () -> lanes.next(new byte[Salsa20Lanes.BYTES - 1], 0));
        assertThrows(IndexOutOfBoundsException.class, () -> lanes.next(new byte[Salsa20Lanes.BYTES], 1));
        assertThrows(IndexOutOfBoundsException.class, () -> lanes.init(new byte[31], 0, new byte[8], 0));
        assertEquals(0, lanes.blockCounter(), "a refused call consumes no keystream");
    }

    private static byte[] bytes(SplittableRandom random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
