package dev.zerokube.overlay.crypto;

import java.math.BigInteger;
import org.bouncycastle.math.ec.rfc7748.X25519Field;

/**
 * The Ed25519 group check of ZeroTier 1.14.1's signature verification (ZT1-01 §11 step 3-4), with
 * exactly its leniency, which a strict RFC 8032 verifier does not have:
 *
 * <ul>
 *   <li>{@code S} is reduced modulo the group order L before use, so {@code S + L} verifies;
 *   <li>the public key's y is read as 255 bits and used modulo p, so non-canonical {@code y >= p}
 *       is accepted, and x = 0 with the sign bit set decodes (to x = 0);
 *   <li>small-order public keys and points with torsion are not rejected;
 *   <li>the check is cofactorless: {@code encode([S]B - [k]A)} must equal the 32 R bytes, so a
 *       non-canonical R can never match.
 * </ul>
 *
 * The hash {@code k} covers the raw public-key bytes, as given. Field arithmetic is Bouncy
 * Castle's {@link X25519Field} (ten 26/25-bit limbs); the point formulas and the double scalar
 * multiplication (signed sliding windows) are ours. Everything here handles public data only, so
 * variable time is fine.
 */
final class Ed25519Verifier {
    /** The order of the prime-order subgroup, 2^252 + 27742317777372353535851937790883648493. */
    static final BigInteger L = BigInteger.ONE.shiftLeft(252)
            .add(new BigInteger("27742317777372353535851937790883648493"));

    private static final int BASE_WINDOW = 7;
    private static final int KEY_WINDOW = 5;
    /** Digits of a window-form scalar: 256 bits, a final carry, and room for the widest window. */
    private static final int DIGITS = 257 + BASE_WINDOW;

    /** The curve constant d = -121665/121666, and 2d. */
    private static final int[] D;
    private static final int[] D2;
    /** Odd multiples B, 3B, ..., 63B of the base point in cached form. */
    private static final Cached[] BASE_TABLE;

    static {
        int[] d = fe();
        int[] t = fe();
        t[0] = 121666;
        X25519Field.inv(t, d);
        X25519Field.mul(d, 121665, d);
        X25519Field.negate(d, d);
        X25519Field.carry(d);
        X25519Field.normalize(d);
        D = d;
        int[] d2 = fe();
        X25519Field.add(d, d, d2);
        X25519Field.carry(d2);
        X25519Field.normalize(d2);
        D2 = d2;
        byte[] encodedBase = new byte[32];
        encodedBase[0] = 0x58;
        for (int i = 1; i < 32; i++) {
            encodedBase[i] = 0x66;
        }
        Point base = new Point();
        if (!decode(encodedBase, 0, false, base)) {
            throw new AssertionError("base point must decode");
        }
        BASE_TABLE = oddMultiples(base, 1 << (BASE_WINDOW - 2));
    }

    private Ed25519Verifier() {}

    /**
     * True iff {@code encode([S mod L]B - [k mod L]A)} equals {@code sig[sigOff, sigOff+32)}, where
     * {@code S = sig[sigOff+32, sigOff+64)}, A is decoded from {@code pub[pubOff, pubOff+32)} and
     * {@code k} is the 64-byte little-endian challenge {@code SHA-512(R ‖ A ‖ message)}.
     */
    static boolean check(byte[] pub, int pubOff, byte[] sig, int sigOff, byte[] challenge64) {
        Point minusA = new Point();
        if (!decode(pub, pubOff, true, minusA)) {
            return false;
        }
        BigInteger s = littleEndian(sig, sigOff + 32, 32).mod(L);
        BigInteger k = littleEndian(challenge64, 0, 64).mod(L);
        byte[] sDigits = wnaf(s, BASE_WINDOW);
        byte[] kDigits = wnaf(k, KEY_WINDOW);
        Cached[] keyTable = oddMultiples(minusA, 1 << (KEY_WINDOW - 2));

        Point acc = Point.identity();
        Point tmp = new Point();
        int top = sDigits.length - 1;
        while (top >= 0 && sDigits[top] == 0 && kDigits[top] == 0) {
            top--;
        }
        for (int i = top; i >= 0; i--) {
            acc.twice(tmp);
            Point swap = acc;
            acc = tmp;
            tmp = swap;
            int ds = sDigits[i];
            if (ds != 0) {
                acc.add(BASE_TABLE[Math.abs(ds) >> 1], ds < 0, tmp);
                swap = acc;
                acc = tmp;
                tmp = swap;
            }
            int dk = kDigits[i];
            if (dk != 0) {
                acc.add(keyTable[Math.abs(dk) >> 1], dk < 0, tmp);
                swap = acc;
                acc = tmp;
                tmp = swap;
            }
        }
        byte[] encoded = new byte[32];
        acc.encode(encoded);
        int diff = 0;
        for (int i = 0; i < 32; i++) {
            diff |= encoded[i] ^ sig[sigOff + i];
        }
        return diff == 0;
    }

