package dev.zerokube.overlay.wire.credentials;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.crypto.C25519;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.testing.Vectors;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.Mac;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.rules.RuleCodec;
import dev.zerokube.overlay.wire.rules.RuleEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Goal: the five credential codecs, signing and verification reproduce 1.14.1 exactly on every
 * line of {@code credentials.jsonl} (vectors README §9).
 *
 * <p>Method: (1) build each valid credential from its fields, sign it with the controller's key
 * and compare with {@code serialized} and {@code signed_message} (signatures are deterministic);
 * (2) decode {@code serialized}, compare every field and re-encode; (3) verify every line, valid,
 * tampered and pending, against 1.14.1's result, with a lookup that knows gen01..gen04 but not
 * gen05, as the vectors' verifying node; (4) evaluate both directions of every COM agreement.
 */
class CredentialsVectorTest {
    private static final Map<Address, Identity> SECRETS = new HashMap<>();
    /** The verifying node (gen02) knows gen01..gen04, not gen05. */
    private static final SignerLookup KNOWN = address -> {
        Identity id = SECRETS.get(address);
        return id == null || address.equals(Address.parse("e8f21eec5e")) ? null : id.publicOnly();
    };

    static {
        for (JsonNode line : Vectors.read("identities.jsonl")) {
            if (line.path("label").asText().startsWith("gen")) {
                Identity id = identity(line.get("identity"));
                if (id.hasPrivate()) {
                    SECRETS.put(id.address(), id);
                }
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> everyLine() {
        return Vectors.each("credentials.jsonl", "kind", Vectors.table(
                Map.entry("com", CredentialsVectorTest::com),
                Map.entry("com_tampered", line -> tampered(line, CertificateOfMembership::decode,
                        CertificateOfMembership::verify, CertificateOfMembership::toBytes)),
                Map.entry("com_agree", CredentialsVectorTest::comAgree),
                Map.entry("capability", CredentialsVectorTest::capability),
                Map.entry("capability_tampered", line -> tampered(line, Capability::decode, Capability::verify,
                        Capability::toBytes)),
                Map.entry("tag", CredentialsVectorTest::tag),
                Map.entry("tag_tampered", line -> tampered(line, Tag::decode, Tag::verify, Tag::toBytes)),
                Map.entry("coo", CredentialsVectorTest::coo),
                Map.entry("coo_tampered", line -> tampered(line, CertificateOfOwnership::decode,
                        CertificateOfOwnership::verify, CertificateOfOwnership::toBytes)),
                Map.entry("revocation", CredentialsVectorTest::revocation),
                Map.entry("revocation_tampered", line -> tampered(line, Revocation::decode, Revocation::verify,
                        Revocation::toBytes))),
                Map.ofEntries(Map.entry("com", 3), Map.entry("com_tampered", 7), Map.entry("com_agree", 8),
                        Map.entry("capability", 3), Map.entry("capability_tampered", 4), Map.entry("tag", 4),
                        Map.entry("tag_tampered", 4), Map.entry("coo", 3), Map.entry("coo_tampered", 1),
                        Map.entry("revocation", 3), Map.entry("revocation_tampered", 1)));
    }

    private static void com(JsonNode line) throws Exception {
        Identity controller = identity(line.get("controller_identity_secret"));
        NetworkId nwid = NetworkId.parse(line.get("network_id").asText());
        Identity member = identity(line.get("issued_to_identity"));
        CertificateOfMembership built = CertificateOfMembership
                .issue(line.get("timestamp").asLong(), line.get("max_delta").asLong(), nwid, member).sign(controller);
        assertEquals(line.get("serialized").asText(), Vectors.hex(built.toBytes()), "serialized from fields");
        assertEquals(line.get("signed_message").asText(), Vectors.hex(built.signInput()));
        assertEquals(line.get("signature").asText(), Vectors.hex(built.signature()));

        byte[] bytes = Vectors.hex(line, "serialized");
        assertEquals(line.get("serialized_length").asInt(), bytes.length);
        CertificateOfMembership com = decodeWhole(bytes, CertificateOfMembership::decode);
        assertEquals(built, com);
        assertEquals(nwid, com.networkId());
        assertEquals(line.get("timestamp").asLong(), com.timestampMs());
        assertEquals(Address.parse(line.get("issued_to").asText()), com.issuedTo());
        assertEquals(Address.parse(line.get("signed_by").asText()), com.signedBy());
        List<CertificateOfMembership.Qualifier> expected = new ArrayList<>();
        for (JsonNode q : line.get("qualifiers")) {
            expected.add(new CertificateOfMembership.Qualifier(Vectors.hex64(q, "id"), Vectors.hex64(q, "value"),
                    Vectors.hex64(q, "max_delta")));
        }
        assertEquals(expected, com.qualifiers());
        assertEquals(line.get("verify").asInt(), com.verify(KNOWN).zt1Code());
    }

    private static void comAgree(JsonNode line) throws Exception {
        CertificateOfMembership mine = decodeWhole(Vectors.hex(line, "this_com"), CertificateOfMembership::decode);
        CertificateOfMembership theirs = decodeWhole(Vectors.hex(line, "other_com"), CertificateOfMembership::decode);
        Identity me = identity(line.get("this_identity"));
        Identity them = identity(line.get("other_identity"));
        assertEquals(line.get("agrees").asBoolean(), mine.agreesWith(theirs, them), "this agrees with other");
        assertEquals(line.get("reverse_agrees").asBoolean(), theirs.agreesWith(mine, me), "other agrees with this");
    }

    private static void capability(JsonNode line) throws Exception {
        Identity controller = identity(line.get("controller_identity_secret"));
        NetworkId nwid = NetworkId.parse(line.get("network_id").asText());
        byte[] bytes = Vectors.hex(line, "serialized");
        Capability cap = decodeWhole(bytes, Capability::decode);

        List<RuleEntry> rules = RuleCodec.decodeCounted(
                new ByteReader(Vectors.hex(line, "rules_serialized"), "rules"), line.get("rule_count").asInt());
        Capability built = new Capability(nwid, line.get("timestamp").asLong(), line.get("id").asLong(), rules,
                line.get("max_custody_chain_length").asInt(), List.of());
        assertEquals(line.get("signed_message").asText(), Vectors.hex(built.signInput()));
        // The hops (who passed it to whom) come from the parsed chain; every signature is remade.
        assertEquals(controller.address(), cap.custody().getFirst().from());
        for (Capability.Custody hop : cap.custody()) {
            built = built.sign(SECRETS.getOrDefault(hop.from(), controller), hop.to());
        }
        assertEquals(line.get("serialized").asText(), Vectors.hex(built.toBytes()), "serialized from fields");

        assertEquals(built, cap);
        assertEquals(nwid, cap.networkId());
        assertEquals(line.get("timestamp").asLong(), cap.timestampMs());
        assertEquals(line.get("id").asLong(), cap.id());
        assertEquals(line.get("rule_count").asInt(), cap.rules().size());
        assertEquals(line.get("rules_serialized").asText(), Vectors.hex(RuleCodec.encodeTable(cap.rules())));
        assertEquals(line.get("max_custody_chain_length").asInt(), cap.maxCustodyChainLength());
        assertEquals(Address.parse(line.get("issued_to").asText()), cap.issuedTo());
        assertEquals(line.get("verify").asInt(), cap.verify(KNOWN).zt1Code());
    }

    private static void tag(JsonNode line) throws Exception {
        Identity controller = identity(line.get("controller_identity_secret"));
        NetworkId nwid = NetworkId.parse(line.get("network_id").asText());
        Tag built = Tag.unsigned(nwid, line.get("timestamp").asLong(), line.get("id").asLong(),
                line.get("value").asLong(), Address.parse(line.get("issued_to").asText())).sign(controller);
        assertEquals(line.get("serialized").asText(), Vectors.hex(built.toBytes()), "serialized from fields");
        if (line.has("signed_message")) { // the line of the unknown signer has none
            assertEquals(line.get("signed_message").asText(), Vectors.hex(built.signInput()));
        }

        Tag tag = decodeWhole(Vectors.hex(line, "serialized"), Tag::decode);
        assertEquals(built, tag);
        assertEquals(line.get("id").asLong(), tag.id());
        assertEquals(line.get("value").asLong(), tag.value());
        assertEquals(Address.parse(line.get("signed_by").asText()), tag.signedBy());
        assertEquals(line.get("verify").asInt(), tag.verify(KNOWN).zt1Code());
        if (line.get("verify").asInt() == 1) {
            // Once the signer is known, the pending tag turns out valid.
            assertEquals(VerifyResult.OK, tag.verify(a -> a.equals(controller.address()) ? controller : null));
        }
    }

    private static void coo(JsonNode line) throws Exception {
        Identity controller = identity(line.get("controller_identity_secret"));
        NetworkId nwid = NetworkId.parse(line.get("network_id").asText());
        List<CertificateOfOwnership.Thing> things = new ArrayList<>();
        for (JsonNode t : line.get("things_added")) {
            String text = t.asText();
            things.add(text.contains("/") ? CertificateOfOwnership.Thing.of(InetEndpoint.parse(text))
                    : CertificateOfOwnership.Thing.of(new Mac(Long.parseLong(text, 16))));
        }
        Address issuedTo = Address.parse(line.get("issued_to").asText());
        CertificateOfOwnership built = CertificateOfOwnership.unsigned(nwid, line.get("timestamp").asLong(),
                line.get("id").asLong(), things, issuedTo).sign(controller);
        assertEquals(line.get("serialized").asText(), Vectors.hex(built.toBytes()), "serialized from fields");
        assertEquals(line.get("signed_message").asText(), Vectors.hex(built.signInput()));

        CertificateOfOwnership coo = decodeWhole(Vectors.hex(line, "serialized"), CertificateOfOwnership::decode);
        assertEquals(built, coo);
        assertEquals(line.get("thing_count").asInt(), coo.things().size());
        assertEquals(things, coo.things(), "insertion order, duplicates kept");
        for (JsonNode t : line.get("things_added")) {
            String text = t.asText();
            assertTrue(text.contains("/") ? coo.owns(InetEndpoint.parse(text).ip())
                    : coo.owns(new Mac(Long.parseLong(text, 16))), text);
        }
        assertEquals(issuedTo, coo.issuedTo());
        assertEquals(line.get("verify").asInt(), coo.verify(KNOWN).zt1Code());
    }

    private static void revocation(JsonNode line) throws Exception {
        Identity controller = identity(line.get("controller_identity_secret"));
        NetworkId nwid = NetworkId.parse(line.get("network_id").asText());
        CredentialType type = CredentialType.ofCode(line.get("credential_type").asInt());
        Revocation built = Revocation.unsigned(line.get("id").asLong(), nwid, line.get("credential_id").asLong(),
                line.get("threshold").asLong(), Vectors.hex64(line, "flags"),
                Address.parse(line.get("target").asText()), type).sign(controller);
        assertEquals(line.get("serialized").asText(), Vectors.hex(built.toBytes()), "serialized from fields");
        assertEquals(line.get("signed_message").asText(), Vectors.hex(built.signInput()));

        Revocation rev = decodeWhole(Vectors.hex(line, "serialized"), Revocation::decode);
        assertEquals(built, rev);
        assertEquals(type, rev.type());
        assertEquals(Vectors.hex64(line, "flags") == 1, rev.fastPropagate());
        assertEquals(line.get("verify").asInt(), rev.verify(KNOWN).zt1Code());
    }

    /**
     * A changed credential (compared with its valid {@code original}), or one validly signed by a
     * non-controller ({@code signer_identity_secret}: the signature must be good for that signer,
     * so the verdict can only come from the signer rule).
     */
    private static <T> void tampered(JsonNode line, Decoder<T> decoder, Verifier<T> verifier, Encoder<T> encoder)
            throws Exception {
        byte[] bytes = Vectors.hex(line, "serialized");
        if (line.has("original")) {
            byte[] original = Vectors.hex(line, "original");
            assertNotEquals(Vectors.hex(original), Vectors.hex(bytes));
            assertEquals(VerifyResult.OK, verifier.verify(decodeWhole(original, decoder), KNOWN), "the original verifies");
        } else {
            Identity signer = identity(line.get("signer_identity_secret"));
            T credential = decodeWhole(bytes, decoder);
            assertEquals(VerifyResult.NOT_CONTROLLER, verifier.verify(credential, KNOWN));
            byte[][] signed = signed(credential);
            assertTrue(C25519.verify(signer.publicKey(), signed[0], signed[1]),
                    "the signature is good for its non-controller signer: only the signer rule fails");
        }
        if (!line.path("deserialize_ok").asBoolean(true)) {
            assertThrows(WireFormatException.class, () -> decodeWhole(bytes, decoder));
            return;
        }
        T credential = decodeWhole(bytes, decoder);
        assertArrayEquals(bytes, encoder.encode(credential));
        VerifyResult result = verifier.verify(credential, KNOWN);
        assertEquals(line.get("verify").asInt(), result.zt1Code(), result.toString());
        assertTrue(result.isInvalid());
    }

    /** The sign input and the (first) signature of a credential. */
    private static byte[][] signed(Object credential) {
        return switch (credential) {
            case CertificateOfMembership c -> new byte[][] {c.signInput(), c.signature()};
            case Capability c -> new byte[][] {c.signInput(), c.custody().getFirst().signature()};
            case Tag t -> new byte[][] {t.signInput(), t.signature()};
            case CertificateOfOwnership c -> new byte[][] {c.signInput(), c.signature()};
            case Revocation r -> new byte[][] {r.signInput(), r.signature()};
            default -> throw new IllegalArgumentException(credential.toString());
        };
    }

    private static <T> T decodeWhole(byte[] bytes, Decoder<T> decoder) throws WireFormatException {
        ByteReader r = new ByteReader(bytes, "credential");
        T value = decoder.decode(r);
        r.expectEnd("credential");
        return value;
    }

    private static Identity identity(JsonNode text) {
        try {
            return Identity.parse(text.asText());
        } catch (Exception e) {
            throw new AssertionError("bad identity in vectors: " + text, e);
        }
    }

    @FunctionalInterface
    interface Decoder<T> {
        T decode(ByteReader r) throws WireFormatException;
    }

    @FunctionalInterface
    interface Verifier<T> {
        VerifyResult verify(T credential, SignerLookup lookup);
    }

    @FunctionalInterface
    interface Encoder<T> {
        byte[] encode(T credential);
    }
}
