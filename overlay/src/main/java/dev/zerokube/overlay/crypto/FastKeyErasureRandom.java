package dev.zerokube.overlay.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * A cryptographically strong random generator for the node's per-packet needs (packet IDs, which
 * ZT1-02 §3.1 wants secure-random, and the few other random choices of the node core), built as a
 * fast-key-erasure generator over Salsa20/20: each refill runs Salsa20/20 under the current key
 * (with a zero nonce: every key is used for exactly one stream), keeps the first 32 bytes as the
 * next key and hands out the rest, erasing each value from the buffer once handed out. A later
 * compromise of its state therefore reveals nothing about values already produced.
 *
 * <p>Why not {@link java.security.SecureRandom} directly: the JDK's default (NativePRNG) takes a
 * lock and mixes a SHA-1 generator with /dev/urandom on every call, which showed up in the send
 * path's profile and breaks the rule of no locks on the hot path. Seeded once from the platform's
 * generator by the caller (the core does no I/O), this costs one Salsa20 block per eight values.
 *
 * <p>Not thread-safe: one instance per node, used on the node's thread.
 */
public final class FastKeyErasureRandom implements RandomGenerator {
    /** Bytes of seed (the first key). */
    public static final int SEED_LENGTH = Salsa20.KEY_LENGTH;

    private static final VarHandle LE_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    // 16 Salsa20 blocks per refill: 32 bytes become the next key, 992 bytes (124 values) are output.
    private static final int BUFFER_LENGTH = 16 * Salsa20.BLOCK_LENGTH;
    private static final byte[] ZERO_NONCE = new byte[Salsa20.IV_LENGTH];

    // Scalar Salsa20: a refill is only 1 KiB, and the vector path is slow until C2 compiles it.
    private final Salsa20 salsa = new Salsa20(20, false);
    private final byte[] buffer = new byte[BUFFER_LENGTH];
    private int position;

    /**
     * @param seed {@link #SEED_LENGTH} bytes from a strong source (e.g. {@code SecureRandom}); it
     *     is copied, and the caller should erase its own copy
     */
    public FastKeyErasureRandom(byte[] seed) {
        if (seed.length != SEED_LENGTH) {
            throw new IllegalArgumentException("seed must be " + SEED_LENGTH + " bytes, got " + seed.length);
        }
        System.arraycopy(seed, 0, buffer, 0, SEED_LENGTH);
        refill();
    }

    @Override
    public long nextLong() {
        if (position == BUFFER_LENGTH) {
            refill();
        }
        long value = (long) LE_LONG.get(buffer, position);
        LE_LONG.set(buffer, position, 0L);
        position += Long.BYTES;
        return value;
    }

    // The next key sits in buffer[0..32) (the seed at first); it is read into the cipher, then
    // overwritten by the new stream, whose first 32 bytes are the key after this one.
    private void refill() {
        salsa.init(buffer, 0, ZERO_NONCE, 0);
        Arrays.fill(buffer, (byte) 0);
        salsa.stream(buffer, 0, BUFFER_LENGTH);
        position = SEED_LENGTH;
    }
}
