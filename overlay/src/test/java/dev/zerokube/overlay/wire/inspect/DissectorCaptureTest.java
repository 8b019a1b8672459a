package dev.zerokube.overlay.wire.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.testing.Vectors;
import java.io.IOException;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Goal: the dissector computes every annotation of the 1.14.1 capture (README-capture-rules.md
 * §2.4) from the datagrams and the three nodes' identity.secret files alone. Method: feed all 294
 * lines (only t, src, dst, hex), collect the records, and compare each of the 18 annotation fields of
 * every line with the record's value (absent in the line = null in the record); count lines so that
 * none can be skipped. Then the same capture with only node A's secret: keys are learned from HELLO
 * and OK(WHOIS) exactly where a node would learn them.
 */
class DissectorCaptureTest {
    static final List<String> ANNOTATIONS = List.of("kind", "fragment", "packet_id", "header_src", "header_dst",
            "hops", "cipher", "verb", "in_re_verb", "error_code", "payload_len", "compressed",
            "uncompressed_payload_len", "auth_ok", "fragment_no", "fragments_total", "reassembled_len", "head_index");

    static Identity identity(String node, String file) {
        try {
            String text = Files.readString(Vectors.file("capture/" + node + "/" + file), StandardCharsets.ISO_8859_1);
            return Identity.parse(text);
        } catch (IOException | dev.zerokube.overlay.identity.InvalidIdentityException e) {
            throw new AssertionError("capture/" + node + "/" + file, e);
        }
    }

    static long timeUs(JsonNode line) {
        return line.get("t").decimalValue().movePointRight(6).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
    }

