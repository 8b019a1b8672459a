package dev.zerokube.overlay.crypto;

import java.util.Objects;

/**
 * ZeroTier's AES-GMAC-SIV (cipher suite 3, ZT1-01 §15) for one peer's key pair K0 (GMAC) and K1
 * (SIV block and CTR).
 *
 * <pre>
 * T  = GMAC_K0(iv = N ‖ 00000000, aad ‖ zero pad to 16 ‖ plaintext)
 * S  = AES-ECB_K1(N ‖ (T[0..8) XOR T[8..16)))        the 16-byte tag ("SIV")
 * C  = AES-CTR_K1(counter = S with bit 7 of byte 12 cleared, plaintext)
 * </pre>
 *
 * Decryption runs it backwards: CTR with the received tag, {@code N ‖ F = AES-ECB-decrypt_K1(S)},
 * and the GMAC over the recovered plaintext must fold to F.
 *
 * <p>How a packet maps onto this (ZT1-02 §4.7): {@code N} is packet bytes [0..8), {@code aad} is
 * bytes [8..19) (on receive with the hop bits of byte 18 cleared: the caller masks them), the
 * plaintext is bytes [27..n), and the tag's halves go to bytes [0..8) and [19..27).
 *
 * <p>One instance per peer (or per key pair and thread); reusable for any number of packets.
 * Encrypt and decrypt allocate nothing, unless the {@link Gmac} inside has to go through the JDK's
 * AES-GCM API (where the JDK's GHASH is not opened to zerokube; see {@link Gmac}). Not thread-safe.
 */
public final class AesGmacSiv {
    /** Bytes of each AES-256 key. */
    public static final int KEY_LENGTH = 32;
    /** Bytes of the nonce N (the random packet ID). */
    public static final int IV_LENGTH = 8;
    /** Bytes of the tag S. */
    public static final int TAG_LENGTH = 16;

    private static final byte[] ZEROS = new byte[16];

    private final Gmac gmac;
    private final Aes aes1;
    private final byte[] gmacIv = new byte[Gmac.IV_LENGTH];
    private final byte[] gmacTag = new byte[Gmac.TAG_LENGTH];
    private final byte[] block = new byte[Aes.BLOCK_LENGTH];

    /** For the AES-256 keys {@code k0} (GMAC) and {@code k1} (SIV block and CTR), 32 bytes each. */
    public AesGmacSiv(byte[] k0, byte[] k1) {
        this.gmac = new Gmac(k0);
        this.aes1 = new Aes(k1);
    }

    /** For the keys of a peer ({@link AesKeys#derive}). */
    public AesGmacSiv(AesKeys keys) {
        this(keys.k0(), keys.k1());
    }

    /**
     * Encrypts {@code in[inOff, inOff+len)} to {@code out[outOff, outOff+len)} (may be the same
     * range) and writes the 16-byte tag S to {@code tag[tagOff, tagOff+16)}, for nonce
     * {@code iv[ivOff, ivOff+8)} and additional data {@code aad[aadOff, aadOff+aadLen)}. The tag
     * must not overlap the input.
     */
    public void encrypt(byte[] iv, int ivOff, byte[] aad, int aadOff, int aadLen,
            byte[] in, int inOff, byte[] out, int outOff, int len, byte[] tag, int tagOff) {
        Objects.checkFromIndexSize(ivOff, IV_LENGTH, iv.length);
        Objects.checkFromIndexSize(tagOff, TAG_LENGTH, tag.length);
        System.arraycopy(iv, ivOff, block, 0, IV_LENGTH);
        authenticate(block, aad, aadOff, aadLen, in, inOff, len);
        aes1.encryptBlock(block, 0, tag, tagOff);
        System.arraycopy(tag, tagOff, block, 0, TAG_LENGTH);
        block[12] &= 0x7f;
        aes1.ctr(block, 0, in, inOff, out, outOff, len);
    }

    /**
     * Decrypts {@code in[inOff, inOff+len)} to {@code out[outOff, outOff+len)} (may be the same
     * range) under the tag {@code tag[tagOff, tagOff+16)} and returns whether it authenticates with
     * {@code aad}. On {@code false} the output holds unauthenticated bytes and must be discarded.
     */
    public boolean decrypt(byte[] tag, int tagOff, byte[] aad, int aadOff, int aadLen,
            byte[] in, int inOff, byte[] out, int outOff, int len) {
        Objects.checkFromIndexSize(tagOff, TAG_LENGTH, tag.length);
        System.arraycopy(tag, tagOff, block, 0, TAG_LENGTH);
        block[12] &= 0x7f;
        aes1.ctr(block, 0, in, inOff, out, outOff, len);
        aes1.decryptBlock(tag, tagOff, block, 0);
        long expectedFold = fold(block, IV_LENGTH);
        authenticate(block, aad, aadOff, aadLen, out, outOff, len);
        // Constant time: a plain XOR of the two 64-bit folds, then one branch on the result.
        return (fold(block, IV_LENGTH) ^ expectedFold) == 0;
    }

    // block[0..8) = N on entry; on exit block[8..16) = the folded GMAC tag.
    private void authenticate(byte[] nonceAndFold, byte[] aad, int aadOff, int aadLen,
            byte[] plaintext, int off, int len) {
        Objects.checkFromIndexSize(aadOff, aadLen, aad.length);
        System.arraycopy(nonceAndFold, 0, gmacIv, 0, IV_LENGTH);
        gmac.init(gmacIv, 0);
        gmac.update(aad, aadOff, aadLen);
        gmac.update(ZEROS, 0, -aadLen & 15);
        gmac.update(plaintext, off, len);
        gmac.finish(gmacTag, 0);
        for (int i = 0; i < 8; i++) {
            nonceAndFold[IV_LENGTH + i] = (byte) (gmacTag[i] ^ gmacTag[8 + i]);
        }
    }

    private static long fold(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return v;
    }
}
