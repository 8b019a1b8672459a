package dev.zerokube.overlay.fuzz;

import static dev.zerokube.overlay.fuzz.FuzzChecks.assertRoundTrip;
import static dev.zerokube.overlay.fuzz.FuzzChecks.mustDecode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.rules.ControllerRuleJson;
import dev.zerokube.overlay.wire.rules.RuleCodec;
import dev.zerokube.overlay.wire.rules.RuleEntry;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

// Goal: the binary rule table decoder (key R of a network config, capability rules) is total.
// Method: decode any bytes as a base table and as a counted capability list (count from the
// first byte); decoded entries re-encode to a table that decodes to equal entries and whose
// encoding is stable, and render as controller JSON.
class RulesFuzzTest {
    static Stream<Arguments> seeds() {
        return FuzzSeeds.builder()
                .hex("rules.jsonl", "binary")
                .hex("credentials.jsonl", "rules_serialized")
                .hex("netconf.jsonl", "rules_serialized")
                .build();
    }

    @MethodSource("seeds")
    @FuzzTest
    void rules(byte[] input) {
        try {
            check(RuleCodec.decodeTable(new ByteReader(input, "rules"), RuleCodec.BASE_TABLE_ENTRIES_MAX));
        } catch (WireFormatException e) {
            // refused: fine
        }
        if (input.length > 0) {
            try {
                check(RuleCodec.decodeCounted(new ByteReader(input, 1, input.length - 1, "capability rules"),
                        input[0] & 0xff));
            } catch (WireFormatException e) {
                // refused: fine
            }
        }
    }

    private static void check(List<RuleEntry> entries) {
        byte[] encoded = RuleCodec.encodeTable(entries);
        List<RuleEntry> again = mustDecode("rules", () -> RuleCodec.decodeTable(new ByteReader(encoded, "again"),
                Integer.MAX_VALUE));
        assertRoundTrip(entries, again, "rule table");
        assertArrayEquals(encoded, RuleCodec.encodeTable(again), "encoding of decoded entries is stable");
        ControllerRuleJson.renderAll(entries); // the controller shows received rules as JSON
    }
}
