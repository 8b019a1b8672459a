package dev.zerokube.overlay.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/*
 * Goal: C25519 signs, verifies and agrees exactly like ZeroTier One 1.14.1 beyond the fixed vectors.
 * Method: seeded random key pairs and messages; our signatures are checked with Bouncy Castle's
 * strict RFC 8032 verifier, our verifier is checked against it on valid and corrupted signatures,
 * and the cases where 1.14.1 is deliberately more lenient (S + L, non-canonical or small-order
 * public keys) are built by hand from the group order and field prime.
 */
class C25519Test {
    private static final HexFormat HEX = HexFormat.of();
    private static final BigInteger P = BigInteger.ONE.shiftLeft(255).subtract(BigInteger.valueOf(19));

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void signaturesRoundTripAndMatchAStrictVerifier(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int round = 0; round < 8; round++) {
            C25519.KeyPair pair = C25519.generate(random);
            byte[] pub = pair.publicKey();
            byte[] msg = new byte[random.nextInt(300)];
            random.nextBytes(msg);
            byte[] sig = C25519.sign(pair.privateKey(), pub, msg);
            assertEquals(C25519.SIGNATURE_LENGTH, sig.length);
            assertArrayEquals(Arrays.copyOf(Sha.sha512(msg), 32), Arrays.copyOfRange(sig, 64, 96));
            assertTrue(Ed25519.verify(sig, 0, pub, 32, sig, 64, 32), "strict RFC 8032 verifier over h");
            assertTrue(C25519.verify(pub, msg, sig));

            // Any single-bit change to the signature, message or key is rejected by both.
            byte[] bad = sig.clone();
            int bit = random.nextInt(96 * 8);
            bad[bit >> 3] ^= (byte) (1 << (bit & 7));
            assertFalse(C25519.verify(pub, msg, bad), "flipped signature bit " + bit);
            if (msg.length > 0) {
                byte[] badMsg = msg.clone();
                badMsg[random.nextInt(msg.length)] ^= 1;
                assertFalse(C25519.verify(pub, badMsg, sig));
            }
            byte[] badPub = pub.clone();
            badPub[32 + random.nextInt(31)] ^= (byte) (1 << random.nextInt(8));
            assertEquals(Ed25519.validatePublicKeyPartial(badPub, 32) && Ed25519.verify(sig, 0, badPub, 32, sig, 64, 32),
                    C25519.verify(badPub, msg, sig));
            // The signature is only ever 96 bytes.
            assertFalse(C25519.verify(pub, msg, 0, msg.length, Arrays.copyOf(sig, 97), 0, 97));
            assertFalse(C25519.verify(pub, msg, 0, msg.length, sig, 0, 64));
            // The X25519 half plays no part in signatures.
            byte[] otherDh = pub.clone();
            otherDh[0] ^= 1;
            assertTrue(C25519.verify(otherDh, msg, sig));
        }
    }

    @Test
    void acceptsSPlusLLikeZeroTier() {
        SplittableRandom random = new SplittableRandom(7);
        C25519.KeyPair pair = C25519.generate(random);
        byte[] msg = "hello zerotier".getBytes(StandardCharsets.US_ASCII);
        byte[] sig = C25519.sign(pair.privateKey(), pair.publicKey(), msg);
        BigInteger s = littleEndian(sig, 32);
        byte[] malleable = sig.clone();
        putLittleEndian(s.add(Ed25519Verifier.L), malleable, 32);
        assertFalse(Ed25519.verify(malleable, 0, pair.publicKey(), 32, malleable, 64, 32), "strict verifier rejects S >= L");
        assertTrue(C25519.verify(pair.publicKey(), msg, malleable), "1.14.1 reduces S mod L");
        // S + 2L does not fit in 32 bytes' worth of meaning for 1.14.1 either way: it still reduces.
        BigInteger twice = s.add(Ed25519Verifier.L.shiftLeft(1));
        if (twice.bitLength() <= 256) {
            putLittleEndian(twice, malleable, 32);
            assertTrue(C25519.verify(pair.publicKey(), msg, malleable));
        }
    }

    @Test
    void identityPublicKeyIsAcceptedInAllItsEncodingsLikeZeroTier() {
        // With A = the neutral element, [S]B - [k]A = [S]B; S = 0 gives R = encode(neutral) = 01 00..00.
        byte[] msg = "anything".getBytes(StandardCharsets.US_ASCII);
        byte[] sig = new byte[96];
        sig[0] = 1;
        System.arraycopy(Sha.sha512(msg), 0, sig, 64, 32);
        byte[] canonical = new byte[32];
        canonical[0] = 1;
        byte[] signBitSet = canonical.clone();
        signBitSet[31] = (byte) 0x80;
        byte[] nonCanonical = new byte[32];
        putLittleEndian(P.add(BigInteger.ONE), nonCanonical, 0);
        for (byte[] ed : new byte[][] {canonical, signBitSet, nonCanonical}) {
            byte[] pub = new byte[64];
            System.arraycopy(ed, 0, pub, 32, 32);
            assertTrue(C25519.verify(pub, msg, sig), HEX.formatHex(ed));
            byte[] sIsL = sig.clone();
            putLittleEndian(Ed25519Verifier.L, sIsL, 32);
            assertTrue(C25519.verify(pub, msg, sIsL), "S = L reduces to 0");
            byte[] wrongR = sig.clone();
            wrongR[1] = 1;
            assertFalse(C25519.verify(pub, msg, wrongR));
        }
        assertFalse(Ed25519.validatePublicKeyFull(nonCanonical, 0), "a strict decoder rejects y >= p");
    }

    @Test
    void publicKeysOffTheCurveAreRejected() {
        SplittableRandom random = new SplittableRandom(11);
        int offCurve = 0;
        for (int i = 0; i < 64; i++) {
            byte[] pub = new byte[64];
            random.nextBytes(pub);
            byte[] y = Arrays.copyOfRange(pub, 32, 64);
            y[31] &= 0x7f;
            BigInteger yy = littleEndian(y, 0).mod(P);
            boolean onCurve = isOnCurve(yy);
            if (!onCurve) {
                offCurve++;
                byte[] msg = new byte[] {(byte) i};
                byte[] sig = new byte[96];
                System.arraycopy(Sha.sha512(msg), 0, sig, 64, 32);
                assertFalse(C25519.verify(pub, msg, sig));
            }
        }
        assertTrue(offCurve > 10, "about half of random y have no x");
    }

    @ParameterizedTest
    @ValueSource(longs = {21, 22, 23})
    void agreementIsSymmetricAndStretchesByRehashing(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        C25519.KeyPair a = C25519.generate(random);
        C25519.KeyPair b = C25519.generate(random);
        byte[] ab = C25519.agree(a.privateKey(), b.publicKey());
        byte[] ba = C25519.agree(b.privateKey(), a.publicKey());
        assertEquals(C25519.SHARED_KEY_LENGTH, ab.length);
        assertArrayEquals(ab, ba);
        byte[] raw = C25519.rawAgreement(a.privateKey(), b.publicKey());
        byte[] first = Sha.sha512(raw);
        assertArrayEquals(Arrays.copyOf(first, 48), ab);
        byte[] long100 = new byte[100];
        C25519.agree(a.privateKey(), b.publicKey(), long100, 100);
        assertArrayEquals(first, Arrays.copyOf(long100, 64));
        assertArrayEquals(Arrays.copyOf(Sha.sha512(first), 36), Arrays.copyOfRange(long100, 64, 100));
    }

    @Test
    void smallOrderPeerKeyGivesTheHashOfZerosLikeZeroTier() {
        C25519.KeyPair a = C25519.generate(new SplittableRandom(5));
        byte[] zeroPoint = new byte[64];
        assertArrayEquals(new byte[32], C25519.rawAgreement(a.privateKey(), zeroPoint));
        assertArrayEquals(Arrays.copyOf(Sha.sha512(new byte[32]), 48), C25519.agree(a.privateKey(), zeroPoint));
    }

    @Test
    void workedExampleOfZt101Section19() {
        byte[] privA = HEX.parseHex("be0012961be75d0333d4ebb970b10033af76b72a21b50000bb653d48f45d061d"
                + "0020a32c5b40fa7ddb8440e183196d8d5c9a4fa313c9a008146f5ad884adb2af");
        byte[] pubA = HEX.parseHex("3af48cee95fe31c1f708faa13606293b05952f6ca8cb140e3cb5f68f3b7ac551"
                + "08dc36f627c1be47335815d5363a6fc18a9b2a1926d4c046248617404844ab93");
        byte[] pubB = HEX.parseHex("9ff0cf9d34a3d16375dd495b9795ba9850466b06edc10290c27cda330c3fa727"
                + "509862dafad8a50ad2735e4e5d07b3affb9b1af95aa632a4d7258b494304f955");
        assertArrayEquals(pubA, C25519.publicFromPrivate(privA));
        assertEquals("009c21ce13a554b8122a891fef975a381826f86533c898fec080e572e9bd8b2ca63808d26603d1737c399459cf36a116",
                HEX.formatHex(C25519.agree(privA, pubB)));
        byte[] sig = C25519.sign(privA, pubA, "hello zerotier".getBytes(StandardCharsets.US_ASCII));
        assertEquals("05eb56414ec8939a27ff460b9f0dace0b209117303193204b4f0ea36d747931c"
                + "48ab930ce0a373988fdf8595a4a893862e4242a09b7a455a364f7b2c4a386001"
                + "b5c21fd112ddd332126e5629ffc213977525c5621f42d05b1249f5339ee1322a", HEX.formatHex(sig));
    }

    private static boolean isOnCurve(BigInteger y) {
        BigInteger d = BigInteger.valueOf(-121665).multiply(BigInteger.valueOf(121666).modInverse(P)).mod(P);
        BigInteger y2 = y.multiply(y).mod(P);
        BigInteger u = y2.subtract(BigInteger.ONE).mod(P);
        BigInteger v = d.multiply(y2).add(BigInteger.ONE).mod(P);
        BigInteger x2 = u.multiply(v.modInverse(P)).mod(P);
        return x2.signum() == 0 || x2.modPow(P.subtract(BigInteger.ONE).shiftRight(1), P).equals(BigInteger.ONE);
    }

    private static BigInteger littleEndian(byte[] b, int off) {
        byte[] be = new byte[33];
        for (int i = 0; i < 32; i++) {
            be[32 - i] = b[off + i];
        }
        return new BigInteger(be);
    }

    private static void putLittleEndian(BigInteger v, byte[] out, int off) {
        byte[] be = v.toByteArray();
        Arrays.fill(out, off, off + 32, (byte) 0);
        for (int i = 0; i < 32 && i < be.length; i++) {
            out[off + i] = be[be.length - 1 - i];
        }
    }
}
