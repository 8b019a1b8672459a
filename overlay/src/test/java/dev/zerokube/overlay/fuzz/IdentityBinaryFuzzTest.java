package dev.zerokube.overlay.fuzz;

import static dev.zerokube.overlay.fuzz.FuzzChecks.binaryRoundTrip;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.zerokube.overlay.identity.Identity;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

// Goal: Identity.decode (the binary form inside HELLO, OK(WHOIS), worlds) is total.
// Method: FuzzChecks.binaryRoundTrip on any bytes, with the private part written back when
// present; the form is canonical, so a decoded identity re-encodes to exactly the bytes it was
// read from (the private key included, since equality of identities ignores it).
class IdentityBinaryFuzzTest {
    static Stream<Arguments> seeds() {
        return FuzzSeeds.builder()
                .hex("identities.jsonl", "serialized_public", "serialized_with_private")
                .hex("packets.jsonl", "identity_bytes")
                .build();
    }

    @MethodSource("seeds")
    @FuzzTest
    void identityBinary(byte[] input) {
        binaryRoundTrip(input, "identity", Identity::decode, (id, w) -> id.encode(w, true), true);
    }
}
