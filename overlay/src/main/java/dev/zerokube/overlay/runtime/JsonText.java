package dev.zerokube.overlay.runtime;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON text to and from the map model the core uses ({@code Map<String, ?>} objects,
 * {@code List<?>} arrays, {@code String}, {@link Number}, {@code Boolean}, {@code null}): the one
 * place the runtime turns controller records and API bodies into bytes and back.
 *
 * <p>Output is what 1.14.1 writes (ZT1-10 §0): compact, object keys in ascending order at every
 * level, non-ASCII raw (but a character beyond the Basic Multilingual Plane as two escaped
 * UTF-16 surrogates, as the Jackson writer used before did). Input is strict JSON (RFC 8259):
 * one value, no trailing tokens, no duplicate keys (a duplicate is ambiguous, so it is refused
 * rather than resolved silently), integers as {@code Long} (beyond its range refused), other numbers as {@code Double}, objects
 * as insertion-ordered maps.
 *
 * <p>Written here rather than through Jackson, which this class used before with the same
 * settings and whose output it reproduces byte for byte (JsonTextTest compares the two): Jackson
 * was over 400 classes in the memory of every node and sidecar that parses one small document
 * (docs/performance.md, "Pod sidecar start and memory").
 */
public final class JsonText {
    /** Deeper nesting is refused (no record or API body comes near it; bounds the recursion). */
    static final int MAX_DEPTH = 500;

    private JsonText() {}

    /** JSON text that does not parse, with where and why. */
    public static final class JsonSyntaxException extends Exception {
        private static final long serialVersionUID = 1L;

        JsonSyntaxException(String message) {
            super(message);
        }
    }

    /** Parses one JSON value of any kind (UTF-8, an initial byte order mark is skipped). */
    public static Object parse(byte[] text) throws JsonSyntaxException {
        return parse(text, false);
    }

    /**
     * {@link #parse} for files ZeroTier One also reads (local.conf): a key given twice counts
     * once, with its last value, as 1.14.1's parser does, rather than being refused.
     */
    public static Object parseLastWins(byte[] text) throws JsonSyntaxException {
        return parse(text, true);
    }

