package dev.zerokube.overlay.crypto;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The crypto's Vector API kernels: Salsa20 keystream for as many blocks at once as an int vector
 * has lanes (16 with AVX-512; one block per lane, the 16 state words as 16 vectors, finished words
 * scattered into a block-major int scratch) and the XOR of keystream into data.
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
    // Where lane l of state word w goes in the block-major scratch: l * 16 (+ w as the offset).
    private static final int[] BLOCK_START = new int[LANES];

    static {
        for (int l = 0; l < LANES; l++) {
            LANE_INDEX[l] = l;
            BLOCK_START[l] = l * WORDS;
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
        x0.add(0x61707865).intoArray(ks, 0, BLOCK_START, 0);
        x1.add(j1).intoArray(ks, 1, BLOCK_START, 0);
        x2.add(j2).intoArray(ks, 2, BLOCK_START, 0);
        x3.add(j3).intoArray(ks, 3, BLOCK_START, 0);
        x4.add(j4).intoArray(ks, 4, BLOCK_START, 0);
        x5.add(0x3320646e).intoArray(ks, 5, BLOCK_START, 0);
        x6.add(j6).intoArray(ks, 6, BLOCK_START, 0);
        x7.add(j7).intoArray(ks, 7, BLOCK_START, 0);
        x8.add(j8).intoArray(ks, 8, BLOCK_START, 0);
        x9.add(j9).intoArray(ks, 9, BLOCK_START, 0);
        x10.add(0x79622d32).intoArray(ks, 10, BLOCK_START, 0);
        x11.add(j11).intoArray(ks, 11, BLOCK_START, 0);
        x12.add(j12).intoArray(ks, 12, BLOCK_START, 0);
        x13.add(j13).intoArray(ks, 13, BLOCK_START, 0);
        x14.add(j14).intoArray(ks, 14, BLOCK_START, 0);
        x15.add(0x6b206574).intoArray(ks, 15, BLOCK_START, 0);
    }

    /**
     * {@code out[outOff, outOff+len) = in XOR ks[0, len)} (keystream as little-endian bytes), or
     * the keystream itself when {@code in} is null; {@code len} at most {@code LANES * 64}.
     */
    static void xorKeystream(int[] ks, byte[] in, int inOff, byte[] out, int outOff, int len) {
        int step = BYTES.length();
        int i = 0;
        for (; i <= len - step; i += step) {
            ByteVector k = IntVector.fromArray(INTS, ks, i >> 2).reinterpretAsBytes();
            if (in != null) {
                k = k.lanewise(VectorOperators.XOR, ByteVector.fromArray(BYTES, in, inOff + i));
            }
            k.intoArray(out, outOff + i);
        }
        for (; i < len; i++) {
            byte k = (byte) (ks[i >> 2] >>> ((i & 3) << 3));
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
}
