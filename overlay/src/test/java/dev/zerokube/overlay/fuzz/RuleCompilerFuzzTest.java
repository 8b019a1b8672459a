package dev.zerokube.overlay.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.rules.CapabilityDefinition;
import dev.zerokube.overlay.rules.CompiledRules;
import dev.zerokube.overlay.rules.RuleCompiler;
import dev.zerokube.overlay.rules.RuleCompiler.Mode;
import dev.zerokube.overlay.rules.RuleSyntaxException;
import dev.zerokube.overlay.wire.rules.RuleCodec;
import dev.zerokube.overlay.wire.rules.RuleEntry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

// Goal: the rule language compiler (user input from CRDs) is total: any text compiles or gives a
// RuleSyntaxException, never another exception, a stack overflow or a hang.
// Method: compile any bytes (read as UTF-8) in both modes; strict mode never accepts what the
// 1.14.1 mode refuses and compiles what it accepts identically, 1.14.1 refusals are the same in
// both modes; positions are 1-based; every compiled table round-trips through the binary codec.
class RuleCompilerFuzzTest {
    static Stream<Arguments> seeds() {
        return FuzzSeeds.builder().text("rules.jsonl", "source").build();
    }

    @MethodSource("seeds")
    @FuzzTest
    void compile(byte[] input) {
        String source = new String(input, StandardCharsets.UTF_8);
        CompiledRules asZeroTier = null;
        RuleSyntaxException zeroTierError = null;
        try {
            asZeroTier = RuleCompiler.compile(source, Mode.ZEROTIER_1_14_1);
        } catch (RuleSyntaxException e) {
            zeroTierError = e;
            assertTrue(e.line() >= 1 && e.column() >= 1 && e.zeroTierLine() >= 0 && e.zeroTierColumn() >= 0,
                    e.getMessage());
            assertFalse(e.refusedQuirk(), e.getMessage());
        }
        try {
            CompiledRules strict = RuleCompiler.compile(source);
            assertTrue(asZeroTier != null, "strict accepts what 1.14.1 refuses");
            assertEquals(asZeroTier.toJson(), strict.toJson());
        } catch (RuleSyntaxException e) {
            if (zeroTierError != null) {
                assertEquals(zeroTierError.getMessage(), e.getMessage());
            } else {
                assertTrue(e.refusedQuirk(), e.getMessage());
            }
        }
        if (asZeroTier != null) {
            roundTrip(asZeroTier.rules());
            for (CapabilityDefinition cap : asZeroTier.capabilities()) {
                roundTrip(cap.rules());
            }
        }
    }

    private static void roundTrip(List<RuleEntry> entries) {
        byte[] encoded = RuleCodec.encodeTable(entries);
        List<RuleEntry> again = FuzzChecks.mustDecode("compiled rules",
                () -> RuleCodec.decodeTable(new ByteReader(encoded, "rules"), Integer.MAX_VALUE));
        FuzzChecks.assertRoundTrip(entries, again, "compiled rule table");
    }
}
