package dev.zerokube.overlay.fuzz;

import static dev.zerokube.overlay.fuzz.FuzzChecks.assertRoundTrip;
import static dev.zerokube.overlay.fuzz.FuzzChecks.mustDecode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.identity.InvalidIdentityException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

// Goal: Identity.parse (the text form, read from identity files and user input) is total.
// Method: any bytes, read as UTF-8, either parse or give InvalidIdentityException; a parsed
// identity's text form parses back to an equal identity with the same private key.
class IdentityTextFuzzTest {
    static Stream<Arguments> seeds() {
        return FuzzSeeds.builder()
                .text("identities.jsonl", "identity")
                .file("capture/node_a/identity.secret")
                .file("capture/node_b/identity.public")
                .build();
    }

    @MethodSource("seeds")
    @FuzzTest
    void identityText(byte[] input) {
        Identity id;
        try {
            id = Identity.parse(new String(input, StandardCharsets.UTF_8));
        } catch (InvalidIdentityException e) {
            return;
        }
        String text = id.toString(true);
        assertEquals(id.hasPrivate() ? 270 : 141, text.length(), "text form length");
        Identity again = mustDecode("identity text", () -> Identity.parse(text));
        assertRoundTrip(id, again, "identity text");
        assertEquals(id.hasPrivate(), again.hasPrivate(), "private part kept");
        if (id.hasPrivate()) {
            assertArrayEquals(id.privateKey(), again.privateKey(), "private key kept");
        }
    }
}
