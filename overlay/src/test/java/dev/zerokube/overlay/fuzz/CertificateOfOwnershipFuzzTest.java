package dev.zerokube.overlay.fuzz;

import static dev.zerokube.overlay.fuzz.FuzzChecks.binaryRoundTrip;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.zerokube.overlay.wire.credentials.CertificateOfOwnership;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

// Goal: the COO decoder (credentials arrive in NETWORK_CREDENTIALS from any peer and inside
// network configs) is total, and so is verifying what it decodes.
// Method: FuzzChecks.binaryRoundTrip on any bytes; every decoded COO is verified
// against the vectors' controller (KnownSigners), which must return a result, never throw.
class CertificateOfOwnershipFuzzTest {
    static Stream<Arguments> seeds() {
        return FuzzSeeds.builder()
                .hexOfKinds("credentials.jsonl", List.of("coo", "coo_tampered"), "serialized", "original")
                .hex("netconf.jsonl", "certificates_of_ownership")
                .build();
    }

    @MethodSource("seeds")
    @FuzzTest
    void certificateOfOwnership(byte[] input) {
        CertificateOfOwnership value = binaryRoundTrip(input, "COO", CertificateOfOwnership::decode, CertificateOfOwnership::encode, false);
        if (value != null) {
            value.verify(KnownSigners.LOOKUP);
        }
    }
}
