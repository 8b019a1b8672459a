package dev.zerokube.overlay.fuzz;

import static dev.zerokube.overlay.fuzz.FuzzChecks.binaryRoundTrip;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.zerokube.overlay.wire.credentials.CertificateOfMembership;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

// Goal: the COM decoder (credentials arrive in NETWORK_CREDENTIALS from any peer and inside
// network configs) is total, and so is verifying what it decodes.
// Method: FuzzChecks.binaryRoundTrip on any bytes (the format is canonical: encode(decode(b)) == b); every decoded COM is verified
// against the vectors' controller (KnownSigners), which must return a result, never throw.
class CertificateOfMembershipFuzzTest {
    static Stream<Arguments> seeds() {
        return FuzzSeeds.builder()
                .hexOfKinds("credentials.jsonl", List.of("com", "com_tampered"), "serialized", "original")
                .hexOfKinds("credentials.jsonl", List.of("com_agree"), "this_com", "other_com")
                .hex("netconf.jsonl", "com")
                .build();
    }

    @MethodSource("seeds")
    @FuzzTest
    void certificateOfMembership(byte[] input) {
        CertificateOfMembership value = binaryRoundTrip(input, "COM", CertificateOfMembership::decode, CertificateOfMembership::encode, true);
        if (value != null) {
            value.verify(KnownSigners.LOOKUP);
        }
    }
}
