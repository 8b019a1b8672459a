package dev.zerokube.overlay.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.rules.RuleCompiler.Mode;
import dev.zerokube.overlay.wire.rules.RuleCodec;
import dev.zerokube.overlay.wire.rules.RuleEntry;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Goal: no source text makes the compiler fail other than with a {@link RuleSyntaxException},
 * loop, or run out of stack; strict mode never accepts what the 1.14.1 mode refuses, and what it
 * accepts it compiles identically; compiled tables survive the binary codec. Method: Jazzer
 * target over arbitrary text (bytes read as UTF-8). The seeds (test resources) are 40 programs of
 * rules.jsonl. In the default build this replays the seeds; long runs are by hand (JAZZER_FUZZ=1).
 */
class RuleCompilerFuzzTest {
    @FuzzTest(maxDuration = "${jazzer.max_duration:10s}")
    void compile(byte[] data) throws WireFormatException {
        String source = new String(data, StandardCharsets.UTF_8);
        CompiledRules asZeroTier = null;
        RuleSyntaxException zeroTierError = null;
        try {
            asZeroTier = RuleCompiler.compile(source, Mode.ZEROTIER_1_14_1);
        } catch (RuleSyntaxException e) {
            zeroTierError = e;
            assertTrue(e.line() >= 1 && e.column() >= 1 && e.zeroTierLine() >= 0 && e.zeroTierColumn() >= 0);
            assertFalse(e.refusedQuirk());
        }
        try {
            CompiledRules strict = RuleCompiler.compile(source);
            assertTrue(asZeroTier != null, "strict accepts what 1.14.1 refuses");
            assertEquals(asZeroTier.toJson(), strict.toJson());
        } catch (RuleSyntaxException e) {
            if (zeroTierError != null) {
                assertEquals(zeroTierError.getMessage(), e.getMessage());
            } else {
                assertTrue(e.refusedQuirk());
            }
        }
        if (asZeroTier != null) {
            roundTrip(asZeroTier.rules());
            for (CapabilityDefinition cap : asZeroTier.capabilities()) {
                roundTrip(cap.rules());
            }
        }
    }

    private static void roundTrip(List<RuleEntry> entries) throws WireFormatException {
        byte[] encoded = RuleCodec.encodeTable(entries);
        assertEquals(entries, RuleCodec.decodeTable(new ByteReader(encoded, "fuzz"), Integer.MAX_VALUE));
    }
}
