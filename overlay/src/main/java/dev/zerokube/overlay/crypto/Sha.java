package dev.zerokube.overlay.crypto;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * SHA-512, SHA-384 and HMAC-SHA-384 as ZeroTier 1.x uses them (ZT1-01 §17): plain FIPS 180-4 /
 * RFC 2104 functions from the JDK, one-shot.
 *
 * <p>These are for the non-packet paths (addresses, signatures, key agreement, certificate hashes,
 * key derivation), so each call takes a fresh JDK engine: simple, thread-safe, and a few hundred
 * nanoseconds of set-up that nobody on those paths will notice. Code that hashes in a loop holds
 * its own {@link MessageDigest} (see {@link MemoryHardHash}).
 */
public final class Sha {
    /** Bytes of a SHA-512 digest. */
    public static final int SHA512_LENGTH = 64;
    /** Bytes of a SHA-384 digest and of an HMAC-SHA-384 tag. */
    public static final int SHA384_LENGTH = 48;

    private Sha() {}

    /** SHA-512 of {@code msg[off, off+len)}. */
    public static byte[] sha512(byte[] msg, int off, int len) {
        MessageDigest md = sha512();
        md.update(msg, off, len);
        return md.digest();
    }

    /** SHA-512 of {@code msg}. */
    public static byte[] sha512(byte[] msg) {
        return sha512(msg, 0, msg.length);
    }

    /** SHA-384 of {@code msg}. */
    public static byte[] sha384(byte[] msg) {
        return sha384(msg, new byte[0]);
    }

    /**
     * SHA-384 of {@code part0 ‖ part1}: ZeroTier hashes two buffers in one context, e.g. the
     * 5-byte address and the 64-byte public key of an identity's {@code publicKeyHash}.
     */
    public static byte[] sha384(byte[] part0, byte[] part1) {
        MessageDigest md = digest("SHA-384");
        md.update(part0);
        md.update(part1);
        return md.digest();
    }

    /** HMAC-SHA-384 (RFC 2104, 128-byte block) of {@code msg} under {@code key}; 48 bytes. */
    public static byte[] hmacSha384(byte[] key, byte[] msg) {
        try {
            Mac mac = Mac.getInstance("HmacSHA384");
            mac.init(new SecretKeySpec(key, "HmacSHA384"));
            return mac.doFinal(msg);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK must provide HmacSHA384", e);
        }
    }

    /** A new SHA-512 engine, for callers that hash repeatedly. */
    public static MessageDigest sha512() {
        return digest("SHA-512");
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK must provide " + algorithm, e);
        }
    }
}
