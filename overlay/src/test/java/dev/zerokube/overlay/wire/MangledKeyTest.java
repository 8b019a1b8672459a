package dev.zerokube.overlay.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.testing.Vectors;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Goal: the per-packet Salsa20 key of ciphers 0/1 (ZT1-02 §4.2) is exact, hops masked and length
 * little-endian. Method: the worked values of ZT1-02 §4.6 (cipher 0 and 1 flags) and every
 * {@code salsa20_mangled_key_examples} entry of agreement.jsonl (1.14.1's own output), computed at
 * a non-zero output offset; changing only the hop bits must not change the key.
 */
class MangledKeyTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] K = HEX.parseHex("009c21ce13a554b8122a891fef975a381826f86533c898fec080e572e9bd8b2c"
            + "a63808d26603d1737c399459cf36a116");

    private static String mangle(byte[] key, byte[] header, int packetLength) {
        byte[] out = new byte[40];
        Armor.mangleKey(key, 0, header, 0, packetLength, out, 5);
        return HEX.formatHex(out, 5, 37);
    }

    @Test
    void workedExampleOfZt1_02() {
        byte[] header = HEX.parseHex("0123456789abcdef7202a77aad1d939ff88400");
        assertEquals("01bf64a99a0e995760282e65428ac9a7e0a2f82233c898fec080e572e9bd8b2c", mangle(K, header, 71));
        header[18] = (byte) 0x88;
        assertEquals("01bf64a99a0e995760282e65428ac9a7e0a2702233c898fec080e572e9bd8b2c", mangle(K, header, 71));
        header[18] = (byte) 0x8f; // hops 7: masked out
        assertEquals("01bf64a99a0e995760282e65428ac9a7e0a2702233c898fec080e572e9bd8b2c", mangle(K, header, 71));
        // length is mixed little-endian: 0x0147 -> byte 19 ^= 0x47, byte 20 ^= 0x01
        assertEquals("01bf64a99a0e995760282e65428ac9a7e0a2702232c898fec080e572e9bd8b2c", mangle(K, header, 0x147));
    }

    @Test
    void everyExampleOfAgreementJsonl() {
        int checked = 0;
        for (JsonNode line : Vectors.read("agreement.jsonl")) {
            byte[] key = Vectors.hex(line, "shared_key_a_side");
            for (JsonNode example : line.get("salsa20_mangled_key_examples")) {
                byte[] header = Vectors.hex(example, "packet_header_first_19");
                assertEquals(19, header.length);
                assertEquals(example.get("mangled_key").asText(),
                        mangle(key, header, example.get("packet_size").asInt()), line.get("a_label") + "/" + line.get("b_label"));
                checked++;
            }
        }
        assertTrue(checked >= 10, "examples checked: " + checked);
    }
}
