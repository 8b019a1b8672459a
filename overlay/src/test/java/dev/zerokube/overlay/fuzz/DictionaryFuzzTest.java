package dev.zerokube.overlay.fuzz;

import static dev.zerokube.overlay.fuzz.FuzzChecks.mustDecode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.Dictionary;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

// Goal: Dictionary decoding and every reader (network configs and config-request metadata come
// from the network) are total.
// Method: decode any bytes with both wire capacities (WireFormatException only when too long),
// run every reader on every key; the text re-encodes to the bytes before the first NUL; and
// rebuilding a dictionary from the first value of each distinct key gives the same values back.
class DictionaryFuzzTest {
    static Stream<Arguments> seeds() {
        return FuzzSeeds.builder()
                .hex("dictionary.jsonl", "encoded", "input")
                .hexOfKinds("netconf.jsonl", java.util.List.of("netconf", "netconf_decode", "controller_config"),
                        "dictionary", "request_metadata")
                .file("capture/node_a/networks.d/c1a675eb9f955d1f.conf")
                .build();
    }

    @MethodSource("seeds")
    @FuzzTest
    void dictionary(byte[] input) {
        check(input, Dictionary.CONFIG_REQUEST_METADATA_CAPACITY);
        check(input, Dictionary.NETWORK_CONFIG_CAPACITY);
    }

    private static void check(byte[] input, int capacity) {
        Dictionary d;
        try {
            d = Dictionary.decode(input, capacity);
        } catch (WireFormatException e) {
            assertTrue(input.length >= capacity, "refused although it fits: " + e.what());
            return;
        }
        int textLength = 0;
        while (textLength < input.length && input[textLength] != 0) {
            textLength++;
        }
        assertArrayEquals(java.util.Arrays.copyOf(input, textLength), d.encode(), "encode(decode(b))");

        Set<String> keys = new LinkedHashSet<>(d.keys());
        Dictionary.Builder rebuilt = Dictionary.builder(capacity);
        Set<String> added = new LinkedHashSet<>();
        for (String key : keys) {
            Optional<byte[]> value = d.get(key);
            assertTrue(value.isPresent() || !isPlainKey(key), "listed key not found: " + key);
            d.get(key, 1 + (key.length() & 0x3f));
            d.getText(key, 128);
            d.getUnsigned(key, 7);
            d.getSigned(key, -7);
            d.getBoolean(key, true);
            d.contains(key);
            if (value.isPresent() && isPlainKey(key) && rebuilt.add(key, value.get())) {
                added.add(key);
            }
        }
        Dictionary again = mustDecode("dictionary", () -> Dictionary.decode(rebuilt.build().encode(), capacity));
        for (String key : added) {
            assertArrayEquals(d.get(key).orElseThrow(), again.get(key).orElseThrow(), "value of " + key + " after rebuild");
        }
        assertEquals(added.size(), again.keys().size(), "keys after rebuild");
    }

    // Keys are written raw, so only those a writer can express survive a rebuild: printable ASCII
    // without '=' (the text form of a key read back from the bytes is then the same bytes).
    private static boolean isPlainKey(String key) {
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x21 || c > 0x7e || c == '=') {
                return false;
            }
        }
        return true;
    }
}
