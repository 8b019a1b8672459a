package dev.zerokube.overlay.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.rules.RuleCompiler.Mode;
import dev.zerokube.overlay.testing.Vectors;
import dev.zerokube.overlay.wire.rules.ControllerRuleJson;
import dev.zerokube.overlay.wire.rules.RuleCodec;
import dev.zerokube.overlay.wire.rules.RuleEntry;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Goal: the rule compiler is ZeroTier 1.14.1's, proven on the 209 programs of {@code rules.jsonl}
 * (README-capture-rules.md §1) that 1.14.1's compiler and controller processed.
 *
 * <p>Method, for each of the 146 {@code rules} lines: compile {@code source} in
 * {@link Mode#ZEROTIER_1_14_1} and compare the whole {@code cli.js} output with {@code json}
 * (structurally); encode the compiled base table and each capability's table with
 * {@link RuleCodec} and compare with {@code binary} and {@code binary_capabilities[].binary};
 * render them with {@link ControllerRuleJson} and compare with the {@code controller_rules} the
 * 1.14.1 controller stored; check the typed tags and capabilities against the JSON. Then compile
 * in {@link Mode#STRICT}: the output must be the same, except for the lines listed in
 * {@link #STRICT_REFUSALS}, which strict mode deliberately refuses (each with the reason).
 *
 * <p>For each of the 63 {@code rules_error} lines: both modes refuse the program, at the
 * recorded {@code line} and {@code column} (1.14.1's convention, {@link
 * RuleSyntaxException#zeroTierLine()}), with 1.14.1's message as the reason, except where
 * {@link #OWN_MESSAGE} says why ours differs.
 */
class RuleCompilerVectorsTest {
    /**
     * Programs 1.14.1 compiles that strict mode refuses on purpose, with why: in each, what 1.14.1
     * produces differs from what the text says. Every entry must be used and must be refused.
     */
    private static final Map<String, String> STRICT_REFUSALS = Map.ofEntries(
            Map.entry("zt106-11.1-accept-space-semicolon",
                    "'accept ;' never ends, so 1.14.1 silently drops the following 'drop ;'"),
            Map.entry("quirk-block-keyword-as-argument",
                    "'drop' as an argument opens a statement; 1.14.1 silently drops 'ethertype drop'"),
            Map.entry("quirk-trailing-not", "a 'not' followed by no match is silently ignored"),
            Map.entry("quirk-watch-length-garbage", "length 'x' silently becomes -1 (whole frame)"),
            Map.entry("match-not-not", "'not not' is a single 'not' in 1.14.1, not a double negation"),
            Map.entry("match-or-first", "'or' on the first match makes the rule match every frame"),
            Map.entry("match-chr-all-names",
                    "1.14.1 miscompiles bits 63..59 together into mask 0800000000000fff"),
            Map.entry("match-random-clamp-high", "probability 2 is silently clamped to 1"),
            Map.entry("match-random-garbage", "probability 'abc' silently becomes 0"),
            Map.entry("match-vlan-big", "vlan 0x12345 is truncated to 16 bits by the controller"),
            Map.entry("match-ipdest6-hostbits", "fe80::1/10 has host bits set: 1.14.1 nodes never match it"),
            Map.entry("match-ipsrc6-full", "2001:db8::ff00:42:8329/64 has host bits set: 1.14.1 nodes never match it"),
            Map.entry("ctrl-ipv4-bits-over-32", "/40 is clamped to /32 by the controller"),
            Map.entry("ctrl-ipv6-bits-over-128", "/200 is clamped to /128 by the controller"),
            Map.entry("ctrl-ipv4-bits-garbage", "/abc becomes /0 (every address) in the controller"),
            Map.entry("ctrl-vlanpcp-big", "vlanpcp 300 is truncated to 44 by the controller"),
            Map.entry("ctrl-vlandei-big", "vlandei 0x101 is truncated to 1 by the controller"),
            Map.entry("ctrl-ethertype-big", "ethertype 0x12345 is truncated to 0x2345 by the controller"),
            Map.entry("ctrl-ipprotocol-big", "ipprotocol 300 is truncated to 44 by the controller"),
            Map.entry("tag-default-negative", "default -5 silently becomes 5"),
            Map.entry("tag-default-garbage", "default 'xyz' silently becomes 0"));

    /** rules_error lines whose reason text is ours, not 1.14.1's, and why. */
    private static final Map<String, String> OWN_MESSAGE = Map.of(
            "err-tee-no-address", "1.14.1 fails with an internal TypeError (reported at 0/0, which we reproduce)");

    private static final Set<String> STRICT_REFUSALS_SEEN = ConcurrentHashMap.newKeySet();
    private static final Set<String> OWN_MESSAGES_SEEN = ConcurrentHashMap.newKeySet();

    @TestFactory
    Stream<DynamicTest> everyLine() {
        Stream<DynamicTest> lines = Vectors.each("rules.jsonl", "kind", Vectors.table(
                Map.entry("rules", RuleCompilerVectorsTest::checkCompiled),
                Map.entry("rules_error", RuleCompilerVectorsTest::checkRefused)),
                Map.of("rules", 146, "rules_error", 63));
        return Stream.concat(lines, Stream.of(DynamicTest.dynamicTest("every listed exception was used", () -> {
            assertEquals(new TreeSet<>(STRICT_REFUSALS.keySet()), new TreeSet<>(STRICT_REFUSALS_SEEN),
                    "STRICT_REFUSALS names that are not compiled lines of rules.jsonl");
            assertEquals(new TreeSet<>(OWN_MESSAGE.keySet()), new TreeSet<>(OWN_MESSAGES_SEEN),
                    "OWN_MESSAGE names that are not error lines of rules.jsonl");
        })));
    }

    private static void checkCompiled(JsonNode line) throws Exception {
        String name = line.get("name").asText();
        String source = line.get("source").asText();
        CompiledRules compiled = RuleCompiler.compile(source, Mode.ZEROTIER_1_14_1);

        assertJsonEquals(line.get("json"), Vectors.json().valueToTree(compiled.toJson()), "cli.js output");

        checkTable("base", compiled.rules(), line.get("binary"), line.get("controller_rules"));
        JsonNode binaryCaps = line.get("binary_capabilities");
        assertEquals(binaryCaps.size(), compiled.capabilities().size(), "capability count");
        List<CapabilityDefinition> byId = compiled.capabilities().stream()
                .sorted(Comparator.comparingLong(CapabilityDefinition::id)).toList();
        for (int i = 0; i < byId.size(); i++) {
            CapabilityDefinition cap = byId.get(i);
            JsonNode expected = binaryCaps.get(i);
            assertEquals(expected.get("id").asLong(), cap.id(), "capability id (sorted)");
            checkTable("capability " + cap.id(), cap.rules(), expected.get("binary"), expected.get("controller_rules"));
        }
        checkTypedDefinitions(compiled, line.get("json"));

        if (STRICT_REFUSALS.containsKey(name)) {
            STRICT_REFUSALS_SEEN.add(name);
            RuleSyntaxException e = assertThrows(RuleSyntaxException.class, () -> RuleCompiler.compile(source),
                    "strict mode must refuse " + name + ": " + STRICT_REFUSALS.get(name));
            assertTrue(e.refusedQuirk(), "refused as a quirk, not as a 1.14.1 error: " + e.getMessage());
            assertTrue(e.line() >= 1 && e.column() >= 1, "position " + e.line() + ":" + e.column());
        } else {
            CompiledRules strict = RuleCompiler.compile(source);
            assertEquals(compiled.toJson(), strict.toJson(), "strict mode gives the same output");
            assertEquals(compiled.rules(), strict.rules(), "strict mode gives the same rules");
        }
    }

    private static void checkTable(String what, List<RuleEntry> entries, JsonNode binary, JsonNode controllerRules) {
        assertEquals(binary.asText(), Vectors.hex(RuleCodec.encodeTable(entries)), what + ": binary");
        assertJsonEquals(controllerRules, Vectors.json().valueToTree(ControllerRuleJson.renderAll(entries)),
                what + ": controller_rules");
    }

    private static void checkTypedDefinitions(CompiledRules compiled, JsonNode json) {
        JsonNode tagsByName = json.get("tagsByName");
        assertEquals(tagsByName.size(), compiled.tags().size(), "tag count");
        for (TagDefinition tag : compiled.tags()) {
            JsonNode t = tagsByName.get(tag.name());
            assertEquals(t.get("id").asLong(), tag.id(), tag.name() + " id");
            JsonNode dfl = t.get("default");
            assertEquals(dfl.isNull(), tag.defaultValue().isEmpty(), tag.name() + " has a default");
            if (!dfl.isNull()) {
                assertEquals(dfl.asLong() & 0xffffffffL, tag.defaultValue().getAsLong(), tag.name() + " default");
            }
            assertEquals(t.get("enums").size(), tag.enums().size(), tag.name() + " enums");
            tag.enums().forEach((k, v) -> assertEquals(t.get("enums").get(k).asLong(), v, "enum " + k));
            assertEquals(t.get("flags").size(), tag.flags().size(), tag.name() + " flags");
            tag.flags().forEach((k, v) -> assertEquals(t.get("flags").get(k).asLong() & 0xffffffffL, v, "flag " + k));
            assertEquals(tag, compiled.tag(tag.name()).orElseThrow());
        }
        JsonNode capsByName = json.get("capabilitiesByName");
        assertEquals(capsByName.size(), compiled.capabilities().size(), "capabilities by name");
        for (CapabilityDefinition cap : compiled.capabilities()) {
            assertEquals(capsByName.get(cap.name()).asLong(), cap.id(), cap.name() + " id");
            assertEquals(cap, compiled.capability(cap.name()).orElseThrow());
        }
    }

    private static void checkRefused(JsonNode line) {
        String name = line.get("name").asText();
        String source = line.get("source").asText();
        RuleSyntaxException compat = assertThrows(RuleSyntaxException.class,
                () -> RuleCompiler.compile(source, Mode.ZEROTIER_1_14_1), "1.14.1 refuses " + name);
        assertFalse(compat.refusedQuirk(), "a 1.14.1 refusal is not a quirk refusal");
        assertEquals(line.get("line").asInt(), compat.zeroTierLine(), "line (1.14.1 convention): " + compat.getMessage());
        assertEquals(line.get("column").asInt(), compat.zeroTierColumn(),
                "column (1.14.1 convention): " + compat.getMessage());
        if (OWN_MESSAGE.containsKey(name)) {
            OWN_MESSAGES_SEEN.add(name);
            assertFalse(compat.reason().equals(line.get("error").asText()), "listed as our own message");
        } else {
            assertEquals(line.get("error").asText(), compat.reason(), "1.14.1's message");
        }
        assertTrue(compat.line() >= 1 && compat.column() >= 1, "our position is 1-based: " + compat.getMessage());

        RuleSyntaxException strict = assertThrows(RuleSyntaxException.class, () -> RuleCompiler.compile(source),
                "strict mode refuses " + name);
        assertEquals(compat.getMessage(), strict.getMessage(), "strict mode refuses it the same way");
        assertEquals(compat.zeroTierLine(), strict.zeroTierLine());
        assertEquals(compat.zeroTierColumn(), strict.zeroTierColumn());
    }

    /** Structural JSON equality where 5 (int) equals 5L (long); object key order does not matter. */
    private static void assertJsonEquals(JsonNode expected, JsonNode actual, String what) {
        if (!expected.equals(NUMBERS_BY_VALUE, actual)) {
            fail(what + ":\n expected " + expected + "\n but was  " + actual);
        }
    }

    private static final Comparator<JsonNode> NUMBERS_BY_VALUE = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return a.isIntegralNumber() && b.isIntegralNumber()
                    && a.bigIntegerValue().equals(b.bigIntegerValue()) ? 0 : 1;
        }
        return a.equals(b) ? 0 : 1;
    };
}
