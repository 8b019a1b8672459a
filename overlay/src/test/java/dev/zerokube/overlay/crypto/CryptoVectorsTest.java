package dev.zerokube.overlay.crypto;

import static dev.zerokube.overlay.testing.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.testing.Vectors;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.ThrowingConsumer;

/*
 * Goal: every primitive of the crypto package computes exactly what ZeroTier One 1.14.1 computed.
 * Method: each line of vectors/crypto.jsonl (produced by 1.14.1's own code) is recomputed from its
 * inputs and compared byte for byte, including the intermediate values a line records.
 */
class CryptoVectorsTest {
    private static final HexFormat HEX = HexFormat.of();

    /** Per-type line counts from the table in vectors/README.md §1. */
    private static final Map<String, Integer> COUNTS = Map.ofEntries(
            Map.entry("sha512", 16), Map.entry("sha384", 16), Map.entry("sha384_two_part", 1),
            Map.entry("hmac_sha384", 4), Map.entry("kbkdf_hmac_sha384", 4),
            Map.entry("salsa20_12_keystream", 6), Map.entry("salsa20_20_keystream", 6),
            Map.entry("salsa20_12_encrypt", 6), Map.entry("poly1305", 9), Map.entry("aes256_block", 5),
            Map.entry("aes_gmac", 6), Map.entry("aes_ctr", 4), Map.entry("aes_gmac_siv", 8),
            Map.entry("c25519_keypair_sign", 4), Map.entry("identity_memory_hard_hash", 4));

    private final MemoryHardHash memoryHardHash = new MemoryHardHash();

    @TestFactory
    Stream<DynamicTest> cryptoVectors() {
        Map<String, ThrowingConsumer<JsonNode>> handlers = new LinkedHashMap<>();
        handlers.put("sha512", line -> assertHex(line, "digest", Sha.sha512(hex(line, "message"))));
        handlers.put("sha384", line -> assertHex(line, "digest", Sha.sha384(hex(line, "message"))));
        handlers.put("sha384_two_part", line -> assertHex(line, "digest", Sha.sha384(hex(line, "part0"), hex(line, "part1"))));
        handlers.put("hmac_sha384", line -> assertHex(line, "mac", Sha.hmacSha384(hex(line, "key"), hex(line, "message"))));
        handlers.put("kbkdf_hmac_sha384", this::kbkdf);
        handlers.put("salsa20_12_keystream", line -> salsaKeystream(line, 12));
        handlers.put("salsa20_20_keystream", line -> salsaKeystream(line, 20));
        handlers.put("salsa20_12_encrypt", this::salsaEncrypt);
        handlers.put("poly1305", this::poly1305);
        handlers.put("aes256_block", this::aesBlock);
        handlers.put("aes_gmac", this::gmac);
        handlers.put("aes_ctr", this::aesCtr);
        handlers.put("aes_gmac_siv", this::aesGmacSiv);
        handlers.put("c25519_keypair_sign", this::keypairSign);
        handlers.put("identity_memory_hard_hash", this::memoryHardHash);
        return Vectors.each("crypto.jsonl", "type", handlers, COUNTS);
    }

    private static void assertHex(JsonNode line, String field, byte[] actual) {
        assertEquals(HEX.formatHex(hex(line, field)), HEX.formatHex(actual), field);
    }

    private void kbkdf(JsonNode line) {
        String label = line.get("label").asText();
        assertEquals(1, label.length());
        int context = line.get("context").asInt();
        int iter = (int) line.get("iter").asLong();
        byte[] key = hex(line, "key");
        assertHex(line, "prf_input", Kbkdf.message(label.charAt(0), context, iter));
        assertHex(line, "output", Kbkdf.derive(key, label.charAt(0), context, iter));
        if (context == 0 && iter == 0 && (label.equals("0") || label.equals("1"))) {
            AesKeys keys = AesKeys.derive(key);
            byte[] aesKey = label.equals("0") ? keys.k0() : keys.k1();
            assertArrayEquals(Arrays.copyOf(hex(line, "output"), 32), aesKey);
        }
    }

    private void poly1305(JsonNode line) {
        byte[] key = hex(line, "key");
        byte[] msg = hex(line, "message");
        byte[] tag = new byte[16];
        Poly1305.mac(key, 0, msg, 0, msg.length, tag, 0);
        assertHex(line, "tag", tag);
        // Same result from arbitrary offsets inside larger arrays.
        byte[] keyAt = new byte[key.length + 5];
        System.arraycopy(key, 0, keyAt, 5, key.length);
        byte[] msgAt = new byte[msg.length + 9];
        System.arraycopy(msg, 0, msgAt, 3, msg.length);
        byte[] tagAt = new byte[20];
        Poly1305.mac(keyAt, 5, msgAt, 3, msg.length, tagAt, 4);
        assertArrayEquals(tag, Arrays.copyOfRange(tagAt, 4, 20));
    }

