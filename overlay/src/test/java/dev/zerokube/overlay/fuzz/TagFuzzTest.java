package dev.zerokube.overlay.fuzz;

import static dev.zerokube.overlay.fuzz.FuzzChecks.binaryRoundTrip;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.zerokube.overlay.wire.credentials.Tag;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

// Goal: the Tag decoder (credentials arrive in NETWORK_CREDENTIALS from any peer and inside
// network configs) is total, and so is verifying what it decodes.
// Method: FuzzChecks.binaryRoundTrip on any bytes; every decoded Tag is verified
// against the vectors' controller (KnownSigners), which must return a result, never throw.
class TagFuzzTest {
    static Stream<Arguments> seeds() {
        return FuzzSeeds.builder()
                .hexOfKinds("credentials.jsonl", List.of("tag", "tag_tampered"), "serialized", "original")
                .hex("netconf.jsonl", "tags")
                .build();
    }

    @MethodSource("seeds")
    @FuzzTest
    void tag(byte[] input) {
        Tag value = binaryRoundTrip(input, "Tag", Tag::decode, Tag::encode, false);
        if (value != null) {
            value.verify(KnownSigners.LOOKUP);
        }
    }
}
