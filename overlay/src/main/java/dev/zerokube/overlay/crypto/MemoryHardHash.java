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
 * <p>An instance owns the 2 MiB scratch buffer and reuses it for every {@link #digest} call, so
 * identity generation (about 15 attempts on average) allocates it once. Not thread-safe.
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
    private static final int WORDS = MEMORY_LENGTH / 8;
    private static final int BLOCKS = MEMORY_LENGTH / Salsa20.BLOCK_LENGTH;

    private final byte[] memory = new byte[MEMORY_LENGTH];
    private final Salsa20 salsa = new Salsa20(20);
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

        // Fill: block b is keystream block b XORed onto block b-1, so it cannot be computed out of order.
        byte[] m = memory;
        salsa.stream(m, 0, Salsa20.BLOCK_LENGTH);
        for (int b = 1, off = Salsa20.BLOCK_LENGTH; b < BLOCKS; b++, off += Salsa20.BLOCK_LENGTH) {
            salsa.crypt(m, off - Salsa20.BLOCK_LENGTH, m, off, Salsa20.BLOCK_LENGTH);
        }
    }

    // Step 4 of ZT1-01 §7, continuing the stream that fill() started.
    private void walk(byte[] d) {
        byte[] m = memory;

        // Walk: both indices are read big-endian from the buffer as it is now; the swapped 8 bytes
        // move unchanged, so reading and writing them through the same view is a plain byte swap.
        for (int w = 0; w < WORDS; w += 2) {
            int i1 = (int) ((long) BE_LONG.get(m, w << 3) & 7);
            int i2 = (int) ((long) BE_LONG.get(m, (w + 1) << 3) & (WORDS - 1));
            long fromMemory = (long) BE_LONG.get(m, i2 << 3);
            BE_LONG.set(m, i2 << 3, (long) BE_LONG.get(d, i1 << 3));
            BE_LONG.set(d, i1 << 3, fromMemory);
            salsa.crypt(d, 0, d, 0, DIGEST_LENGTH);
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
