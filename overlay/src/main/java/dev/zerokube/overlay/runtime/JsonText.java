package dev.zerokube.overlay.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.Map;

/**
 * JSON text to and from the map model the core uses ({@code Map<String, ?>} objects,
 * {@code List<?>} arrays, {@code String}, {@link Number}, {@code Boolean}, {@code null}): the one
 * place the runtime turns controller records and API bodies into bytes and back.
 *
 * <p>Output is what 1.14.1 writes (ZT1-10 §0): compact, object keys in ascending order at every
 * level, non-ASCII raw. Input is strict JSON: one value, no trailing tokens, no duplicate keys
 * (a duplicate is ambiguous, so it is refused rather than resolved silently).
 */
public final class JsonText {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_LONG_FOR_INTS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private JsonText() {}

    /** JSON text that does not parse, with where and why. */
    public static final class JsonSyntaxException extends Exception {
        private static final long serialVersionUID = 1L;

        JsonSyntaxException(String message) {
            super(message);
        }
    }

    /** Parses one JSON value of any kind. */
    public static Object parse(byte[] text) throws JsonSyntaxException {
        if (text.length == 0) {
            throw new JsonSyntaxException("empty body: send a JSON object ({} for all defaults)");
        }
        try {
            return MAPPER.readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new JsonSyntaxException("malformed JSON" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new JsonSyntaxException("malformed JSON: " + e.getMessage());
        }
    }

    /** Parses a JSON object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(byte[] text) throws JsonSyntaxException {
        Object v = parse(text);
        if (!(v instanceof Map<?, ?> m)) {
            throw new JsonSyntaxException("expected a JSON object, found " + kind(v));
        }
        return (Map<String, Object>) m;
    }

    /** Compact JSON, keys sorted, UTF-8. */
    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a JSON value: " + e.getOriginalMessage(), e);
        }
    }

    /** Indented JSON, keys sorted (templates meant for people to edit). */
    public static String writePretty(Object value) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a JSON value: " + e.getOriginalMessage(), e);
        }
    }

    /** The JSON kind of a parsed value, for messages. */
    public static String kind(Object v) {
        return switch (v) {
            case null -> "null";
            case Map<?, ?> m -> "an object";
            case java.util.List<?> l -> "an array";
            case String s -> "a string";
            case Boolean b -> "a boolean";
            case Number n -> "a number";
            default -> v.getClass().getSimpleName();
        };
    }
}
