package dev.zerokube.overlay.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/*
 * Goal: the generator is exactly the fast-key-erasure construction over Salsa20/20 (so its strength
 * is Salsa20's), its output does not repeat, and it allocates nothing per value. Method: rebuild
 * the expected stream independently from Salsa20 (key, zero nonce; 32 bytes to the next key, 992
 * out) across several refills; count repeats and bit balance over a million values; measure the
 * thread's allocated bytes.
 */
class FastKeyErasureRandomTest {
    private static final VarHandle LE_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    @Test
    void outputIsTheSalsa20StreamWithTheKeyRenewedEachRefill() {
        byte[] seed = new byte[32];
        new SplittableRandom(1).nextBytes(seed);
        FastKeyErasureRandom random = new FastKeyErasureRandom(seed);
        byte[] key = seed.clone();
        Salsa20 reference = new Salsa20(20, false);
        for (int refill = 0; refill < 5; refill++) {
            byte[] stream = new byte[1024];
            reference.init(key, 0, new byte[8], 0);
            reference.stream(stream, 0, stream.length);
            System.arraycopy(stream, 0, key, 0, 32);
            for (int off = 32; off < 1024; off += 8) {
                assertEquals((long) LE_LONG.get(stream, off), random.nextLong(), "refill " + refill + " offset " + off);
            }
        }
    }

    @Test
    void differentSeedsGiveDifferentStreamsAndNoValueRepeats() {
        byte[] a = new byte[32];
        byte[] b = new byte[32];
        b[31] = 1;
        assertNotEquals(new FastKeyErasureRandom(a).nextLong(), new FastKeyErasureRandom(b).nextLong());

        FastKeyErasureRandom random = new FastKeyErasureRandom(a);
        Set<Long> seen = new HashSet<>();
        long ones = 0;
        int n = 1_000_000;
        for (int i = 0; i < n; i++) {
            long v = random.nextLong();
            assertTrue(seen.add(v), "value " + i + " repeats");
            ones += Long.bitCount(v);
        }
        // 64 million fair bits: the mean is 32 M, the standard deviation 4,000; 10 sigma apart.
        assertTrue(Math.abs(ones - 32L * n) < 40_000, "bit balance " + ones);
    }

    @Test
    void aWrongSeedLengthIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new FastKeyErasureRandom(new byte[16]));
    }

    @Test
    void valuesAllocateNothing() {
        FastKeyErasureRandom random = new FastKeyErasureRandom(new byte[32]);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long sink = 0;
        for (int i = 0; i < 200_000; i++) {
            sink += random.nextLong(); // warm up: the JIT compiles the path first
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 1_000_000; i++) {
            sink += random.nextLong();
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 1024, allocated + " bytes for a million values (" + sink + ")");
    }
}
