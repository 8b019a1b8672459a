package dev.zerokube.sidecar.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zerokube.overlay.testing.Vectors;
import dev.zerokube.sidecar.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: {@code zerokube inspect} prints the dissector's view of a capture as readable text and as
 * JSON lines equal to the capture's own annotations, and reports bad input without crashing.
 * Method: run it in-process ({@link Main#run}) over the 1.14.1 capture with the three homes; compare
 * golden text lines for a few datagrams of each kind, and parse every {@code -j} line back and
 * compare it field by field with the capture line (same annotation fields, same values); then
 * captures with broken lines, and bad homes.
 */
class InspectCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Set<String> ANNOTATIONS = Set.of("kind", "fragment", "packet_id", "header_src", "header_dst",
            "hops", "cipher", "verb", "in_re_verb", "error_code", "payload_len", "compressed",
            "uncompressed_payload_len", "auth_ok", "fragment_no", "fragments_total", "reassembled_len", "head_index");

    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(args, o, e);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static String home(String node) {
        return Vectors.dir().resolve("capture").resolve(node).toString();
    }

    static String capture() {
        return Vectors.file("capture/capture.jsonl").toString();
    }

    static Result inspectAll(String... extra) {
        List<String> args = new ArrayList<>(List.of("inspect"));
        args.addAll(List.of(extra));
        args.addAll(List.of("--home", home("node_a"), "--home", home("node_b"), "--home", home("node_c"), capture()));
        return run(args.toArray(String[]::new));
    }

    @Test
    void jsonLinesEqualTheCaptureAnnotations() throws IOException {
        Result r = inspectAll("-j");
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        List<JsonNode> capture = Vectors.read("capture/capture.jsonl");
        List<String> lines = r.lines();
        assertEquals(capture.size(), lines.size(), "one output line per datagram");
        int fields = 0;
        for (int i = 0; i < lines.size(); i++) {
            JsonNode got = JSON.readTree(lines.get(i));
            JsonNode want = capture.get(i);
            Set<String> gotAnnotations = new HashSet<>();
            got.fieldNames().forEachRemaining(f -> {
                if (ANNOTATIONS.contains(f)) {
                    gotAnnotations.add(f);
                }
            });
            Set<String> wantAnnotations = new HashSet<>();
            want.fieldNames().forEachRemaining(f -> {
                if (ANNOTATIONS.contains(f)) {
                    wantAnnotations.add(f);
                }
            });
            assertEquals(wantAnnotations, gotAnnotations, "line " + i + " annotation fields");
            for (String f : wantAnnotations) {
                assertEquals(want.get(f), got.get(f), "line " + i + " field " + f);
                fields++;
            }
            for (String f : List.of("src", "dst", "len")) {
                assertEquals(want.get(f), got.get(f), "line " + i + " field " + f);
            }
            assertEquals(want.get("t").doubleValue(), got.get("t").doubleValue(), "line " + i + " t");
            assertTrue(got.get("summary").isTextual() && !got.get("summary").asText().isBlank(), "line " + i);
        }
        // 294 lines × 11..16 annotation fields each, as present in capture.jsonl.
        assertEquals(3520, fields, "annotation fields compared");
    }

    @Test
    void textLinesForEachKindOfDatagram() {
        Result r = inspectAll();
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.lines();
        assertEquals(294, lines.size());
        for (int i = 0; i < GOLDEN_INDEXES.length; i++) {
            assertEquals(GOLDEN[i], lines.get(GOLDEN_INDEXES[i]), "line " + GOLDEN_INDEXES[i]);
        }
    }

    /**
     * One datagram of each kind (checked by hand against the capture's annotations and
     * README-capture-rules.md §2.3): HELLO, compressed request and reply, 1.14.1's OK(ECHO) config
     * acknowledgement, RENDEZVOUS, a relayed ARP in a MULTICAST_FRAME (hops 1), the 4-byte junk,
     * PUSH_DIRECT_PATHS, a fragmented FRAME's head and fragment, the revocation push, and the
     * ERROR after the deauthorization.
     */
    static final int[] GOLDEN_INDEXES = {0, 16, 21, 23, 79, 80, 83, 85, 133, 134, 242, 260};
    static final String[] GOLDEN = {
        "3.520945 198.18.0.1/9993 > 198.18.0.3/9993 packet a976707aa3 > c1a675eb9f id 410e3d5701dd75f6 hops 0 POLY1305_NONE HELLO len 109 auth ok: protocol 12, version 1.14.1, identity a976707aa3, sent to 198.18.0.3/9993, planet 0x7a6b636170 timestamp 1796051702000, 0 moon(s), clock 1796051703871",
        "18.521846 198.18.0.1/9993 > 198.18.0.3/9993 packet a976707aa3 > c1a675eb9f id d44e833decea0249 hops 0 AES_GMAC_SIV NETWORK_CONFIG_REQUEST len 128 lz4 289 auth ok: network c1a675eb9f955d1f, metadata 263 bytes, has revision 0 timestamp 0",
        "18.523436 198.18.0.3/9993 > 198.18.0.1/9993 packet c1a675eb9f > a976707aa3 id 957bb7cb44063a27 hops 0 AES_GMAC_SIV OK(NETWORK_CONFIG_REQUEST) len 1009 lz4 1646 auth ok: in re NETWORK_CONFIG_REQUEST d44e833decea0249: network c1a675eb9f955d1f config bytes 0..1511 of 1511, update a495182cacb13a68, signed",
        "18.527714 198.18.0.1/9993 > 198.18.0.3/9993 packet a976707aa3 > c1a675eb9f id 225622dd3571ca5c hops 0 AES_GMAC_SIV OK(ECHO) len 25 auth ok: in re ECHO a4ac59b5a30c1c1a: 16 bytes echoed (as 1.14.1 acknowledges a config: network c1a675eb9f955d1f update 59da01f3cceeee04)",
        "29.163152 198.18.0.3/9993 > 198.18.0.1/9993 packet c1a675eb9f > a976707aa3 id 143f3e228c622766 hops 0 AES_GMAC_SIV RENDEZVOUS len 13 auth ok: meet e09492355d at 198.18.0.2/9993",
        "29.163166 198.18.0.3/9993 > 198.18.0.2/9993 packet a976707aa3 > e09492355d id 765497f48b6ebb5f hops 1 POLY1305_SALSA2012 MULTICAST_FRAME len 53 auth ok: network c1a675eb9f955d1f group ff:ff:ff:ff:ff:ff/a93110c from 1e:f4:e3:ef:91:d6 gather limit 33 ethertype 0x0806 ARP who-has 10.147.17.12 tell 10.147.17.11, 28 bytes",
        "29.163372 198.18.0.1/9993 > 198.18.0.2/9993 short len 4: short datagram of 4 bytes: not a packet or fragment, ignored (e.g. NAT-opening junk after RENDEZVOUS)",
        "29.168747 198.18.0.2/9993 > 198.18.0.3/9993 packet e09492355d > a976707aa3 id 68a0a213a0a11578 hops 0 POLY1305_SALSA2012 PUSH_DIRECT_PATHS len 24 auth ok: paths 198.18.0.2/9993, 198.18.0.2/9993",
        "31.562295 198.18.0.1/9993 > 198.18.0.2/9993 packet 0/2 a976707aa3 > e09492355d id e7e3387a40955b07 hops 0 AES_GMAC_SIV FRAME len 2810 auth ok: network c1a675eb9f955d1f 1e:f4:e3:ef:91:d6 > 1e:bd:01:0d:de:28 ethertype 0x0800 IPv4 10.147.17.11 > 10.147.17.12 TCP 36828 > 5001, 2800 bytes",
        "31.562302 198.18.0.1/9993 > 198.18.0.2/9993 fragment 1/2 of #133 a976707aa3 > e09492355d id e7e3387a40955b07 hops 0 AES_GMAC_SIV FRAME len 1406 auth ok: fragment 1 of 2 of the packet at #133",
        "36.615623 198.18.0.3/9993 > 198.18.0.2/9993 packet c1a675eb9f > e09492355d id b7a8b4c699620a80 hops 0 AES_GMAC_SIV NETWORK_CREDENTIALS len 161 auth ok: 0 COM(s), 0 capability(ies), 0 tag(s), 1 revocation(s) [COM of e09492355d on c1a675eb9f955d1f up to 1796051736966], 0 COO(s)",
        "44.85937 198.18.0.1/9993 > 198.18.0.2/9993 packet a976707aa3 > e09492355d id b40d65b3b38231c1 hops 0 AES_GMAC_SIV ERROR(FRAME NEED_MEMBERSHIP_CERTIFICATE) len 18 auth ok: in re FRAME 229fdfe621adfce0: NEED_MEMBERSHIP_CERTIFICATE network c1a675eb9f955d1f",
    };

    @Test
    void badLinesAreReportedAndTheRestIsPrinted() throws IOException {
        List<String> capture = Files.readAllLines(Path.of(capture()));
        Path broken = tmp.resolve("broken.jsonl");
        List<String> lines = new ArrayList<>(capture.subList(0, 5));
        lines.add(1, "{not json");
        lines.add(3, "{\"t\": 1.0, \"src\": \"a\", \"dst\": \"b\", \"hex\": \"zz\"}");
        lines.add(4, "{\"t\": 1.0, \"src\": \"a\", \"hex\": \"00\"}");
        lines.add(5, "[1, 2]");
        Files.write(broken, lines);
        Result r = run("inspect", "--home", home("node_a"), "--home", home("node_c"), broken.toString());
        assertEquals(1, r.code());
        assertEquals(5, r.lines().size(), r.out());
        List<String> err = r.err().lines().toList();
        assertEquals(5, err.size(), r.err());
        assertTrue(err.get(0).startsWith(broken + ":2: not a JSON object"), err.get(0));
        assertTrue(err.get(1).startsWith(broken + ":4: field 'hex' is not hex"), err.get(1));
        assertEquals(broken + ":5: field 'dst' missing or not a string", err.get(2));
        assertEquals(broken + ":6: not a JSON object", err.get(3));
        assertEquals("zerokube inspect: 4 line(s) of " + broken + " could not be read", err.get(4));
        assertFalse(r.err().contains("Exception"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void unknownPeersArePrintedWithTheReason() throws IOException {
        // Node B's traffic with only node A's home: B-C packets cannot be read.
        Result r = run("inspect", "-j", "--home", home("node_a"), capture());
        assertEquals(0, r.code(), r.err());
        List<JsonNode> capture = Vectors.read("capture/capture.jsonl");
        int noKey = 0;
        for (int i = 0; i < capture.size(); i++) {
            JsonNode got = JSON.readTree(r.lines().get(i));
            if (got.get("summary").asText().startsWith("no key")) {
                noKey++;
                assertFalse(got.get("auth_ok").asBoolean());
                assertTrue(got.get("verb").isNull());
            }
        }
        assertTrue(noKey > 40, "B-C traffic has no key: " + noKey);
    }

    @Test
    void setupErrorsPrintOneLineAndExitOne() throws IOException {
        Result noHome = run("inspect", capture());
        assertEquals(1, noHome.code());
        assertTrue(noHome.err().startsWith("zerokube inspect: at least one --home DIR is needed"), noHome.err());

        Path missing = tmp.resolve("missing");
        Result missingHome = run("inspect", "--home", missing.toString(), capture());
        assertEquals(1, missingHome.code());
        assertEquals("zerokube inspect: home " + missing + " is not a directory" + System.lineSeparator(), missingHome.err());
        assertEquals("", missingHome.out());

        Path empty = Files.createDirectory(tmp.resolve("empty"));
        Result emptyHome = run("inspect", "--home", empty.toString(), capture());
        assertEquals(1, emptyHome.code());
        assertEquals("zerokube inspect: home " + empty + " has no identity.secret or identity.public"
                + System.lineSeparator(), emptyHome.err());

        Path bad = Files.createDirectory(tmp.resolve("bad"));
        Files.writeString(bad.resolve("identity.secret"), "not an identity");
        Result badHome = run("inspect", "--home", bad.toString(), capture());
        assertEquals(1, badHome.code());
        assertEquals("zerokube inspect: " + bad.resolve("identity.secret") + " does not hold a valid identity"
                + System.lineSeparator(), badHome.err());

        Result noCapture = run("inspect", "--home", home("node_a"));
        assertEquals(1, noCapture.code());
        assertTrue(noCapture.err().startsWith("zerokube inspect: no capture file given"), noCapture.err());

        Path missingCapture = tmp.resolve("missing.jsonl");
        Result unreadable = run("inspect", "--home", home("node_a"), missingCapture.toString());
        assertEquals(1, unreadable.code());
        assertTrue(unreadable.err().startsWith("zerokube inspect: cannot read " + missingCapture), unreadable.err());
        assertFalse(unreadable.err().contains("\tat "), unreadable.err());

        Result unknownOption = run("inspect", "-x", "--home", home("node_a"), capture());
        assertEquals(1, unknownOption.code());
        assertTrue(unknownOption.err().startsWith("zerokube inspect: unknown option -x"), unknownOption.err());
    }
}