    private void aesBlock(JsonNode line) {
        Aes aes = new Aes(hex(line, "key"));
        byte[] pt = hex(line, "plaintext");
        byte[] ct = new byte[16];
        aes.encryptBlock(pt, 0, ct, 0);
        assertHex(line, "ciphertext", ct);
        byte[] back = new byte[16];
        aes.decryptBlock(ct, 0, back, 0);
        assertEquals(line.path("decrypt_roundtrip").asBoolean(true), Arrays.equals(pt, back));
    }

    private void gmac(JsonNode line) {
        Gmac gmac = new Gmac(hex(line, "key"));
        byte[] msg = hex(line, "message");
        byte[] iv = hex(line, "iv12");
        byte[] tag = new byte[16];
        gmac.init(iv, 0);
        gmac.update(msg, 0, msg.length);
        gmac.finish(tag, 0);
        assertHex(line, "tag", tag);
        // The same IV again (the JDK would refuse a plain re-init), fed in two pieces.
        int half = msg.length / 2;
        gmac.init(iv, 0);
        gmac.update(msg, 0, half);
        gmac.update(msg, half, msg.length - half);
        gmac.finish(tag, 0);
        assertHex(line, "tag", tag);
    }

    private void aesCtr(JsonNode line) {
        Aes aes = new Aes(hex(line, "key"));
        byte[] counter = hex(line, "initial_counter_block");
        byte[] pt = hex(line, "plaintext");
        byte[] ct = new byte[pt.length];
        aes.ctr(counter, 0, pt, 0, ct, 0, pt.length);
        assertHex(line, "ciphertext", ct);
        assertArrayEquals(hex(line, "initial_counter_block"), counter, "counter block is not modified");
        aes.ctr(counter, 0, ct, 0, ct, 0, ct.length);
        assertArrayEquals(pt, ct);
    }

    private void aesGmacSiv(JsonNode line) {
        byte[] k0 = hex(line, "k0");
        byte[] k1 = hex(line, "k1");
        byte[] iv = hex(line, "iv8");
        byte[] aad = hex(line, "aad");
        byte[] pt = hex(line, "plaintext");

        // Intermediates, each from the building blocks.
        byte[] gmacIv = Arrays.copyOf(iv, 12);
        assertHex(line, "gmac_iv12", gmacIv);
        byte[] gmacInput = new byte[(aad.length + 15) / 16 * 16 + pt.length];
        System.arraycopy(aad, 0, gmacInput, 0, aad.length);
        System.arraycopy(pt, 0, gmacInput, gmacInput.length - pt.length, pt.length);
        assertHex(line, "gmac_input", gmacInput);
        Gmac gmac = new Gmac(k0);
        gmac.init(gmacIv, 0);
        gmac.update(gmacInput, 0, gmacInput.length);
        byte[] gmacTag = new byte[16];
        gmac.finish(gmacTag, 0);
        assertHex(line, "gmac_tag", gmacTag);
        byte[] sivBlock = Arrays.copyOf(iv, 16);
        for (int i = 0; i < 8; i++) {
            sivBlock[8 + i] = (byte) (gmacTag[i] ^ gmacTag[8 + i]);
        }
        assertHex(line, "siv_block_before_k1", sivBlock);
        byte[] tag16 = new byte[16];
        new Aes(k1).encryptBlock(sivBlock, 0, tag16, 0);
        assertHex(line, "tag16", tag16);
        byte[] counter = tag16.clone();
        counter[12] &= 0x7f;
        assertHex(line, "ctr_initial_block", counter);

        // The whole construction.
        AesGmacSiv siv = new AesGmacSiv(k0, k1);
        byte[] ct = new byte[pt.length];
        byte[] tag = new byte[16];
        siv.encrypt(iv, 0, aad, 0, aad.length, pt, 0, ct, 0, pt.length, tag, 0);
        assertHex(line, "ciphertext", ct);
        assertEquals(line.get("tag_matches_intermediate").asBoolean(), Arrays.equals(tag16, tag));
        byte[] back = new byte[ct.length];
        assertEquals(line.get("decrypt_ok").asBoolean(), siv.decrypt(tag, 0, aad, 0, aad.length, ct, 0, back, 0, ct.length));
        assertEquals(line.get("decrypt_matches").asBoolean(), Arrays.equals(pt, back));
        boolean tamperedOk;
        if (ct.length == 0) {
            tamperedOk = siv.decrypt(tag, 0, aad, 0, aad.length, ct, 0, back, 0, 0);
        } else {
            byte[] tampered = ct.clone();
            tampered[tampered.length / 2] ^= 0x01;
            tamperedOk = siv.decrypt(tag, 0, aad, 0, aad.length, tampered, 0, back, 0, ct.length);
        }
        assertEquals(line.get("tampered_ciphertext_decrypt_ok").asBoolean(), tamperedOk);
    }

