package dev.zerokube.overlay.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Salsa20 with a 32-byte key, 8-byte nonce and 64-bit block counter starting at 0 (Bernstein's
 * original variant, not XSalsa20), with 12 rounds (packets, ZT1-02 §4) or 20 rounds (the address
 * hash, ZT1-01 §7).
 *
 * <p>Stream semantics are ZeroTier's (ZT1-01 §12): every call consumes whole 64-byte blocks. When
 * a call ends inside a block, the rest of that block is discarded and the next call starts with the
 * next block. Packet armor relies on this: the Poly1305 key is the first 32 bytes of block 0 and the
 * payload is encrypted from block 1.
 *
 * <p>An instance holds one key schedule and is reused across packets by calling {@link #init}
 * again; {@link #crypt} and {@link #stream} allocate nothing (an instance that does long calls
 * allocates a 1 KiB scratch once). Not thread-safe: one instance per thread (or per pipeline).
 *
 * <p>Calls of {@value #VECTOR_MIN_BYTES} bytes and more compute 8 or 16 blocks at once with the
 * Vector API ({@link Simd}, see {@link SimdCheck}) when the JVM runs with {@code --add-modules
 * jdk.incubator.vector} (the build, the tests, the benchmarks and {@code ./zerokube} do) on a CPU
 * with 256- or 512-bit vectors; otherwise, and for short calls and the scalar tail, one block at a
 * time in scalar code. Both give the same bytes (Salsa20Test compares them). With AVX-512 the
 * vector path is about six times faster at 2800 bytes (docs/performance.md).
 */
public final class Salsa20 {
    /** Bytes of a key. */
    public static final int KEY_LENGTH = 32;
    /** Bytes of a nonce ("IV" in ZeroTier). */
    public static final int IV_LENGTH = 8;
    /** Bytes of one keystream block. */
    public static final int BLOCK_LENGTH = 64;

    private static final VarHandle LE_INT =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    // "expand 32-byte k" as four little-endian words.
    private static final int SIGMA0 = 0x61707865;
    private static final int SIGMA1 = 0x3320646e;
    private static final int SIGMA2 = 0x79622d32;
    private static final int SIGMA3 = 0x6b206574;

    /**
     * Shortest call that takes the vector path: below it, the lanes a pass would compute in vain
     * cost more than the scalar blocks (measured: a 16-lane pass costs about as much as four scalar
     * blocks).
     */
    static final int VECTOR_MIN_BYTES = 4 * BLOCK_LENGTH;

    private final int rounds;
    private final boolean vector;
    private int[] vectorKeystream;
    // Input words that vary per key/nonce (the constants stay in code); counter is words 8..9.
    private int k1, k2, k3, k4, k11, k12, k13, k14, n6, n7;
    private long counter;

    /** A cipher with {@code rounds} rounds: 12 or 20 (the only values ZeroTier uses; 8 is allowed too). */
    public Salsa20(int rounds) {
        this(rounds, SimdCheck.ENABLED);
    }

    /** With {@code vector} false the vector path stays off (tests compare the two paths). */
    Salsa20(int rounds, boolean vector) {
        if (rounds != 8 && rounds != 12 && rounds != 20) {
            throw new IllegalArgumentException("Salsa20 rounds must be 8, 12 or 20: " + rounds);
        }
        this.rounds = rounds;
        this.vector = vector && SimdCheck.AVAILABLE;
    }

    /** The number of rounds this instance was built with. */
    public int rounds() {
        return rounds;
    }

    /** Sets key {@code key[keyOff, keyOff+32)} and nonce {@code iv[ivOff, ivOff+8)}; the block counter restarts at 0. */
    public void init(byte[] key, int keyOff, byte[] iv, int ivOff) {
        Objects.checkFromIndexSize(keyOff, KEY_LENGTH, key.length);
        Objects.checkFromIndexSize(ivOff, IV_LENGTH, iv.length);
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

    /** The index of the next keystream block a call will use. */
    public long blockCounter() {
        return counter;
    }

    /** Moves to keystream block {@code block}; only tests need to reach far-away counters. */
    void setBlockCounter(long block) {
        counter = block;
    }

    /**
     * {@code out[outOff, outOff+len) = in[inOff, inOff+len) XOR keystream}, continuing from the next
     * whole block. {@code in} and {@code out} may be the same range (in-place); other overlaps are
     * not supported.
     */
    public void crypt(byte[] in, int inOff, byte[] out, int outOff, int len) {
        Objects.checkFromIndexSize(inOff, len, in.length);
        Objects.checkFromIndexSize(outOff, len, out.length);
        process(in, inOff, out, outOff, len);
    }

    /** Writes {@code len} bytes of pure keystream to {@code out[off, off+len)} (continuing from the next whole block). */
    public void stream(byte[] out, int off, int len) {
        Objects.checkFromIndexSize(off, len, out.length);
        process(null, 0, out, off, len);
    }

    // One block per iteration; the 16 state words live in locals so the JIT can keep most of them
    // in registers, and full blocks are XORed eight bytes at a time.
    private void process(byte[] in, int inOff, byte[] out, int outOff, int len) {
        final int j1 = k1, j2 = k2, j3 = k3, j4 = k4, j6 = n6, j7 = n7;
        final int j11 = k11, j12 = k12, j13 = k13, j14 = k14;
        final int doubleRounds = rounds >> 1;
        long ctr = counter;
        if (vector && len >= VECTOR_MIN_BYTES) {
            int[] ks = vectorKeystream;
            if (ks == null) {
                ks = vectorKeystream = Simd.newSalsa20Scratch();
            }
            int passBytes = Simd.LANES * BLOCK_LENGTH;
            while (len >= VECTOR_MIN_BYTES) {
                Simd.salsa20Pass(doubleRounds, j1, j2, j3, j4, j6, j7, j11, j12, j13, j14, ctr, ks);
                int n = Math.min(len, passBytes);
                Simd.xorKeystream(ks, in, inOff, out, outOff, n);
                ctr += (n + BLOCK_LENGTH - 1) / BLOCK_LENGTH; // a partial last block is used up too
                inOff += n;
                outOff += n;
                len -= n;
            }
        }
        while (len > 0) {
            final int j8 = (int) ctr;
            final int j9 = (int) (ctr >>> 32);
            int x0 = SIGMA0, x1 = j1, x2 = j2, x3 = j3, x4 = j4, x5 = SIGMA1, x6 = j6, x7 = j7;
            int x8 = j8, x9 = j9, x10 = SIGMA2, x11 = j11, x12 = j12, x13 = j13, x14 = j14, x15 = SIGMA3;
            for (int r = doubleRounds; r > 0; r--) {
                // columns
                x4 ^= Integer.rotateLeft(x0 + x12, 7);
                x8 ^= Integer.rotateLeft(x4 + x0, 9);
                x12 ^= Integer.rotateLeft(x8 + x4, 13);
                x0 ^= Integer.rotateLeft(x12 + x8, 18);
                x9 ^= Integer.rotateLeft(x5 + x1, 7);
                x13 ^= Integer.rotateLeft(x9 + x5, 9);
                x1 ^= Integer.rotateLeft(x13 + x9, 13);
                x5 ^= Integer.rotateLeft(x1 + x13, 18);
                x14 ^= Integer.rotateLeft(x10 + x6, 7);
                x2 ^= Integer.rotateLeft(x14 + x10, 9);
                x6 ^= Integer.rotateLeft(x2 + x14, 13);
                x10 ^= Integer.rotateLeft(x6 + x2, 18);
                x3 ^= Integer.rotateLeft(x15 + x11, 7);
                x7 ^= Integer.rotateLeft(x3 + x15, 9);
                x11 ^= Integer.rotateLeft(x7 + x3, 13);
                x15 ^= Integer.rotateLeft(x11 + x7, 18);
                // rows
                x1 ^= Integer.rotateLeft(x0 + x3, 7);
                x2 ^= Integer.rotateLeft(x1 + x0, 9);
                x3 ^= Integer.rotateLeft(x2 + x1, 13);
                x0 ^= Integer.rotateLeft(x3 + x2, 18);
                x6 ^= Integer.rotateLeft(x5 + x4, 7);
                x7 ^= Integer.rotateLeft(x6 + x5, 9);
                x4 ^= Integer.rotateLeft(x7 + x6, 13);
                x5 ^= Integer.rotateLeft(x4 + x7, 18);
                x11 ^= Integer.rotateLeft(x10 + x9, 7);
                x8 ^= Integer.rotateLeft(x11 + x10, 9);
                x9 ^= Integer.rotateLeft(x8 + x11, 13);
                x10 ^= Integer.rotateLeft(x9 + x8, 18);
                x12 ^= Integer.rotateLeft(x15 + x14, 7);
                x13 ^= Integer.rotateLeft(x12 + x15, 9);
                x14 ^= Integer.rotateLeft(x13 + x12, 13);
                x15 ^= Integer.rotateLeft(x14 + x13, 18);
            }
            x0 += SIGMA0; x1 += j1; x2 += j2; x3 += j3; x4 += j4; x5 += SIGMA1; x6 += j6; x7 += j7;
            x8 += j8; x9 += j9; x10 += SIGMA2; x11 += j11; x12 += j12; x13 += j13; x14 += j14; x15 += SIGMA3;
            ctr++;
            if (len >= BLOCK_LENGTH) {
                long w0 = pack(x0, x1), w1 = pack(x2, x3), w2 = pack(x4, x5), w3 = pack(x6, x7);
                long w4 = pack(x8, x9), w5 = pack(x10, x11), w6 = pack(x12, x13), w7 = pack(x14, x15);
                if (in != null) {
                    w0 ^= (long) LE_LONG.get(in, inOff);
                    w1 ^= (long) LE_LONG.get(in, inOff + 8);
                    w2 ^= (long) LE_LONG.get(in, inOff + 16);
                    w3 ^= (long) LE_LONG.get(in, inOff + 24);
                    w4 ^= (long) LE_LONG.get(in, inOff + 32);
                    w5 ^= (long) LE_LONG.get(in, inOff + 40);
                    w6 ^= (long) LE_LONG.get(in, inOff + 48);
                    w7 ^= (long) LE_LONG.get(in, inOff + 56);
                    inOff += BLOCK_LENGTH;
                }
                LE_LONG.set(out, outOff, w0);
                LE_LONG.set(out, outOff + 8, w1);
                LE_LONG.set(out, outOff + 16, w2);
                LE_LONG.set(out, outOff + 24, w3);
                LE_LONG.set(out, outOff + 32, w4);
                LE_LONG.set(out, outOff + 40, w5);
                LE_LONG.set(out, outOff + 48, w6);
                LE_LONG.set(out, outOff + 56, w7);
                outOff += BLOCK_LENGTH;
                len -= BLOCK_LENGTH;
            } else {
                tail(in, inOff, out, outOff, len,
                        x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15);
                len = 0;
            }
        }
        counter = ctr;
    }

    private static long pack(int lo, int hi) {
        return (lo & 0xffffffffL) | ((long) hi << 32);
    }

    // The last, partial block: byte by byte; the unused rest of the block is dropped (ZT1-01 §12).
    private static void tail(byte[] in, int inOff, byte[] out, int outOff, int len,
            int x0, int x1, int x2, int x3, int x4, int x5, int x6, int x7,
            int x8, int x9, int x10, int x11, int x12, int x13, int x14, int x15) {
        for (int i = 0; i < len; i++) {
            int word = switch (i >> 2) {
                case 0 -> x0; case 1 -> x1; case 2 -> x2; case 3 -> x3;
                case 4 -> x4; case 5 -> x5; case 6 -> x6; case 7 -> x7;
                case 8 -> x8; case 9 -> x9; case 10 -> x10; case 11 -> x11;
                case 12 -> x12; case 13 -> x13; case 14 -> x14; default -> x15;
            };
            byte k = (byte) (word >>> ((i & 3) << 3));
            out[outOff + i] = in == null ? k : (byte) (in[inOff + i] ^ k);
        }
    }
}
