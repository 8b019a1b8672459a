package dev.zerokube.overlay.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/*
 * Goal: JsonText, our own JSON reader and writer since Jackson left the node's memory, reads and
 * writes exactly what the Jackson mapper it replaced did (same settings: keys sorted, strict
 * input, no duplicates, longs for integers), so controller records, API bodies and templates do
 * not change by a byte. Method: differential against that Jackson configuration (a test
 * dependency here): seeded random values written compact and pretty by both; their texts, with
 * random whitespace, and seeded mutations of them (truncated, bytes replaced or inserted) parsed
 * by both, which must agree on the value or both refuse; plus fixed cases for the rules.
 */
class JsonTextTest {
    /** The mapper JsonText used before (its settings as they were). */
    private static final ObjectMapper JACKSON = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_LONG_FOR_INTS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private static final String CHARS = "aZ09 _-/\\\"\n\t\r\b\f\u0000\u001f\u007f\u00e9\u20ac\u4e2d\ud83d\ude00{}[]:,";

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
    void writesAndReadsWhatJacksonDid(long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 50; i++) {
            Object value = value(random, 0);
            byte[] compact = JsonText.write(value);
            assertArrayEquals(JACKSON.writeValueAsBytes(value), compact, () -> "compact " + value);
            String pretty = JsonText.writePretty(value);
            assertEquals(JACKSON.writerWithDefaultPrettyPrinter().writeValueAsString(value), pretty);
            assertEquals(JACKSON.readValue(compact, Object.class), JsonText.parse(compact));
            assertEquals(JACKSON.readValue(pretty, Object.class), JsonText.parse(pretty.getBytes(StandardCharsets.UTF_8)));
            byte[] spaced = spaced(new String(compact, StandardCharsets.UTF_8), random);
            assertEquals(JACKSON.readValue(spaced, Object.class), JsonText.parse(spaced));
            for (int m = 0; m < 20; m++) {
                byte[] mutated = mutate(compact, random);
                Object ours;
                try {
                    ours = JsonText.parse(mutated);
                } catch (JsonText.JsonSyntaxException e) {
                    ours = e;
                }
                Object theirs;
                try {
                    theirs = mutated.length == 0 ? new Exception("empty") : JACKSON.readValue(mutated, Object.class);
                } catch (java.io.IOException e) {
                    theirs = e;
                }
                String text = new String(mutated, StandardCharsets.UTF_8);
                if (theirs instanceof Exception) {
                    assertInstanceOf(JsonText.JsonSyntaxException.class, ours, () -> "Jackson refused, we took: " + text);
                } else {
                    assertEquals(theirs, ours, () -> "on " + text);
                }
            }
        }
    }

    @Test
    void rules() throws Exception {
        assertEquals(List.of(1L, -0L, 9223372036854775807L, -9223372036854775808L, 1.5, -2e-3, 1e300),
                JsonText.parse(bytes("[1,-0,9223372036854775807,-9223372036854775808,1.5,-2e-3,1E+300]")));
        Map<String, Object> o = JsonText.parseObject(bytes("\ufeff { \"b\" : \"\\u00e9\\/\" , \"a\" : null } "));
        assertEquals(List.of("b", "a"), List.copyOf(o.keySet()), "insertion order");
        assertEquals("\u00e9/", o.get("b"));
        assertEquals("{\"a\":null,\"b\":\"\u00e9/\"}", new String(JsonText.write(o), StandardCharsets.UTF_8));
        assertEquals("{ }", JsonText.writePretty(Map.of()));
        assertEquals("{\n  \"a\" : [ ],\n  \"b\" : [ {\n    \"c\" : 1\n  } ]\n}",
                JsonText.writePretty(Map.of("b", List.of(Map.of("c", 1)), "a", List.of())));
        for (String bad : List.of("{", "{\"a\":1,}", "[1,]", "01", "1.", ".5", "-", "+1", "NaN", "\"a", "\"\\x\"",
                "\"\t\"", "tru", "nul", "{\"a\" 1}", "{a:1}", "[1 2]", "1 2", "9223372036854775808", "/* */1", "'a'", "{\"a\":1,\"a\":2}",
                "[".repeat(JsonText.MAX_DEPTH + 1) + "]".repeat(JsonText.MAX_DEPTH + 1))) {
            JsonText.JsonSyntaxException e = assertThrows(JsonText.JsonSyntaxException.class, () -> JsonText.parse(bytes(bad)),
                    bad);
            assertTrue(e.getMessage().startsWith("malformed JSON at line 1, column "), e.getMessage());
        }
        assertTrue(assertThrows(JsonText.JsonSyntaxException.class, () -> JsonText.parse(bytes("{\n\"a\":1,\n\"a\":2}")))
                .getMessage().matches("malformed JSON at line 3, column 1: Duplicate field 'a'"));
        assertEquals(Map.of("a", 2L, "b", List.of()), JsonText.parseLastWins(bytes("{\"a\":1,\"b\":[],\"a\":2}")),
                "ZeroTier One's files: the last of a repeated key counts");
        assertThrows(JsonText.JsonSyntaxException.class, () -> JsonText.parseLastWins(bytes("{\"a\":1,}")));
        assertThrows(JsonText.JsonSyntaxException.class, () -> JsonText.parse(new byte[] {'"', (byte) 0xC3, '"'}));
        assertThrows(JsonText.JsonSyntaxException.class, () -> JsonText.parse(new byte[0]));
        assertTrue(assertThrows(JsonText.JsonSyntaxException.class, () -> JsonText.parseObject(bytes("[]")))
                .getMessage().contains("an array"));
        assertThrows(IllegalArgumentException.class, () -> JsonText.write(new Object()));
    }

    @Test
    void everyNumberKindIsWrittenAsJacksonWroteIt() throws Exception {
        // the random values hold only longs and doubles; records and API bodies also carry these
        List<Object> numbers = List.of((byte) -7, (short) 300, 70_000, 1L << 40, 1.1f, -0.0f, Float.MAX_VALUE, 0.1, -0.0,
                Double.MIN_VALUE, new java.math.BigInteger("-123456789012345678901234567890"),
                new java.math.BigDecimal("1.50"), new java.math.BigDecimal("1E+3"), Double.NaN, Double.NEGATIVE_INFINITY,
                Float.NaN, Float.POSITIVE_INFINITY);
        assertArrayEquals(JACKSON.writeValueAsBytes(numbers), JsonText.write(numbers));
        assertEquals(JACKSON.writerWithDefaultPrettyPrinter().writeValueAsString(numbers), JsonText.writePretty(numbers));
        assertThrows(IllegalArgumentException.class, () -> JsonText.write(List.of(new java.util.concurrent.atomic.AtomicLong())),
                "a Number of another kind is not taken for a JSON number");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Object value(SplittableRandom r, int depth) {
        int kind = r.nextInt(depth > 3 ? 7 : 9);
        return switch (kind) {
            case 0 -> null;
            case 1 -> r.nextBoolean();
            case 2 -> r.nextLong(-1000, 1000);
            case 3 -> r.nextLong();
            case 4 -> r.nextInt(4) == 0 ? (double) r.nextLong(-100, 100) : r.nextDouble(-1e6, 1e6) * Math.pow(10, r.nextInt(-30, 30));
            case 5, 6 -> string(r);
            case 7 -> {
                List<Object> l = new ArrayList<>();
                for (int i = r.nextInt(4); i > 0; i--) {
                    l.add(value(r, depth + 1));
                }
                yield l;
            }
            default -> {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int i = r.nextInt(5); i > 0; i--) {
                    m.put(string(r), value(r, depth + 1));
                }
                yield m;
            }
        };
    }

    private static String string(SplittableRandom r) {
        StringBuilder sb = new StringBuilder();
        for (int i = r.nextInt(8); i > 0; i--) {
            int at = r.nextInt(CHARS.length());
            char c = CHARS.charAt(at);
            if (Character.isHighSurrogate(c)) {
                sb.append(c).append(CHARS.charAt(at + 1));
            } else if (!Character.isLowSurrogate(c)) {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static byte[] spaced(String compact, SplittableRandom r) {
        StringBuilder sb = new StringBuilder();
        boolean inString = false;
        for (int i = 0; i < compact.length(); i++) {
            char c = compact.charAt(i);
            boolean structural = !inString && "{}[]:,".indexOf(c) >= 0;
            if (structural && r.nextInt(2) == 0) {
                sb.append(" \t\r\n".charAt(r.nextInt(4)));
            }
            sb.append(c);
            if (structural && r.nextInt(2) == 0) {
                sb.append(" \t\r\n".charAt(r.nextInt(4)));
            }
            if (c == '"' && (i == 0 || compact.charAt(i - 1) != '\\' || backslashesBefore(compact, i) % 2 == 0)) {
                inString = !inString;
            }
        }
        return bytes(sb.toString());
    }

    private static int backslashesBefore(String s, int i) {
        int n = 0;
        while (i - 1 - n >= 0 && s.charAt(i - 1 - n) == '\\') {
            n++;
        }
        return n;
    }

    private static byte[] mutate(byte[] b, SplittableRandom r) {
        byte[] out;
        switch (r.nextInt(3)) {
            case 0 -> out = java.util.Arrays.copyOf(b, r.nextInt(b.length + 1));
            case 1 -> {
                out = b.clone();
                if (out.length > 0) {
                    out[r.nextInt(out.length)] = (byte) "{}[]\",:0-1e.ntf \\x".charAt(r.nextInt(18));
                }
            }
            default -> {
                int at = r.nextInt(b.length + 1);
                out = new byte[b.length + 1];
                System.arraycopy(b, 0, out, 0, at);
                out[at] = (byte) "{}[]\",:0-1e.ntf \\x".charAt(r.nextInt(18));
                System.arraycopy(b, at, out, at + 1, b.length - at);
            }
        }
        return out;
    }
}
