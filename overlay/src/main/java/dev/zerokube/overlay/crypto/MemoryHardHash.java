package dev.zerokube.overlay.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.DigestException;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * The memory-hard hash that derives a ZeroTier address from a 64-byte public key and gates
 * identities by proof of work (ZT1-01 §7): SHA-512, then one Salsa20/20 stream filling a 2 MiB
 * chained scratch buffer, then 131,072 data-dependent swaps between the buffer and the digest.
 *
 * <p>The result {@code D} makes an identity valid iff {@code D[0] < 17}
 * ({@link #PROOF_OF_WORK_LIMIT}); the address is {@code D[59..64)}.
 *
 * <p>The Salsa20 keystream, 10 MiB per digest and nearly all of its cost, comes from
 * {@link Salsa20Lanes} (many blocks per pass, SIMD through the JIT's auto-vectorizer).
 *
 * <p>An instance owns the 2 MiB scratch buffer (and 32 KiB for the keystream) and reuses it for
 * every {@link #digest} call, so identity generation (about 15 attempts on average) allocates it
 * once. Not thread-safe.
 */
public final class MemoryHardHash {
    /** Bytes of scratch memory (ZeroTier's {@code ZT_IDENTITY_GEN_MEMORY}). */
    public static final int MEMORY_LENGTH = 2 * 1024 * 1024;
    /** Bytes of the digest. */
    public static final int DIGEST_LENGTH = 64;
    /** An identity is valid only if digest byte 0 is below this value. */
    public static final int PROOF_OF_WORK_LIMIT = 17;

    private static final VarHandle BE_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LE_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int WORDS = MEMORY_LENGTH / 8;
    /**
     * Swaps per call of walkStretch: short calls, many of them (8,192 per digest), because a cold
     * JVM compiles a method by how often it is called; long ones ran interpreted, then in C1's
     * profiling code, for most of the first digest.
     */
    private static final int STRETCH = 16;

    private final byte[] memory = new byte[MEMORY_LENGTH];
    // The walk's keystream, computed Salsa20Lanes.BLOCKS blocks ahead of the swaps that use it.
    private final byte[] keystream = new byte[Salsa20Lanes.BYTES];
    private final Salsa20Lanes salsa = new Salsa20Lanes(20);
    private final MessageDigest sha512 = Sha.sha512();

    /** Allocates the 2 MiB scratch buffer. */
    public MemoryHardHash() {}

    /** Writes the 64-byte digest of {@code publicKey[0..64)} to {@code out[0..64)}. */
    public void digest(byte[] publicKey, byte[] out) {
        if (publicKey.length != C25519.PUBLIC_KEY_LENGTH) {
            throw new IllegalArgumentException("public key must be 64 bytes, got " + publicKey.length);
        }
        Objects.checkFromIndexSize(0, DIGEST_LENGTH, out.length);
        fill(publicKey, out);
        walk(out);
    }

    // Steps 1-3 of ZT1-01 §7: d = SHA-512(pub), keyed stream, chained fill of the scratch buffer.
    void fill(byte[] publicKey, byte[] d) {
        sha512.reset();
        sha512.update(publicKey, 0, publicKey.length);
        try {
            sha512.digest(d, 0, DIGEST_LENGTH);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
        salsa.init(d, 0, d, 32);

        // Fill: block b is keystream block b XORed onto block b-1 (ZeroTier encrypts each block
        // from the one before). The keystream does not depend on the data, so each stretch of
        // blocks is written as keystream first, many blocks at a time, and then chained in order.
        byte[] m = memory;
        for (int off = 0; off < MEMORY_LENGTH; off += Salsa20Lanes.BYTES) {
            salsa.next(m, off);
            chain(m, Math.max(off, Salsa20.BLOCK_LENGTH), off + Salsa20Lanes.BYTES);
        }
    }

    // m[b] ^= m[b-1] for the blocks in [from, to), in order. Methods of their own, called often
    // with short loops (this and each stretch of the walk below): a cold JVM compiles them within
    // the first digest, where one long loop would run interpreted until replaced on the stack.
    private static void chain(byte[] m, int from, int to) {
        for (int off = from; off < to; off += 8) {
            LE_LONG.set(m, off, (long) LE_LONG.get(m, off) ^ (long) LE_LONG.get(m, off - Salsa20.BLOCK_LENGTH));
        }
    }

    // Step 4 of ZT1-01 §7, continuing the stream that fill() started: one keystream block per swap.
    private void walk(byte[] d) {
        byte[] ks = keystream;
        int wordsPerChunk = 2 * Salsa20Lanes.BLOCKS;
        for (int w = 0; w < WORDS; w += wordsPerChunk) {
            salsa.next(ks, 0);
            for (int k = 0; k < ks.length; k += STRETCH * Salsa20.BLOCK_LENGTH) {
                walkStretch(memory, d, ks, k, w + k / 32);
            }
        }
    }

    // Swaps STRETCH times from word w on, each followed by XORing the next block of ks (from
    // offset k) onto the digest. Both indices are read big-endian from the buffer as it is now;
    // the swapped 8 bytes move unchanged, so reading and writing them through the same view is a
    // plain byte swap.
    private static void walkStretch(byte[] m, byte[] d, byte[] ks, int k, int w) {
        for (int end = k + STRETCH * Salsa20.BLOCK_LENGTH; k < end; k += Salsa20.BLOCK_LENGTH, w += 2) {
            int i1 = (int) ((long) BE_LONG.get(m, w << 3) & 7);
            int i2 = (int) ((long) BE_LONG.get(m, (w + 1) << 3) & (WORDS - 1));
            long fromMemory = (long) BE_LONG.get(m, i2 << 3);
            BE_LONG.set(m, i2 << 3, (long) BE_LONG.get(d, i1 << 3));
            BE_LONG.set(d, i1 << 3, fromMemory);
            LE_LONG.set(d, 0, (long) LE_LONG.get(d, 0) ^ (long) LE_LONG.get(ks, k));
            LE_LONG.set(d, 8, (long) LE_LONG.get(d, 8) ^ (long) LE_LONG.get(ks, k + 8));
            LE_LONG.set(d, 16, (long) LE_LONG.get(d, 16) ^ (long) LE_LONG.get(ks, k + 16));
            LE_LONG.set(d, 24, (long) LE_LONG.get(d, 24) ^ (long) LE_LONG.get(ks, k + 24));
            LE_LONG.set(d, 32, (long) LE_LONG.get(d, 32) ^ (long) LE_LONG.get(ks, k + 32));
            LE_LONG.set(d, 40, (long) LE_LONG.get(d, 40) ^ (long) LE_LONG.get(ks, k + 40));
            LE_LONG.set(d, 48, (long) LE_LONG.get(d, 48) ^ (long) LE_LONG.get(ks, k + 48));
            LE_LONG.set(d, 56, (long) LE_LONG.get(d, 56) ^ (long) LE_LONG.get(ks, k + 56));
        }
    }

    /** Convenience form of {@link #digest(byte[], byte[])} returning a new array. */
    public byte[] digest(byte[] publicKey) {
        byte[] out = new byte[DIGEST_LENGTH];
        digest(publicKey, out);
        return out;
    }

    /** The scratch buffer as the last call left it; tests read it after {@link #fill}. */
    byte[] memory() {
        return memory;
    }
}
