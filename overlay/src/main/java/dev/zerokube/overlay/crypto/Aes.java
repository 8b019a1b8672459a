package dev.zerokube.overlay.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256 under one key, as the building block of AES-GMAC-SIV (ZT1-01 §15): single blocks in both
 * directions and CTR mode with ZeroTier's 32-bit counter.
 *
 * <p>Single blocks go through one JCE {@code AES/ECB/NoPadding} cipher per direction, initialised
 * once in the constructor, so the JDK's AES-NI/VAES intrinsics do the rounds and no call
 * allocates. CTR runs on the JDK's own counter mode ({@link JdkCounterMode}, its AES-CTR stub)
 * where the JDK's provider package is opened to zerokube; a JCE CTR cipher cannot be used instead,
 * as it would need a fresh {@code init} (and allocation) per packet because its counter block
 * changes. Where it is not opened, CTR is built here from ECB over a scratch buffer of counter
 * blocks.
 *
 * <p>Not thread-safe (the ciphers and the scratch buffers are per instance).
 */
public final class Aes {
    /** Bytes of an AES-256 key. */
    public static final int KEY_LENGTH = 32;
    /** Bytes of an AES block. */
    public static final int BLOCK_LENGTH = 16;

    private static final VarHandle BE_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle BE_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LE_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** Bytes of keystream made per ECB call: big enough for the intrinsic to pipeline, small enough for L1. */
    private static final int CHUNK = 4096;

    private final Cipher encryptor;
    private final Cipher decryptor;
    // CTR on the JDK's counter mode, or null: then CTR is built from ECB over the scratch below,
    // which only that way needs (8 KiB and more per instance, i.e. per peer key: left unmade)
    private final JdkCounterMode jdkCounterMode;
    private final byte[] wrappedCounter;
    private final byte[] counterBlocks;
    private final byte[] keystream;
    private final int[] counterLanes;

    /** AES-256 with {@code key[0..32)}. */
    public Aes(byte[] key) {
        this(key, JdkCounterMode.AVAILABLE);
    }

    /** AES-256 with {@code key}, CTR on the JDK's counter mode or built from ECB (tests compare the two). */
    Aes(byte[] key, boolean jdkCounterMode) {
        if (key.length != KEY_LENGTH) {
            throw new IllegalArgumentException("AES-256 key must be 32 bytes, got " + key.length);
        }
        if (jdkCounterMode) {
            this.jdkCounterMode = new JdkCounterMode(key);
            this.wrappedCounter = new byte[BLOCK_LENGTH];
            this.counterBlocks = null;
            this.keystream = null;
            this.counterLanes = null;
        } else {
            this.jdkCounterMode = null;
            this.wrappedCounter = null;
            this.counterBlocks = new byte[CHUNK];
            this.keystream = new byte[CHUNK];
            this.counterLanes = SimdCheck.ENABLED ? new int[Simd.COUNTER_SCRATCH] : null;
        }
        SecretKeySpec spec = new SecretKeySpec(key, "AES");
        try {
            encryptor = Cipher.getInstance("AES/ECB/NoPadding");
            encryptor.init(Cipher.ENCRYPT_MODE, spec);
            decryptor = Cipher.getInstance("AES/ECB/NoPadding");
            decryptor.init(Cipher.DECRYPT_MODE, spec);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK must provide AES/ECB/NoPadding", e);
        }
    }

    /** Encrypts the block {@code in[inOff, inOff+16)} into {@code out[outOff, outOff+16)} (may be the same range). */
    public void encryptBlock(byte[] in, int inOff, byte[] out, int outOff) {
        ecb(encryptor, in, inOff, out, outOff, BLOCK_LENGTH);
    }

    /** Decrypts the block {@code in[inOff, inOff+16)} into {@code out[outOff, outOff+16)} (may be the same range). */
    public void decryptBlock(byte[] in, int inOff, byte[] out, int outOff) {
        ecb(decryptor, in, inOff, out, outOff, BLOCK_LENGTH);
    }

    /**
     * ECB-encrypts {@code len} bytes (a multiple of 16) of distinct, non-overlapping ranges.
     * Package-private: only CTR-like constructions here need many blocks at once.
     */
    void encryptBlocks(byte[] in, int inOff, byte[] out, int outOff, int len) {
        ecb(encryptor, in, inOff, out, outOff, len);
    }

