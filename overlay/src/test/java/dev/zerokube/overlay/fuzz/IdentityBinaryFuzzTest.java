package dev.zerokube.overlay.fuzz;

import static dev.zerokube.overlay.fuzz.FuzzChecks.assertRoundTrip;
import static dev.zerokube.overlay.fuzz.FuzzChecks.mustDecode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.identity.Identity;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

// Goal: Identity.decode (the binary form inside HELLO, OK(WHOIS), worlds) is total.
// Method: any bytes either decode or give WireFormatException; a decoded identity re-encodes to
// exactly the bytes it was read from (the binary form is canonical) and decodes back equal.
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
        ByteReader r = new ByteReader(input, "identity");
        Identity id;
        try {
            id = Identity.decode(r);
        } catch (WireFormatException e) {
            return;
        }
        int consumed = r.position();
        ByteWriter w = new ByteWriter();
        id.encode(w, true);
        byte[] encoded = w.toByteArray();
        assertArrayEquals(Arrays.copyOf(input, consumed), encoded, "encode(decode(b)) == b");
        Identity again = mustDecode("identity binary", () -> Identity.decode(new ByteReader(encoded, "identity")));
        assertRoundTrip(id, again, "identity binary");
        assertEquals(id.hasPrivate(), again.hasPrivate(), "private part kept");
    }
}
