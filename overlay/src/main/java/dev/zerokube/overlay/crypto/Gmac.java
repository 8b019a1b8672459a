package dev.zerokube.overlay.crypto;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * GMAC with AES-256 and a 12-byte IV, as ZeroTier's {@code AES::GMAC} (ZT1-01 §15.1): the AES-GCM
 * tag over data given as additional authenticated data with an empty plaintext. Data is fed in any
 * number of {@link #update} calls between {@link #init} and {@link #finish}, as one stream.
 *
 * <p>Computed with the JDK's AES-GCM, whose GHASH runs on the CPU's carry-less multiply. This
 * is the one per-packet primitive that allocates: the JDK needs a fresh {@code Cipher.init} per IV
 * (a new GCM engine with its GHASH tables) and buffers the AAD until the tag is asked for, about
 * 1.1 KB plus the data length per tag. The allocation-free alternative, a table-driven GHASH in
 * plain Java, was measured three to four times slower on 1400 to 2800-byte packets (faster only on
 * tiny ones) and needs 64 KiB of tables per key (docs/performance.md, "Crypto primitives"), so
 * speed won. Feeding the data as GCM plaintext pre-XORed with GCM's own keystream (to avoid the
 * AAD buffer; the tag then needs one GF(2^128) fix-up for the length block) was also measured,
 * twice: ~1.1 KB less garbage, but more than twice as slow (2.1 vs 0.9 us at 2800 bytes).
 *
 * <p>The JDK refuses to initialise a GCM encryptor twice in a row with the same key and IV; GMAC
 * needs exactly that whenever two packets carry the same IV, so this class then interposes an init
 * with a different IV.
 *
 * <p>Not thread-safe.
 */
public final class Gmac {
    /** Bytes of the IV. */
    public static final int IV_LENGTH = 12;
    /** Bytes of the tag. */
    public static final int TAG_LENGTH = 16;

    private final SecretKeySpec key;
    private final Cipher gcm;
    private final byte[] lastIv = new byte[IV_LENGTH];
    private boolean initialised;

    /** GMAC under the AES-256 key {@code key[0..32)}. */
    public Gmac(byte[] key) {
        if (key.length != Aes.KEY_LENGTH) {
            throw new IllegalArgumentException("AES-256 key must be 32 bytes, got " + key.length);
        }
        this.key = new SecretKeySpec(key, "AES");
        try {
            gcm = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK must provide AES/GCM/NoPadding", e);
        }
    }

    /** Starts a tag computation with IV {@code iv[off, off+12)}. */
    public void init(byte[] iv, int off) {
        Objects.checkFromIndexSize(off, IV_LENGTH, iv.length);
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
        gcm.updateAAD(data, off, len);
    }

    /** Writes the 16-byte tag to {@code tag[off, off+16)}; call {@link #init} before the next tag. */
    public void finish(byte[] tag, int off) {
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