    /**
     * AES-CTR as ZeroTier uses it: {@code out = in XOR E(c0), E(c1), ...} where {@code c0} is the
     * 16-byte block at {@code counter[counterOff..)} and each next block adds 1 to its last four
     * bytes as a big-endian 32-bit number, wrapping without carrying into byte 11. {@code in} and
     * {@code out} may be the same range; the counter array is not modified.
     */
    public void ctr(byte[] counter, int counterOff, byte[] in, int inOff, byte[] out, int outOff, int len) {
        Objects.checkFromIndexSize(counterOff, BLOCK_LENGTH, counter.length);
        Objects.checkFromIndexSize(inOff, len, in.length);
        Objects.checkFromIndexSize(outOff, len, out.length);
        if (jdkCounterMode != null) {
            ctrOnJdkCounterMode(counter, counterOff, in, inOff, out, outOff, len);
            return;
        }
        long prefixHigh = (long) BE_LONG.get(counter, counterOff);
        int prefixLow = (int) BE_INT.get(counter, counterOff + 8);
        int count = (int) BE_INT.get(counter, counterOff + 12);
        byte[] blocks = counterBlocks;
        byte[] ks = keystream;
        while (len > 0) {
            int chunk = Math.min(len, CHUNK);
            int chunkBlocks = (chunk + BLOCK_LENGTH - 1) / BLOCK_LENGTH;
            counterBlocks(prefixHigh, prefixLow, count, blocks, chunkBlocks);
            count += chunkBlocks;
            ecb(encryptor, blocks, 0, ks, 0, chunkBlocks * BLOCK_LENGTH);
            xor(ks, in, inOff, out, outOff, chunk);
            inOff += chunk;
            outOff += chunk;
            len -= chunk;
        }
    }

    /** Whether CTR runs on the JDK's counter mode (else on ECB here). */
    boolean ctrOnJdkCounterMode() {
        return jdkCounterMode != null;
    }

    // The JDK's counter carries across all 128 bits; ZeroTier's last 32 wrap to zero with bytes
    // 0..11 unchanged. So a run that crosses the wrap (a 2^-32-ish chance per block of a random
    // tag) continues from a counter block with those 32 bits zero.
    private void ctrOnJdkCounterMode(byte[] counter, int counterOff, byte[] in, int inOff, byte[] out, int outOff,
            int len) {
        long blocksBeforeWrap = 0x1_0000_0000L - Integer.toUnsignedLong((int) BE_INT.get(counter, counterOff + 12));
        if (len <= blocksBeforeWrap * BLOCK_LENGTH) {
            jdkCounterMode.crypt(counter, counterOff, in, inOff, out, outOff, len);
            return;
        }
        int first = (int) (blocksBeforeWrap * BLOCK_LENGTH);
        jdkCounterMode.crypt(counter, counterOff, in, inOff, out, outOff, first);
        System.arraycopy(counter, counterOff, wrappedCounter, 0, 12);
        BE_INT.set(wrappedCounter, 12, 0);
        jdkCounterMode.crypt(wrappedCounter, 0, in, inOff + first, out, outOff + first, len - first);
    }

    // Counter blocks and XOR are a third of CTR's time even vectorised (the AES runs on VAES).
    private void counterBlocks(long prefixHigh, int prefixLow, int count, byte[] blocks, int n) {
        if (SimdCheck.ENABLED) {
            Simd.counterBlocks(prefixHigh, prefixLow, count, blocks, n, counterLanes);
        } else {
            counterBlocksScalar(prefixHigh, prefixLow, count, blocks, n);
        }
    }

    static void counterBlocksScalar(long prefixHigh, int prefixLow, int count, byte[] blocks, int n) {
        for (int p = 0, end = n * BLOCK_LENGTH; p < end; p += BLOCK_LENGTH) {
            BE_LONG.set(blocks, p, prefixHigh);
            BE_INT.set(blocks, p + 8, prefixLow);
            BE_INT.set(blocks, p + 12, count++);
        }
    }

    // A byte loop here was the slowest step of CTR (C2 did not vectorise it: ~1.2 us for 2800 bytes,
    // five times the AES); the Vector API kernel, or eight bytes at a time without it, is not.
    private static void xor(byte[] ks, byte[] in, int inOff, byte[] out, int outOff, int len) {
        if (SimdCheck.ENABLED) {
            Simd.xor(ks, 0, in, inOff, out, outOff, len);
        } else {
            xorScalar(ks, in, inOff, out, outOff, len);
        }
    }

    static void xorScalar(byte[] ks, byte[] in, int inOff, byte[] out, int outOff, int len) {
        int i = 0;
        for (; i <= len - 8; i += 8) {
            LE_LONG.set(out, outOff + i, (long) LE_LONG.get(in, inOff + i) ^ (long) LE_LONG.get(ks, i));
        }
        for (; i < len; i++) {
            out[outOff + i] = (byte) (in[inOff + i] ^ ks[i]);
        }
    }

    private static void ecb(Cipher cipher, byte[] in, int inOff, byte[] out, int outOff, int len) {
        try {
            if (cipher.update(in, inOff, len, out, outOff) != len) {
                throw new IllegalStateException("AES/ECB returned a short block");
            }
        } catch (ShortBufferException e) {
            throw new IndexOutOfBoundsException("output too short for " + len + " bytes at " + outOff);
        }
    }
}
