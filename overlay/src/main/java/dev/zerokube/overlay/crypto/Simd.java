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
 * box them, which costs only during warm-up. No vector local crosses a loop edge (state between
 * iterations goes through an int array), so C2 can intrinsify every call without a type profile:
 * {@code SimdProfileFreeTest} checks that in a JVM run with {@code -XX:-UseTypeProfile}.
 */
final class Simd {
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_PREFERRED;

    /** Blocks per pass. */
    static final int LANES = INTS.length();

    /** Ints of scratch {@link #counterBlocks} needs. */
    static final int COUNTER_SCRATCH = 2 * LANES;

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

    // Rows of the Salsa20 scratch after the 16 state words: the counter words of the pass's input.
    private static final int COUNTER_LOW = WORDS;
    private static final int COUNTER_HIGH = WORDS + 1;

    /** Int scratch one instance of {@link Salsa20} keeps for {@link #salsa20Pass}. */
    static int[] newSalsa20Scratch() {
        return new int[LANES * (WORDS + 2)];
    }

    /**
     * Keystream blocks {@code ctr .. ctr+LANES-1} into {@code ks} (word-major: word w of block l at
     * {@code w * LANES + l}), for the key and nonce words {@code j1..j4, j6, j7, j11..j14}.
     *
     * <p>The state lives in {@code ks} between double rounds, not in vector locals: a vector that
     * crosses a loop edge meets itself in a phi whose static type is the abstract {@code IntVector},
     * and C2 then needs a receiver type profile to inline (intrinsify) the calls on it. A method
     * compiled without that profile (C2 busy, a tier-2 compile, {@code -XX:-UseTypeProfile}) boxed
     * every vector: ~55 KB per packet. Loaded from an array, every vector has its exact class from
     * the load itself, so the code needs no profile. The extra loads and stores hit L1. For the
     * same reason no helper method returns a vector: one C2 declines to inline (its budget spent
     * on the callers) would box its result on every call.
     */
    static void salsa20Pass(int doubleRounds, int j1, int j2, int j3, int j4, int j6, int j7,
            int j11, int j12, int j13, int j14, long ctr, int[] ks) {
        IntVector.broadcast(INTS, 0x61707865).intoArray(ks, 0 * LANES);
        IntVector.broadcast(INTS, j1).intoArray(ks, 1 * LANES);
        IntVector.broadcast(INTS, j2).intoArray(ks, 2 * LANES);
        IntVector.broadcast(INTS, j3).intoArray(ks, 3 * LANES);
        IntVector.broadcast(INTS, j4).intoArray(ks, 4 * LANES);
        IntVector.broadcast(INTS, 0x3320646e).intoArray(ks, 5 * LANES);
        IntVector.broadcast(INTS, j6).intoArray(ks, 6 * LANES);
        IntVector.broadcast(INTS, j7).intoArray(ks, 7 * LANES);
        // Words 8 and 9, each lane's 64-bit block counter ctr + lane: the high word gains one in
        // the lanes whose low word wrapped past zero. Also kept after the state (words 16 and 17)
        // for the feed-forward.
        IntVector lo0 = IntVector.broadcast(INTS, (int) ctr);
        IntVector lo = lo0.add(IntVector.fromArray(INTS, LANE_INDEX, 0));
        lo.intoArray(ks, 8 * LANES);
        lo.intoArray(ks, COUNTER_LOW * LANES);
        IntVector hi = IntVector.broadcast(INTS, (int) (ctr >>> 32))
                .add(IntVector.broadcast(INTS, 1), lo.compare(VectorOperators.ULT, lo0));
        hi.intoArray(ks, 9 * LANES);
        hi.intoArray(ks, COUNTER_HIGH * LANES);
        IntVector.broadcast(INTS, 0x79622d32).intoArray(ks, 10 * LANES);
        IntVector.broadcast(INTS, j11).intoArray(ks, 11 * LANES);
        IntVector.broadcast(INTS, j12).intoArray(ks, 12 * LANES);
        IntVector.broadcast(INTS, j13).intoArray(ks, 13 * LANES);
        IntVector.broadcast(INTS, j14).intoArray(ks, 14 * LANES);
        IntVector.broadcast(INTS, 0x6b206574).intoArray(ks, 15 * LANES);
        for (int r = doubleRounds; r > 0; r--) {
            doubleRound(ks);
        }
        // the input added back (the feed-forward)
        IntVector.fromArray(INTS, ks, 0 * LANES).add(0x61707865).intoArray(ks, 0 * LANES);
        IntVector.fromArray(INTS, ks, 1 * LANES).add(j1).intoArray(ks, 1 * LANES);
        IntVector.fromArray(INTS, ks, 2 * LANES).add(j2).intoArray(ks, 2 * LANES);
        IntVector.fromArray(INTS, ks, 3 * LANES).add(j3).intoArray(ks, 3 * LANES);
        IntVector.fromArray(INTS, ks, 4 * LANES).add(j4).intoArray(ks, 4 * LANES);
        IntVector.fromArray(INTS, ks, 5 * LANES).add(0x3320646e).intoArray(ks, 5 * LANES);
        IntVector.fromArray(INTS, ks, 6 * LANES).add(j6).intoArray(ks, 6 * LANES);
        IntVector.fromArray(INTS, ks, 7 * LANES).add(j7).intoArray(ks, 7 * LANES);
        IntVector.fromArray(INTS, ks, 8 * LANES).add(IntVector.fromArray(INTS, ks, COUNTER_LOW * LANES))
                .intoArray(ks, 8 * LANES);
        IntVector.fromArray(INTS, ks, 9 * LANES).add(IntVector.fromArray(INTS, ks, COUNTER_HIGH * LANES))
                .intoArray(ks, 9 * LANES);
        IntVector.fromArray(INTS, ks, 10 * LANES).add(0x79622d32).intoArray(ks, 10 * LANES);
        IntVector.fromArray(INTS, ks, 11 * LANES).add(j11).intoArray(ks, 11 * LANES);
        IntVector.fromArray(INTS, ks, 12 * LANES).add(j12).intoArray(ks, 12 * LANES);
        IntVector.fromArray(INTS, ks, 13 * LANES).add(j13).intoArray(ks, 13 * LANES);
        IntVector.fromArray(INTS, ks, 14 * LANES).add(j14).intoArray(ks, 14 * LANES);
        IntVector.fromArray(INTS, ks, 15 * LANES).add(0x6b206574).intoArray(ks, 15 * LANES);
    }

