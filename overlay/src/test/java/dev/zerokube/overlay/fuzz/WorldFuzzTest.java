package dev.zerokube.overlay.fuzz;

import static dev.zerokube.overlay.fuzz.FuzzChecks.binaryRoundTrip;
import static dev.zerokube.overlay.fuzz.FuzzChecks.mustDecode;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.testing.Vectors;
import dev.zerokube.overlay.wire.World;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

// Goal: the World decoder (planet and moon files, world updates in OK(HELLO) from any root) is
// total, and so are the signature check and the update rule on what it decodes.
// Method: FuzzChecks.binaryRoundTrip on any bytes (not canonical: a root's private key and a
// moon's reserved dictionary are read and dropped); a decoded world's signature is checked with
// its own (hostile) update key, and the update rule is applied both ways against the default
// planet and against itself, where it must refuse (not newer) unless it is the null world.
class WorldFuzzTest {
    private static final World PLANET = defaultPlanet();

    static Stream<Arguments> seeds() {
        return FuzzSeeds.builder()
                .hex("world.jsonl", "serialized", "current", "update")
                .hex("packets.jsonl", "world_update")
                .file("capture/node_a/planet")
                .build();
    }

    @MethodSource("seeds")
    @FuzzTest
    void world(byte[] input) {
        World world = binaryRoundTrip(input, "world", World::decode, World::encode, false);
        if (world == null) {
            return;
        }
        world.signatureVerifiesWith(world.updatesMustBeSignedBy());
        // A null world (type 0) is replaced by anything, itself included, as in 1.14.1.
        assertFalse(!world.isNull() && world.shouldBeReplacedBy(world), "a world replaces itself");
        PLANET.shouldBeReplacedBy(world);
        world.shouldBeReplacedBy(PLANET);
    }

    /** 1.14.1's default planet (world.jsonl kind planet). */
    private static World defaultPlanet() {
        JsonNode line = Vectors.read("world.jsonl").stream()
                .filter(l -> l.path("kind").asText().equals("planet"))
                .findFirst().orElseThrow();
        return mustDecode("planet", () -> World.decode(new ByteReader(Vectors.hex(line, "serialized"), "planet")));
    }
}
