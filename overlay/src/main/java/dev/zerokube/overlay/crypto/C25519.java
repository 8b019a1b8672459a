package dev.zerokube.overlay.crypto;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * ZeroTier's "C25519" key pair: an X25519 key for agreement and an unrelated Ed25519 key for
 * signatures, side by side (ZT1-01 §3, §10, §11).
 *
 * <pre>
 * public key  (64) = X25519 public (32, little-endian u)  ‖ Ed25519 public (32, RFC 8032)
 * private key (64) = X25519 scalar (32, stored unclamped) ‖ Ed25519 seed (32)
 * signature   (96) = R (32) ‖ S (32) ‖ h (32),  h = SHA-512(message)[0..32),
 *                    R ‖ S = standard Ed25519 signature of the 32-byte message h
 * </pre>
 *
 * <p>Signing is deterministic and byte-identical to ZeroTier One. Verification reproduces 1.14.1's
 * verdicts exactly, including its leniency (S ≥ L reduced, non-canonical public y accepted, no
 * small-order checks; see {@link #verify}), which is why it does not use a strict RFC 8032 verifier.
 *
 * <p>Agreement is {@code SHA-512(X25519(myScalar, theirU))}, stretched by re-hashing every 64 bytes
 * when more is asked for; 1.x asks for 48 bytes (the per-peer key). Like 1.14.1 it does not reject
 * an all-zero X25519 result.
 *
 * <p>Stateless and thread-safe; these are not per-packet operations, so they return new arrays.
 */
public final class C25519 {
    /** Bytes of a public key: X25519 (32) ‖ Ed25519 (32). */
    public static final int PUBLIC_KEY_LENGTH = 64;
    /** Bytes of a private key: X25519 scalar (32) ‖ Ed25519 seed (32). */
    public static final int PRIVATE_KEY_LENGTH = 64;
    /** Bytes of a ZeroTier signature: Ed25519 R ‖ S (64) ‖ the signed digest prefix (32). */
    public static final int SIGNATURE_LENGTH = 96;
    /** Bytes of the per-peer symmetric key that 1.x derives ({@code ZT_SYMMETRIC_KEY_SIZE}). */
    public static final int SHARED_KEY_LENGTH = 48;

    private static final int HALF = 32;

    private C25519() {}

    /** A public and private key; the arrays are copied in and out. */
    public record KeyPair(byte[] publicKey, byte[] privateKey) {
        public KeyPair {
            if (publicKey.length != PUBLIC_KEY_LENGTH || privateKey.length != PRIVATE_KEY_LENGTH) {
                throw new IllegalArgumentException("C25519 keys are 64 bytes each");
            }
            publicKey = publicKey.clone();
            privateKey = privateKey.clone();
        }

        @Override
        public byte[] publicKey() {
            return publicKey.clone();
        }

        @Override
        public byte[] privateKey() {
            return privateKey.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof KeyPair k && Arrays.equals(publicKey, k.publicKey)
                    && MessageDigest.isEqual(privateKey, k.privateKey);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(publicKey);
        }

        @Override
        public String toString() {
            return "KeyPair[public=" + java.util.HexFormat.of().formatHex(publicKey) + ", private=<hidden>]";
        }
    }

    /** A new key pair from 64 bytes of {@code random} (pass a {@link java.security.SecureRandom} outside tests). */
    public static KeyPair generate(RandomGenerator random) {
        byte[] priv = new byte[PRIVATE_KEY_LENGTH];
        random.nextBytes(priv);
        KeyPair pair = new KeyPair(publicFromPrivate(priv), priv);
        Arrays.fill(priv, (byte) 0);
        return pair;
    }

    /** The 64-byte public key of a 64-byte private key: X25519 base-point multiple ‖ Ed25519 public key of the seed. */
    public static byte[] publicFromPrivate(byte[] privateKey) {
        requireLength(privateKey, PRIVATE_KEY_LENGTH, "private key");
        byte[] pub = new byte[PUBLIC_KEY_LENGTH];
        X25519.scalarMultBase(privateKey, 0, pub, 0);
        Ed25519.generatePublicKey(privateKey, HALF, pub, HALF);
        return pub;
    }

    /**
     * ZeroTier's 96-byte signature of {@code msg[off, off+len)}. The Ed25519 challenge hashes
     * {@code publicKey[32..64)} as given (ZeroTier does not re-derive it), so pass the matching
     * public key.
     */
    public static byte[] sign(byte[] privateKey, byte[] publicKey, byte[] msg, int off, int len) {
        requireLength(privateKey, PRIVATE_KEY_LENGTH, "private key");
        requireLength(publicKey, PUBLIC_KEY_LENGTH, "public key");
        Objects.checkFromIndexSize(off, len, msg.length);
        byte[] digest = Sha.sha512(msg, off, len);
        byte[] sig = new byte[SIGNATURE_LENGTH];
        Ed25519.sign(privateKey, HALF, publicKey, HALF, digest, 0, HALF, sig, 0);
        System.arraycopy(digest, 0, sig, 64, HALF);
        return sig;
    }

    /** {@link #sign(byte[], byte[], byte[], int, int)} over all of {@code msg}. */
    public static byte[] sign(byte[] privateKey, byte[] publicKey, byte[] msg) {
        return sign(privateKey, publicKey, msg, 0, msg.length);
    }

    /**
     * Whether {@code sig[sigOff, sigOff+sigLen)} is a valid signature of {@code msg[off, off+len)}
     * by {@code publicKey}, with exactly ZeroTier One 1.14.1's verdict:
     *
     * <ol>
     *   <li>{@code sigLen} must be 96;
     *   <li>{@code sig[64..96)} must equal {@code SHA-512(msg)[0..32)};
     *   <li>the Ed25519 half of the key must decode to a curve point (leniently: y modulo p);
     *   <li>{@code encode([S mod L]B - [k]A)} must equal R, {@code k = SHA-512(R ‖ A ‖ h) mod L}
     *       (cofactorless; S ≥ L is reduced, not rejected).
     * </ol>
     */
    public static boolean verify(byte[] publicKey, byte[] msg, int off, int len, byte[] sig, int sigOff, int sigLen) {
        requireLength(publicKey, PUBLIC_KEY_LENGTH, "public key");
        Objects.checkFromIndexSize(off, len, msg.length);
        Objects.checkFromIndexSize(sigOff, sigLen, sig.length);
        if (sigLen != SIGNATURE_LENGTH) {
            return false;
        }
        byte[] digest = Sha.sha512(msg, off, len);
        int diff = 0;
        for (int i = 0; i < HALF; i++) {
            diff |= digest[i] ^ sig[sigOff + 64 + i];
        }
        if (diff != 0) {
            return false;
        }
        MessageDigest md = Sha.sha512();
        md.update(sig, sigOff, HALF);
        md.update(publicKey, HALF, HALF);
        md.update(sig, sigOff + 64, HALF);
        return Ed25519Verifier.check(publicKey, HALF, sig, sigOff, md.digest());
    }

    /** {@link #verify(byte[], byte[], int, int, byte[], int, int)} over whole arrays. */
    public static boolean verify(byte[] publicKey, byte[] msg, byte[] sig) {
        return verify(publicKey, msg, 0, msg.length, sig, 0, sig.length);
    }

    /**
     * The raw 32-byte X25519 result of {@code privateKey[0..32)} (clamped as RFC 7748) and
     * {@code theirPublicKey[0..32)} (bit 255 ignored); all-zero for small-order peer keys, which
     * 1.14.1 does not reject either.
     */
    public static byte[] rawAgreement(byte[] privateKey, byte[] theirPublicKey) {
        requireLength(privateKey, PRIVATE_KEY_LENGTH, "private key");
        requireLength(theirPublicKey, PUBLIC_KEY_LENGTH, "public key");
        byte[] raw = new byte[HALF];
        X25519.scalarMult(privateKey, 0, theirPublicKey, 0, raw, 0);
        return raw;
    }

    /**
     * Writes {@code outLen} bytes of agreed key to {@code out[0, outLen)}: the bytes of
     * {@code SHA-512(raw)}, then of {@code SHA-512} of that digest, and so on (ZT1-01 §10). 1.x uses
     * {@code outLen} = 48; 64 gives {@code SHA-512(raw)}, 100 continues into the second digest.
     */
    public static void agree(byte[] privateKey, byte[] theirPublicKey, byte[] out, int outLen) {
        Objects.checkFromIndexSize(0, outLen, out.length);
        byte[] raw = rawAgreement(privateKey, theirPublicKey);
        MessageDigest md = Sha.sha512();
        byte[] digest = md.digest(raw);
        Arrays.fill(raw, (byte) 0);
        for (int i = 0, k = 0; i < outLen; i++, k++) {
            if (k == Sha.SHA512_LENGTH) {
                digest = md.digest(digest);
                k = 0;
            }
            out[i] = digest[k];
        }
        Arrays.fill(digest, (byte) 0);
    }

    /** The 48-byte per-peer key {@code SHA-512(raw)[0..48)} that 1.x uses. */
    public static byte[] agree(byte[] privateKey, byte[] theirPublicKey) {
        byte[] key = new byte[SHARED_KEY_LENGTH];
        agree(privateKey, theirPublicKey, key, SHARED_KEY_LENGTH);
        return key;
    }

    private static void requireLength(byte[] b, int length, String what) {
        if (b.length != length) {
            throw new IllegalArgumentException(what + " must be " + length + " bytes, got " + b.length);
        }
    }
}
