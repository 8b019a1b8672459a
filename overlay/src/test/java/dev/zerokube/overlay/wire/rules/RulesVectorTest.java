package dev.zerokube.overlay.wire.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.testing.Vectors;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Goal: the binary rule codec and the controller JSON converter agree byte for byte and field for
 * field with what 1.14.1's compiler and controller produced for the 209 programs of
 * {@code rules.jsonl} (README-capture-rules.md §1).
 *
 * <p>Method, for every {@code rules} line and for the base table and each capability table:
 * decode {@code binary}, re-encode and compare bytes; render the decoded entries to controller
 * JSON and compare with {@code controller_rules} (type and every field); parse
 * {@code controller_rules} and also the raw compiler output {@code json.config} back to binary
 * and compare with {@code binary} (the controller made {@code binary} from that JSON).
 *
 * <p>{@code rules_error} lines record programs the rule-language compiler rejects. Compiling is
 * the job of the rule compiler (a later issue, package {@code dev.zerokube.overlay.rules}), so
 * here those lines are only checked to be well-formed error records (message, line, column, no
 * binary) and counted; the compiler's tests must assert that each of them fails to compile.
 */
class RulesVectorTest {
    private static final AtomicInteger ERROR_LINES_NOT_COMPILED = new AtomicInteger();

    @TestFactory
    Stream<DynamicTest> everyLine() {
        return Vectors.each("rules.jsonl", "kind", Vectors.table(
                Map.entry("rules", RulesVectorTest::checkCompiled),
                Map.entry("rules_error", RulesVectorTest::checkErrorRecordOnly)),
                Map.of("rules", 146, "rules_error", 63));
    }

    @AfterAll
    static void sayWhatWasNotChecked() {
        System.out.println("rules.jsonl: " + ERROR_LINES_NOT_COMPILED.get()
                + " rules_error lines checked for shape only here; RuleCompilerVectorsTest asserts each is refused at its line");
    }

    private static void checkCompiled(JsonNode line) throws Exception {
        checkTable("base", Vectors.hex(line, "binary"), line.get("controller_rules"), RuleCodec.BASE_TABLE_ENTRIES_MAX);
        JsonNode config = line.get("json").get("config");
        assertEquals(hexOf(line.get("binary")), Vectors.hex(RuleCodec.encodeTable(parse(config.get("rules")))),
                "compiler JSON parsed as the controller parses it");

        Map<Long, JsonNode> compilerCaps = new HashMap<>();
        for (JsonNode cap : config.get("capabilities")) {
            compilerCaps.put(cap.get("id").asLong(), cap.get("rules"));
        }
        long previousId = -1;
        JsonNode caps = line.get("binary_capabilities");
        assertEquals(compilerCaps.size(), caps.size(), "one binary table per compiled capability");
        for (JsonNode cap : caps) {
            long id = cap.get("id").asLong();
            assertTrue(id > previousId, "capabilities sorted by id");
            previousId = id;
            List<RuleEntry> entries = checkTable("capability " + id, Vectors.hex(cap, "binary"),
                    cap.get("controller_rules"), RuleCodec.CAPABILITY_ENTRIES_MAX);
            assertTrue(entries.size() <= RuleCodec.CAPABILITY_ENTRIES_MAX);
            assertEquals(hexOf(cap.get("binary")), Vectors.hex(RuleCodec.encodeTable(parse(compilerCaps.get(id)))),
                    "capability " + id + " compiler JSON parsed as the controller parses it");
        }
    }

    private static List<RuleEntry> checkTable(String what, byte[] binary, JsonNode controllerRules, int max)
            throws Exception {
        ByteReader r = new ByteReader(binary, "rules");
        List<RuleEntry> entries = RuleCodec.decodeTable(r, max);
        assertFalse(r.hasRemaining(), what + ": whole table decoded");
        assertEquals(Vectors.hex(binary), Vectors.hex(RuleCodec.encodeTable(entries)), what + ": re-encoded");

        assertEquals(controllerRules.size(), entries.size(), what + ": entry count");
        for (int k = 0; k < entries.size(); k++) {
            int i = k;
            RuleEntry e = entries.get(i);
            JsonNode expected = controllerRules.get(i);
            Map<String, Object> rendered = ControllerRuleJson.render(e)
                    .orElseThrow(() -> new AssertionError(what + " entry " + i + " has no JSON form: " + e));
            JsonNode actual = Vectors.json().valueToTree(rendered);
            if (!expected.equals(NUMBERS_BY_VALUE, actual)) {
                fail(what + " entry " + i + ": expected " + expected + " but rendered " + actual);
            }
            assertEquals(expected.get("type").asText(), e.type().jsonName(), what + " entry " + i + " type");
        }
        assertEquals(Vectors.hex(binary), Vectors.hex(RuleCodec.encodeTable(parse(controllerRules))),
                what + ": controller_rules parsed back to binary");
        return entries;
    }

    private static List<RuleEntry> parse(JsonNode rules) {
        List<?> list = Vectors.json().convertValue(rules, List.class);
        List<RuleEntry> out = ControllerRuleJson.parseAll(list);
        assertEquals(rules.size(), out.size(), "no rule of " + rules + " dropped");
        return new ArrayList<>(out);
    }

    private static void checkErrorRecordOnly(JsonNode line) {
        assertTrue(line.get("source").isTextual(), "source");
        assertFalse(line.get("error").asText().isBlank(), "error message");
        assertTrue(line.get("line").canConvertToInt() && line.get("line").asInt() >= 0, "line");
        assertTrue(line.get("column").canConvertToInt() && line.get("column").asInt() >= 0, "column");
        assertFalse(line.has("binary"), "an error line has no binary");
        ERROR_LINES_NOT_COMPILED.incrementAndGet();
    }

    private static String hexOf(JsonNode n) {
        return Vectors.hex(Vectors.hex(n));
    }

    /** JSON equality where 5 (int) equals 5L (long): Jackson keeps the Java type of a number. */
    private static final Comparator<JsonNode> NUMBERS_BY_VALUE = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return a.bigIntegerValue().compareTo(b.bigIntegerValue()) == 0 && a.isIntegralNumber() == b.isIntegralNumber()
                    ? 0 : 1;
        }
        return a.equals(b) ? 0 : 1;
    };
}
