package dev.zerokube.overlay.rules;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.rules.RuleCompiler.Mode;
import dev.zerokube.overlay.rules.RuleProgramGenerator.Program;
import dev.zerokube.overlay.wire.rules.ControllerRuleJson;
import dev.zerokube.overlay.wire.rules.RuleCodec;
import dev.zerokube.overlay.wire.rules.RuleEntry;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Goal: programs written from the grammar compile to what the language defines, and the result
 * survives the binary rule codec and the controller's JSON form unchanged.
 *
 * <p>Method: {@link RuleProgramGenerator} writes seeded random programs covering every keyword
 * and argument form, with the rule entries, capabilities and tags they must give (worked out by
 * the generator from the language's definition, not by the compiler). Each is compiled in strict
 * mode and compared with that expectation; compiling it as 1.14.1 gives the same; every table
 * encodes with {@link RuleCodec} to bytes that decode to the same entries (and the capability
 * form, with its count, too); each entry renders to controller JSON that the controller parses
 * back to the same entry. Token soup ({@link RuleProgramGenerator#noise}) is compiled in both
 * modes: only {@link RuleSyntaxException} may come out, strict refuses whatever 1.14.1 refuses,
 * and what strict accepts it compiles as 1.14.1 does.
 */
class RuleCompilerRandomTest {
    private static final int PROGRAMS_PER_SEED = 40;

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 25);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void generatedProgramsCompileToTheirDefinitionAndRoundTrip(long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < PROGRAMS_PER_SEED; i++) {
            Program p = RuleProgramGenerator.program(r);
            CompiledRules compiled;
            try {
                compiled = RuleCompiler.compile(p.source());
            } catch (RuleSyntaxException e) {
                throw new AssertionError("seed " + seed + " program " + i + " refused: " + e.getMessage() + "\n"
                        + p.source(), e);
            }
            String where = "seed " + seed + " program " + i + ":\n" + p.source();
            assertEquals(p.rules(), compiled.rules(), where);
            assertEquals(p.capabilities(), compiled.capabilities(), where);
            assertEquals(p.tags(), compiled.tags(), where);

            CompiledRules asZeroTier = RuleCompiler.compile(p.source(), Mode.ZEROTIER_1_14_1);
            assertEquals(compiled.toJson(), asZeroTier.toJson(), where);

            roundTrip(compiled.rules(), where);
            for (CapabilityDefinition cap : compiled.capabilities()) {
                roundTrip(cap.rules(), where);
                byte[] table = RuleCodec.encodeTable(cap.rules());
                ByteReader counted = new ByteReader(table, "capability rules");
                assertEquals(cap.rules(), RuleCodec.decodeCounted(counted, cap.rules().size()), where);
                assertFalse(counted.hasRemaining(), where);
            }
        }
    }

    private static void roundTrip(List<RuleEntry> entries, String where) throws WireFormatException {
        byte[] encoded = RuleCodec.encodeTable(entries);
        ByteReader reader = new ByteReader(encoded, "rules");
        List<RuleEntry> decoded = RuleCodec.decodeTable(reader, Integer.MAX_VALUE);
        assertFalse(reader.hasRemaining(), where);
        assertEquals(entries, decoded, where);
        assertArrayEquals(encoded, RuleCodec.encodeTable(decoded), where);
        for (RuleEntry e : entries) {
            Map<String, Object> json = ControllerRuleJson.render(e).orElseThrow();
            assertEquals(Optional.of(e), ControllerRuleJson.parse(json), where);
        }
    }

    @Test
    void tokenSoupIsRefusedOrCompiledTheSameInBothModes() {
        SplittableRandom r = new SplittableRandom(7919);
        int compiled = 0;
        for (int i = 0; i < 10_000; i++) {
            String source = RuleProgramGenerator.noise(r);
            CompiledRules asZeroTier = null;
            RuleSyntaxException zeroTierError = null;
            try {
                asZeroTier = RuleCompiler.compile(source, Mode.ZEROTIER_1_14_1);
                compiled++;
            } catch (RuleSyntaxException e) {
                zeroTierError = e;
            }
            try {
                CompiledRules strict = RuleCompiler.compile(source);
                if (asZeroTier == null) {
                    fail("strict accepts what 1.14.1 refuses (" + zeroTierError.getMessage() + "): " + source);
                }
                assertEquals(asZeroTier.toJson(), strict.toJson(), source);
            } catch (RuleSyntaxException e) {
                if (zeroTierError != null) {
                    assertEquals(zeroTierError.getMessage(), e.getMessage(), "same refusal in both modes: " + source);
                } else {
                    assertTrue(e.refusedQuirk(), "strict refuses a program 1.14.1 compiles only as a quirk: " + source);
                }
                assertTrue(e.line() >= 1 && e.column() >= 1, e.getMessage());
            }
        }
        // Both outcomes must occur, or the comparison above proves nothing.
        assertTrue(compiled > 50 && compiled < 9_950, "token soup compiled: " + compiled);
    }
}