    private static Object parse(byte[] text, boolean lastWins) throws JsonSyntaxException {
        if (text.length == 0) {
            throw new JsonSyntaxException("empty body: send a JSON object ({} for all defaults)");
        }
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(text)).toString();
        } catch (CharacterCodingException e) {
            throw new JsonSyntaxException("malformed JSON: not UTF-8 text");
        }
        Parser p = new Parser(s.startsWith("\uFEFF") ? s.substring(1) : s, lastWins);
        p.skipSpace();
        Object v = p.value(0);
        p.skipSpace();
        if (p.pos < p.text.length()) {
            throw p.error("trailing token after the JSON value");
        }
        return v;
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
        StringBuilder out = new StringBuilder(256);
        write(out, value, -1);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Indented JSON, keys sorted (templates meant for people to edit): an entry per line indented
     * two spaces per object level, {@code "key" : value}, arrays on one line ({@code [ 1, 2 ]}),
     * empty ones {@code { }} and {@code [ ]}.
     */
    public static String writePretty(Object value) {
        StringBuilder out = new StringBuilder(256);
        write(out, value, 0);
        return out.toString();
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

    /** {@code nesting}: -1 for compact, else the number of enclosing objects (pretty). */
    private static void write(StringBuilder out, Object value, int nesting) {
        switch (value) {
            case null -> out.append("null");
            case String s -> string(out, s, nesting < 0);
            case Boolean b -> out.append(b.booleanValue());
            // every number as its own toString(): a Float's is its shortest float text, not the
            // double's; NaN and the infinities, which JSON has no number for, as strings
            case Double _, Float _ when !Double.isFinite(((Number) value).doubleValue()) ->
                    string(out, value.toString(), false);
            case Byte _, Short _, Integer _, Long _, Float _, Double _, BigInteger _, BigDecimal _ -> out.append(value);
            case Map<?, ?> m -> object(out, m, nesting);
            case Collection<?> c -> array(out, c, nesting);
            case Object[] a -> array(out, Arrays.asList(a), nesting);
            default -> throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
        }
    }

    private static void object(StringBuilder out, Map<?, ?> map, int nesting) {
        String[] keys = new String[map.size()];
        int i = 0;
        for (Object k : map.keySet()) {
            if (!(k instanceof String s)) {
                throw new IllegalArgumentException("not a JSON object key: " + k);
            }
            keys[i++] = s;
        }
        Arrays.sort(keys);
        out.append('{');
        if (keys.length == 0) {
            out.append(nesting < 0 ? "}" : " }");
            return;
        }
        int inner = nesting < 0 ? -1 : nesting + 1;
        for (i = 0; i < keys.length; i++) {
            if (i > 0) {
                out.append(',');
            }
            newline(out, inner);
            string(out, keys[i], nesting < 0);
            out.append(nesting < 0 ? ":" : " : ");
            write(out, map.get(keys[i]), inner);
        }
        newline(out, nesting);
        out.append('}');
    }

    private static void array(StringBuilder out, Collection<?> values, int nesting) {
        boolean pretty = nesting >= 0;
        out.append('[');
        if (values.isEmpty()) {
            out.append(pretty ? " ]" : "]");
            return;
        }
        boolean first = true;
        for (Object v : values) {
            out.append(first ? (pretty ? " " : "") : (pretty ? ", " : ","));
            first = false;
            write(out, v, nesting);
        }
        out.append(pretty ? " ]" : "]");
    }

    private static void newline(StringBuilder out, int nesting) {
        if (nesting >= 0) {
            out.append('\n').repeat(' ', 2 * nesting);
        }
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /**
     * {@code escapeSurrogates}: compact output (bytes) escapes each UTF-16 surrogate, pretty output
     * (a String) writes them raw; the two Jackson writers this replaced differed so.
     */
    private static void string(StringBuilder out, String s, boolean escapeSurrogates) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || escapeSurrogates && Character.isSurrogate(c)) {
                        out.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xF])
                                .append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** A recursive-descent parser over the decoded text. */
    private static final class Parser {
        final String text;
        final boolean lastWins;
        int pos;

        Parser(String text, boolean lastWins) {
            this.text = text;
            this.lastWins = lastWins;
        }

        Object value(int depth) throws JsonSyntaxException {
            if (pos >= text.length()) {
                throw error("unexpected end of input, expected a value");
            }
            char c = text.charAt(pos);
            return switch (c) {
                case '{' -> object(depth + 1);
                case '[' -> array(depth + 1);
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        yield number();
                    }
                    throw error("unexpected character '" + printable(c) + "', expected a value");
                }
            };
        }

        Map<String, Object> object(int depth) throws JsonSyntaxException {
            Map<String, Object> map = new LinkedHashMap<>();
            elements(depth, '}', "an object", () -> {
                if (peek() != '"') {
                    throw error("expected a quoted property name");
                }
                int keyAt = pos;
                String key = string();
                skipSpace();
                expect(':');
                skipSpace();
                Object v = value(depth);
                if (!lastWins && map.containsKey(key)) {
                    pos = keyAt;
                    throw error("Duplicate field '" + key + "'");
                }
                map.put(key, v);
            });
            return map;
        }

        List<Object> array(int depth) throws JsonSyntaxException {
            List<Object> list = new ArrayList<>();
            elements(depth, ']', "an array", () -> list.add(value(depth)));
            return list;
        }

        /** Reads one element of an object (a key and its value) or of an array (a value). */
        @FunctionalInterface
        private interface Element {
            void read() throws JsonSyntaxException;
        }

        /**
         * The elements of an object or an array, from its opening bracket at {@code pos} to its
         * closing one {@code close}: none, or {@code element} read again after each ','.
         */
        private void elements(int depth, char close, String where, Element element) throws JsonSyntaxException {
            checkDepth(depth);
            pos++; // { or [
            skipSpace();
            if (peek() == close) {
                pos++;
                return;
            }
            while (true) {
                skipSpace();
                element.read();
                skipSpace();
                char c = peek();
                pos++;
                if (c == close) {
                    return;
                }
                if (c != ',') {
                    pos--;
                    throw error("expected ',' or '" + close + "' in " + where);
                }
            }
        }

        String string() throws JsonSyntaxException {
            pos++; // "
            StringBuilder sb = null;
            int start = pos;
            while (true) {
                if (pos >= text.length()) {
                    throw error("unexpected end of input in a string");
                }
                char c = text.charAt(pos);
                if (c == '"') {
                    String s = sb == null ? text.substring(start, pos) : sb.append(text, start, pos).toString();
                    pos++;
                    return s;
                }
                if (c < 0x20) {
                    throw error("unescaped control character " + printable(c) + " in a string");
                }
                if (c != '\\') {
                    pos++;
                    continue;
                }
                if (sb == null) {
                    sb = new StringBuilder();
                }
                sb.append(text, start, pos);
                pos++;
                if (pos >= text.length()) {
                    throw error("unexpected end of input in a string");
                }
                char e = text.charAt(pos++);
                switch (e) {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        if (pos + 4 > text.length()) {
                            throw error("unexpected end of input in a \\u escape");
                        }
                        int v = 0;
                        for (int i = 0; i < 4; i++) {
                            int d = Character.digit(text.charAt(pos), 16);
                            if (d < 0) {
                                throw error("bad hex digit in a \\u escape");
                            }
                            v = v * 16 + d;
                            pos++;
                        }
                        sb.append((char) v);
                    }
                    default -> {
                        pos--;
                        throw error("unrecognized escape '\\" + printable(e) + "' in a string");
                    }
                }
                start = pos;
            }
        }

        Number number() throws JsonSyntaxException {
            int start = pos;
            if (peek() == '-') {
                pos++;
            }
            if (peek() == '0') {
                pos++;
                if (isDigit(peek())) {
                    throw error("leading zeroes are not allowed in a number");
                }
            } else {
                digits("after '-'"); // only a '-' comes here without a digit
            }
            boolean integral = true;
            if (peek() == '.') {
                integral = false;
                pos++;
                digits("after the decimal point");
            }
            if (peek() == 'e' || peek() == 'E') {
                integral = false;
                pos++;
                if (peek() == '+' || peek() == '-') {
                    pos++;
                }
                digits("in the exponent");
            }
            String n = text.substring(start, pos);
            if (!integral) {
                return Double.parseDouble(n);
            }
            try {
                return Long.parseLong(n);
            } catch (NumberFormatException tooLong) {
                pos = start;
                throw error("Numeric value (" + n + ") out of range of long");
            }
        }

        /** One digit or more; none is an error "expected a digit {@code where}". */
        private void digits(String where) throws JsonSyntaxException {
            if (!isDigit(peek())) {
                throw error("expected a digit " + where);
            }
            while (isDigit(peek())) {
                pos++;
            }
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        Object literal(String word, Object value) throws JsonSyntaxException {
            if (!text.startsWith(word, pos)) {
                throw error("unrecognized token, expected " + word);
            }
            pos += word.length();
            if (pos < text.length() && Character.isLetterOrDigit(text.charAt(pos))) {
                throw error("unrecognized token, expected " + word);
            }
            return value;
        }

        void skipSpace() {
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    return;
                }
                pos++;
            }
        }

        private char peek() {
            return pos < text.length() ? text.charAt(pos) : '\0';
        }

        private void expect(char c) throws JsonSyntaxException {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        private void checkDepth(int depth) throws JsonSyntaxException {
            if (depth > MAX_DEPTH) {
                throw error("nesting deeper than " + MAX_DEPTH);
            }
        }

        JsonSyntaxException error(String why) {
            int line = 1;
            int lineStart = 0;
            int end = Math.min(pos, text.length());
            for (int i = 0; i < end; i++) {
                if (text.charAt(i) == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            if (pos >= text.length() && why.startsWith("expected")) {
                why = "unexpected end of input, " + why;
            }
            return new JsonSyntaxException("malformed JSON at line " + line + ", column " + (end - lineStart + 1)
                    + ": " + why);
        }

        private static String printable(char c) {
            return c < 0x20 || c == 0x7F ? String.format("U+%04X", (int) c) : String.valueOf(c);
        }
    }
}
