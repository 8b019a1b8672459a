package dev.zerokube.overlay.wire;

import static dev.zerokube.overlay.testing.Vectors.hex;
import static dev.zerokube.overlay.testing.Vectors.hex64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.testing.Vectors;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.ThrowingConsumer;

/**
 * Goal: the small shared encodings (ZeroTier InetAddress, member MACs, address-resolution
 * multicast groups, LZ4 blocks) agree with ZeroTier One 1.14.1 on every line of
 * {@code wire-misc.jsonl}. Method: one dynamic test per line via {@link Vectors#each}, checking
 * every field of the line against our encoder and decoder in both directions.
 */
class WireMiscVectorsTest {
    /** 1.14.1's receive buffer for a decompressed payload: 10024 - 28 (ZT1-02 §7). */
    private static final int PAYLOAD_MAX = 9996;

    @TestFactory
    Stream<DynamicTest> wireMisc() {
        Map<String, ThrowingConsumer<JsonNode>> handlers = Vectors.table(
                Map.entry("inetaddress", WireMiscVectorsTest::inetAddress),
                Map.entry("inetaddress_decode", WireMiscVectorsTest::inetAddressDecode),
                Map.entry("mac_from_address", WireMiscVectorsTest::macFromAddress),
                Map.entry("multicast_group_for_address", WireMiscVectorsTest::multicastGroupForAddress),
                Map.entry("lz4_block", WireMiscVectorsTest::lz4Block),
                Map.entry("lz4_block_decode", WireMiscVectorsTest::lz4BlockDecode));
        Map<String, Integer> counts = Map.of("inetaddress", 7, "inetaddress_decode", 4, "mac_from_address", 8,
                "multicast_group_for_address", 6, "lz4_block", 6, "lz4_block_decode", 3);
        return Vectors.each("wire-misc.jsonl", "kind", handlers, counts);
    }

    static void inetAddress(JsonNode line) throws Exception {
        byte[] serialized = hex(line, "serialized");
        InetEndpoint parsed = InetEndpoint.parse(line.get("text").asText());
        assertArrayEquals(serialized, parsed.toBytes(), "serialize(text)");
        assertEquals(serialized.length, parsed.encodedLength());
        assertEquals(line.get("port").asInt(), parsed.port());

        ByteReader r = new ByteReader(serialized, "InetAddress");
        InetEndpoint decoded = InetEndpoint.decode(r, "address");
        assertEquals(line.get("deserialize_consumed").asInt(), r.position());
        assertEquals(line.get("roundtrip_equal").asBoolean(), decoded.equals(parsed));
        assertEquals(line.get("to_string").asText(), decoded.toString());
        assertEquals(line.get("port").asInt(), decoded.port());
        if (!decoded.isNil()) {
            // The Java address built from the bytes must carry the same bytes (no lookup).
            assertArrayEquals(decoded.ip(), decoded.toInetAddress().getAddress());
        }
    }

    static void inetAddressDecode(JsonNode line) {
        byte[] bytes = hex(line, "bytes");
        ByteReader r = new ByteReader(bytes, "InetAddress");
        if (line.get("ok").asBoolean()) {
            InetEndpoint decoded = org.junit.jupiter.api.Assertions.assertDoesNotThrow(
                    () -> InetEndpoint.decode(r, "address"));
            assertEquals(line.get("consumed").asInt(), r.position());
            assertEquals(line.get("result_is_nil").asBoolean(), decoded.isNil());
        } else {
            assertTrue(line.get("consumed").isNull());
            assertThrows(WireFormatException.class, () -> InetEndpoint.decode(r, "address"));
        }
    }

