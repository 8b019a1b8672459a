package dev.zerokube.overlay.identity;

import static dev.zerokube.overlay.testing.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.crypto.AesKeys;
import dev.zerokube.overlay.crypto.C25519;
import dev.zerokube.overlay.crypto.Kbkdf;
import dev.zerokube.overlay.crypto.Sha;
import dev.zerokube.overlay.testing.Vectors;
import dev.zerokube.overlay.wire.Armor;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

// Goal: Identity.agree gives 1.14.1's 48-byte per-peer key on both sides of every pair in
// agreement.jsonl (vectors README §5), and the keys derived from it (AES-GMAC-SIV K0/K1 through
// the KBKDF, the per-packet Salsa20 keys of ciphers 0/1) match too.
// Method: parse both secret identities; compare the X25519 inputs and raw secret, SHA-512 of it,
// the key from each side, the longer outputs 1.14.1's agreement gives for 64 and 100 bytes, the
// KBKDF message and outputs (crypto.Kbkdf, crypto.AesKeys) and every mangled key example
// (wire.Armor.mangleKey, the one implementation of ZT1-02 §4.2).
class AgreementVectorTest {

    @TestFactory
    Stream<DynamicTest> agreement() {
        return Vectors.each("agreement.jsonl", null, Map.of("", AgreementVectorTest::check), Map.of("", 10));
    }

    private static void check(JsonNode line) throws Exception {
        Identity a = Identity.parse(line.get("a_identity_secret").asText());
        Identity b = Identity.parse(line.get("b_identity_secret").asText());
        assertEquals(line.get("a_address").asText(), a.address().toString());
        assertEquals(line.get("b_address").asText(), b.address().toString());
        assertArrayEquals(hex(line, "a_x25519_private"), Arrays.copyOf(a.privateKey(), 32));
        assertArrayEquals(hex(line, "b_x25519_public"), Arrays.copyOf(b.publicKey(), 32));

        byte[] raw = C25519.rawAgreement(a.privateKey(), b.publicKey());
        assertArrayEquals(hex(line, "x25519_raw_shared_secret"), raw);
        assertArrayEquals(raw, C25519.rawAgreement(b.privateKey(), a.publicKey()));
        byte[] sha512 = Sha.sha512(raw);
        assertArrayEquals(hex(line, "sha512_of_raw"), sha512);

        byte[] key = a.agree(b);
        byte[] keyB = b.agree(a);
        assertArrayEquals(hex(line, "shared_key_a_side"), key);
        assertArrayEquals(hex(line, "shared_key_b_side"), keyB);
        assertEquals(line.get("sides_equal").asBoolean(), Arrays.equals(key, keyB));
        assertEquals(line.get("check_shared_key_is_sha512_prefix48").asBoolean(),
                Arrays.equals(key, Arrays.copyOf(sha512, Identity.AGREED_KEY_LENGTH)));
        assertArrayEquals(key, a.agree(b.publicOnly()), "the peer's private key plays no part");
        for (int keyLength : new int[] {64, 100}) {
            byte[] longer = new byte[keyLength];
            C25519.agree(a.privateKey(), b.publicKey(), longer, keyLength);
            assertArrayEquals(hex(line, "agree_keylen_" + keyLength), longer);
        }

        byte[] k0Message = Kbkdf.message(AesKeys.LABEL_K0, 0, 0);
        assertArrayEquals(hex(line, "kbkdf_msg_k0"), k0Message);
        byte[] k0Full = Kbkdf.derive(key, AesKeys.LABEL_K0, 0, 0);
        byte[] k1Full = Kbkdf.derive(key, AesKeys.LABEL_K1, 0, 0);
        assertArrayEquals(hex(line, "aes_gmac_siv_k0_full48"), k0Full);
        assertArrayEquals(hex(line, "aes_gmac_siv_k1_full48"), k1Full);
        assertEquals(line.get("check_k0_is_hmac_sha384").asBoolean(),
                Arrays.equals(k0Full, Sha.hmacSha384(key, hex(line, "kbkdf_msg_k0"))));
        AesKeys aes = AesKeys.derive(key);
        assertArrayEquals(hex(line, "aes_gmac_siv_k0_aes256_key"), aes.k0());
        assertArrayEquals(hex(line, "aes_gmac_siv_k1_aes256_key"), aes.k1());

        JsonNode examples = line.get("salsa20_mangled_key_examples");
        assertTrue(examples.size() > 0);
        for (JsonNode example : examples) {
            byte[] header = hex(example, "packet_header_first_19");
            assertEquals(19, header.length);
            byte[] mangled = new byte[Armor.MANGLED_KEY_LENGTH];
            Armor.mangleKey(key, 0, header, 0, example.get("packet_size").asInt(), mangled, 0);
            assertArrayEquals(hex(example, "mangled_key"), mangled, example.toString());
        }
    }
}
