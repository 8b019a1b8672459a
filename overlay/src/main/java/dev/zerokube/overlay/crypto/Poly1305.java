package dev.zerokube.overlay.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * The Poly1305 one-time authenticator (RFC 8439 §2.5, NaCl {@code crypto_onetimeauth}) as ZeroTier
 * uses it (ZT1-01 §13): a 32-byte one-time key {@code r ‖ s} (r clamped), a 16-byte tag of which
 * packets carry the first 8 bytes.
 *
 * <p>One-shot and static: all state lives in locals (five 26-bit limbs; two blocks per step with
 * r and r^2), so a call allocates nothing and the class is trivially thread-safe.
 */
public final class Poly1305 {
    /** Bytes of the one-time key. */
    public static final int KEY_LENGTH = 32;
    /** Bytes of the tag. */
    public static final int TAG_LENGTH = 16;

    private static final VarHandle LE_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long M26 = 0x3ffffff;

    private Poly1305() {}

    /**
     * Writes the 16-byte tag of {@code msg[off, off+len)} under the one-time key
     * {@code key[keyOff, keyOff+32)} to {@code tag[tagOff, tagOff+16)}.
     */
    public static void mac(byte[] key, int keyOff, byte[] msg, int off, int len, byte[] tag, int tagOff) {
        Objects.checkFromIndexSize(keyOff, KEY_LENGTH, key.length);
        Objects.checkFromIndexSize(off, len, msg.length);
        Objects.checkFromIndexSize(tagOff, TAG_LENGTH, tag.length);

        // r, clamped (top 4 bits of each word and low 2 bits of words 1..3 cleared), in 26-bit limbs
        int t0 = (int) LE_INT.get(key, keyOff) & 0x0fffffff;
        int t1 = (int) LE_INT.get(key, keyOff + 4) & 0x0ffffffc;
        int t2 = (int) LE_INT.get(key, keyOff + 8) & 0x0ffffffc;
        int t3 = (int) LE_INT.get(key, keyOff + 12) & 0x0ffffffc;
        final long r0 = t0 & M26;
        final long r1 = ((t0 >>> 26) | (t1 << 6)) & M26;
        final long r2 = ((t1 >>> 20) | (t2 << 12)) & M26;
        final long r3 = ((t2 >>> 14) | (t3 << 18)) & M26;
        final long r4 = t3 >>> 8;
        // 2^130 = 5 (mod p): limbs that overflow past 2^130 come back multiplied by 5
        final long s1 = r1 * 5, s2 = r2 * 5, s3 = r3 * 5, s4 = r4 * 5;

        // r^2, for two blocks per step: h = (h + m1)·r^2 + m2·r has two independent products
        // and one carry chain per 32 bytes instead of two (about 20% faster, measured)
        long e0 = r0 * r0 + r1 * s4 + r2 * s3 + r3 * s2 + r4 * s1;
        long e1 = r0 * r1 + r1 * r0 + r2 * s4 + r3 * s3 + r4 * s2;
        long e2 = r0 * r2 + r1 * r1 + r2 * r0 + r3 * s4 + r4 * s3;
        long e3 = r0 * r3 + r1 * r2 + r2 * r1 + r3 * r0 + r4 * s4;
        long e4 = r0 * r4 + r1 * r3 + r2 * r2 + r3 * r1 + r4 * r0;
        e1 += e0 >>> 26;
        e0 &= M26;
        e2 += e1 >>> 26;
        e1 &= M26;
        e3 += e2 >>> 26;
        e2 &= M26;
        e4 += e3 >>> 26;
        e3 &= M26;
        e0 += (e4 >>> 26) * 5;
        e4 &= M26;
        e1 += e0 >>> 26;
        e0 &= M26;
        final long q0 = e0, q1 = e1, q2 = e2, q3 = e3, q4 = e4;
        final long u1 = q1 * 5, u2 = q2 * 5, u3 = q3 * 5, u4 = q4 * 5;

        // Limbs stay below 2^27 between steps and the multipliers below 2^29, so each of the ten
        // products in a d_i is below 2^56 and their sum fits a long.
        long h0 = 0, h1 = 0, h2 = 0, h3 = 0, h4 = 0;
        int end = off + len;
        for (; end - off >= 32; off += 32) {
            int m0 = (int) LE_INT.get(msg, off);
            int m1 = (int) LE_INT.get(msg, off + 4);
            int m2 = (int) LE_INT.get(msg, off + 8);
            int m3 = (int) LE_INT.get(msg, off + 12);
            int n0 = (int) LE_INT.get(msg, off + 16);
            int n1 = (int) LE_INT.get(msg, off + 20);
            int n2 = (int) LE_INT.get(msg, off + 24);
            int n3 = (int) LE_INT.get(msg, off + 28);
            h0 += m0 & M26;
            h1 += ((m0 >>> 26) | (m1 << 6)) & M26;
            h2 += ((m1 >>> 20) | (m2 << 12)) & M26;
            h3 += ((m2 >>> 14) | (m3 << 18)) & M26;
            h4 += (m3 >>> 8) | (1 << 24);
            long g0 = n0 & M26;
            long g1 = ((n0 >>> 26) | (n1 << 6)) & M26;
            long g2 = ((n1 >>> 20) | (n2 << 12)) & M26;
            long g3 = ((n2 >>> 14) | (n3 << 18)) & M26;
            long g4 = (n3 >>> 8) | (1 << 24);

            long d0 = h0 * q0 + h1 * u4 + h2 * u3 + h3 * u2 + h4 * u1 + g0 * r0 + g1 * s4 + g2 * s3 + g3 * s2 + g4 * s1;
            long d1 = h0 * q1 + h1 * q0 + h2 * u4 + h3 * u3 + h4 * u2 + g0 * r1 + g1 * r0 + g2 * s4 + g3 * s3 + g4 * s2;
            long d2 = h0 * q2 + h1 * q1 + h2 * q0 + h3 * u4 + h4 * u3 + g0 * r2 + g1 * r1 + g2 * r0 + g3 * s4 + g4 * s3;
            long d3 = h0 * q3 + h1 * q2 + h2 * q1 + h3 * q0 + h4 * u4 + g0 * r3 + g1 * r2 + g2 * r1 + g3 * r0 + g4 * s4;
            long d4 = h0 * q4 + h1 * q3 + h2 * q2 + h3 * q1 + h4 * q0 + g0 * r4 + g1 * r3 + g2 * r2 + g3 * r1 + g4 * r0;

            d1 += d0 >>> 26;
            h0 = d0 & M26;
            d2 += d1 >>> 26;
            h1 = d1 & M26;
            d3 += d2 >>> 26;
            h2 = d2 & M26;
            d4 += d3 >>> 26;
            h3 = d3 & M26;
            h0 += (d4 >>> 26) * 5;
            h4 = d4 & M26;
            h1 += h0 >>> 26;
            h0 &= M26;
        }
        while (off < end) {
            int m0, m1, m2, m3;
            long hibit;
            if (end - off >= 16) {
                m0 = (int) LE_INT.get(msg, off);
                m1 = (int) LE_INT.get(msg, off + 4);
                m2 = (int) LE_INT.get(msg, off + 8);
                m3 = (int) LE_INT.get(msg, off + 12);
                hibit = 1L << 24;
                off += 16;
            } else {
                // last partial block: the message bytes, then 0x01, then zeros; no 2^128 bit
                m0 = m1 = m2 = m3 = 0;
                int rem = end - off;
                for (int i = 0; i <= rem; i++) {
                    int b = i < rem ? msg[off + i] & 0xff : 1;
                    int shift = (i & 3) << 3;
                    switch (i >> 2) {
                        case 0 -> m0 |= b << shift;
                        case 1 -> m1 |= b << shift;
                        case 2 -> m2 |= b << shift;
                        default -> m3 |= b << shift;
                    }
                }
                hibit = 0;
                off = end;
            }
            h0 += m0 & M26;
            h1 += ((m0 >>> 26) | (m1 << 6)) & M26;
            h2 += ((m1 >>> 20) | (m2 << 12)) & M26;
            h3 += ((m2 >>> 14) | (m3 << 18)) & M26;
            h4 += (m3 >>> 8) | hibit;

            long d0 = h0 * r0 + h1 * s4 + h2 * s3 + h3 * s2 + h4 * s1;
            long d1 = h0 * r1 + h1 * r0 + h2 * s4 + h3 * s3 + h4 * s2;
            long d2 = h0 * r2 + h1 * r1 + h2 * r0 + h3 * s4 + h4 * s3;
            long d3 = h0 * r3 + h1 * r2 + h2 * r1 + h3 * r0 + h4 * s4;
            long d4 = h0 * r4 + h1 * r3 + h2 * r2 + h3 * r1 + h4 * r0;

            d1 += d0 >>> 26;
            h0 = d0 & M26;
            d2 += d1 >>> 26;
            h1 = d1 & M26;
            d3 += d2 >>> 26;
            h2 = d2 & M26;
            d4 += d3 >>> 26;
            h3 = d3 & M26;
            h0 += (d4 >>> 26) * 5;
            h4 = d4 & M26;
            h1 += h0 >>> 26;
            h0 &= M26;
        }

        // fully carry h, then reduce it below p = 2^130 - 5
        h2 += h1 >>> 26;
        h1 &= M26;
        h3 += h2 >>> 26;
        h2 &= M26;
        h4 += h3 >>> 26;
        h3 &= M26;
        h0 += (h4 >>> 26) * 5;
        h4 &= M26;
        h1 += h0 >>> 26;
        h0 &= M26;

        long g0 = h0 + 5;
        long g1 = h1 + (g0 >>> 26);
        g0 &= M26;
        long g2 = h2 + (g1 >>> 26);
        g1 &= M26;
        long g3 = h3 + (g2 >>> 26);
        g2 &= M26;
        long g4 = h4 + (g3 >>> 26) - (1L << 26);
        g3 &= M26;
        // g4 < 0: h < p, keep h; otherwise h - p = g (constant time select)
        long keepH = g4 >> 63;
        h0 = (h0 & keepH) | (g0 & ~keepH);
        h1 = (h1 & keepH) | (g1 & ~keepH);
        h2 = (h2 & keepH) | (g2 & ~keepH);
        h3 = (h3 & keepH) | (g3 & ~keepH);
        h4 = (h4 & keepH) | (g4 & M26 & ~keepH);

        // tag = (h + s) mod 2^128
        long f0 = ((h0 | (h1 << 26)) & 0xffffffffL) + ((int) LE_INT.get(key, keyOff + 16) & 0xffffffffL);
        long f1 = (((h1 >>> 6) | (h2 << 20)) & 0xffffffffL) + ((int) LE_INT.get(key, keyOff + 20) & 0xffffffffL);
        long f2 = (((h2 >>> 12) | (h3 << 14)) & 0xffffffffL) + ((int) LE_INT.get(key, keyOff + 24) & 0xffffffffL);
        long f3 = (((h3 >>> 18) | (h4 << 8)) & 0xffffffffL) + ((int) LE_INT.get(key, keyOff + 28) & 0xffffffffL);
        f1 += f0 >>> 32;
        f2 += f1 >>> 32;
        f3 += f2 >>> 32;
        LE_INT.set(tag, tagOff, (int) f0);
        LE_INT.set(tag, tagOff + 4, (int) f1);
        LE_INT.set(tag, tagOff + 8, (int) f2);
        LE_INT.set(tag, tagOff + 12, (int) f3);
    }
}
