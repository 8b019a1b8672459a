package dev.zerokube.overlay.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.crypto.C25519;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.testing.Vectors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Goal: World decodes, encodes, signs and decides updates exactly as 1.14.1 on every line of
 * {@code world.jsonl} (vectors README §10).
 *
 * <p>Method: decode {@code serialized} (consuming {@code deserialize_consumed} bytes), compare every
 * field, re-encode, compare the signing form with {@code signed_message} and check
 * {@code own_key_verifies}; where the signer's secret is given, rebuild the world from its fields,
 * sign it and compare the bytes (signatures are deterministic); for {@code world_update} lines,
 * decide {@code current.shouldBeReplacedBy(update)}.
 */
class WorldVectorTest {
    @TestFactory
    Stream<DynamicTest> everyLine() {
        return Vectors.each("world.jsonl", "kind", Vectors.table(
                Map.entry("planet", WorldVectorTest::world),
                Map.entry("moon", WorldVectorTest::world),
                Map.entry("test_planet", WorldVectorTest::world),
                Map.entry("world_update", WorldVectorTest::update)),
                Map.of("planet", 1, "moon", 2, "test_planet", 1, "world_update", 10));
    }

    private static void world(JsonNode line) throws Exception {
        byte[] bytes = Vectors.hex(line, "serialized");
        assertEquals(line.get("serialized_length").asInt(), bytes.length);
        ByteReader r = new ByteReader(bytes, "world");
        World world = World.decode(r);
        assertEquals(line.get("deserialize_consumed").asInt(), r.position());

        JsonNode f = line.get("fields");
        World.Type type = World.Type.ofCode(f.get("type").asInt());
        assertEquals(type, world.type());
        assertEquals(line.get("kind").asText().equals("moon") ? World.Type.MOON : World.Type.PLANET, type);
        assertEquals(Vectors.hex64(f, "id"), world.id());
        assertEquals(f.get("id_decimal").asLong(), world.id());
        assertEquals(f.get("timestamp").asLong(), world.timestampMs());
        assertEquals(f.get("updates_must_be_signed_by").asText(), Vectors.hex(world.updatesMustBeSignedBy()));
        assertEquals(f.get("signature").asText(), Vectors.hex(world.signature()));
        List<World.Root> roots = new ArrayList<>();
        for (JsonNode root : f.get("roots")) {
            List<InetEndpoint> endpoints = new ArrayList<>();
            for (JsonNode ep : root.get("stable_endpoints")) {
                endpoints.add(InetEndpoint.parse(ep.asText()));
            }
            roots.add(new World.Root(Identity.parse(root.get("identity").asText()), endpoints));
        }
        assertEquals(roots, world.roots());
        for (int i = 0; i < roots.size(); i++) {
            assertEquals(f.get("roots").get(i).get("identity").asText(), world.roots().get(i).identity().toString());
            List<String> texts = world.roots().get(i).stableEndpoints().stream().map(InetEndpoint::toString).toList();
            assertEquals(Vectors.json().convertValue(f.get("roots").get(i).get("stable_endpoints"), List.class), texts);
        }

        assertTrue(line.get("roundtrip_equal").asBoolean());
        assertEquals(Vectors.hex(bytes), Vectors.hex(world.toBytes()));
        assertEquals(line.get("signed_message").asText(), Vectors.hex(world.signInput()));
        assertEquals(line.get("own_key_verifies").asBoolean(), world.signatureVerifiesWith(world.updatesMustBeSignedBy()));

        if (line.has("signer_identity_secret")) {
            Identity signer = Identity.parse(line.get("signer_identity_secret").asText());
            World made = World.make(type, Vectors.hex64(f, "id"), f.get("timestamp").asLong(),
                    Vectors.hex(f, "updates_must_be_signed_by"), roots,
                    new C25519.KeyPair(signer.publicKey(), signer.privateKey()));
            assertEquals(Vectors.hex(bytes), Vectors.hex(made.toBytes()), "made from fields and signed");
            assertEquals(world, made);
        }
    }

    private static void update(JsonNode line) throws Exception {
        World current = World.decode(new ByteReader(Vectors.hex(line, "current"), "current world"));
        World update = World.decode(new ByteReader(Vectors.hex(line, "update"), "update world"));
        boolean replace = line.get("should_be_replaced").asBoolean();
        assertEquals(replace ? "accept" : "reject", line.get("expect").asText());
        assertEquals(replace, current.shouldBeReplacedBy(update), line.get("note").asText());
        if (replace) {
            assertNotEquals(current, update);
        }
    }
}
