package dev.zerokube.overlay.wire.credentials;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.Mac;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.rules.RuleEntry;
import dev.zerokube.overlay.wire.rules.RuleType;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Goal: the credential codecs are total, round-trip, reject exactly what ZT1-05 §11.2 says
 * 1.14.1 rejects, and sign/verify/agree as ZT1-05 §2.7, §3.4 and §9 describe.
 *
 * <p>Method: the worked encodings of ZT1-05 §3.6, §5.4, §6.6, §9.1 and §9.2 (identities A and
 * B of ZT1-01 §19); seeded random credentials of all five kinds encoded, decoded and re-encoded,
 * every strict prefix rejected, random garbage never escaping as an unchecked exception;
 * hand-made malformed encodings; boundary cases of COM agreement and custody chains.
 */
class CredentialCodecTest {
    private static final HexFormat HEX = HexFormat.of();
    static final Identity A = parse("1d939ff884:0:3af48cee95fe31c1f708faa13606293b05952f6ca8cb140e3cb5f68f3b7ac55108dc36f627"
            + "c1be47335815d5363a6fc18a9b2a1926d4c046248617404844ab93:be0012961be75d0333d4ebb970b10033af76b72a21b50000bb653d"
            + "48f45d061d0020a32c5b40fa7ddb8440e183196d8d5c9a4fa313c9a008146f5ad884adb2af");
    static final Identity B = parse("7202a77aad:0:9ff0cf9d34a3d16375dd495b9795ba9850466b06edc10290c27cda330c3fa727509862dafa"
            + "d8a50ad2735e4e5d07b3affb9b1af95aa632a4d7258b494304f955:6fdb5509dc6a2c1e421a95c68212e6b290365999d65f3da68266e7"
            + "249381397306c8e66ae11f8d3928dd4671147936a8127588838c2c8a34d04e7112200fa6c3");
    static final NetworkId NWID = NetworkId.parse("1d939ff884000001");
    static final long TS = 0x0000018f2b3c4d5eL;
    static final SignerLookup BOTH = a -> a.equals(A.address()) ? A.publicOnly() : a.equals(B.address()) ? B.publicOnly() : null;

    // ---- ZT1-05 worked encodings ------------------------------------------------------------

    @Test
    void com91() throws Exception {
        CertificateOfMembership com = CertificateOfMembership.issue(TS, 1_800_000, NWID, B).sign(A);
        String hex = HEX.formatHex(com.toBytes());
        assertEquals(CertificateOfMembership.ISSUED_LENGTH, com.toBytes().length);
        assertEquals("010007"
                + "0000000000000000" + "0000018f2b3c4d5e" + "00000000001b7740"
                + "0000000000000001" + "1d939ff884000001" + "0000000000000000"
                + "0000000000000002" + "0000007202a77aad" + "ffffffffffffffff"
                + "0000000000000003" + "d3524594a552e7f2" + "ffffffffffffffff"
                + "0000000000000004" + "d8d756695cd0bb04" + "ffffffffffffffff"
                + "0000000000000005" + "30a81bb1d6176ba4" + "ffffffffffffffff"
                + "0000000000000006" + "ade79594061b0230" + "ffffffffffffffff"
                + "1d939ff884"
                + "36b62fadfdd60a3bb2cbfbc4469f4d55bf73d1597d2220afb420beed9680c225"
                + "fc49a8a71dbfc40411226ad0495c71950eef10a653d5f9944114136ea214d907"
                + "f4f17f21e097739aeb0ba7ab04a290e60df443adabe6b703c54a28552ca37086", hex);
        assertEquals(168, com.signInput().length);
        assertEquals(VerifyResult.OK, com.verify(BOTH));
        assertEquals(B.address(), com.issuedTo());
        assertEquals(NWID, com.networkId());
        assertEquals(TS, com.timestampMs());
        CertificateOfMembership unsigned = CertificateOfMembership.issue(TS, 1_800_000, NWID, B);
        assertEquals(176, unsigned.toBytes().length, "an unsigned COM ends after a zero signed-by");
        assertEquals(unsigned, decode(unsigned.toBytes(), CertificateOfMembership::decode));
        assertEquals(VerifyResult.NOT_CONTROLLER, unsigned.verify(BOTH));
    }