    /**
     * Decodes a point the way 1.14.1 does: y = the low 255 bits taken modulo p; x from the curve
     * equation, or failure if there is none; x's parity chosen by bit 255 (x = 0 accepts either).
     * With {@code negate}, the result is the negated point (1.14.1 decodes straight to -A).
     */
    static boolean decode(byte[] in, int off, boolean negate, Point out) {
        int[] y = out.y;
        X25519Field.decode(in, off, y);
        X25519Field.carry(y);
        int sign = (in[off + 31] >>> 7) & 1;
        int[] yy = fe();
        X25519Field.sqr(y, yy);
        int[] u = fe();
        X25519Field.sub(yy, one(), u);
        X25519Field.carry(u);
        int[] v = fe();
        X25519Field.mul(yy, D, v);
        X25519Field.addOne(v);
        X25519Field.carry(v);
        int[] x = out.x;
        if (!X25519Field.sqrtRatioVar(u, v, x)) {
            return false;
        }
        X25519Field.carry(x);
        X25519Field.normalize(x);
        if (((x[0] & 1) != sign) != negate) {
            X25519Field.negate(x, x);
            X25519Field.carry(x);
        }
        X25519Field.one(out.z);
        X25519Field.mul(x, y, out.t);
        return true;
    }

    private static Cached[] oddMultiples(Point p, int count) {
        Cached[] table = new Cached[count];
        Point twiceP = new Point();
        p.twice(twiceP);
        Cached twiceCached = new Cached(twiceP);
        Point current = p;
        for (int i = 0; i < count; i++) {
            table[i] = new Cached(current);
            if (i + 1 < count) {
                Point next = new Point();
                current.add(twiceCached, false, next);
                current = next;
            }
        }
        return table;
    }

    /**
     * Width-{@code w} non-adjacent form of {@code k} (0 <= k < 2^256): digits are zero or odd with
     * magnitude below 2^(w-1), at least w-1 zeros between non-zero digits, sum digit_i 2^i = k.
     */
    static byte[] wnaf(BigInteger k, int w) {
        byte[] digits = new byte[DIGITS];
        int width = 1 << w;
        int half = width >> 1;
        int carry = 0;
        int bits = k.bitLength();
        for (int pos = 0; pos < bits || carry != 0; ) {
            int window = carry;
            for (int b = 0; b < w; b++) {
                if (k.testBit(pos + b)) {
                    window += 1 << b;
                }
            }
            if ((window & 1) == 0) {
                // bit pos equals the carry: no digit here, the carry moves on unchanged
                pos++;
                continue;
            }
            if (window < half) {
                digits[pos] = (byte) window;
                carry = 0;
            } else {
                digits[pos] = (byte) (window - width);
                carry = 1;
            }
            pos += w;
        }
        return digits;
    }

    private static BigInteger littleEndian(byte[] b, int off, int len) {
        byte[] be = new byte[len + 1];
        for (int i = 0; i < len; i++) {
            be[len - i] = b[off + i];
        }
        return new BigInteger(be);
    }

    private static int[] fe() {
        return X25519Field.create();
    }

    private static int[] one() {
        int[] r = fe();
        r[0] = 1;
        return r;
    }

