package dev.zerokube.overlay.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.credentials.Capability;
import dev.zerokube.overlay.wire.credentials.CertificateOfMembership;
import dev.zerokube.overlay.wire.credentials.CertificateOfOwnership;
import dev.zerokube.overlay.wire.credentials.Revocation;
import dev.zerokube.overlay.wire.credentials.Tag;
import dev.zerokube.overlay.wire.rules.ControllerRuleJson;
import dev.zerokube.overlay.wire.rules.RuleCodec;
import dev.zerokube.overlay.wire.rules.RuleEntry;
import java.util.List;
import java.util.function.Function;

/**
 * Goal: the decoders of rules, credentials and worlds are total on arbitrary bytes, and whatever
 * they accept re-encodes to a canonical form that decodes to the same value. Method: Jazzer fuzz
 * targets (a short run in CI, longer by hand with {@code JAZZER_FUZZ=1}); the first input byte
 * picks the decoder. Any crash found becomes a regression input next to this class.
 */
class CredentialsWorldRulesFuzzTest {
    @FuzzTest(maxDuration = "${jazzer.max_duration:10s}")
    void decodersAreTotal(byte[] data) {
        if (data.length == 0) {
            return;
        }
        byte[] body = java.util.Arrays.copyOfRange(data, 1, data.length);
        try {
            switch (Math.floorMod(data[0], 7)) {
                case 0 -> check(body, CertificateOfMembership::decode, CertificateOfMembership::toBytes);
                case 1 -> check(body, Capability::decode, Capability::toBytes);
                case 2 -> check(body, Tag::decode, Tag::toBytes);
                case 3 -> check(body, CertificateOfOwnership::decode, CertificateOfOwnership::toBytes);
                case 4 -> check(body, Revocation::decode, Revocation::toBytes);
                case 5 -> check(body, World::decode, World::toBytes);
                default -> {
                    List<RuleEntry> rules = RuleCodec.decodeTable(new ByteReader(body, "fuzz"), RuleCodec.BASE_TABLE_ENTRIES_MAX);
                    byte[] canonical = RuleCodec.encodeTable(rules);
                    assertEquals(rules, RuleCodec.decodeTable(new ByteReader(canonical, "fuzz"), RuleCodec.BASE_TABLE_ENTRIES_MAX));
                    ControllerRuleJson.renderAll(rules);
                }
            }
        } catch (WireFormatException expected) {
            // bad bytes are reported as such
        }
    }

    private static <T> void check(byte[] body, Decoder<T> decoder, Function<T, byte[]> encoder) throws WireFormatException {
        T value = decoder.decode(new ByteReader(body, "fuzz"));
        byte[] canonical = encoder.apply(value);
        ByteReader again = new ByteReader(canonical, "fuzz");
        assertEquals(value, decoder.decode(again));
        assertEquals(0, again.remaining());
        assertArrayEquals(canonical, encoder.apply(decoder.decode(new ByteReader(canonical, "fuzz"))));
    }

    @FunctionalInterface
    interface Decoder<T> {
        T decode(ByteReader r) throws WireFormatException;
    }
}
