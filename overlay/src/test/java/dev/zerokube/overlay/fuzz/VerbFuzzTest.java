package dev.zerokube.overlay.fuzz;

import static dev.zerokube.overlay.fuzz.FuzzChecks.assertRoundTrip;
import static dev.zerokube.overlay.fuzz.FuzzChecks.mustDecode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.identity.InvalidIdentityException;
import dev.zerokube.overlay.testing.Vectors;
import dev.zerokube.overlay.wire.Armor;
import dev.zerokube.overlay.wire.Compression;
import dev.zerokube.overlay.wire.PacketHeader;
import dev.zerokube.overlay.wire.Verb;
import dev.zerokube.overlay.wire.verbs.VerbPayload;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

// Goal: every verb payload decoder (what a peer sends after dearmor and decompression), OK and
// ERROR replies with every in-re verb included, is total.
// Method: the first input byte is the verb byte (its low 5 bits pick the verb, so all 32 numbers
// are reachable, unassigned ones included), the rest is the payload; VerbPayload.decode gives a
// value or a WireFormatException; a decoded payload re-encodes to bytes that decode to an equal
// payload whose encoding is the same again. Seeds are the plaintext payloads of packets.jsonl and
// of every authenticated packet of the live capture (dearmored with the capture's identities).
class VerbFuzzTest {
    private static final int CAPTURE_SEEDS_PER_KIND = 4;

    static Stream<Arguments> seeds() {
        FuzzSeeds seeds = FuzzSeeds.builder()
                .hexMapped("packets.jsonl", VerbFuzzTest::verbAndPayload,
                        "dearmored_packet", "dearmored_uncompressed_packet", "dearmored_reply")
                .hexMapped("packets.jsonl", payload -> prepend(Verb.HELLO.code(), payload), "payload_after_unmasking_tail");
        addCapture(seeds);
        return seeds.build();
    }

    @MethodSource("seeds")
    @FuzzTest
    void verb(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int verbCode = input[0] & Verb.CODE_MASK;
        VerbPayload payload;
        try {
            payload = VerbPayload.decode(verbCode, input, 1, input.length - 1);
        } catch (WireFormatException e) {
            return;
        }
        assertEquals(verbCode, payload.verbCode(), "verb of the decoded payload");
        byte[] encoded = payload.toBytes();
        VerbPayload again = mustDecode("verb " + verbCode, () -> VerbPayload.decode(verbCode, encoded, 0, encoded.length));
        assertRoundTrip(payload, again, "verb " + verbCode);
        assertArrayEquals(encoded, again.toBytes(), "verb " + verbCode + ": encoding is stable");
    }

    /** Bytes 27.. of a dearmored packet: the verb byte (compression flag cleared) and the payload. */
    private static byte[] verbAndPayload(byte[] packet) {
        if (packet.length < PacketHeader.MIN_LENGTH) {
            return null;
        }
        byte[] out = Arrays.copyOfRange(packet, PacketHeader.IDX_VERB, packet.length);
        out[0] &= Verb.CODE_MASK;
        return out;
    }

    private static byte[] prepend(int verbCode, byte[] payload) {
        byte[] out = new byte[payload.length + 1];
        out[0] = (byte) verbCode;
        System.arraycopy(payload, 0, out, 1, payload.length);
        return out;
    }

    /**
     * The plaintext of the capture's unfragmented authenticated packets, a few per verb and in-re
     * verb: dearmored with the key of their two nodes and decompressed. HELLO tails stay masked
     * (as received), which exercises the moon-list decoding with noise.
     */
    private static void addCapture(FuzzSeeds seeds) {
        Map<String, Identity> nodes = new HashMap<>();
        for (String node : List.of("a", "b", "c")) {
            Identity id = readIdentity("capture/node_" + node + "/identity.secret");
            nodes.put(id.address().toString(), id);
        }
        Map<String, Armor> armors = new HashMap<>();
        Map<String, Integer> perKind = new HashMap<>();
        byte[] plain = new byte[PacketHeader.MAX_LENGTH];
        List<JsonNode> lines = Vectors.read("capture/capture.jsonl");
        for (int i = 0; i < lines.size(); i++) {
            JsonNode line = lines.get(i);
            if (!line.path("kind").asText().equals("packet") || line.path("fragment").asBoolean()
                    || !line.path("auth_ok").asBoolean()) {
                continue;
            }
            String kind = line.path("verb").asText() + "/" + line.path("in_re_verb").asText("");
            if (perKind.merge(kind, 1, Integer::sum) > CAPTURE_SEEDS_PER_KIND) {
                continue;
            }
            String src = line.get("header_src").asText();
            String dst = line.get("header_dst").asText();
            String pair = src.compareTo(dst) < 0 ? src + dst : dst + src;
            Armor armor = armors.computeIfAbsent(pair, p -> new Armor(nodes.get(src).agree(nodes.get(dst))));
            byte[] packet = Vectors.hex(line, "hex");
            if (armor.dearmor(packet, 0, packet.length) != Armor.Verdict.AUTHENTICATED) {
                throw new IllegalStateException("capture.jsonl:" + (i + 1) + " does not dearmor");
            }
            int n = Compression.uncompress(packet, 0, packet.length, plain, 0);
            seeds.add("capture.jsonl:" + (i + 1) + " " + kind, verbAndPayload(Arrays.copyOf(plain, n)));
        }
    }

    private static Identity readIdentity(String relative) {
        try {
            return Identity.parse(Files.readString(Vectors.file(relative), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InvalidIdentityException e) {
            throw new IllegalStateException(relative, e);
        }
    }
}