    /** Runs the whole capture; returns the records by line index, checking one record per line. */
    static List<DatagramRecord> dissect(Dissector dissector, List<JsonNode> lines) {
        List<DatagramRecord> records = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            JsonNode line = lines.get(i);
            records.addAll(dissector.onDatagram(i, timeUs(line), line.get("src").asText(), line.get("dst").asText(),
                    Vectors.hex(line, "hex")));
        }
        records.addAll(dissector.finish());
        assertEquals(lines.size(), records.size(), "one record per datagram");
        for (int i = 0; i < records.size(); i++) {
            assertEquals(i, records.get(i).index(), "records come out in input order");
        }
        return records;
    }

    /** The record's annotations as the capture writes them (null for absent). */
    static Map<String, Object> annotations(DatagramRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", r.kind().name().toLowerCase(java.util.Locale.ROOT));
        m.put("fragment", r.fragment());
        m.put("packet_id", r.packetId() == null ? null : String.format("%016x", r.packetId()));
        m.put("header_src", r.headerSrc() == null ? null : String.format("%010x", r.headerSrc()));
        m.put("header_dst", r.headerDst() == null ? null : String.format("%010x", r.headerDst()));
        m.put("hops", r.hops());
        m.put("cipher", r.cipher() == null ? null : DatagramRecord.cipherName(r.cipher()));
        m.put("verb", r.verb() == null ? null : DatagramRecord.verbName(r.verb()));
        m.put("in_re_verb", r.inReVerb() == null ? null : DatagramRecord.verbName(r.inReVerb()));
        m.put("error_code", r.errorCode());
        m.put("payload_len", r.payloadLength());
        m.put("compressed", r.compressed());
        m.put("uncompressed_payload_len", r.uncompressedPayloadLength());
        m.put("auth_ok", r.authOk());
        m.put("fragment_no", r.fragmentNo());
        m.put("fragments_total", r.fragmentsTotal());
        m.put("reassembled_len", r.reassembledLength());
        m.put("head_index", r.headIndex());
        return m;
    }

    static Object value(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isIntegralNumber()) {
            return n.longValue();
        }
        return n.asText();
    }

    static Object normalized(Object o) {
        return o instanceof Integer i ? Long.valueOf(i) : o;
    }

    @Test
    void everyAnnotationOfEveryDatagramMatches() {
        List<JsonNode> lines = Vectors.read("capture/capture.jsonl");
        assertEquals(294, lines.size(), "capture.jsonl lines (README-capture-rules.md §2.5)");
        Dissector dissector = new Dissector();
        for (String node : new String[] {"node_a", "node_b", "node_c"}) {
            dissector.addIdentity(identity(node, "identity.secret"));
        }
        List<DatagramRecord> records = dissect(dissector, lines);
        int compared = 0;
        Map<String, Integer> byKind = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            JsonNode line = lines.get(i);
            DatagramRecord r = records.get(i);
            Map<String, Object> got = annotations(r);
            assertEquals(ANNOTATIONS, List.copyOf(got.keySet()));
            for (String field : ANNOTATIONS) {
                assertEquals(value(line.get(field)), normalized(got.get(field)),
                        "line " + i + " field " + field + " (" + r.summary() + ")");
                compared++;
            }
            assertEquals(line.get("len").asInt(), r.length(), "line " + i + " len");
            assertNotNull(r.summary());
            assertFalse(r.summary().isBlank(), "line " + i + " summary");
            byKind.merge(line.get("kind").asText(), 1, Integer::sum);
        }
        assertEquals(294 * ANNOTATIONS.size(), compared);
        assertEquals(Map.of("packet", 255, "fragment", 38, "short", 1), byKind);
    }

    @Test
    void withOneSecretKeysAreLearnedFromHelloAndWhois() {
        List<JsonNode> lines = Vectors.read("capture/capture.jsonl");
        Dissector dissector = new Dissector();
        dissector.addIdentity(identity("node_a", "identity.secret"));
        List<DatagramRecord> records = dissect(dissector, lines);
        String a = "a976707aa3";
        Map<String, Boolean> pairAuthenticated = new HashMap<>();
        int authenticated = 0;
        for (int i = 0; i < lines.size(); i++) {
            JsonNode line = lines.get(i);
            DatagramRecord r = records.get(i);
            if (!line.get("auth_ok").asBoolean()) {
                assertFalse(r.authOk());
                continue;
            }
            String src = line.get("header_src").asText();
            String dst = line.get("header_dst").asText();
            if (!src.equals(a) && !dst.equals(a)) {
                assertFalse(r.authOk(), "line " + i + ": B-C traffic cannot be read with A's secret");
                assertTrue(r.summary().startsWith("no key"), r.summary());
                continue;
            }
            String other = src.equals(a) ? dst : src;
            if (pairAuthenticated.containsKey(other)) {
                assertTrue(r.authOk(), "line " + i + ": once A-" + other + " was read, later packets are too: " + r.summary());
            }
            if (r.authOk()) {
                pairAuthenticated.put(other, true);
                authenticated++;
                assertEquals(line.get("verb").asText(), DatagramRecord.verbName(r.verb()), "line " + i);
            } else {
                assertTrue(r.summary().startsWith("no key"), "line " + i + ": " + r.summary());
            }
        }
        assertEquals(Map.of("c1a675eb9f", true, "e09492355d", true), pairAuthenticated);
        // The very first datagram is A's HELLO to C, whose identity A has not seen yet.
        assertFalse(records.getFirst().authOk());
        assertTrue(authenticated > 200, "authenticated " + authenticated);
    }

    @Test
    void publicIdentitiesAloneGiveNoKeys() {
        List<JsonNode> lines = Vectors.read("capture/capture.jsonl");
        Dissector dissector = new Dissector();
        for (String node : new String[] {"node_a", "node_b", "node_c"}) {
            dissector.addIdentity(identity(node, "identity.public"));
        }
        for (DatagramRecord r : dissect(dissector, lines)) {
            assertFalse(r.authOk(), r.summary());
            assertNull(r.verb());
            if (r.kind() == DatagramRecord.Kind.PACKET) {
                assertTrue(r.summary().startsWith("no key for ") && r.summary().endsWith("no secret identity for either"),
                        r.summary());
            }
        }
    }
}