    @Test
    void tag92() throws Exception {
        Tag tag = Tag.unsigned(NWID, TS, 1000, 42, B.address()).sign(A);
        assertEquals("7f7f7f7f7f7f7f7f1d939ff8840000010000018f2b3c4d5e000003e80000002a7202a77aad1d939ff88400007f7f7f7f7f7f7f7f",
                HEX.formatHex(tag.signInput()));
        assertEquals("1d939ff884000001" + "0000018f2b3c4d5e" + "000003e8" + "0000002a" + "7202a77aad" + "1d939ff884" + "010060"
                + "04585d0d8046a562ce4e9586130771b9e81da5ce00f58886c9cd4767a9aa4522"
                + "ff979674246f41883e5c1f2b3008f479b4049a19e19c4efd21a82cc26b11520c"
                + "d88321b0a6b8e1d1dab4e0e3f6812dcf068c8c7b8385d12af37d22949b7f5426" + "0000", HEX.formatHex(tag.toBytes()));
        assertEquals(Tag.ENCODED_LENGTH, tag.toBytes().length);
    }

    @Test
    void capability36() throws Exception {
        Capability cap = Capability.unsigned(NWID, TS, 7, List.of(RuleEntry.Action.of(RuleType.ACTION_ACCEPT)))
                .sign(A, B.address());
        assertEquals("7f7f7f7f7f7f7f7f1d939ff8840000010000018f2b3c4d5e00000007000101000100007f7f7f7f7f7f7f7f",
                HEX.formatHex(cap.signInput()));
        byte[] bytes = cap.toBytes();
        assertEquals(141, bytes.length);
        String hex = HEX.formatHex(bytes);
        assertTrue(hex.startsWith("1d939ff8840000010000018f2b3c4d5e0000000700010100017202a77aad1d939ff884010060"), hex);
        assertTrue(hex.endsWith("00000000000000"), "zero 'to' terminator and zero extension length");
        assertEquals(B.address(), cap.issuedTo());
        assertEquals(VerifyResult.OK, cap.verify(BOTH));
    }

    @Test
    void coo54() throws Exception {
        CertificateOfOwnership coo = CertificateOfOwnership.unsigned(NWID, TS, 1,
                List.of(CertificateOfOwnership.Thing.of(InetEndpoint.parse("10.147.17.5/0"))), B.address()).sign(A);
        byte[] bytes = coo.toBytes();
        assertEquals(158, bytes.length);
        assertTrue(HEX.formatHex(bytes).startsWith("1d939ff8840000010000018f2b3c4d5e0000000000000000000000010001"
                + "020a931105000000000000000000000000" + "7202a77aad1d939ff884010060"));
        assertEquals(75, coo.signInput().length);
        assertTrue(coo.owns(new byte[] {10, (byte) 147, 17, 5}));
        assertFalse(coo.owns(new byte[] {10, (byte) 147, 17, 4}));
        assertFalse(coo.owns(new Mac(0x0a9311050000L)), "an IPv4 thing is not a MAC");
        assertEquals(VerifyResult.OK, coo.verify(BOTH));
    }

    @Test
    void revocation66() throws Exception {
        Revocation rev = Revocation.unsigned(0x12345678L, NWID, 0, TS, Revocation.FLAG_FAST_PROPAGATE, B.address(),
                CredentialType.COM).sign(A);
        assertEquals("7f7f7f7f7f7f7f7f" + "00000000" + "12345678" + "1d939ff884000001" + "00000000" + "00000000"
                + "0000018f2b3c4d5e" + "0000000000000001" + "7202a77aad" + "1d939ff884" + "01" + "0000" + "7f7f7f7f7f7f7f7f",
                HEX.formatHex(rev.signInput()));
        assertEquals(Revocation.ENCODED_LENGTH, rev.toBytes().length);
        assertTrue(rev.fastPropagate());
        assertEquals(VerifyResult.OK, rev.verify(BOTH));
    }

