package dev.zerokube.overlay.crypto;

/**
 * ZeroTier's key derivation (ZT1-01 §14): one HMAC-SHA-384 call, keyed with the 48-byte peer key,
 * over a fixed 13-byte NIST SP 800-108 counter-mode style message.
 *
 * <pre>
 * offset  size  field
 *   0      4    iteration counter, big-endian (always 0 in 1.x)
 *   4      2    'Z' 'T'
 *   6      1    label ('0' = K0, '1' = K1 for AES-GMAC-SIV)
 *   7      1    0x00 separator
 *   8      1    context (always 0 in 1.x)
 *   9      4    output length in bits, big-endian: 384
 * </pre>
 */
public final class Kbkdf {
    /** Bytes of the PRF message. */
    public static final int MESSAGE_LENGTH = 13;
    /** Bytes of the output (one HMAC-SHA-384). */
    public static final int OUTPUT_LENGTH = Sha.SHA384_LENGTH;

    private Kbkdf() {}

    /** The 48-byte output for {@code label}, {@code context} (low 8 bits used) and {@code iter}. */
    public static byte[] derive(byte[] key, char label, int context, int iter) {
        return Sha.hmacSha384(key, message(label, context, iter));
    }

    /** The 13-byte PRF input of {@link #derive}. */
    public static byte[] message(char label, int context, int iter) {
        if (label > 0xff) {
            throw new IllegalArgumentException("label must be one byte: " + (int) label);
        }
        int bits = OUTPUT_LENGTH * 8;
        return new byte[] {
            (byte) (iter >>> 24), (byte) (iter >>> 16), (byte) (iter >>> 8), (byte) iter,
            'Z', 'T', (byte) label, 0, (byte) context,
            (byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits,
        };
    }
}
