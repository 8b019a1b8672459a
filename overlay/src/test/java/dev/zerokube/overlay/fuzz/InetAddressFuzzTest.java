package dev.zerokube.overlay.fuzz;

import static dev.zerokube.overlay.fuzz.FuzzChecks.assertRoundTrip;
import static dev.zerokube.overlay.fuzz.FuzzChecks.mustDecode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.InetEndpoint;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

// Goal: ZeroTier InetAddress decoding (HELLO, OK(HELLO), PUSH_DIRECT_PATHS, RENDEZVOUS, worlds,
// network configs) is total.
// Method: read endpoints back to back until the input ends or one is refused (only
// WireFormatException); each decoded endpoint re-encodes to the bytes it came from unless it was
// a reserved type read as nil, decodes back equal, and its text form parses back equal.
class InetAddressFuzzTest {
    static Stream<Arguments> seeds() {
        return FuzzSeeds.builder()
                .hexOfKinds("wire-misc.jsonl", java.util.List.of("inetaddress"), "serialized")
                .hexOfKinds("wire-misc.jsonl", java.util.List.of("inetaddress_decode"), "bytes")
                .hex("packets.jsonl", "physical_destination_bytes", "physical_address_bytes")
                .build();
    }

    @MethodSource("seeds")
    @FuzzTest
    void inetAddress(byte[] input) {
        ByteReader r = new ByteReader(input, "InetAddress");
        while (r.hasRemaining()) {
            int start = r.position();
            int type = input[start] & 0xff;
            InetEndpoint e;
            try {
                e = InetEndpoint.decode(r, "endpoint");
            } catch (WireFormatException ex) {
                return;
            }
            byte[] encoded = e.toBytes();
            if (type == InetEndpoint.TYPE_NIL || type == InetEndpoint.TYPE_IPV4 || type == InetEndpoint.TYPE_IPV6) {
                assertArrayEquals(Arrays.copyOfRange(input, start, r.position()), encoded, "encode(decode(b)) == b");
            } else {
                assertEquals(InetEndpoint.NIL, e, "reserved type " + type + " reads as nil");
            }
            InetEndpoint again = mustDecode("InetAddress", () -> InetEndpoint.decode(new ByteReader(encoded, "again"), "e"));
            assertRoundTrip(e, again, "InetAddress binary");
            assertRoundTrip(e, InetEndpoint.parse(e.toString()), "InetAddress text");
        }
    }
}
