package dev.zerokube.overlay.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.bouncycastle.crypto.engines.Salsa20Engine;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/*
 * Goal: the tuned Salsa20 produces exactly standard Salsa20/12 and /20 with ZeroTier's
 * whole-block-per-call stream semantics, at any length, offset and sequence of calls.
 * Method: Bouncy Castle's Salsa20Engine (an independent implementation of the same function) gives
 * one continuous keystream; each of our calls must equal it starting at the block where the call
 * starts, which is the block after the one the previous call ended in. The SIMD path
 * (Simd, on when the JVM has jdk.incubator.vector, as the build's tests do) is also
 * compared with the scalar path over seeded random call sequences, counter wraps included.
 */
class Salsa20Test {

    @ParameterizedTest
    @ValueSource(ints = {12, 20})
    void matchesBouncyCastleAcrossLengthsOffsetsAndSplitCalls(int rounds) {
        SplittableRandom random = new SplittableRandom(rounds);
        Salsa20 salsa = new Salsa20(rounds);
        for (int trial = 0; trial < 300; trial++) {
            byte[] key = bytes(random, 32);
            byte[] iv = bytes(random, 8);
            int calls = 1 + random.nextInt(4);
            int[] lengths = new int[calls];
            int blocks = 0;
            for (int i = 0; i < calls; i++) {
                lengths[i] = random.nextInt(trial < 100 ? 200 : 3000);
                blocks += (lengths[i] + 63) / 64;
            }
            byte[] stream = bouncyCastleKeystream(rounds, key, iv, blocks * 64);

            int keyOff = random.nextInt(5);
            int ivOff = random.nextInt(5);
            byte[] keyBuf = new byte[keyOff + 32];
            System.arraycopy(key, 0, keyBuf, keyOff, 32);
            byte[] ivBuf = new byte[ivOff + 8];
            System.arraycopy(iv, 0, ivBuf, ivOff, 8);
            salsa.init(keyBuf, keyOff, ivBuf, ivOff);

            int block = 0;
            for (int len : lengths) {
                byte[] in = bytes(random, len + 16);
                int inOff = random.nextInt(9);
                int outOff = random.nextInt(9);
                byte[] out = new byte[len + 16];
                assertEquals(block, salsa.blockCounter());
                if (random.nextBoolean()) {
                    salsa.crypt(in, inOff, out, outOff, len);
                    for (int i = 0; i < len; i++) {
                        assertEquals((byte) (in[inOff + i] ^ stream[block * 64 + i]), out[outOff + i], "byte " + i);
                    }
                } else {
                    salsa.stream(out, outOff, len);
                    assertArrayEquals(Arrays.copyOfRange(stream, block * 64, block * 64 + len),
                            Arrays.copyOfRange(out, outOff, outOff + len));
                }
                // bytes outside the range are untouched
                for (int i = 0; i < outOff; i++) {
                    assertEquals(0, out[i]);
                }
                for (int i = outOff + len; i < out.length; i++) {
                    assertEquals(0, out[i]);
                }
                block += (len + 63) / 64;
            }
        }
    }

    @Test
    void inPlaceEqualsOutOfPlace() {
        SplittableRandom random = new SplittableRandom(99);
        byte[] key = bytes(random, 32);
        byte[] iv = bytes(random, 8);
        byte[] data = bytes(random, 2800);
        Salsa20 salsa = new Salsa20(12);
        salsa.init(key, 0, iv, 0);
        byte[] expected = new byte[data.length];
        salsa.crypt(data, 0, expected, 0, data.length);
        salsa.init(key, 0, iv, 0);
        salsa.crypt(data, 0, data, 0, data.length);
        assertArrayEquals(expected, data);
    }

