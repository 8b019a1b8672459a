package dev.zerokube.sidecar.idtool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.runtime.JsonText;
import dev.zerokube.overlay.testing.Vectors;
import dev.zerokube.overlay.wire.World;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: {@code idtool initmoon/genmoon/initplanet/genplanet} make worlds signed exactly as ZeroTier
 * does, so 1.14.1 nodes accept them. Method: for every world vector with a known signer
 * (world.jsonl: moon_v1, moon_v2, test_planet_v1) write the definition JSON genmoon reads (same
 * key, roots, timestamp), run the command in-process and compare: where genmoon's sorting keeps the
 * vector's root order the file must equal the vector byte for byte; always it must decode, verify
 * with the world's update key and replace the vector's previous revision under the update rule.
 * Then initmoon → edit → genmoon round trips, and bad definitions fail with one line.
 */
class WorldToolTest {
    static final long NOW = 1_764_460_900_000L;

    @TempDir
    Path tmp;

    IdToolCommandTest.Result run(String... args) {
        return IdToolCommandTest.runWith(new IdToolCommand(new SplittableRandom(7), () -> NOW), args);
    }

    static List<JsonNode> signedVectors() {
        return Vectors.read("world.jsonl").stream().filter(l -> l.has("signer_identity_secret")).toList();
    }

    /** The definition genmoon reads for a vector's world, timestamp included. */
    static Map<String, Object> definition(JsonNode line, long timestamp) throws Exception {
        Identity signer = Identity.parse(line.get("signer_identity_secret").asText());
        JsonNode f = line.get("fields");
        Map<String, Object> def = new TreeMap<>();
        def.put("id", f.get("id").asText());
        def.put("objtype", "world");
        def.put("worldType", f.get("type").asInt() == 127 ? "moon" : "planet");
        def.put("signingKey", HexFormat.of().formatHex(signer.publicKey()));
        def.put("signingKey_SECRET", HexFormat.of().formatHex(signer.privateKey()));
        def.put("updatesMustBeSignedBy", f.get("updates_must_be_signed_by").asText());
        List<Object> roots = new ArrayList<>();
        for (JsonNode r : f.get("roots")) {
            List<Object> eps = new ArrayList<>();
            r.get("stable_endpoints").forEach(e -> eps.add(e.asText()));
            roots.add(Map.of("identity", r.get("identity").asText(), "stableEndpoints", eps));
        }
        def.put("roots", roots);
        def.put("timestamp", timestamp);
        return def;
    }

    World generate(JsonNode line, long timestamp) throws Exception {
        Path json = tmp.resolve(line.get("name").asText() + ".json");
        Files.write(json, JsonText.write(definition(line, timestamp)));
        boolean moon = line.get("fields").get("type").asInt() == 127;
        Path out = moon ? tmp : tmp.resolve("planet");
        IdToolCommandTest.Result r = run(moon ? "genmoon" : "genplanet", json.toString(), out.toString());
        assertEquals(0, r.code(), r.err());
        Path file = moon ? tmp.resolve(String.format("%016x.moon", Long.parseUnsignedLong(line.get("fields").get("id").asText(), 16)))
                : out;
        assertEquals("wrote " + file + " (signed world with timestamp " + timestamp + ")" + System.lineSeparator(), r.out());
        byte[] bytes = Files.readAllBytes(file);
        ByteReader reader = new ByteReader(bytes, "world");
        World w = World.decode(reader);
        reader.expectEnd("world");
        return w;
    }

    @TestFactory
    Stream<DynamicTest> vectorWorldsResignedVerify() {
        return signedVectors().stream().map(line -> DynamicTest.dynamicTest(line.get("name").asText(), () -> {
            byte[] vector = Vectors.hex(line, "serialized");
            ByteReader vr = new ByteReader(vector, "vector");
            World original = World.decode(vr);
            World same = generate(line, original.timestampMs());
            assertTrue(same.signatureVerifiesWith(original.updatesMustBeSignedBy()));
            assertEquals(original.type(), same.type());
            assertEquals(original.id(), same.id());
            assertEquals(new java.util.HashSet<>(original.roots().stream().map(r -> r.identity()).toList()),
                    new java.util.HashSet<>(same.roots().stream().map(r -> r.identity()).toList()));
            boolean genmoonOrder = sortedAsGenmoon(original);
            if (genmoonOrder) {
                assertArrayEquals(vector, same.toBytes(), "same inputs, same signed bytes (Ed25519 is deterministic)");
                assertArrayEquals(Vectors.hex(line, "signed_message"), same.signInput());
            }
            World later = generate(line, original.timestampMs() + 5_000);
            assertTrue(original.shouldBeReplacedBy(later), "a node holding the vector world takes ours");
            assertFalse(later.shouldBeReplacedBy(original));
        }));
    }

    @Test
    void moonV1IsReproducedExactly() throws Exception {
        JsonNode v1 = signedVectors().stream().filter(l -> l.get("name").asText().equals("moon_v1")).findFirst().orElseThrow();
        assertTrue(sortedAsGenmoon(World.decode(new ByteReader(Vectors.hex(v1, "serialized"), "moon_v1"))), "moon_v1 is in genmoon's order");
    }

    static boolean sortedAsGenmoon(World w) {
        for (World.Root r : w.roots()) {
            List<dev.zerokube.overlay.wire.InetEndpoint> sorted = new ArrayList<>(r.stableEndpoints());
            sorted.sort(WorldTool.ENDPOINT_ORDER);
            if (!sorted.equals(r.stableEndpoints())) {
                return false;
            }
        }
        for (int i = 1; i < w.roots().size(); i++) {
            if (w.roots().get(i - 1).identity().address().compareTo(w.roots().get(i).identity().address()) > 0) {
                return false;
            }
        }
        return true;
    }

