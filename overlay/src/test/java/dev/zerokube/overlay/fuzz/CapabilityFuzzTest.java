package dev.zerokube.overlay.fuzz;

import static dev.zerokube.overlay.fuzz.FuzzChecks.binaryRoundTrip;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.zerokube.overlay.wire.credentials.Capability;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

// Goal: the Capability decoder (credentials arrive in NETWORK_CREDENTIALS from any peer and inside
// network configs) is total, and so is verifying what it decodes.
// Method: FuzzChecks.binaryRoundTrip on any bytes; every decoded Capability is verified
// against the vectors' controller (KnownSigners), which must return a result, never throw.
class CapabilityFuzzTest {
    static Stream<Arguments> seeds() {
        return FuzzSeeds.builder()
                .hexOfKinds("credentials.jsonl", List.of("capability", "capability_tampered"), "serialized", "original")
                .hex("netconf.jsonl", "capabilities")
                .build();
    }

    @MethodSource("seeds")
    @FuzzTest
    void capability(byte[] input) {
        Capability value = binaryRoundTrip(input, "Capability", Capability::decode, Capability::encode, false);
        if (value != null) {
            value.verify(KnownSigners.LOOKUP);
        }
    }
}
