package dev.zerokube.overlay.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.testing.Vectors;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/*
 * Goal: Dictionary reads and writes exactly as ZeroTier One 1.14.1 does, quirks included.
 * Method: every line of vectors/dictionary.jsonl (adds with their results and final bytes;
 * lookups with the raw, integer and boolean readers; the capacities), seeded random round trips
 * over keys and values that use every byte, a slow model of the 1.14.1 scan compared on random
 * texts with CR/LF/'='/backslash noise, and the capacity edge of received bytes.
 */
class DictionaryTest {

    @TestFactory
    Stream<DynamicTest> vectors() {
        return Vectors.each("dictionary.jsonl", "kind", Map.of(
                "encode", DictionaryTest::encodeLine,
                "decode", DictionaryTest::decodeLine,
                "capacities", line -> {
                    assertEquals(line.get("network_config_dict_capacity").asInt(), Dictionary.NETWORK_CONFIG_CAPACITY);
                    assertEquals(line.get("request_metadata_dict_capacity").asInt(),
                            Dictionary.CONFIG_REQUEST_METADATA_CAPACITY);
                }), Map.of("encode", 12, "decode", 10, "capacities", 1));
    }

    private static void encodeLine(JsonNode line) {
        Dictionary.Builder b = Dictionary.builder(line.get("capacity").asInt());
        JsonNode results = line.get("add_results");
        int i = 0;
        for (JsonNode e : line.get("entries")) {
            String key = e.get("key").asText();
            boolean added = switch (e.get("type").asText()) {
                case "bytes" -> b.add(key, Vectors.hex(e.get("value")));
                case "string" -> {
                    byte[] raw = Vectors.hex(e.get("value"));
                    String text = new String(raw, StandardCharsets.UTF_8);
                    assertArrayEquals(raw, text.getBytes(StandardCharsets.UTF_8), "vector string is UTF-8");
                    yield b.add(key, text);
                }
                case "uint64" -> {
                    long v = Long.parseUnsignedLong(e.get("value").asText(), 16);
                    assertEquals(e.get("value_decimal").bigIntegerValue().longValue(), v);
                    yield b.addUnsigned(key, v);
                }
                case "int64" -> b.addSigned(key, e.get("value").asLong());
                case "bool" -> b.add(key, e.get("value").asBoolean());
                case "address" -> b.addUnsigned(key, Long.parseLong(e.get("value").asText(), 16));
                default -> throw new AssertionError("unknown entry type " + e);
            };
            assertEquals(results.get(i).asBoolean(), added, "add result of entry " + i + " (" + key + ")");
            i++;
        }
        assertEquals(results.size(), i);
        Dictionary d = b.build();
        byte[] expected = Vectors.hex(line, "encoded");
        assertEquals(Vectors.hex(expected), Vectors.hex(d.encode()));
        assertEquals(line.get("encoded_text").asText(), new String(d.encode(), StandardCharsets.ISO_8859_1));
        assertEquals(line.get("size_bytes").asInt(), d.sizeBytes());
        assertEquals(d.sizeBytes(), b.sizeBytes());
    }

    private static void decodeLine(JsonNode line) throws WireFormatException {
        byte[] input = Vectors.hex(line, "input");
        assertEquals(line.get("input_text").asText(), new String(input, StandardCharsets.ISO_8859_1));
        Dictionary d = Dictionary.decode(input, Dictionary.NETWORK_CONFIG_CAPACITY);
        assertArrayEquals(input, d.encode());
        for (JsonNode l : line.get("lookups")) {
            String key = l.get("key").asText();
            String what = "lookup '" + key + "' into " + l.get("dest_capacity").asInt();
            Optional<byte[]> v = d.get(key, l.get("dest_capacity").asInt());
            int result = l.get("result").asInt();
            if (result < 0) {
                assertTrue(v.isEmpty(), what);
                assertTrue(l.get("value").isNull(), what);
            } else {
                assertEquals(result, v.orElseThrow().length, what);
                assertEquals(l.get("value").asText(), Vectors.hex(v.orElseThrow()), what);
            }
            assertEquals(l.get("contains").asBoolean(), d.contains(key), what);
            assertEquals(Vectors.hex64(l, "get_ui"), d.getUnsigned(key, 0), what + " getUI");
            assertEquals(l.get("get_i").asLong(), d.getSigned(key, 0), what + " getI");
            assertEquals(l.get("get_b_default_false").asBoolean(), d.getBoolean(key, false), what + " getB");
        }
    }

    // ------------------------------------------------------------------ round trips