    private void salsaKeystream(JsonNode line, int rounds) {
        int length = line.get("length").asInt();
        byte[] expected = hex(line, "keystream");
        assertEquals(length, expected.length);
        Salsa20 salsa = new Salsa20(rounds);
        salsa.init(hex(line, "key"), 0, hex(line, "iv"), 0);
        byte[] out = new byte[length];
        salsa.stream(out, 0, length);
        assertEquals(HEX.formatHex(expected), HEX.formatHex(out));
        // Same bytes when encrypting zeros, in place, at an offset.
        byte[] buf = new byte[length + 7];
        salsa.init(hex(line, "key"), 0, hex(line, "iv"), 0);
        salsa.crypt(buf, 3, buf, 3, length);
        assertArrayEquals(expected, Arrays.copyOfRange(buf, 3, 3 + length));
    }

    private void salsaEncrypt(JsonNode line) {
        byte[] plaintext = hex(line, "plaintext");
        Salsa20 salsa = new Salsa20(12);
        salsa.init(hex(line, "key"), 0, hex(line, "iv"), 0);
        byte[] out = new byte[plaintext.length];
        salsa.crypt(plaintext, 0, out, 0, plaintext.length);
        assertEquals(HEX.formatHex(hex(line, "ciphertext")), HEX.formatHex(out));
        salsa.init(hex(line, "key"), 0, hex(line, "iv"), 0);
        salsa.crypt(out, 0, out, 0, out.length);
        assertArrayEquals(plaintext, out);
    }

    private void keypairSign(JsonNode line) {
        byte[] priv = hex(line, "private_key");
        byte[] pub = hex(line, "public_key");
        byte[] msg = hex(line, "message");
        assertEquals(HEX.formatHex(pub), HEX.formatHex(C25519.publicFromPrivate(priv)));
        assertEquals(HEX.formatHex(hex(line, "sha512_message_first32")),
                HEX.formatHex(Arrays.copyOf(Sha.sha512(msg), 32)));
        byte[] sig = C25519.sign(priv, pub, msg);
        assertEquals(HEX.formatHex(hex(line, "signature96")), HEX.formatHex(sig));
        assertEquals(line.get("verify").asBoolean(), C25519.verify(pub, msg, hex(line, "signature96")));
    }

    private void memoryHardHash(JsonNode line) {
        byte[] pub = hex(line, "public_key");
        assertEquals(HEX.formatHex(hex(line, "sha512_public_key")), HEX.formatHex(Sha.sha512(pub)));
        byte[] d = new byte[64];
        memoryHardHash.fill(pub, d);
        byte[] m = memoryHardHash.memory();
        assertEquals(HEX.formatHex(hex(line, "genmem_first_128_after_fill")),
                HEX.formatHex(Arrays.copyOf(m, 128)));
        assertEquals(HEX.formatHex(hex(line, "genmem_last_64_after_fill")),
                HEX.formatHex(Arrays.copyOfRange(m, m.length - 64, m.length)));
        assertEquals(HEX.formatHex(hex(line, "sha512_of_genmem_after_fill")), HEX.formatHex(Sha.sha512(m)));

        byte[] digest = memoryHardHash.digest(pub);
        assertEquals(HEX.formatHex(hex(line, "final_digest")), HEX.formatHex(digest));
        String address = HEX.formatHex(digest, 59, 64);
        assertEquals(line.get("derived_address").asText(), address);
        assertEquals(line.get("proof_of_work_ok_first_byte_lt_17").asBoolean(),
                (digest[0] & 0xff) < MemoryHardHash.PROOF_OF_WORK_LIMIT);
        boolean reserved = address.equals("0000000000") || address.startsWith("ff");
        assertEquals(line.get("derived_address_reserved").asBoolean(), reserved);
        // The identity text is address:0:public[:private]; a private part must produce the public key.
        String[] fields = line.get("identity").asText().split(":");
        assertEquals(address + ":0:" + HEX.formatHex(pub), String.join(":", Arrays.copyOf(fields, 3)));
        if (fields.length == 4) {
            assertArrayEquals(pub, C25519.publicFromPrivate(HEX.parseHex(fields[3])));
        } else {
            assertEquals(3, fields.length);
        }
    }
}
