package dev.zerokube.overlay.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * GMAC with AES-256 and a 12-byte IV, as ZeroTier's {@code AES::GMAC} (ZT1-01 §15.1): the AES-GCM
 * tag over data given as additional authenticated data with an empty plaintext,
 * {@code GHASH_H(data ‖ zero pad ‖ len64(data) ‖ 0^64) XOR E_K(IV ‖ 00000001)} with
 * {@code H = E_K(0^128)}. Data is fed in any number of {@link #update} calls between
 * {@link #init} and {@link #finish}, as one stream.
 *
 * <p>Two ways to compute it, chosen once per JVM:
 * <ul>
 * <li>Where the JDK's GHASH class can be reached ({@link JdkGhash#AVAILABLE}, zerokube's jars and
 *     build open it): GHASH straight on the JDK's carry-less-multiply intrinsic, the two AES blocks
 *     through {@link Aes}. Nothing is allocated per tag.</li>
 * <li>Otherwise through the public AES-GCM API, about three times slower on a 2800-byte packet:
 *     the JDK needs a fresh {@code Cipher.init} per IV (a new GCM engine) and buffers the data it
 *     authenticates, about 1.1 KB plus the data length of garbage per tag. It also refuses to
 *     initialise a GCM encryptor twice in a row with the same key and IV, which GMAC needs whenever
 *     two packets carry the same IV, so an init with another IV is interposed then.</li>
 * </ul>
 * A table-driven GHASH in plain Java was measured three to four times slower than the JDK's
 * (docs/performance.md, "Crypto primitives"), so there is no third way.
 *
 * <p>Not thread-safe.
 */
public final class Gmac {
    /** Bytes of the IV. */
    public static final int IV_LENGTH = 12;
    /** Bytes of the tag. */
    public static final int TAG_LENGTH = 16;

    private static final VarHandle BE_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    // the direct way (ghash != null)
    private final JdkGhash ghash;
    private final Aes aes;
    private final byte[] counterBlock = new byte[Aes.BLOCK_LENGTH];
    private final byte[] partial = new byte[Aes.BLOCK_LENGTH];
    private int partialLength;
    private long totalLength;

    // the Cipher way (gcm != null)
    private final SecretKeySpec key;
    private final Cipher gcm;
    private final byte[] lastIv = new byte[IV_LENGTH];
    private boolean initialised;

    /** GMAC under the AES-256 key {@code key[0..32)}, the fastest way this JVM offers. */
    public Gmac(byte[] key) {
        this(key, JdkGhash.AVAILABLE);
    }

    /** GMAC under {@code key}, directly on the JDK's GHASH or through AES-GCM (tests compare the two). */
    Gmac(byte[] key, boolean direct) {
        if (key.length != Aes.KEY_LENGTH) {
            throw new IllegalArgumentException("AES-256 key must be 32 bytes, got " + key.length);
        }
        if (direct) {
            aes = new Aes(key);
            byte[] h = new byte[Aes.BLOCK_LENGTH];
            aes.encryptBlock(h, 0, h, 0);
            ghash = new JdkGhash(h);
            this.key = null;
            gcm = null;
        } else {
            aes = null;
            ghash = null;
            this.key = new SecretKeySpec(key, "AES");
            try {
                gcm = Cipher.getInstance("AES/GCM/NoPadding");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK must provide AES/GCM/NoPadding", e);
            }
        }
    }

    /** Whether new instances compute on the JDK's GHASH directly (else through AES-GCM); for startup logs. */
    public static boolean usesJdkGhash() {
        return JdkGhash.AVAILABLE;
    }

    /** Why new instances go through AES-GCM, or {@code null} when they use the JDK's GHASH directly. */
    public static String whyNotJdkGhash() {
        return JdkGhash.unavailableReason();
    }

    /** Whether this instance computes on the JDK's GHASH directly. */
    boolean direct() {
        return ghash != null;
    }

    /** Starts a tag computation with IV {@code iv[off, off+12)}. */
    public void init(byte[] iv, int off) {
        Objects.checkFromIndexSize(off, IV_LENGTH, iv.length);
        if (ghash != null) {
            System.arraycopy(iv, off, counterBlock, 0, IV_LENGTH);
            counterBlock[12] = 0;
            counterBlock[13] = 0;
            counterBlock[14] = 0;
            counterBlock[15] = 1;
            ghash.reset();
            partialLength = 0;
            totalLength = 0;
            return;
        }
        try {
            if (initialised && Arrays.equals(lastIv, 0, IV_LENGTH, iv, off, off + IV_LENGTH)) {
                byte[] other = lastIv.clone();
                other[0] ^= 1;
                gcm.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_LENGTH * 8, other));
            }
            gcm.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_LENGTH * 8, iv, off, IV_LENGTH));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM refused a 12-byte IV", e);
        }
        System.arraycopy(iv, off, lastIv, 0, IV_LENGTH);
        initialised = true;
    }

    /** Adds {@code data[off, off+len)} to the authenticated stream. */
    public void update(byte[] data, int off, int len) {
        if (ghash == null) {
            gcm.updateAAD(data, off, len);
            return;
        }
        Objects.checkFromIndexSize(off, len, data.length);
        totalLength += len;
        if (partialLength > 0) {
            int n = Math.min(len, Aes.BLOCK_LENGTH - partialLength);
            System.arraycopy(data, off, partial, partialLength, n);
            partialLength += n;
            off += n;
            len -= n;
            if (partialLength < Aes.BLOCK_LENGTH) {
                return;
            }
            ghash.blocks(partial, 0, Aes.BLOCK_LENGTH);
            partialLength = 0;
        }
        int whole = len & ~15;
        if (whole > 0) {
            ghash.blocks(data, off, whole);
        }
        partialLength = len - whole;
        System.arraycopy(data, off + whole, partial, 0, partialLength);
    }

    /** Writes the 16-byte tag to {@code tag[off, off+16)}; call {@link #init} before the next tag. */
    public void finish(byte[] tag, int off) {
        Objects.checkFromIndexSize(off, TAG_LENGTH, tag.length);
        if (ghash == null) {
            finishThroughCipher(tag, off);
            return;
        }
        if (partialLength > 0) {
            Arrays.fill(partial, partialLength, Aes.BLOCK_LENGTH, (byte) 0);
            ghash.blocks(partial, 0, Aes.BLOCK_LENGTH);
            partialLength = 0;
        }
        // the length block: the data's length in bits (all of it is GCM's "additional data"), then
        // the empty ciphertext's
        BE_LONG.set(partial, 0, totalLength * 8);
        BE_LONG.set(partial, 8, 0L);
        ghash.blocks(partial, 0, Aes.BLOCK_LENGTH);
        aes.encryptBlock(counterBlock, 0, partial, 0);
        BE_LONG.set(tag, off, ghash.high() ^ (long) BE_LONG.get(partial, 0));
        BE_LONG.set(tag, off + 8, ghash.low() ^ (long) BE_LONG.get(partial, 8));
    }

    private void finishThroughCipher(byte[] tag, int off) {
        try {
            if (gcm.doFinal(tag, off) != TAG_LENGTH) {
                throw new IllegalStateException("AES/GCM returned a short tag");
            }
        } catch (ShortBufferException e) {
            throw new IndexOutOfBoundsException("tag output too short at " + off);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM failed to produce a tag", e);
        }
    }
}