    // ---- random round trips, truncation, garbage ---------------------------------------------

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void randomCredentialsRoundTripAndEveryPrefixIsRejected(long seed) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < 25; i++) {
            roundTrip(randomCom(rnd), CertificateOfMembership::decode, CertificateOfMembership::toBytes);
            roundTrip(randomCapability(rnd), Capability::decode, Capability::toBytes);
            roundTrip(randomTag(rnd), Tag::decode, Tag::toBytes);
            roundTrip(randomCoo(rnd), CertificateOfOwnership::decode, CertificateOfOwnership::toBytes);
            roundTrip(randomRevocation(rnd), Revocation::decode, Revocation::toBytes);
        }
    }

    private static <T> void roundTrip(T value, Decoder<T> decoder, Function<T, byte[]> encoder) throws Exception {
        byte[] bytes = encoder.apply(value);
        T back = decode(bytes, decoder);
        assertEquals(value, back);
        assertEquals(value.hashCode(), back.hashCode());
        assertArrayEquals(bytes, encoder.apply(back));
        for (int cut = 0; cut < bytes.length; cut++) {
            ByteReader r = new ByteReader(bytes, 0, cut, "credential");
            int len = cut;
            assertThrows(WireFormatException.class, () -> decoder.decode(r), () -> "prefix of " + len + " bytes of " + value);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13, 14})
    void garbageNeverEscapesAsAnUncheckedException(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Decoder<?>> decoders = List.of(CertificateOfMembership::decode, Capability::decode, Tag::decode,
                CertificateOfOwnership::decode, Revocation::decode);
        byte[] valid = randomCapability(rnd).toBytes();
        for (int i = 0; i < 4000; i++) {
            byte[] b;
            if (i % 2 == 0) {
                b = new byte[rnd.nextInt(0, 400)];
                rnd.nextBytes(b);
                if (b.length > 0 && rnd.nextBoolean()) {
                    b[0] = 1; // a COM format byte, to get past the first check
                }
            } else {
                b = valid.clone();
                for (int k = 0; k < 3; k++) {
                    b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                }
            }
            for (Decoder<?> d : decoders) {
                try {
                    d.decode(new ByteReader(b, "garbage"));
                } catch (WireFormatException expected) {
                    // reported as bad input: fine
                }
            }
        }
    }

    // ---- what 1.14.1 rejects and what it tolerates -------------------------------------------

    @Test
    void comRejectsBadFormatTooManyQualifiersAndDecreasingIds() throws Exception {
        byte[] good = CertificateOfMembership.issue(TS, 1, NWID, B).sign(A).toBytes();
        byte[] b = good.clone();
        b[0] = 2;
        assertTrue(rejects(b, CertificateOfMembership::decode).contains("format"));
        b = good.clone();
        b[2] = 9;
        assertTrue(rejects(b, CertificateOfMembership::decode).contains("qualifier count 9"));
        b = good.clone();
        b[3 + 24 + 7] = 0; // qualifier 1 gets id 0 after id 0: equal ids are accepted
        assertEquals(0, decode(b, CertificateOfMembership::decode).qualifiers().get(1).id());
        b = good.clone();
        b[3 + 72 + 7] = 1;
        assertTrue(rejects(b, CertificateOfMembership::decode).contains("must not decrease"));
    }

    @Test
    void signatureBlockRulesOfZt105Section16() throws Exception {
        Tag tag = Tag.unsigned(NWID, TS, 1, 2, B.address()).sign(A);
        byte[] good = tag.toBytes();
        byte[] b = good.clone();
        b[36] = 95; // type 1 with length 95
        assertTrue(rejects(b, Tag::decode).contains("length 95"));

        // Another signature type is skipped by its length; the signature reads as zero and the
        // tag no longer verifies. Extension bytes are skipped and never re-sent.
        ByteWriter w = new ByteWriter();
        w.bytes(good, 0, 34).u8(2).u16(3).bytes(new byte[] {9, 9, 9}).u16(2).u16(0xbeef);
        Tag odd = decode(w.toByteArray(), Tag::decode);
        assertArrayEquals(new byte[96], odd.signature());
        assertEquals(VerifyResult.BAD_SIGNATURE, odd.verify(BOTH));
        w = new ByteWriter();
        w.bytes(good, 0, good.length - 2).u16(3).bytes(new byte[] {1, 2, 3});
        Tag extended = decode(w.toByteArray(), Tag::decode);
        assertEquals(tag, extended);
        assertArrayEquals(good, extended.toBytes());
        assertEquals(VerifyResult.OK, extended.verify(BOTH), "extension bytes are not signed (Q10)");
        w = new ByteWriter();
        w.bytes(good, 0, good.length - 2).u16(4).bytes(new byte[] {1, 2, 3});
        assertTrue(rejects(w.toByteArray(), Tag::decode).contains("extension"));
    }

    @Test
    void revocationUnusedWordsAreIgnoredAndUnsigned() throws Exception {
        Revocation rev = Revocation.unsigned(5, NWID, 9, TS, 0, B.address(), CredentialType.TAG).sign(A);
        byte[] b = rev.toBytes();
        b[0] = 0x55;
        b[19] = 0x66;
        Revocation read = decode(b, Revocation::decode);
        assertEquals(rev, read);
        assertEquals(VerifyResult.OK, read.verify(BOTH));
        assertArrayEquals(rev.toBytes(), read.toBytes(), "re-encoding writes zeros");
        assertEquals(CredentialType.TAG, read.type());
    }

    @Test
    void capabilityRejectsTooManyRulesAndBadCustodyLengths() throws Exception {
        Capability cap = Capability.unsigned(NWID, TS, 3, List.of(RuleEntry.Action.of(RuleType.ACTION_DROP)))
                .sign(A, B.address());
        byte[] good = cap.toBytes();
        byte[] b = good.clone();
        b[21] = 65;
        assertTrue(rejects(b, Capability::decode).contains("rule count 65"));
        int maxAt = 22 + 2;
        for (int bad : new int[] {0, 8}) {
            b = good.clone();
            b[maxAt] = (byte) bad;
            assertTrue(rejects(b, Capability::decode).contains("max custody chain length " + bad));
        }
        // A chain with two entries but maximum 1.
        ByteWriter w = new ByteWriter();
        w.bytes(good, 0, good.length - 7);
        B.address().encode(w);
        A.address().encode(w);
        w.u8(1).u16(96).bytes(new byte[96]);
        w.bytes(new byte[7]);
        assertTrue(rejects(w.toByteArray(), Capability::decode).contains("longer than its maximum 1"));
        assertThrows(IllegalArgumentException.class, () -> new Capability(NWID, TS, 1, List.of(), 0, List.of()));
        assertThrows(IllegalStateException.class, () -> cap.sign(B, A.address()), "chain of 1 is full");
    }

    @Test
    void cooWithMoreThanSixteenThingsIsRejected() throws Exception {
        List<CertificateOfOwnership.Thing> things = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            things.add(CertificateOfOwnership.Thing.of(new Mac(i + 1)));
        }
        CertificateOfOwnership coo = CertificateOfOwnership.unsigned(NWID, TS, 1, things, B.address()).sign(A);
        byte[] b = coo.toBytes();
        assertEquals(16, decode(b, CertificateOfOwnership::decode).things().size());
        b[29] = 17;
        assertTrue(rejects(b, CertificateOfOwnership::decode).contains("17"));
        things.add(things.getFirst());
        assertThrows(IllegalArgumentException.class,
                () -> CertificateOfOwnership.unsigned(NWID, TS, 1, things, B.address()));
    }

    // ---- COM agreement (ZT1-05 §2.7) ---------------------------------------------------------

    @Test
    void comAgreementBoundaries() {
        long ctmd = 1_800_000;
        CertificateOfMembership ours = CertificateOfMembership.issue(TS, ctmd, NWID, A).sign(A);
        assertTrue(ours.agreesWith(CertificateOfMembership.issue(TS + ctmd, 5, NWID, B), B), "delta = ctmd agrees");
        assertTrue(ours.agreesWith(CertificateOfMembership.issue(TS - ctmd, 5, NWID, B), B), "their maxDelta is ignored");
        assertFalse(ours.agreesWith(CertificateOfMembership.issue(TS + ctmd + 1, ctmd, NWID, B), B), "ctmd + 1");
        assertFalse(ours.agreesWith(CertificateOfMembership.issue(TS, ctmd, NWID, B), A), "COM of B held for A");
        assertFalse(ours.agreesWith(CertificateOfMembership.issue(TS, ctmd, new NetworkId(NWID.value() + 1), B), B));
        CertificateOfMembership empty = new CertificateOfMembership(List.of(), Address.NONE, new byte[96]);
        assertFalse(ours.agreesWith(empty, B));
        assertFalse(empty.agreesWith(ours, A));

        // Without identity-hash qualifiers on our side, any holder of the COM passes (old controllers).
        CertificateOfMembership.Qualifier ts = new CertificateOfMembership.Qualifier(0, TS, ctmd);
        CertificateOfMembership.Qualifier nw = new CertificateOfMembership.Qualifier(1, NWID.value(), 0);
        CertificateOfMembership old = new CertificateOfMembership(List.of(ts, nw), Address.NONE, new byte[96]);
        assertTrue(old.agreesWith(CertificateOfMembership.issue(TS, ctmd, NWID, B), A));
        // A qualifier we have and they lack fails; one only they have is ignored.
        CertificateOfMembership.Qualifier custom = new CertificateOfMembership.Qualifier(1024, 7, 0);
        CertificateOfMembership withCustom = new CertificateOfMembership(List.of(ts, nw, custom), Address.NONE, new byte[96]);
        assertFalse(withCustom.agreesWith(old, A));
        assertTrue(old.agreesWith(withCustom, A));
        // Unsigned 64-bit difference: values across the sign bit are far apart.
        CertificateOfMembership.Qualifier lo = new CertificateOfMembership.Qualifier(2000, Long.MAX_VALUE, 1);
        CertificateOfMembership.Qualifier hi = new CertificateOfMembership.Qualifier(2000, Long.MIN_VALUE, 1);
        assertTrue(new CertificateOfMembership(List.of(lo), Address.NONE, new byte[96])
                .agreesWith(new CertificateOfMembership(List.of(hi), Address.NONE, new byte[96]), A));
        CertificateOfMembership.Qualifier zero = new CertificateOfMembership.Qualifier(2000, 0, 1);
        CertificateOfMembership.Qualifier max = new CertificateOfMembership.Qualifier(2000, -1L, 1);
        assertFalse(new CertificateOfMembership(List.of(zero), Address.NONE, new byte[96])
                .agreesWith(new CertificateOfMembership(List.of(max), Address.NONE, new byte[96]), A));
    }

    // ---- capability custody chains (ZT1-05 §3.4) ---------------------------------------------

    @Test
    void custodyChains() {
        Capability base = new Capability(NWID, TS, 1, List.of(), 3, List.of());
        assertEquals(VerifyResult.NOT_CONTROLLER, base.verify(BOTH), "no custody at all");
        Capability one = base.sign(A, B.address());
        assertEquals(VerifyResult.OK, one.verify(BOTH), "chain ends before the maximum");
        Capability two = one.sign(B, A.address());
        assertEquals(VerifyResult.OK, two.verify(BOTH));
        assertEquals(A.address(), two.issuedTo());
        assertEquals(VerifyResult.SIGNER_UNKNOWN, two.verify(a -> a.equals(A.address()) ? A : null),
                "second hop's signer B unknown");
        Capability unlinked = one.sign(A, B.address());
        assertEquals(VerifyResult.BAD_CUSTODY_CHAIN, unlinked.verify(BOTH), "hop 2 not from hop 1's holder");
        Capability fromB = base.sign(B, A.address());
        assertEquals(VerifyResult.NOT_CONTROLLER, fromB.verify(BOTH));
        Capability forged = new Capability(NWID, TS, 1, List.of(), 3,
                List.of(one.custody().getFirst(), new Capability.Custody(new Address(1), B.address(), new byte[96])));
        assertEquals(VerifyResult.BAD_SIGNATURE, forged.verify(BOTH));
        assertEquals(-1, forged.verify(BOTH).zt1Code());
    }

    @Test
    void verifyResultCodes() {
        assertEquals(Map.of(VerifyResult.OK, 0, VerifyResult.SIGNER_UNKNOWN, 1, VerifyResult.NOT_CONTROLLER, -1,
                VerifyResult.BAD_CUSTODY_CHAIN, -1, VerifyResult.BAD_SIGNATURE, -1),
                Map.of(VerifyResult.OK, VerifyResult.OK.zt1Code(), VerifyResult.SIGNER_UNKNOWN,
                        VerifyResult.SIGNER_UNKNOWN.zt1Code(), VerifyResult.NOT_CONTROLLER,
                        VerifyResult.NOT_CONTROLLER.zt1Code(), VerifyResult.BAD_CUSTODY_CHAIN,
                        VerifyResult.BAD_CUSTODY_CHAIN.zt1Code(), VerifyResult.BAD_SIGNATURE,
                        VerifyResult.BAD_SIGNATURE.zt1Code()));
        assertFalse(VerifyResult.SIGNER_UNKNOWN.isValid() || VerifyResult.SIGNER_UNKNOWN.isInvalid());
    }

    // ---- helpers -----------------------------------------------------------------------------

    private static CertificateOfMembership randomCom(SplittableRandom rnd) {
        int n = rnd.nextInt(0, CertificateOfMembership.QUALIFIERS_MAX + 1);
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = rnd.nextInt(4) == 0 ? rnd.nextLong() : rnd.nextLong(0, 10);
        }
        long[] sorted = java.util.Arrays.stream(ids).boxed().sorted(Long::compareUnsigned).mapToLong(Long::longValue).toArray();
        List<CertificateOfMembership.Qualifier> q = new ArrayList<>();
        for (long id : sorted) {
            q.add(new CertificateOfMembership.Qualifier(id, rnd.nextLong(), rnd.nextLong()));
        }
        boolean signed = rnd.nextInt(4) != 0;
        return new CertificateOfMembership(q, signed ? randomAddress(rnd) : Address.NONE,
                signed ? randomSignature(rnd) : new byte[96]);
    }

    static Capability randomCapability(SplittableRandom rnd) {
        List<RuleEntry> rules = new ArrayList<>();
        int n = rnd.nextInt(0, 10);
        for (int i = 0; i < n; i++) {
            rules.add(rnd.nextBoolean() ? RuleEntry.Action.of(RuleType.ACTION_ACCEPT)
                    : new RuleEntry.TagMatch(RuleType.MATCH_TAGS_EQUAL, rnd.nextBoolean(), false,
                            rnd.nextLong() >>> 32, rnd.nextLong() >>> 32));
        }
        int max = rnd.nextInt(1, Capability.CUSTODY_CHAIN_MAX + 1);
        List<Capability.Custody> chain = new ArrayList<>();
        int len = rnd.nextInt(0, max + 1);
        for (int i = 0; i < len; i++) {
            chain.add(new Capability.Custody(randomAddress(rnd), randomAddress(rnd), randomSignature(rnd)));
        }
        return new Capability(new NetworkId(rnd.nextLong()), rnd.nextLong(), rnd.nextLong() >>> 32, rules, max, chain);
    }

    private static Tag randomTag(SplittableRandom rnd) {
        return new Tag(new NetworkId(rnd.nextLong()), rnd.nextLong(), rnd.nextLong() >>> 32, rnd.nextLong() >>> 32,
                new Address(rnd.nextLong() >>> 24), new Address(rnd.nextLong() >>> 24), randomSignature(rnd));
    }

    private static CertificateOfOwnership randomCoo(SplittableRandom rnd) {
        List<CertificateOfOwnership.Thing> things = new ArrayList<>();
        int n = rnd.nextInt(0, CertificateOfOwnership.THINGS_MAX + 1);
        for (int i = 0; i < n; i++) {
            byte[] v = new byte[16];
            rnd.nextBytes(v);
            things.add(new CertificateOfOwnership.Thing(rnd.nextInt(256), v));
        }
        return new CertificateOfOwnership(new NetworkId(rnd.nextLong()), rnd.nextLong(), rnd.nextLong(),
                rnd.nextLong() >>> 32, things, new Address(rnd.nextLong() >>> 24), new Address(rnd.nextLong() >>> 24),
                randomSignature(rnd));
    }

    private static Revocation randomRevocation(SplittableRandom rnd) {
        return new Revocation(rnd.nextLong() >>> 32, new NetworkId(rnd.nextLong()), rnd.nextLong() >>> 32,
                rnd.nextLong(), rnd.nextLong(), new Address(rnd.nextLong() >>> 24), new Address(rnd.nextLong() >>> 24),
                rnd.nextInt(256), randomSignature(rnd));
    }

    private static Address randomAddress(SplittableRandom rnd) {
        return new Address(rnd.nextLong(1, 1L << 40));
    }

    private static byte[] randomSignature(SplittableRandom rnd) {
        byte[] s = new byte[96];
        rnd.nextBytes(s);
        return s;
    }

    private static <T> T decode(byte[] bytes, Decoder<T> decoder) throws WireFormatException {
        ByteReader r = new ByteReader(bytes, "credential");
        T value = decoder.decode(r);
        r.expectEnd("credential");
        return value;
    }

    private static String rejects(byte[] bytes, Decoder<?> decoder) {
        return assertThrows(WireFormatException.class, () -> decoder.decode(new ByteReader(bytes, "credential"))).what();
    }

    static Identity parse(String text) {
        try {
            return Identity.parse(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @FunctionalInterface
    interface Decoder<T> {
        T decode(ByteReader r) throws WireFormatException;
    }
}