    static void macFromAddress(JsonNode line) throws Exception {
        long address = Long.parseLong(line.get("address").asText(), 16);
        long nwid = hex64(line, "network_id");
        Mac mac = Mac.fromAddress(address, nwid);
        byte[] expected = hex(line, "mac");
        assertArrayEquals(expected, mac.toBytes());
        assertEquals(line.get("mac_text").asText(), mac.toString());
        assertEquals(mac, Mac.parse(line.get("mac_text").asText()));
        assertEquals(Integer.parseInt(line.get("first_octet").asText(), 16), mac.firstOctet());
        assertEquals(mac.firstOctet(), Mac.firstOctetForNetwork(nwid));
        assertEquals(Long.parseLong(line.get("address_back").asText(), 16), mac.toAddress(nwid));
        assertTrue(mac.isMemberMacOn(nwid));
        assertFalse(mac.isMulticast());
        ByteWriter w = new ByteWriter();
        mac.encode(w);
        assertArrayEquals(expected, w.toByteArray());
        assertEquals(mac, Mac.decode(new ByteReader(expected, "MAC"), "mac"));
    }

    static void multicastGroupForAddress(JsonNode line) throws Exception {
        MulticastGroup group = MulticastGroup.forAddressResolution(InetEndpoint.parseIp(line.get("ip").asText()));
        assertArrayEquals(hex(line, "mac"), group.mac().toBytes());
        assertEquals(line.get("adi").asLong(), group.adi());
        assertEquals(Long.parseLong(line.get("adi_hex").asText(), 16), group.adi());
        byte[] wire = hex(line, "wire");
        ByteWriter w = new ByteWriter();
        group.encode(w);
        assertArrayEquals(wire, w.toByteArray());
        ByteReader r = new ByteReader(wire, "group");
        assertEquals(group, MulticastGroup.decode(r, "group"));
        r.expectEnd("group");
        assertTrue(group.mac().isMulticast());
    }

    static void lz4Block(JsonNode line) throws Exception {
        byte[] input = hex(line, "input");
        assertEquals(line.get("input_length").asInt(), input.length);
        boolean compressed = line.get("compressed").asBoolean();
        if (compressed) {
            byte[] block = hex(line, "block");
            assertEquals(line.get("block_length").asInt(), block.length);
            byte[] out = new byte[PAYLOAD_MAX];
            int n = Lz4.decompress(block, 0, block.length, out, 0, out.length);
            assertTrue(line.get("decompress_ok").asBoolean());
            assertEquals(line.get("roundtrip_equal").asBoolean(), Arrays.equals(input, 0, input.length, out, 0, n));
        } else {
            assertTrue(line.get("block").isNull());
        }
        // Our compressor: the same keep-or-send-plain decision as 1.14.1, and a block that
        // decodes back to the input.
        Lz4 lz4 = new Lz4();
        byte[] block = new byte[input.length];
        int n = lz4.compressPayload(input, 0, input.length, block, 0);
        assertEquals(compressed, n >= 0, "compressed");
        if (n >= 0) {
            assertTrue(n < input.length);
            byte[] out = new byte[PAYLOAD_MAX];
            int m = Lz4.decompress(block, 0, n, out, 0, out.length);
            assertArrayEquals(input, Arrays.copyOf(out, m));
        }
        // The unconditional compressor round-trips too, within its stated bound.
        byte[] any = new byte[Lz4.maxCompressedLength(input.length)];
        int k = lz4.compress(input, 0, input.length, any, 0, any.length);
        byte[] out = new byte[input.length];
        assertEquals(input.length, Lz4.decompress(any, 0, k, out, 0, out.length));
        assertArrayEquals(input, out);
    }

    static void lz4BlockDecode(JsonNode line) throws Exception {
        byte[] block = hex(line, "block");
        byte[] out = new byte[PAYLOAD_MAX];
        if (line.get("decompress_ok").asBoolean()) {
            int n = Lz4.decompress(block, 0, block.length, out, 0, out.length);
            assertArrayEquals(hex(line, "result"), Arrays.copyOf(out, n));
        } else {
            WireFormatException e = assertThrows(WireFormatException.class,
                    () -> Lz4.decompress(block, 0, block.length, out, 0, out.length));
            assertNotEquals("", e.what());
        }
    }
}
