package dev.zerokube.overlay.fuzz;

import static dev.zerokube.overlay.fuzz.FuzzChecks.binaryRoundTrip;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.zerokube.overlay.wire.credentials.Revocation;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

// Goal: the Revocation decoder (credentials arrive in NETWORK_CREDENTIALS from any peer and inside
// network configs) is total, and so is verifying what it decodes.
// Method: FuzzChecks.binaryRoundTrip on any bytes; every decoded Revocation is verified
// against the vectors' controller (KnownSigners), which must return a result, never throw.
class RevocationFuzzTest {
    static Stream<Arguments> seeds() {
        return FuzzSeeds.builder()
                .hexOfKinds("credentials.jsonl", List.of("revocation", "revocation_tampered"), "serialized", "original")
                .build();
    }

    @MethodSource("seeds")
    @FuzzTest
    void revocation(byte[] input) {
        Revocation value = binaryRoundTrip(input, "Revocation", Revocation::decode, Revocation::encode, false);
        if (value != null) {
            value.verify(KnownSigners.LOOKUP);
        }
    }
}