    // One column round and one row round over the word-major state in s.
    private static void doubleRound(int[] s) {
        IntVector x0 = IntVector.fromArray(INTS, s, 0 * LANES);
        IntVector x1 = IntVector.fromArray(INTS, s, 1 * LANES);
        IntVector x2 = IntVector.fromArray(INTS, s, 2 * LANES);
        IntVector x3 = IntVector.fromArray(INTS, s, 3 * LANES);
        IntVector x4 = IntVector.fromArray(INTS, s, 4 * LANES);
        IntVector x5 = IntVector.fromArray(INTS, s, 5 * LANES);
        IntVector x6 = IntVector.fromArray(INTS, s, 6 * LANES);
        IntVector x7 = IntVector.fromArray(INTS, s, 7 * LANES);
        IntVector x8 = IntVector.fromArray(INTS, s, 8 * LANES);
        IntVector x9 = IntVector.fromArray(INTS, s, 9 * LANES);
        IntVector x10 = IntVector.fromArray(INTS, s, 10 * LANES);
        IntVector x11 = IntVector.fromArray(INTS, s, 11 * LANES);
        IntVector x12 = IntVector.fromArray(INTS, s, 12 * LANES);
        IntVector x13 = IntVector.fromArray(INTS, s, 13 * LANES);
        IntVector x14 = IntVector.fromArray(INTS, s, 14 * LANES);
        IntVector x15 = IntVector.fromArray(INTS, s, 15 * LANES);
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
        x0.intoArray(s, 0 * LANES);
        x1.intoArray(s, 1 * LANES);
        x2.intoArray(s, 2 * LANES);
        x3.intoArray(s, 3 * LANES);
        x4.intoArray(s, 4 * LANES);
        x5.intoArray(s, 5 * LANES);
        x6.intoArray(s, 6 * LANES);
        x7.intoArray(s, 7 * LANES);
        x8.intoArray(s, 8 * LANES);
        x9.intoArray(s, 9 * LANES);
        x10.intoArray(s, 10 * LANES);
        x11.intoArray(s, 11 * LANES);
        x12.intoArray(s, 12 * LANES);
        x13.intoArray(s, 13 * LANES);
        x14.intoArray(s, 14 * LANES);
        x15.intoArray(s, 15 * LANES);
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
                IntVector.fromArray(INTS, ks, ((i & 63) >> 2) * LANES + (i >> 6), WORD_STRIDE, 0)
                        .reinterpretAsBytes().intoArray(out, outOff + i);
            }
        } else {
            for (; i <= len - step; i += step) {
                // the LANES consecutive keystream words that start at byte i (block i / 64, word
                // (i % 64) / 4), gathered from the word-major scratch
                IntVector.fromArray(INTS, ks, ((i & 63) >> 2) * LANES + (i >> 6), WORD_STRIDE, 0)
                        .reinterpretAsBytes()
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
     * {@link #COUNTER_SCRATCH} ints.
     */
    static void counterBlocks(long prefixHigh, int prefixLow, int count, byte[] out, int blocks, int[] lanes) {
        // A vector holds LANES / 4 blocks as big-endian words: the first LANES ints of the scratch
        // hold the words of the next LANES / 4 blocks, the second LANES the step that moves them on
        // (LANES / 4 in each block's last word). Kept in memory across iterations, not in a vector
        // local, for the reason salsa20Pass gives.
        int perVector = LANES / 4;
        for (int l = 0; l < LANES; l += 4) {
            lanes[l] = (int) (prefixHigh >>> 32);
            lanes[l + 1] = (int) prefixHigh;
            lanes[l + 2] = prefixLow;
            lanes[l + 3] = count + l / 4;
        }
        for (int l = 0; l < LANES; l++) {
            lanes[LANES + l] = (l & 3) == 3 ? perVector : 0;
        }
        int b = 0;
        for (; b <= blocks - perVector; b += perVector) {
            IntVector words = IntVector.fromArray(INTS, lanes, 0);
            words.lanewise(VectorOperators.REVERSE_BYTES).reinterpretAsBytes().intoArray(out, b * 16);
            words.add(IntVector.fromArray(INTS, lanes, LANES)).intoArray(lanes, 0);
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
