package dev.zerokube.overlay.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/*
 * Goal: the build's tests run the Vector API kernels (so the crypto tests cover them), and the byte
 * XOR kernel (and Aes's scalar fallback) is an exact XOR at any length and offset, in place too,
 * and the CTR counter blocks equal Aes's scalar ones.
 * Method: check the module and that the vector path is on; compare the kernel with a byte loop over seeded random
 * lengths and offsets. Salsa20Test and AesGmacSivTest compare the algorithms built on the kernels
 * with their scalar paths and the vectors.
 */
class SimdTest {

    @Test
    void testJvmHasTheVectorPath() {
        assertTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                "the build runs tests with --add-modules jdk.incubator.vector (root pom argLine)");
        assumeTrue(Simd.LANES >= 8, "this CPU has no 256-bit vectors: the crypto stays scalar here");
        assertTrue(SimdCheck.AVAILABLE);
        assertTrue(SimdCheck.ENABLED, "the vector path is the default where it is available");
    }

    @Test
    void xorMatchesAByteLoop() {
        assumeTrue(SimdCheck.AVAILABLE, "no vector path in this JVM");
        SplittableRandom random = new SplittableRandom(7);
        for (int trial = 0; trial < 500; trial++) {
            int len = random.nextInt(trial < 250 ? 300 : 5000);
            int aOff = random.nextInt(3) == 0 ? 0 : random.nextInt(70);
            int bOff = random.nextInt(70);
            int outOff = random.nextInt(70);
            byte[] a = Salsa20Test.bytes(random, aOff + len + 3);
            byte[] b = Salsa20Test.bytes(random, bOff + len + 3);
            byte[] expected = new byte[outOff + len + 3];
            for (int i = 0; i < len; i++) {
                expected[outOff + i] = (byte) (a[aOff + i] ^ b[bOff + i]);
            }
            byte[] out = new byte[expected.length];
            Simd.xor(a, aOff, b, bOff, out, outOff, len);
            assertArrayEquals(expected, out, "trial " + trial);
            if (aOff == 0) { // Aes's fallback for JVMs without the module: keystream at 0
                byte[] scalar = new byte[expected.length];
                Aes.xorScalar(a, b, bOff, scalar, outOff, len);
                assertArrayEquals(expected, scalar, "scalar, trial " + trial);
            }
            byte[] inPlace = a.clone();
            Simd.xor(inPlace, aOff, b, bOff, inPlace, aOff, len);
            for (int i = 0; i < len; i++) {
                assertTrue(inPlace[aOff + i] == expected[outOff + i], "in place, trial " + trial);
            }
        }
    }

    @Test
    void counterBlocksMatchTheScalarOnesAcrossTheWrap() {
        assumeTrue(SimdCheck.AVAILABLE, "no vector path in this JVM");
        SplittableRandom random = new SplittableRandom(8);
        int[] lanes = new int[Simd.COUNTER_SCRATCH];
        for (int trial = 0; trial < 300; trial++) {
            long prefixHigh = random.nextLong();
            int prefixLow = random.nextInt();
            // a third of the trials start just below 2^32 so the last word wraps inside the run
            int count = random.nextInt(3) == 0 ? -random.nextInt(1, 40) : random.nextInt();
            int blocks = random.nextInt(1, 257);
            byte[] expected = new byte[blocks * 16 + 16];
            Aes.counterBlocksScalar(prefixHigh, prefixLow, count, expected, blocks);
            byte[] actual = new byte[blocks * 16 + 16];
            Simd.counterBlocks(prefixHigh, prefixLow, count, actual, blocks, lanes);
            assertArrayEquals(expected, actual, "trial " + trial);
        }
    }
}
