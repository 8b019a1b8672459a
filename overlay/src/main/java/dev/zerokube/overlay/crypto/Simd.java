package dev.zerokube.overlay.crypto;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The crypto's Vector API kernels: Salsa20 keystream for as many blocks at once as an int vector
 * has lanes (16 with AVX-512; one block per lane, the 16 state words as 16 vectors, finished words
 * stored word-major and gathered per block) and the XOR of keystream into data.
 *
 * <p>Uses the incubating {@code jdk.incubator.vector} module, so callers touch this class only when
 * {@link SimdCheck#ENABLED} says the module is there; without it they run their scalar code.
 * Allocation-free once C2 has compiled it (the vectors live in registers); the interpreter and C1
 * box them, which costs only during warm-up.
 */
final class Simd {
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_PREFERRED;

    /** Blocks per pass. */
    static final int LANES = INTS.length();

    private static final int WORDS = 16;
    private static final int[] LANE_INDEX = new int[LANES];
    // Gather map for one block's consecutive words in the word-major scratch: word w is w * LANES away.
    private static final int[] WORD_STRIDE = new int[LANES];

    static {
        for (int l = 0; l < LANES; l++) {
            LANE_INDEX[l] = l;
            WORD_STRIDE[l] = l * LANES;
        }
    }

    private Simd() {}

    /** Int scratch one instance of {@link Salsa20} keeps for {@link #salsa20Pass}. */
    static int[] newSalsa20Scratch() {
        return new int[LANES * WORDS];
    }

    /**
     * Keystream blocks {@code ctr .. ctr+LANES-1} into {@code ks} (block-major, 16 little-endian
     * words per block), for the key and nonce words {@code j1..j4, j6, j7, j11..j14}.
     */
    static void salsa20Pass(int doubleRounds, int j1, int j2, int j3, int j4, int j6, int j7,
            int j11, int j12, int j13, int j14, long ctr, int[] ks) {
        IntVector lane = IntVector.fromArray(INTS, LANE_INDEX, 0);
        IntVector lo0 = IntVector.broadcast(INTS, (int) ctr);
        IntVector j8 = lo0.add(lane);
        // the 64-bit counter carries into word 9 in lanes whose low word wrapped
        IntVector j9 = IntVector.broadcast(INTS, (int) (ctr >>> 32))
                .add(IntVector.broadcast(INTS, 1), j8.compare(VectorOperators.ULT, lo0));

        IntVector x0 = IntVector.broadcast(INTS, 0x61707865);
        IntVector x1 = IntVector.broadcast(INTS, j1);
        IntVector x2 = IntVector.broadcast(INTS, j2);
        IntVector x3 = IntVector.broadcast(INTS, j3);
        IntVector x4 = IntVector.broadcast(INTS, j4);
        IntVector x5 = IntVector.broadcast(INTS, 0x3320646e);
        IntVector x6 = IntVector.broadcast(INTS, j6);
        IntVector x7 = IntVector.broadcast(INTS, j7);
        IntVector x8 = j8;
        IntVector x9 = j9;
        IntVector x10 = IntVector.broadcast(INTS, 0x79622d32);
        IntVector x11 = IntVector.broadcast(INTS, j11);
        IntVector x12 = IntVector.broadcast(INTS, j12);
        IntVector x13 = IntVector.broadcast(INTS, j13);
        IntVector x14 = IntVector.broadcast(INTS, j14);
        IntVector x15 = IntVector.broadcast(INTS, 0x6b206574);
        for (int r = doubleRounds; r > 0; r--) {
            // columns
            x4 = x4.lanewise(VectorOperators.XOR, x0.add(x12).lanewise(VectorOperators.ROL, 7));
            x8 = x8.lanewise(VectorOperators.XOR, x4.add(x0).lanewise(VectorOperators.ROL, 9));
            x12 = x12.lanewise(VectorOperators.XOR, x8.add(x4).lanewise(VectorOperators.ROL, 13));
            x0 = x0.lanewise(VectorOperators.XOR, x12.add(x8).lanewise(VectorOperators.ROL, 18));
            x9 = x9.lanewise(VectorOperators.XOR, x5.add(x1).lanewise(VectorOperators.ROL, 7));
            x13 = x13.lanewise(VectorOperators.XOR, x9.add(x5).lanewise(VectorOperators.ROL, 9));
            x1 = x1.lanewise(VectorOperators.XOR, x13.add(x9).lanewise(VectorOperators.ROL, 13));
            x5 = x5.lanewise(VectorOperators.XOR, x1.add(x13).lanewise(VectorOperators.ROL, 18));
            x14 = x14.lanewise(VectorOperators.XOR, x10.add(x6).lanewise(VectorOperators.ROL, 7));
            x2 = x2.lanewise(VectorOperators.XOR, x14.add(x10).lanewise(VectorOperators.ROL, 9));
            x6 = x6.lanewise(VectorOperators.XOR, x2.add(x14).lanewise(VectorOperators.ROL, 13));
            x10 = x10.lanewise(VectorOperators.XOR, x6.add(x2).lanewise(VectorOperators.ROL, 18));
            x3 = x3.lanewise(VectorOperators.XOR, x15.add(x11).lanewise(VectorOperators.ROL, 7));
            x7 = x7.lanewise(VectorOperators.XOR, x3.add(x15).lanewise(VectorOperators.ROL, 9));
            x11 = x11.lanewise(VectorOperators.XOR, x7.add(x3).lanewise(VectorOperators.ROL, 13));
            x15 = x15.lanewise(VectorOperators.XOR, x11.add(x7).lanewise(VectorOperators.ROL, 18));
            // rows
            x1 = x1.lanewise(VectorOperators.XOR, x0.add(x3).lanewise(VectorOperators.ROL, 7));
            x2 = x2.lanewise(VectorOperators.XOR, x1.add(x0).lanewise(VectorOperators.ROL, 9));
            x3 = x3.lanewise(VectorOperators.XOR, x2.add(x1).lanewise(VectorOperators.ROL, 13));
            x0 = x0.lanewise(VectorOperators.XOR, x3.add(x2).lanewise(VectorOperators.ROL, 18));
            x6 = x6.lanewise(VectorOperators.XOR, x5.add(x4).lanewise(VectorOperators.ROL, 7));
            x7 = x7.lanewise(VectorOperators.XOR, x6.add(x5).lanewise(VectorOperators.ROL, 9));
            x4 = x4.lanewise(VectorOperators.XOR, x7.add(x6).lanewise(VectorOperators.ROL, 13));
            x5 = x5.lanewise(VectorOperators.XOR, x4.add(x7).lanewise(VectorOperators.ROL, 18));
            x11 = x11.lanewise(VectorOperators.XOR, x10.add(x9).lanewise(VectorOperators.ROL, 7));
            x8 = x8.lanewise(VectorOperators.XOR, x11.add(x10).lanewise(VectorOperators.ROL, 9));
            x9 = x9.lanewise(VectorOperators.XOR, x8.add(x11).lanewise(VectorOperators.ROL, 13));
            x10 = x10.lanewise(VectorOperators.XOR, x9.add(x8).lanewise(VectorOperators.ROL, 18));
            x12 = x12.lanewise(VectorOperators.XOR, x15.add(x14).lanewise(VectorOperators.ROL, 7));
            x13 = x13.lanewise(VectorOperators.XOR, x12.add(x15).lanewise(VectorOperators.ROL, 9));
            x14 = x14.lanewise(VectorOperators.XOR, x13.add(x12).lanewise(VectorOperators.ROL, 13));
            x15 = x15.lanewise(VectorOperators.XOR, x14.add(x13).lanewise(VectorOperators.ROL, 18));
        }
        // Word-major stores (word w of block l at w * LANES + l): plain stores keep this method
        // small enough for C2 to inline every vector operation; xorKeystream gathers per block.
        x0.add(0x61707865).intoArray(ks, 0 * LANES);
        x1.add(j1).intoArray(ks, 1 * LANES);
        x2.add(j2).intoArray(ks, 2 * LANES);
        x3.add(j3).intoArray(ks, 3 * LANES);
        x4.add(j4).intoArray(ks, 4 * LANES);
        x5.add(0x3320646e).intoArray(ks, 5 * LANES);
        x6.add(j6).intoArray(ks, 6 * LANES);
        x7.add(j7).intoArray(ks, 7 * LANES);
        x8.add(j8).intoArray(ks, 8 * LANES);
        x9.add(j9).intoArray(ks, 9 * LANES);
        x10.add(0x79622d32).intoArray(ks, 10 * LANES);
        x11.add(j11).intoArray(ks, 11 * LANES);
        x12.add(j12).intoArray(ks, 12 * LANES);
        x13.add(j13).intoArray(ks, 13 * LANES);
        x14.add(j14).intoArray(ks, 14 * LANES);
        x15.add(0x6b206574).intoArray(ks, 15 * LANES);
    }

    /**
     * {@code out[outOff, outOff+len) = in XOR keystream[0, len)}, the keystream being the blocks of
     * {@code ks} (word-major, as {@link #salsa20Pass} leaves them) as little-endian bytes, or the
     * keystream itself when {@code in} is null; {@code len} at most {@code LANES * 64}.
     */
    static void xorKeystream(int[] ks, byte[] in, int inOff, byte[] out, int outOff, int len) {
        int step = LANES * 4; // bytes per gathered vector: a block is 64 / step of them
        int i = 0;
        // Two loops rather than one with a branch: a vector assigned in a branch meets its other
        // value in a phi, where C2 may keep it boxed (an allocation per step).
        if (in == null) {
            for (; i <= len - step; i += step) {
                blockWords(ks, i).reinterpretAsBytes().intoArray(out, outOff + i);
            }
        } else {
            for (; i <= len - step; i += step) {
                blockWords(ks, i).reinterpretAsBytes()
                        .lanewise(VectorOperators.XOR, ByteVector.fromArray(BYTES, in, inOff + i))
                        .intoArray(out, outOff + i);
            }
        }
        for (; i < len; i++) {
            int block = i >> 6;
            int word = (i & 63) >> 2;
            byte k = (byte) (ks[word * LANES + block] >>> ((i & 3) << 3));
            out[outOff + i] = in == null ? k : (byte) (in[inOff + i] ^ k);
        }
    }

    // The LANES consecutive words of the keystream that start at byte {@code at} (a multiple of
    // LANES * 4), gathered from the word-major scratch.
    private static IntVector blockWords(int[] ks, int at) {
        int block = at >> 6;
        int firstWord = (at & 63) >> 2;
        return IntVector.fromArray(INTS, ks, firstWord * LANES + block, WORD_STRIDE, 0);
    }

    /**
     * {@code out[outOff, outOff+len) = a[aOff, aOff+len) XOR b[bOff, bOff+len)}; {@code out} may be
     * the same range as {@code a} or {@code b}.
     */
    static void xor(byte[] a, int aOff, byte[] b, int bOff, byte[] out, int outOff, int len) {
        int step = BYTES.length();
        int i = 0;
        for (; i <= len - step; i += step) {
            ByteVector.fromArray(BYTES, a, aOff + i)
                    .lanewise(VectorOperators.XOR, ByteVector.fromArray(BYTES, b, bOff + i))
                    .intoArray(out, outOff + i);
        }
        for (; i < len; i++) {
            out[outOff + i] = (byte) (a[aOff + i] ^ b[bOff + i]);
        }
    }

    /**
     * Writes {@code blocks} AES counter blocks to {@code out[0, 16 * blocks)}: block i is
     * {@code prefixHigh ‖ prefixLow ‖ (count + i)}, all big-endian, the last word wrapping
     * without carry (ZeroTier's CTR, see {@link Aes#ctr}). {@code lanes} is scratch of
     * {@link #LANES} ints.
     */
    static void counterBlocks(long prefixHigh, int prefixLow, int count, byte[] out, int blocks, int[] lanes) {
        // A vector holds LANES / 4 blocks as big-endian words: build it byte-swapped once, then
        // per step add LANES / 4 to each block's last word (before swapping back for the store).
        int perVector = LANES / 4;
        for (int l = 0; l < LANES; l += 4) {
            lanes[l] = (int) (prefixHigh >>> 32);
            lanes[l + 1] = (int) prefixHigh;
            lanes[l + 2] = prefixLow;
            lanes[l + 3] = count + l / 4;
        }
        IntVector words = IntVector.fromArray(INTS, lanes, 0);
        for (int l = 0; l < LANES; l++) {
            lanes[l] = (l & 3) == 3 ? perVector : 0;
        }
        IntVector step = IntVector.fromArray(INTS, lanes, 0);
        int b = 0;
        for (; b <= blocks - perVector; b += perVector) {
            words.lanewise(VectorOperators.REVERSE_BYTES).reinterpretAsBytes().intoArray(out, b * 16);
            words = words.add(step);
        }
        for (; b < blocks; b++) {
            int at = b * 16;
            for (int w = 0; w < 4; w++) {
                int v = w == 0 ? (int) (prefixHigh >>> 32) : w == 1 ? (int) prefixHigh : w == 2 ? prefixLow : count + b;
                out[at + 4 * w] = (byte) (v >>> 24);
                out[at + 4 * w + 1] = (byte) (v >>> 16);
                out[at + 4 * w + 2] = (byte) (v >>> 8);
                out[at + 4 * w + 3] = (byte) v;
            }
        }
    }
}
