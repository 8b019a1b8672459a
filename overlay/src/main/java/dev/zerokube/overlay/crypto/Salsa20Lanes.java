package dev.zerokube.overlay.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Salsa20 keystream {@value #BLOCKS} consecutive blocks at a time, in plain Java that the JIT
 * turns into SIMD code: the same bytes as {@link Salsa20#stream} from the same key, nonce and
 * block counter.
 *
 * <p>Why: the memory-hard hash behind every identity (ZT1-01 §7) consumes 163,840 blocks of
 * Salsa20/20 keystream, and a pod's sidecar runs it about 15 times at start, so it is most of a
 * sidecar's time to ready. The keystream does not depend on the data it is XORed onto, so it can
 * be computed ahead, many blocks at once. The state is laid out by word, not by block: word
 * {@code i} of all {@value #BLOCKS} blocks is array {@code xi}, and each quarter-round is one
 * loop over the blocks ({@link #quarterRound}) that C2's auto-vectorizer runs 8 or 16 blocks per
 * instruction on CPUs with AVX2 or AVX-512. This needs no incubator module, unlike
 * {@link Simd}, which the zerokube image runs without (docs/injection.md). Measured on a 2-vCPU
 * AVX-512 VM (docs/performance.md, "The memory-hard hash's keystream"): the hash 2.5 to 3 times
 * faster, with AVX2 alone too; on CPUs without 256-bit integer vectors the loops stay scalar
 * and cost about what {@link Salsa20} does.
 *
 * <p>An instance holds 16 KiB of state; not thread-safe.
 */
final class Salsa20Lanes {
    /** Blocks per call of {@link #next}: enough for the loops' SIMD bodies to dominate their set-up. */
    static final int BLOCKS = 256;
    /** Bytes per call of {@link #next}. */
    static final int BYTES = BLOCKS * Salsa20.BLOCK_LENGTH;

    private static final VarHandle LE_INT =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int SIGMA0 = 0x61707865;
    private static final int SIGMA1 = 0x3320646e;
    private static final int SIGMA2 = 0x79622d32;
    private static final int SIGMA3 = 0x6b206574;

    private final int doubleRounds;
    private final int[] x0 = new int[BLOCKS], x1 = new int[BLOCKS], x2 = new int[BLOCKS], x3 = new int[BLOCKS];
    private final int[] x4 = new int[BLOCKS], x5 = new int[BLOCKS], x6 = new int[BLOCKS], x7 = new int[BLOCKS];
    private final int[] x8 = new int[BLOCKS], x9 = new int[BLOCKS], x10 = new int[BLOCKS], x11 = new int[BLOCKS];
    private final int[] x12 = new int[BLOCKS], x13 = new int[BLOCKS], x14 = new int[BLOCKS], x15 = new int[BLOCKS];
    // Input words that vary per key/nonce, named by their position in the state; the counter is 8..9.
    private int k1, k2, k3, k4, k11, k12, k13, k14, n6, n7;
    private long counter;

    /** A generator with {@code rounds} rounds: 8, 12 or 20. */
    Salsa20Lanes(int rounds) {
        if (rounds != 8 && rounds != 12 && rounds != 20) {
            throw new IllegalArgumentException("Salsa20 rounds must be 8, 12 or 20: " + rounds);
        }
        this.doubleRounds = rounds >> 1;
    }

    /** Sets key {@code key[keyOff, keyOff+32)} and nonce {@code iv[ivOff, ivOff+8)}; the block counter restarts at 0. */
    void init(byte[] key, int keyOff, byte[] iv, int ivOff) {
        Objects.checkFromIndexSize(keyOff, Salsa20.KEY_LENGTH, key.length);
        Objects.checkFromIndexSize(ivOff, Salsa20.IV_LENGTH, iv.length);
        k1 = (int) LE_INT.get(key, keyOff);
        k2 = (int) LE_INT.get(key, keyOff + 4);
        k3 = (int) LE_INT.get(key, keyOff + 8);
        k4 = (int) LE_INT.get(key, keyOff + 12);
        k11 = (int) LE_INT.get(key, keyOff + 16);
        k12 = (int) LE_INT.get(key, keyOff + 20);
        k13 = (int) LE_INT.get(key, keyOff + 24);
        k14 = (int) LE_INT.get(key, keyOff + 28);
        n6 = (int) LE_INT.get(iv, ivOff);
        n7 = (int) LE_INT.get(iv, ivOff + 4);
        counter = 0;
    }

    /** The index of the next keystream block {@link #next} writes. */
    long blockCounter() {
        return counter;
    }

    /** Moves to keystream block {@code block} (tests reach the counter's 32-bit carry this way). */
    void setBlockCounter(long block) {
        counter = block;
    }

    /** Writes the next {@value #BLOCKS} keystream blocks to {@code out[off, off + BYTES)}. */
    void next(byte[] out, int off) {
        Objects.checkFromIndexSize(off, BYTES, out.length);
        long first = counter;
        load(first);
        for (int r = doubleRounds; r > 0; r--) {
            // columns
            quarterRound(x0, x4, x8, x12);
            quarterRound(x5, x9, x13, x1);
            quarterRound(x10, x14, x2, x6);
            quarterRound(x15, x3, x7, x11);
            // rows
            quarterRound(x0, x1, x2, x3);
            quarterRound(x5, x6, x7, x4);
            quarterRound(x10, x11, x8, x9);
            quarterRound(x15, x12, x13, x14);
        }
        store(first, out, off);
        counter = first + BLOCKS;
    }

    // The input state of blocks first .. first+BLOCKS-1, one word per array.
    private void load(long first) {
        for (int b = 0; b < BLOCKS; b++) {
            long block = first + b;
            x0[b] = SIGMA0;
            x1[b] = k1;
            x2[b] = k2;
            x3[b] = k3;
            x4[b] = k4;
            x5[b] = SIGMA1;
            x6[b] = n6;
            x7[b] = n7;
            x8[b] = (int) block;
            x9[b] = (int) (block >>> 32);
            x10[b] = SIGMA2;
            x11[b] = k11;
            x12[b] = k12;
            x13[b] = k13;
            x14[b] = k14;
            x15[b] = SIGMA3;
        }
    }

    /**
     * Salsa20's quarter-round on words (y0, y1, y2, y3) of every block. One loop per quarter-round
     * (not per step): each word is loaded and stored once per quarter-round, and the body stays
     * small enough for the auto-vectorizer.
     */
    private static void quarterRound(int[] p0, int[] p1, int[] p2, int[] p3) {
        for (int b = 0; b < p0.length; b++) {
            int y0 = p0[b], y1 = p1[b], y2 = p2[b], y3 = p3[b];
            y1 ^= Integer.rotateLeft(y0 + y3, 7);
            y2 ^= Integer.rotateLeft(y1 + y0, 9);
            y3 ^= Integer.rotateLeft(y2 + y1, 13);
            y0 ^= Integer.rotateLeft(y3 + y2, 18);
            p0[b] = y0;
            p1[b] = y1;
            p2[b] = y2;
            p3[b] = y3;
        }
    }

    // The feed-forward (output = final state + input state), written block after block.
    private void store(long first, byte[] out, int off) {
        for (int b = 0, o = off; b < BLOCKS; b++, o += Salsa20.BLOCK_LENGTH) {
            storeBlock(b, first + b, out, o);
        }
    }

    // One block: a method of its own, called 256 times per pass, so a cold JVM compiles it within
    // the first pass instead of interpreting this loop body for a whole hash.
    private void storeBlock(int b, long block, byte[] out, int o) {
        LE_LONG.set(out, o, pack(x0[b] + SIGMA0, x1[b] + k1));
        LE_LONG.set(out, o + 8, pack(x2[b] + k2, x3[b] + k3));
        LE_LONG.set(out, o + 16, pack(x4[b] + k4, x5[b] + SIGMA1));
        LE_LONG.set(out, o + 24, pack(x6[b] + n6, x7[b] + n7));
        LE_LONG.set(out, o + 32, pack(x8[b] + (int) block, x9[b] + (int) (block >>> 32)));
        LE_LONG.set(out, o + 40, pack(x10[b] + SIGMA2, x11[b] + k11));
        LE_LONG.set(out, o + 48, pack(x12[b] + k12, x13[b] + k13));
        LE_LONG.set(out, o + 56, pack(x14[b] + k14, x15[b] + SIGMA3));
    }

    private static long pack(int lo, int hi) {
        return (lo & 0xffffffffL) | ((long) hi << 32);
    }
}
