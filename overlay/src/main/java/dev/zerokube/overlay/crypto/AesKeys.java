package dev.zerokube.overlay.crypto;

import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The two AES-256 keys of AES-GMAC-SIV, derived from a peer's 48-byte key K (ZT1-01 §14):
 * {@code K0 = KBKDF(K, '0')[0..32)} (GMAC) and {@code K1 = KBKDF(K, '1')[0..32)} (SIV block, CTR).
 * 1.14.1 derives them for every peer, whatever its protocol version.
 */
public record AesKeys(byte[] k0, byte[] k1) {
    /** KBKDF label of K0. */
    public static final char LABEL_K0 = '0';
    /** KBKDF label of K1. */
    public static final char LABEL_K1 = '1';

    /** Copies both 32-byte keys. */
    public AesKeys {
        if (k0.length != Aes.KEY_LENGTH || k1.length != Aes.KEY_LENGTH) {
            throw new IllegalArgumentException("AES-GMAC-SIV keys are 32 bytes each");
        }
        k0 = k0.clone();
        k1 = k1.clone();
    }

    /** K0 and K1 of the 48-byte per-peer key {@code perPeerKey}. */
    public static AesKeys derive(byte[] perPeerKey) {
        if (perPeerKey.length != C25519.SHARED_KEY_LENGTH) {
            throw new IllegalArgumentException("per-peer key must be 48 bytes, got " + perPeerKey.length);
        }
        byte[] k0 = Kbkdf.derive(perPeerKey, LABEL_K0, 0, 0);
        byte[] k1 = Kbkdf.derive(perPeerKey, LABEL_K1, 0, 0);
        AesKeys keys = new AesKeys(Arrays.copyOf(k0, Aes.KEY_LENGTH), Arrays.copyOf(k1, Aes.KEY_LENGTH));
        Arrays.fill(k0, (byte) 0);
        Arrays.fill(k1, (byte) 0);
        return keys;
    }

    @Override
    public byte[] k0() {
        return k0.clone();
    }

    @Override
    public byte[] k1() {
        return k1.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AesKeys k && MessageDigest.isEqual(k0, k.k0) && MessageDigest.isEqual(k1, k.k1);
    }

    @Override
    public int hashCode() {
        return 0; // keys are secret: no content-derived hash
    }

    @Override
    public String toString() {
        return "AesKeys[<hidden>]";
    }
}
