package dev.zerokube.overlay.identity;

import static dev.zerokube.overlay.testing.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.crypto.Sha;
import dev.zerokube.overlay.testing.Vectors;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

// Goal: Identity.sign reproduces 1.14.1's 96-byte signatures and Identity.verify gives 1.14.1's
// verdict on every line of signatures.jsonl (vectors README §4), including the S+L malleable
// variants it accepts. Method: for the 20 valid lines, sign with the secret identity and compare
// byte for byte (twice: deterministic) and check the parts (R, S, SHA-512 prefix); for all 84
// lines, verify with the public identity and compare with expected_valid and idtool's exit code.
// A strict RFC 8032 verifier (Bouncy Castle) is run beside it to show the malleable lines really
// take the lenient path.
class SignaturesVectorTest {

    @TestFactory
    Stream<DynamicTest> signatures() {
        return Vectors.each("signatures.jsonl", null, Map.of("", SignaturesVectorTest::check), Map.of("", 84));
    }

    private static void check(JsonNode line) throws Exception {
        Identity signer = Identity.parse(line.get("identity_public").asText());
        byte[] msg = hex(line, "message_hex");
        assertEquals(line.get("message_length").asInt(), msg.length);
        byte[] sig = hex(line, "signature");
        boolean expected = line.get("expected_valid").asBoolean();

        assertEquals(expected, signer.verify(msg, sig));
        assertEquals(expected ? 0 : 1, line.get("idtool_verify").get("exit_code").asInt());
        byte[] padded = new byte[msg.length + 7];
        System.arraycopy(msg, 0, padded, 3, msg.length);
        byte[] paddedSig = new byte[sig.length + 5];
        System.arraycopy(sig, 0, paddedSig, 2, sig.length);
        assertEquals(expected, signer.verify(padded, 3, msg.length, paddedSig, 2, sig.length), "range overload");

        String label = line.get("label").asText();
        if (label.endsWith("/S_plus_L_malleable")) {
            assertTrue(expected, "1.14.1 accepts S + L");
            assertFalse(strictVerify(signer, msg, sig), "a strict verifier rejects S >= L");
        }

        if (!line.has("identity_secret")) {
            assertTrue(label.chars().filter(c -> c == '/').count() == 2, "only variants lack the secret: " + label);
            return;
        }
        assertTrue(expected);
        Identity secret = Identity.parse(line.get("identity_secret").asText());
        assertEquals(signer, secret.publicOnly());
        byte[] signed = secret.sign(msg);
        assertArrayEquals(sig, signed);
        assertEquals(line.get("deterministic").asBoolean(), Arrays.equals(signed, secret.sign(msg)));
        assertArrayEquals(sig, secret.sign(padded, 3, msg.length), "range overload");
        assertTrue(secret.verify(msg, signed));

        byte[] sha512 = Sha.sha512(msg);
        assertArrayEquals(hex(line, "sha512_message"), sha512);
        JsonNode parts = line.get("signature_parts");
        assertArrayEquals(hex(parts, "ed25519_R"), Arrays.copyOfRange(sig, 0, 32));
        assertArrayEquals(hex(parts, "ed25519_S"), Arrays.copyOfRange(sig, 32, 64));
        assertArrayEquals(hex(parts, "sha512_prefix32"), Arrays.copyOfRange(sig, 64, 96));
        assertEquals(line.get("sha512_prefix_matches").asBoolean(),
                Arrays.equals(sha512, 0, 32, sig, 64, 96));
        assertEquals(line.get("standard_ed25519_verify_of_sha512_prefix").asBoolean(), strictVerify(signer, msg, sig));
    }

    /** RFC 8032 Ed25519 (strict: S < L) of R‖S over the 32-byte digest prefix. */
    private static boolean strictVerify(Identity signer, byte[] msg, byte[] sig) {
        byte[] prefix = Arrays.copyOf(Sha.sha512(msg), 32);
        return sig.length == 96 && Ed25519.verify(sig, 0, signer.publicKey(), 32, prefix, 0, prefix.length);
    }
}