    /** A point in extended twisted Edwards coordinates (X:Y:Z:T), x = X/Z, y = Y/Z, T = XY/Z. */
    static final class Point {
        final int[] x = fe();
        final int[] y = fe();
        final int[] z = fe();
        final int[] t = fe();
        // scratch for the formulas
        private final int[] a = fe();
        private final int[] b = fe();
        private final int[] c = fe();
        private final int[] d = fe();
        private final int[] e = fe();
        private final int[] f = fe();
        private final int[] g = fe();
        private final int[] h = fe();

        static Point identity() {
            Point p = new Point();
            p.y[0] = 1;
            p.z[0] = 1;
            return p;
        }

        /** r = 2 * this (a = -1 doubling in extended coordinates). */
        void twice(Point r) {
            X25519Field.sqr(x, a);
            X25519Field.sqr(y, b);
            X25519Field.sqr(z, c);
            X25519Field.add(c, c, c);
            X25519Field.carry(c);
            // h = -(a + b), g = b - a, f = g - c, e = (x + y)^2 + h
            X25519Field.add(a, b, h);
            X25519Field.negate(h, h);
            X25519Field.carry(h);
            X25519Field.sub(b, a, g);
            X25519Field.carry(g);
            X25519Field.sub(g, c, f);
            X25519Field.carry(f);
            X25519Field.add(x, y, e);
            X25519Field.carry(e);
            X25519Field.sqr(e, e);
            X25519Field.add(e, h, e);
            X25519Field.carry(e);
            X25519Field.mul(e, f, r.x);
            X25519Field.mul(g, h, r.y);
            X25519Field.mul(f, g, r.z);
            X25519Field.mul(e, h, r.t);
        }

        /** r = this + q, or this - q when {@code subtract}. */
        void add(Cached q, boolean subtract, Point r) {
            X25519Field.sub(y, x, a);
            X25519Field.carry(a);
            X25519Field.add(y, x, b);
            X25519Field.carry(b);
            // -q swaps (y+x) with (y-x) and negates 2dT.
            X25519Field.mul(a, subtract ? q.yPlusX : q.yMinusX, a);
            X25519Field.mul(b, subtract ? q.yMinusX : q.yPlusX, b);
            X25519Field.mul(t, q.t2d, c);
            X25519Field.mul(z, q.z2, d);
            X25519Field.sub(b, a, e);
            X25519Field.carry(e);
            X25519Field.add(b, a, h);
            X25519Field.carry(h);
            if (subtract) {
                X25519Field.add(d, c, f);
                X25519Field.sub(d, c, g);
            } else {
                X25519Field.sub(d, c, f);
                X25519Field.add(d, c, g);
            }
            X25519Field.carry(f);
            X25519Field.carry(g);
            X25519Field.mul(e, f, r.x);
            X25519Field.mul(g, h, r.y);
            X25519Field.mul(f, g, r.z);
            X25519Field.mul(e, h, r.t);
        }

        /** The 32-byte RFC 8032 encoding: canonical y, x's parity in bit 255. */
        void encode(byte[] out) {
            int[] zInv = fe();
            X25519Field.inv(z, zInv);
            int[] ax = fe();
            int[] ay = fe();
            X25519Field.mul(x, zInv, ax);
            X25519Field.mul(y, zInv, ay);
            X25519Field.normalize(ax);
            X25519Field.normalize(ay);
            X25519Field.encode(ay, out, 0);
            out[31] |= (byte) ((ax[0] & 1) << 7);
        }
    }

    /** A point prepared for addition: (Y+X, Y-X, 2Z, 2dT). */
    static final class Cached {
        final int[] yPlusX = fe();
        final int[] yMinusX = fe();
        final int[] z2 = fe();
        final int[] t2d = fe();

        Cached(Point p) {
            X25519Field.add(p.y, p.x, yPlusX);
            X25519Field.carry(yPlusX);
            X25519Field.sub(p.y, p.x, yMinusX);
            X25519Field.carry(yMinusX);
            X25519Field.add(p.z, p.z, z2);
            X25519Field.carry(z2);
            X25519Field.mul(p.t, D2, t2d);
        }
    }
}
