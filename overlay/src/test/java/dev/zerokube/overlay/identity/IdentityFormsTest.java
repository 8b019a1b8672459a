package dev.zerokube.overlay.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

// Goal: the text and binary forms of Identity (ZT1-01 §5, §6) round-trip, accept exactly the
// lenient inputs 1.14.1 accepts and refuse malformed ones with a typed error naming the problem.
// Method: seeded random identities (random key bytes: no cryptography is involved in the forms),
// every truncation of the binary form, and hand-made malformed and lenient texts whose expected
// reading follows from 1.14.1's parser as ZT1-01 §6 describes it.
class IdentityFormsTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final String ADDRESS = "22afb5217c";
    private static final String PUB = "ed20ec4973b9d1db8640348e4cad73ecf4e2d6cb29a4f75f8f083f8269940214"
            + "b9cadb5dd2eaa8bde10e4bf3984d309a5b398840fd2d0d4fc7ad53fbf396979d";
    private static final String PRIV = "54f505d381dadd57a03df0218cffde2a097ccb7db21302b1108928d53e17e584"
            + "9d275bedb95c84a6f6b57d65e7f8c90330abc6c44ecca181a5f03678698466a6";
    private static final String PUBLIC_TEXT = ADDRESS + ":0:" + PUB;
    private static final String SECRET_TEXT = PUBLIC_TEXT + ":" + PRIV;

    static Identity randomIdentity(SplittableRandom random, boolean withPrivate) {
        long address;
        do {
            address = random.nextLong(Address.MASK + 1);
        } while (new Address(address).isReserved());
        byte[] pub = new byte[64];
        random.nextBytes(pub);
        byte[] priv = null;
        if (withPrivate) {
            priv = new byte[64];
            random.nextBytes(priv);
        }
        return new Identity(new Address(address), pub, priv);
    }

    static byte[] encode(Identity id, boolean includePrivate) {
        ByteWriter w = new ByteWriter();
        id.encode(w, includePrivate);
        return w.toByteArray();
    }

    static Identity decode(byte[] bytes) throws WireFormatException {
        ByteReader r = new ByteReader(bytes, "test");
        Identity id = Identity.decode(r);
        r.expectEnd("identity");
        return id;
    }

    static void assertSameIdentity(Identity expected, Identity actual) {
        assertSameIdentity(expected, actual, "");
    }

    static void assertSameIdentity(Identity expected, Identity actual, String message) {
        assertEquals(expected, actual, message);
        assertEquals(expected.address(), actual.address(), message);
        assertArrayEquals(expected.publicKey(), actual.publicKey(), message);
        assertEquals(expected.hasPrivate(), actual.hasPrivate(), message);
        if (expected.hasPrivate()) {
            assertArrayEquals(expected.privateKey(), actual.privateKey(), message);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void seededRoundTripsOfBothForms(long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 50; i++) {
            Identity secret = randomIdentity(random, true);
            Identity pub = secret.publicOnly();
            assertFalse(pub.hasPrivate());
            assertEquals(secret, pub, "equality ignores the private key, as in 1.14.1");

            byte[] full = encode(secret, true);
            byte[] open = encode(secret, false);
            assertEquals(Identity.ENCODED_PRIVATE_LENGTH, full.length);
            assertEquals(Identity.ENCODED_PUBLIC_LENGTH, open.length);
            assertArrayEquals(open, encode(pub, true), "no private key to include");
            assertSameIdentity(secret, decode(full));
            assertSameIdentity(pub, decode(open));
            assertArrayEquals(full, encode(decode(full), true));
            assertArrayEquals(open, encode(decode(open), true));

            String secretText = secret.toString(true);
            String publicText = secret.toString(false);
            assertEquals(270, secretText.length());
            assertEquals(141, publicText.length());
            assertEquals(publicText, secret.toString());
            assertEquals(publicText, pub.toString(true));
            assertEquals(secretText.toLowerCase(), secretText);
            assertSameIdentity(secret, Identity.parse(secretText));
            assertSameIdentity(pub, Identity.parse(publicText));
            assertSameIdentity(secret, Identity.parse(secretText.toUpperCase()));
            assertSameIdentity(secret, Identity.parse(secretText + "\n"));
            assertEquals(secretText, Identity.parse(secretText).toString(true));
        }
    }

    @Test
    void binaryLayoutIsAddressTypeKeyLengthKey() throws Exception {
        Identity id = Identity.parse(SECRET_TEXT);
        assertEquals(ADDRESS + "00" + PUB + "00", HEX.formatHex(encode(id, false)));
        assertEquals(ADDRESS + "00" + PUB + "40" + PRIV, HEX.formatHex(encode(id, true)));
    }

    @Test
    void decodeStopsAfterTheIdentity() throws Exception {
        byte[] one = encode(Identity.parse(SECRET_TEXT), false);
        byte[] two = Arrays.copyOf(one, one.length + 3);
        ByteReader r = new ByteReader(two, "test");
        Identity.decode(r);
        assertEquals(3, r.remaining());
    }

    @Test
    void everyTruncationIsAWireFormatError() throws Exception {
        Identity id = Identity.parse(SECRET_TEXT);
        for (byte[] whole : new byte[][] {encode(id, false), encode(id, true)}) {
            for (int n = 0; n < whole.length; n++) {
                byte[] cut = Arrays.copyOf(whole, n);
                WireFormatException e = assertThrows(WireFormatException.class,
                        () -> Identity.decode(new ByteReader(cut, "HELLO")), "length " + n);
                assertTrue(e.what().startsWith("HELLO: identity"), e.what());
            }
        }
    }

    @Test
    void typeOneIsRefusedAsP384() throws Exception {
        byte[] bytes = encode(Identity.parse(SECRET_TEXT), false);
        bytes[5] = 1;
        WireFormatException e = assertThrows(WireFormatException.class, () -> decode(bytes));
        assertTrue(e.what().contains("P-384") && e.what().contains("not supported"), e.what());
        // 1.14.1 refuses before reading the key: a bare address and type byte give the same error
        WireFormatException early = assertThrows(WireFormatException.class,
                () -> decode(Arrays.copyOf(bytes, 6)));
        assertTrue(early.what().contains("P-384"), early.what());
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 0x7f, 0x80, 0xff})
    void otherTypesAreRefused(int type) throws Exception {
        byte[] bytes = encode(Identity.parse(SECRET_TEXT), false);
        bytes[5] = (byte) type;
        WireFormatException e = assertThrows(WireFormatException.class, () -> decode(bytes));
        assertTrue(e.what().contains("identity type " + type), e.what());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 32, 48, 63, 65, 0x80, 0xff})
    void privateKeyLengthMustBe0Or64(int length) throws Exception {
        byte[] bytes = Arrays.copyOf(encode(Identity.parse(SECRET_TEXT), false), 71 + 300);
        bytes[70] = (byte) length;
        WireFormatException e = assertThrows(WireFormatException.class,
                () -> Identity.decode(new ByteReader(bytes, "test")));
        assertTrue(e.what().contains("private key length " + length), e.what());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0000000000", "ff00000000", "ffffffffff", "ff22afb521"})
    void reservedAddressInBinaryIsRefused(String address) throws Exception {
        byte[] bytes = encode(Identity.parse(SECRET_TEXT), false);
        System.arraycopy(HEX.parseHex(address), 0, bytes, 0, 5);
        WireFormatException e = assertThrows(WireFormatException.class, () -> decode(bytes));
        assertTrue(e.what().contains("reserved"), e.what());
    }

    @Test
    void constructorChecksItsArguments() {
        byte[] key = new byte[64];
        assertThrows(IllegalArgumentException.class, () -> new Identity(Address.NONE, key, null));
        assertThrows(IllegalArgumentException.class, () -> new Identity(new Address(0xff00000001L), key, null));
        assertThrows(IllegalArgumentException.class, () -> new Identity(new Address(1), new byte[63], null));
        assertThrows(IllegalArgumentException.class, () -> new Identity(new Address(1), key, new byte[65]));
        assertThrows(IllegalStateException.class, () -> new Identity(new Address(1), key, null).privateKey());
    }

    @Test
    void arraysAreCopiedInAndOut() {
        byte[] pub = new byte[64];
        byte[] priv = new byte[64];
        Identity id = new Identity(new Address(1), pub, priv);
        pub[0] = 1;
        priv[0] = 1;
        id.publicKey()[1] = 1;
        id.privateKey()[1] = 1;
        assertArrayEquals(new byte[64], id.publicKey());
        assertArrayEquals(new byte[64], id.privateKey());
    }

    // ---- text: what 1.14.1 refuses ----

    static String refusal(String text) {
        return assertThrows(InvalidIdentityException.class, () -> Identity.parse(text), text).getMessage();
    }

    @Test
    void typeOneTextIsRefusedAsP384() {
        String m = refusal(ADDRESS + ":1:" + PUB);
        assertTrue(m.contains("P-384") && m.contains("not supported"), m);
    }

    @ParameterizedTest
    @ValueSource(strings = {"00", "2", "c", "x", " 0", "0 "})
    void typeMustBeExactlyZero(String type) {
        String m = refusal(ADDRESS + ":" + type + ":" + PUB);
        assertTrue(m.contains("type"), m);
    }

    @Test
    void badSeparatorsAreRefused() {
        assertTrue(refusal(ADDRESS + ";0;" + PUB).contains("fields"));
        assertTrue(refusal(ADDRESS + ":0" + PUB).contains("type"));
        assertTrue(refusal(ADDRESS + "0:" + PUB).contains("type field"), "the key lands in the type field");
        assertTrue(refusal(ADDRESS + ":0:" + PUB + ":" + PRIV + ":00").contains("more than 4"));
        assertTrue(refusal(ADDRESS + "-0-" + PUB).contains("at least 3"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ":", ":::", "22afb5217c", "22afb5217c:0", "22afb5217c:0:", "22afb5217c::0::"})
    void tooFewFieldsAreRefused(String text) {
        assertTrue(refusal(text).contains("at least 3"), text);
    }

    @Test
    void shortKeysAreRefused() {
        assertTrue(refusal(ADDRESS + ":0:" + PUB.substring(0, 126)).contains("public key"));
        assertTrue(refusal(ADDRESS + ":0:" + PUB.substring(0, 127)).contains("63 bytes"), "a lone last digit is dropped");
        assertTrue(refusal(ADDRESS + ":0:" + PUB.substring(0, 2)).contains("public key"));
        assertTrue(refusal(PUBLIC_TEXT + ":" + PRIV.substring(0, 126)).contains("private key"));
        assertTrue(refusal(PUBLIC_TEXT + ":" + PRIV.substring(0, 127)).contains("private key"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0000000000", "0", "ff00000000", "FFafb5217c", "zzafb5217c", "-1",
        "ffffffffffffffffff", "x", "0x"})
    void reservedAddressesAreRefused(String address) {
        String m = refusal(address + ":0:" + PUB);
        assertTrue(m.contains("reserved"), m);
    }

    @Test
    void textOf384BytesIsRefusedAnd383Accepted() throws Exception {
        // empty fields are skipped, so leading ':' pad the text without changing its meaning
        String at383 = ":".repeat(383 - SECRET_TEXT.length()) + SECRET_TEXT;
        assertEquals(383, at383.length());
        assertEquals(Identity.parse(SECRET_TEXT), Identity.parse(at383));
        assertTrue(refusal(":" + at383).contains("384 bytes"));
        // the limit is on the C string's bytes: two-byte UTF-8 characters count twice
        String wide = PUBLIC_TEXT + ":" + PRIV + "é".repeat(57);
        assertEquals(270 + 57, wide.length());
        assertTrue(refusal(wide).contains("384 bytes"));
    }

    // ---- text: what 1.14.1 accepts that a strict parser would not ----

    static Identity expected(long address, String pubHex, String privHexOrNull) {
        return new Identity(new Address(address), HEX.parseHex(pubHex), privHexOrNull == null ? null : HEX.parseHex(privHexOrNull));
    }

    @Test
    void addressIsReadLikeStrtoull() throws Exception {
        long a = 0x22afb5217cL;
        assertSameIdentity(expected(a, PUB, null), Identity.parse("0x22afb5217c:0:" + PUB));
        assertSameIdentity(expected(a, PUB, null), Identity.parse("0X22AFB5217C:0:" + PUB));
        assertSameIdentity(expected(a, PUB, null), Identity.parse(" \t22afb5217c:0:" + PUB));
        assertSameIdentity(expected(a, PUB, null), Identity.parse("+22afb5217c:0:" + PUB));
        assertSameIdentity(expected(a, PUB, null), Identity.parse("22afb5217cxyz:0:" + PUB), "stops at a non-hex digit");
        assertSameIdentity(expected(a, PUB, null), Identity.parse("ab22afb5217c:0:" + PUB), "keeps the low 40 bits");
        assertSameIdentity(expected(0x2afb5217cL, PUB, null), Identity.parse("2afb5217c:0:" + PUB));
        assertSameIdentity(expected((-a) & Address.MASK, PUB, null), Identity.parse("-22afb5217c:0:" + PUB),
                "a minus sign negates modulo 2^64");
    }

    @Test
    void emptyFieldsAreSkipped() throws Exception {
        Identity id = Identity.parse(SECRET_TEXT);
        assertSameIdentity(id, Identity.parse("::" + ADDRESS + ":::0::" + PUB + ":" + PRIV + ":::"));
    }

    @Test
    void keyHexIsLenient() throws Exception {
        Identity id = Identity.parse(SECRET_TEXT);
        assertSameIdentity(id, Identity.parse(SECRET_TEXT + "00ff\r\n"), "hex after 64 bytes ignored");
        assertSameIdentity(id, Identity.parse(PUBLIC_TEXT + "zz:" + PRIV), "also in the public key");
        // a non-hex character is nibble 0: 'z' and 'g' stand for 0
        String withZ = "zz" + PUB.substring(2);
        assertSameIdentity(expected(0x22afb5217cL, "00" + PUB.substring(2), null), Identity.parse(ADDRESS + ":0:" + withZ));
        String withG = PUB.substring(0, 127) + "g";
        assertSameIdentity(expected(0x22afb5217cL, PUB.substring(0, 127) + "0", null), Identity.parse(ADDRESS + ":0:" + withG));
        // 127 digits and a newline make 64 bytes, the newline reading as nibble 0
        assertSameIdentity(expected(0x22afb5217cL, PUB.substring(0, 127) + "0", null),
                Identity.parse(ADDRESS + ":0:" + PUB.substring(0, 127) + "\n"));
    }

    @Test
    void textEndsAtNulAsTheCStringDoes() throws Exception {
        assertSameIdentity(Identity.parse(PUBLIC_TEXT), Identity.parse(PUBLIC_TEXT + "\0:" + PRIV));
        assertTrue(refusal(ADDRESS + ":0\0:" + PUB).contains("at least 3"));
    }

    @Test
    void mismatchedPrivateKeyIsAcceptedByTheParser() throws Exception {
        byte[] other = new byte[64];
        Arrays.fill(other, (byte) 7);
        Identity id = Identity.parse(PUBLIC_TEXT + ":" + HEX.formatHex(other));
        assertArrayEquals(other, id.privateKey());
        assertNotEquals(PRIV, HEX.formatHex(id.privateKey()));
    }

    @Test
    void refusalsNameTheFieldWithoutKeyMaterial() {
        String m = refusal(ADDRESS + ":0:" + PUB + ":" + PRIV.substring(0, 100));
        assertTrue(m.contains("private key"), m);
        assertFalse(m.contains(PRIV.substring(0, 8)), m);
        String misplaced = refusal(ADDRESS + ":" + PRIV + ":" + PUB);
        assertTrue(misplaced.contains("type field of 128 characters"), misplaced);
        assertFalse(misplaced.contains(PRIV.substring(0, 8)), misplaced);
        String asAddress = refusal("ff" + PRIV + ":0:" + PUB);
        assertTrue(asAddress.contains("address field of 130 characters"), asAddress);
        assertFalse(asAddress.contains(PRIV.substring(0, 8)), asAddress);
    }
}