    /** Keys are 1..8 bytes without NUL, CR, LF or '='; values any bytes incl. every escaped one. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0xdead, 0xbeef})
    void randomEntriesRoundTrip(long seed) throws WireFormatException {
        SplittableRandom random = new SplittableRandom(seed);
        for (int round = 0; round < 50; round++) {
            int count = random.nextInt(1, 12);
            List<String> keys = new ArrayList<>();
            List<byte[]> values = new ArrayList<>();
            Dictionary.Builder b = Dictionary.builder(Dictionary.NETWORK_CONFIG_CAPACITY);
            for (int i = 0; i < count; i++) {
                String key = randomKey(random, keys);
                byte[] value = randomValue(random);
                assertTrue(b.add(key, value));
                keys.add(key);
                values.add(value);
            }
            byte[] encoded = b.build().encode();
            for (byte x : encoded) {
                assertTrue(x != 0, "NUL in encoded text");
            }
            Dictionary d = Dictionary.decode(encoded, Dictionary.NETWORK_CONFIG_CAPACITY);
            assertArrayEquals(encoded, d.encode());
            assertEquals(keys, d.keys());
            for (int i = 0; i < count; i++) {
                assertArrayEquals(values.get(i), d.get(keys.get(i)).orElseThrow(), "value of " + keys.get(i));
                int cut = random.nextInt(1, values.get(i).length + 2);
                byte[] truncated = d.get(keys.get(i), cut).orElseThrow();
                assertArrayEquals(Arrays.copyOf(values.get(i), Math.min(cut - 1, values.get(i).length)), truncated);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13, 14, 15})
    void randomIntegersRoundTrip(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 500; i++) {
            long v = random.nextLong();
            Dictionary.Builder b = Dictionary.builder(4096);
            b.addUnsigned("u", v);
            b.addSigned("s", v);
            b.add("b", (v & 1) != 0);
            Dictionary d = b.build();
            assertEquals(v, d.getUnsigned("u", 7));
            // The sign is lost on writing: what reads back is the magnitude (as unsigned).
            long magnitude = v >= 0 ? v : -v;
            assertEquals(magnitude, d.getUnsigned("s", 7));
            assertEquals(String.format("%016x", magnitude), new String(d.get("s").orElseThrow(), StandardCharsets.US_ASCII));
            assertEquals((v & 1) != 0, d.getBoolean("b", (v & 1) == 0));
        }
    }

    private static String randomKey(SplittableRandom random, List<String> used) {
        while (true) {
            int n = random.nextInt(1, 9);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < n; i++) {
                sb.append((char) random.nextInt(0x21, 0x7f));
            }
            String k = sb.toString();
            if (k.indexOf('=') < 0 && !used.contains(k)) {
                return k;
            }
        }
    }

    private static byte[] randomValue(SplittableRandom random) {
        int n = random.nextInt(0, 300);
        byte[] v = new byte[n];
        byte[] special = {0, 0x0d, 0x0a, '\\', '='};
        for (int i = 0; i < n; i++) {
            v[i] = random.nextInt(3) == 0 ? special[random.nextInt(special.length)] : (byte) random.nextInt(256);
        }
        return v;
    }

    @Test
    void everyByteValueSurvives() {
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        Dictionary.Builder b = Dictionary.builder(1024);
        assertTrue(b.add("all", all));
        assertArrayEquals(all, b.build().get("all").orElseThrow());
        // 251 raw bytes and five escapes of two bytes, plus "all=".
        assertEquals(4 + 256 + 5, b.sizeBytes());
    }

    // ------------------------------------------------------------------ model comparison

    /** The lookup agrees with a direct transcription of 1.14.1's pointer scan on noisy texts. */
    @ParameterizedTest
    @ValueSource(longs = {21, 22, 23, 24})
    void lookupMatchesModelOnNoisyText(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] alphabet = {'a', 'b', '=', '\\', 0x0d, 0x0a, '0', 'e', 'n', 'x'};
        String[] keys = {"", "a", "b", "ab", "ba", "a=", "aa", "abx"};
        for (int round = 0; round < 3000; round++) {
            byte[] text = new byte[random.nextInt(0, 24)];
            for (int i = 0; i < text.length; i++) {
                text[i] = alphabet[random.nextInt(alphabet.length)];
            }
            Dictionary d = Dictionary.of(text, 64);
            for (String key : keys) {
                int dest = random.nextInt(1, 8);
                byte[] expected = modelGet(text, key.getBytes(StandardCharsets.US_ASCII), dest);
                Optional<byte[]> got = d.get(key, dest);
                String what = "key '" + key + "' dest " + dest + " in " + d;
                if (expected == null) {
                    assertTrue(got.isEmpty(), what);
                } else {
                    assertArrayEquals(expected, got.orElseThrow(), what);
                }
            }
        }
    }

    // 1.14.1's get() transcribed literally over a NUL-terminated copy (the model under test's twin).
    private static byte[] modelGet(byte[] text, byte[] key, int destlen) {
        byte[] d = Arrays.copyOf(text, text.length + 1);
        byte[] dest = new byte[destlen];
        int p = 0;
        while (d[p] != 0) {
            int k = 0;
            while (k < key.length && d[p] != 0) {
                if (d[p] != key[k]) {
                    break;
                }
                k++;
                p++;
            }
            if (k == key.length && d[p] == '=') {
                int j = 0;
                boolean esc = false;
                p++;
                while (d[p] != 0 && d[p] != 13 && d[p] != 10) {
                    if (esc) {
                        esc = false;
                        dest[j++] = switch (d[p]) {
                            case 'r' -> 13;
                            case 'n' -> 10;
                            case '0' -> 0;
                            case 'e' -> '=';
                            default -> d[p];
                        };
                        if (j == destlen) {
                            return Arrays.copyOf(dest, j - 1);
                        }
                    } else if (d[p] == '\\') {
                        esc = true;
                    } else {
                        dest[j++] = d[p];
                        if (j == destlen) {
                            return Arrays.copyOf(dest, j - 1);
                        }
                    }
                    p++;
                }
                return Arrays.copyOf(dest, j);
            }
            while (d[p] != 0 && d[p] != 13 && d[p] != 10) {
                p++;
            }
            if (d[p] == 0) {
                break;
            }
            p++;
        }
        return null;
    }

    // ------------------------------------------------------------------ edges and malformed input

    @Test
    void receivedBytesMustFitTheCapacity() throws WireFormatException {
        byte[] fits = "a=123456".getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(fits, Dictionary.decode(fits, fits.length + 1).encode());
        WireFormatException e = assertThrows(WireFormatException.class, () -> Dictionary.decode(fits, fits.length));
        assertTrue(e.what().startsWith("Dictionary:"), e.what());
        // Loading (1.14.1's constructor) cuts silently instead.
        assertEquals("a=12345", new String(Dictionary.of(fits, fits.length).encode(), StandardCharsets.US_ASCII));
    }

    @Test
    void bytesAfterNulAreIgnored() throws WireFormatException {
        byte[] withNul = {'a', '=', '1', 0, 'b', '=', '2'};
        Dictionary d = Dictionary.decode(withNul, 64);
        assertEquals(3, d.sizeBytes());
        assertFalse(d.contains("b"));
        assertEquals(1, d.getUnsigned("a", 9));
    }

    @Test
    void integerReadersFollowStrtoull() {
        Dictionary d = Dictionary.of((
                "sp= \t+1f\nhex=0x1F\nx=0x\nneg=-8000000000000000\nneg2=-8000000000000001\nbig=-10000000000000000\n"
                + "lead=" + "0".repeat(130) + "1\nnul=\\0" + "5\nhi=\u00e9").getBytes(StandardCharsets.UTF_8), 4096);
        assertEquals(0x1f, d.getUnsigned("sp", 0));
        assertEquals(0x1f, d.getUnsigned("hex", 0));
        assertEquals(0, d.getUnsigned("x", 9));
        assertEquals(Long.MIN_VALUE, d.getSigned("neg", 0));
        assertEquals(Long.MIN_VALUE, d.getUnsigned("neg", 0));
        assertEquals(Long.MIN_VALUE, d.getSigned("neg2", 0));
        assertEquals(0x7fffffffffffffffL, d.getUnsigned("neg2", 0));
        assertEquals(-1L, d.getUnsigned("big", 0), "unsigned overflow saturates whatever the sign");
        assertEquals(0, d.getUnsigned("lead", 9), "the value is cut to 127 bytes before parsing");
        assertEquals(0, d.getUnsigned("nul", 9), "a decoded NUL ends the C string");
        assertEquals(0, d.getUnsigned("hi", 9));
        assertEquals(42, d.getUnsigned("absent", 42));
    }

    @Test
    void textReaderStopsAtNulAndCapacity() {
        Dictionary d = Dictionary.of("n=ab\\0cd\nm=caf\u00e9".getBytes(StandardCharsets.UTF_8), 64);
        assertEquals("ab", d.getText("n", 128).orElseThrow());
        assertEquals("caf\u00e9", d.getText("m", 128).orElseThrow());
        assertEquals("ca", d.getText("m", 3).orElseThrow());
        assertTrue(d.getText("z", 128).isEmpty());
    }

    @Test
    void failedAddChangesNothingAndKeysMayNotHoldNul() {
        Dictionary.Builder b = Dictionary.builder(9);
        assertTrue(b.add("a", "1234"));
        assertFalse(b.add("b", "x"), "\\nb=x would make 10 > 8 bytes");
        assertTrue(b.add("", ""), "\\n= makes exactly 8");
        assertEquals("a=1234\n=", new String(b.build().encode(), StandardCharsets.US_ASCII));
        assertFalse(b.add("", ""));
        assertThrows(IllegalArgumentException.class, () -> b.add("a\0", "x"));
        assertThrows(IllegalArgumentException.class, () -> Dictionary.builder(0));
        assertThrows(IllegalArgumentException.class, () -> b.build().get("a", 0));
    }

    @Test
    void textStringAddStopsAtNul() {
        Dictionary.Builder b = Dictionary.builder(16);
        assertTrue(b.add("k", "x\0y"));
        assertEquals("k=x", new String(b.build().encode(), StandardCharsets.US_ASCII));
    }

    @Test
    void toBuilderAppends() {
        Dictionary d = Dictionary.builder(64).build().toBuilder().build();
        Dictionary.Builder b = Dictionary.of("a=1".getBytes(StandardCharsets.US_ASCII), 64).toBuilder();
        assertTrue(b.add("b", "2"));
        assertEquals("a=1\nb=2", new String(b.build().encode(), StandardCharsets.US_ASCII));
        assertTrue(d.isEmpty());
        assertEquals(Dictionary.empty(64), d);
    }
}