    @Test
    void initmoonThenGenmoon() throws Exception {
        Identity seed = Identity.parse(Vectors.read("world.jsonl").stream().filter(l -> l.has("signer_identity_secret"))
                .findFirst().orElseThrow().get("signer_identity_secret").asText());
        Path pub = tmp.resolve("identity.public");
        Files.writeString(pub, seed.toString(false));
        IdToolCommandTest.Result init = run("initmoon", pub.toString());
        assertEquals(0, init.code(), init.err());
        Map<String, Object> def = JsonText.parseObject(init.out().getBytes(StandardCharsets.UTF_8));
        assertEquals(seed.address().toString(), def.get("id"));
        assertEquals("moon", def.get("worldType"));
        assertEquals("world", def.get("objtype"));
        assertEquals(def.get("signingKey"), def.get("updatesMustBeSignedBy"));
        assertEquals(128, ((String) def.get("signingKey_SECRET")).length());
        @SuppressWarnings("unchecked")
        Map<String, Object> root = (Map<String, Object>) ((List<Object>) def.get("roots")).get(0);
        assertEquals(seed.toString(false), root.get("identity"));
        assertEquals(List.of(), root.get("stableEndpoints"));
        // The operator adds endpoints (in any order), then signs.
        Map<String, Object> edited = new TreeMap<>(def);
        edited.put("roots", List.of(Map.of("identity", seed.toString(false),
                "stableEndpoints", List.of("fd00:5a54::1/9993", "198.18.1.1/9993", "198.18.1.2/443"))));
        Path json = tmp.resolve("moon.json");
        Files.write(json, JsonText.write(edited));
        IdToolCommandTest.Result gen = run("genmoon", json.toString(), tmp.toString());
        assertEquals(0, gen.code(), gen.err());
        Path file = tmp.resolve(String.format("000000%s.moon", seed.address()));
        World w = World.decode(new ByteReader(Files.readAllBytes(file), "moon"));
        assertEquals(World.Type.MOON, w.type());
        assertEquals(NOW, w.timestampMs());
        assertTrue(w.signatureVerifiesWith(HexFormat.of().parseHex((String) def.get("updatesMustBeSignedBy"))));
        assertEquals(List.of("198.18.1.2/443", "198.18.1.1/9993", "fd00:5a54::1/9993"),
                w.roots().get(0).stableEndpoints().stream().map(Object::toString).toList(), "genmoon's order");
        assertEquals(1, run("genplanet", json.toString(), tmp.resolve("p").toString()).code(), "a moon is not a planet");
    }

    @Test
    void initplanetThenGenplanet() throws Exception {
        List<String> ids = new ArrayList<>();
        for (JsonNode l : Vectors.read("world.jsonl")) {
            if (l.get("kind").asText().equals("test_planet")) {
                for (JsonNode r : l.get("fields").get("roots")) {
                    ids.add(r.get("identity").asText());
                }
            }
        }
        IdToolCommandTest.Result init = run(Stream.concat(Stream.of("initplanet"), ids.stream()).toArray(String[]::new));
        assertEquals(0, init.code(), init.err());
        Path json = tmp.resolve("planet.json");
        Files.writeString(json, init.out());
        IdToolCommandTest.Result gen = run("genplanet", json.toString(), tmp.resolve("planet").toString());
        assertEquals(0, gen.code(), gen.err());
        World w = World.decode(new ByteReader(Files.readAllBytes(tmp.resolve("planet")), "planet"));
        assertEquals(World.Type.PLANET, w.type());
        assertEquals(2, w.roots().size());
        assertTrue(w.id() != World.ID_EARTH && w.id() != World.ID_MARS);
        assertTrue(w.signatureVerifiesWith(w.updatesMustBeSignedBy()), "first revision is self-signed");
    }

    @Test
    void badDefinitionsFailWithOneLine() throws Exception {
        JsonNode v1 = signedVectors().getFirst();
        Map<String, Object> good = definition(v1, NOW);
        List<Map.Entry<String, Object>> breakages = List.of(
                Map.entry("id", "0"), Map.entry("worldType", "asteroid"), Map.entry("signingKey", "abcd"),
                Map.entry("signingKey_SECRET", "00".repeat(64)), Map.entry("roots", List.of()),
                Map.entry("roots", List.of(Map.of("identity", "nonsense", "stableEndpoints", List.of()))),
                Map.entry("roots", List.of(Map.of("identity", ((List<?>) good.get("roots")).isEmpty() ? "" :
                        ((Map<?, ?>) ((List<?>) good.get("roots")).get(0)).get("identity"), "stableEndpoints",
                        List.of("198.18.1.1")))));
        for (Map.Entry<String, Object> b : breakages) {
            Map<String, Object> def = new TreeMap<>(good);
            def.put(b.getKey(), b.getValue());
            Path json = tmp.resolve("bad.json");
            Files.write(json, JsonText.write(def));
            IdToolCommandTest.Result r = run("genmoon", json.toString(), tmp.toString());
            assertEquals(1, r.code(), b + ": " + r.out());
            assertEquals("", r.out());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith(json + ": "), r.err());
        }
        Files.writeString(tmp.resolve("broken.json"), "{\"id\":");
        assertEquals(1, run("genmoon", tmp.resolve("broken.json").toString()).code());
        assertEquals(1, run("genmoon", tmp.resolve("missing.json").toString()).code());
    }
}