    @Test
    void counterCarriesIntoTheHighWord() {
        // Block 2^32 - 1 followed by 2^32: only reachable through many calls, so check the
        // arithmetic on Bouncy Castle's side with a skip: both must agree on block 2^32 - 1 + 1.
        byte[] key = new byte[32];
        byte[] iv = new byte[8];
        Salsa20Engine bc = new Salsa20Engine(12);
        bc.init(true, new ParametersWithIV(new KeyParameter(key), iv));
        bc.skip((1L << 32) * 64 - 64);
        byte[] expected = new byte[128];
        bc.processBytes(new byte[128], 0, 128, expected, 0);
        Salsa20 salsa = new Salsa20(12);
        salsa.init(key, 0, iv, 0);
        salsa.setBlockCounter((1L << 32) - 1);
        byte[] out = new byte[128];
        salsa.stream(out, 0, 128);
        assertArrayEquals(expected, out);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void vectorPathEqualsScalarPath(long seed) {
        assumeTrue(SimdCheck.AVAILABLE, "no vector path in this JVM");
        SplittableRandom random = new SplittableRandom(seed);
        int rounds = seed % 2 == 0 ? 20 : 12;
        Salsa20 vector = new Salsa20(rounds, true);
        Salsa20 scalar = new Salsa20(rounds, false);
        for (int trial = 0; trial < 200; trial++) {
            byte[] key = bytes(random, 32);
            byte[] iv = bytes(random, 8);
            vector.init(key, 0, iv, 0);
            scalar.init(key, 0, iv, 0);
            if (random.nextInt(4) == 0) {
                // start a few blocks below a 2^32 boundary so a pass's lanes carry into word 9
                long start = ((long) random.nextInt(1, 1 << 20) << 32) - random.nextInt(1, 40);
                vector.setBlockCounter(start);
                scalar.setBlockCounter(start);
            }
            for (int call = 0, calls = 1 + random.nextInt(4); call < calls; call++) {
                int len = random.nextInt(trial % 3 == 0 ? 5000 : 1200);
                int inOff = random.nextInt(70);
                int outOff = random.nextInt(70);
                byte[] in = bytes(random, inOff + len + 8);
                byte[] outVector = new byte[outOff + len + 8];
                byte[] outScalar = new byte[outOff + len + 8];
                boolean keystreamOnly = random.nextInt(3) == 0;
                if (keystreamOnly) {
                    vector.stream(outVector, outOff, len);
                    scalar.stream(outScalar, outOff, len);
                } else if (random.nextBoolean()) {
                    vector.crypt(in, inOff, outVector, outOff, len);
                    scalar.crypt(in, inOff, outScalar, outOff, len);
                } else {
                    byte[] inPlace = in.clone();
                    vector.crypt(inPlace, inOff, inPlace, inOff, len);
                    scalar.crypt(in, inOff, outScalar, outOff, len);
                    System.arraycopy(inPlace, inOff, outVector, outOff, len);
                }
                assertArrayEquals(outScalar, outVector, "seed " + seed + " trial " + trial + " call " + call);
                assertEquals(scalar.blockCounter(), vector.blockCounter());
            }
        }
    }

    @Test
    void rejectsUnsupportedRoundsAndShortBuffers() {
        assertThrows(IllegalArgumentException.class, () -> new Salsa20(10));
        Salsa20 salsa = new Salsa20(20);
        assertThrows(IndexOutOfBoundsException.class, () -> salsa.init(new byte[31], 0, new byte[8], 0));
        assertThrows(IndexOutOfBoundsException.class, () -> salsa.init(new byte[32], 0, new byte[8], 1));
        salsa.init(new byte[32], 0, new byte[8], 0);
        assertThrows(IndexOutOfBoundsException.class, () -> salsa.crypt(new byte[10], 0, new byte[5], 0, 10));
    }

    private static byte[] bouncyCastleKeystream(int rounds, byte[] key, byte[] iv, int len) {
        Salsa20Engine bc = new Salsa20Engine(rounds);
        bc.init(true, new ParametersWithIV(new KeyParameter(key), iv));
        byte[] out = new byte[len];
        bc.processBytes(new byte[len], 0, len, out, 0);
        return out;
    }

    static byte[] bytes(SplittableRandom random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
