package dev.zerokube.overlay.identity;

import static dev.zerokube.overlay.testing.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.crypto.C25519;
import dev.zerokube.overlay.crypto.MemoryHardHash;
import dev.zerokube.overlay.testing.Vectors;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.ThrowingConsumer;

// Goal: identity parsing, the derived values and validation agree with ZeroTier One 1.14.1 on
// every line of identities.jsonl (vectors README §3), including its lenient parsing.
// Method: parse each line's text; a line 1.14.1 refused must be refused with
// InvalidIdentityException; otherwise every parsed and derived field is compared (keys and their
// halves, memory-hard digest, proof of work, validity, both binary and both text forms and their
// round trips, the SHA-384 public key hash), and idtool's exit code must follow from the result.
class IdentitiesVectorTest {
    private static final MemoryHardHash SCRATCH = new MemoryHardHash();

    @TestFactory
    Stream<DynamicTest> identities() {
        ThrowingConsumer<JsonNode> check = IdentitiesVectorTest::check;
        return Vectors.each("identities.jsonl", "category",
                Map.of("valid_generated", check, "valid_public_form", check, "edge", check, "invalid", check),
                Map.of("valid_generated", 20, "valid_public_form", 3, "edge", 5, "invalid", 21));
    }

    private static void check(JsonNode line) throws Exception {
        String text = line.get("identity").asText();
        boolean expectedValid = line.get("expected_valid").asBoolean();
        int idtoolExit = line.get("idtool_validate").get("exit_code").asInt();
        if (!line.get("parse_ok").asBoolean()) {
            InvalidIdentityException e = assertThrows(InvalidIdentityException.class, () -> Identity.parse(text));
            assertTrue(e.getMessage().startsWith("identity "), e.getMessage());
            assertFalse(expectedValid);
            assertEquals(1, idtoolExit);
            return;
        }
        Identity id = Identity.parse(text);

        assertEquals(line.get("address").asText(), id.address().toString());
        byte[] pub = hex(line, "public_key");
        assertArrayEquals(pub, id.publicKey());
        assertArrayEquals(hex(line, "x25519_public"), Arrays.copyOfRange(id.publicKey(), 0, 32));
        assertArrayEquals(hex(line, "ed25519_public"), Arrays.copyOfRange(id.publicKey(), 32, 64));
        assertEquals(line.has("private_key"), id.hasPrivate());
        if (id.hasPrivate()) {
            byte[] priv = hex(line, "private_key");
            assertArrayEquals(priv, id.privateKey());
            assertArrayEquals(hex(line, "x25519_private"), Arrays.copyOfRange(id.privateKey(), 0, 32));
            assertArrayEquals(hex(line, "ed25519_private_seed"), Arrays.copyOfRange(id.privateKey(), 32, 64));
            assertEquals(line.get("public_matches_private").asBoolean(),
                    Arrays.equals(pub, C25519.publicFromPrivate(priv)));
        }

        byte[] digest = new byte[MemoryHardHash.DIGEST_LENGTH];
        SCRATCH.digest(pub, digest);
        assertArrayEquals(hex(line, "memory_hard_digest"), digest);
        assertEquals(line.get("digest_first_byte_lt_17").asBoolean(), (digest[0] & 0xff) < 17);
        assertArrayEquals(hex(line, "digest_last5"), Arrays.copyOfRange(digest, 59, 64));
        assertEquals(line.get("address_reserved").asBoolean(), id.address().isReserved());
        boolean valid = id.locallyValidate(SCRATCH);
        assertEquals(line.get("locally_valid").asBoolean(), valid);
        assertEquals(expectedValid, valid);
        assertEquals(valid ? 0 : 1, idtoolExit);

        byte[] serializedPublic = hex(line, "serialized_public");
        assertArrayEquals(serializedPublic, encode(id, false));
        assertIdentical(id.publicOnly(), Identity.decode(new ByteReader(serializedPublic, "vector")));
        assertEquals(line.has("serialized_with_private"), id.hasPrivate());
        if (id.hasPrivate()) {
            byte[] serializedPrivate = hex(line, "serialized_with_private");
            assertArrayEquals(serializedPrivate, encode(id, true));
            assertIdentical(id, Identity.decode(new ByteReader(serializedPrivate, "vector")));
        }

        String publicText = line.get("to_string_public").asText();
        assertEquals(publicText, id.toString(false));
        assertEquals(publicText, id.toString());
        assertIdentical(id.publicOnly(), Identity.parse(publicText));
        assertEquals(line.has("to_string_private"), id.hasPrivate());
        if (id.hasPrivate()) {
            String privateText = line.get("to_string_private").asText();
            assertEquals(privateText, id.toString(true));
            assertIdentical(id, Identity.parse(privateText));
        } else {
            assertEquals(publicText, id.toString(true));
        }

        assertArrayEquals(hex(line, "public_key_hash_sha384"), id.publicKeyHashSha384());
    }

    private static byte[] encode(Identity id, boolean includePrivate) {
        ByteWriter w = new ByteWriter();
        id.encode(w, includePrivate);
        return w.toByteArray();
    }

    private static void assertIdentical(Identity expected, Identity actual) {
        IdentityFormsTest.assertSameIdentity(expected, actual);
    }
}
