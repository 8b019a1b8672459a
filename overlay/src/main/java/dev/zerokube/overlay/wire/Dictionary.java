package dev.zerokube.overlay.wire;

import dev.zerokube.overlay.codec.WireFormatException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * ZeroTier's Dictionary: a bounded {@code key=value} text with escaped binary values
 * (ZT1-04 §1), as ZeroTier One 1.14.1 writes and reads it, quirks included.
 *
 * <pre>
 * dictionary := entry (LF entry)*          no trailing LF; never contains NUL
 * entry      := key '=' value              key written raw (no escaping)
 * value byte := raw byte other than NUL CR LF '\' '='
 *             | '\0' '\r' '\n' '\\' '\e'   for NUL CR LF '\' '='
 *             | '\' x                      any other x reads as x (never written)
 * </pre>
 *
 * <p>A dictionary has a capacity C (1.14.1's template argument): its text is at most C − 1 bytes,
 * one byte being reserved for the NUL terminator of the C implementation. The capacities on the
 * wire are {@link #NETWORK_CONFIG_CAPACITY} and {@link #CONFIG_REQUEST_METADATA_CAPACITY}.
 *
 * <p>Reading follows 1.14.1's {@code Dictionary::get} exactly: a value ends at the first raw CR or
 * LF, the first entry with the key wins, a line without '=' is skipped, a dangling backslash at
 * the end of a value is dropped, a value is silently cut to the destination capacity minus one,
 * and the integer readers are C's {@code strtoull}/{@code strtoll} in base 16 (leading blanks,
 * sign and {@code 0x} accepted, parsing stops at the first non-hex character, overflow
 * saturates). Writing follows {@code Dictionary::add}: integers are 16 lower-case hex digits and
 * a negative signed integer loses its sign; an add that does not fit changes nothing.
 *
 * <p>Keys are Java strings written as UTF-8 (1.14.1's keys are ASCII). Reading never fails:
 * every byte string is a dictionary. Instances are immutable; build one with {@link #builder}.
 */
public final class Dictionary {
    /**
     * Capacity 1.14.1 on x86-64 Linux uses for a network config ({@code ZT_NETWORKCONFIG_DICT_CAPACITY},
     * computed from C struct sizes, ZT1-04 §1.2); a config of this length or more is refused.
     */
    public static final int NETWORK_CONFIG_CAPACITY = 484_520;
    /** Capacity of the metadata dictionary of a NETWORK_CONFIG_REQUEST (ZT1-04 §2). */
    public static final int CONFIG_REQUEST_METADATA_CAPACITY = 1024;
    /** Destination size 1.14.1's integer readers use: values are cut to 127 bytes before parsing. */
    private static final int INTEGER_BUFFER = 128;
    /** Destination size of 1.14.1's boolean reader. */
    private static final int BOOLEAN_BUFFER = 4;

    private static final byte CR = 0x0d;
    private static final byte LF = 0x0a;
    private static final byte ESCAPE = '\\';
    private static final byte EQUALS = '=';
    private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final byte[] text;
    private final int capacity;

    private Dictionary(byte[] text, int capacity) {
        this.text = text;
        this.capacity = capacity;
    }

    /** An empty dictionary of {@code capacity} bytes (at least 1). */
    public static Dictionary empty(int capacity) {
        checkCapacity(capacity);
        return new Dictionary(new byte[0], capacity);
    }

    /**
     * What 1.14.1 holds after loading {@code bytes} into a dictionary of {@code capacity}: the
     * bytes up to the first NUL, cut silently to {@code capacity − 1}. Never fails.
     */
    public static Dictionary of(byte[] bytes, int capacity) {
        return of(bytes, 0, bytes.length, capacity);
    }

    /** {@link #of(byte[], int)} over {@code bytes[offset, offset+length)}. */
    public static Dictionary of(byte[] bytes, int offset, int length, int capacity) {
        checkCapacity(capacity);
        if (offset < 0 || length < 0 || offset > bytes.length - length) {
            throw new IndexOutOfBoundsException("range " + offset + "+" + length + " of " + bytes.length);
        }
        int n = Math.min(length, capacity - 1);
        for (int i = 0; i < n; i++) {
            if (bytes[offset + i] == 0) {
                n = i;
                break;
            }
        }
        return new Dictionary(Arrays.copyOfRange(bytes, offset, offset + n), capacity);
    }

    /**
     * A received dictionary: like {@link #of(byte[], int)}, but bytes that cannot fit the capacity
     * (length ≥ capacity) are refused, as a 1.14.1 node refuses such a network config
     * (ZT1-03 §4.12.2). Bytes after a NUL are ignored, as 1.14.1 ignores them.
     */
    public static Dictionary decode(byte[] bytes, int capacity) throws WireFormatException {
        checkCapacity(capacity);
        if (bytes.length >= capacity) {
            throw new WireFormatException("Dictionary: " + bytes.length + " bytes do not fit its capacity of "
                    + capacity + " (at most " + (capacity - 1) + ")");
        }
        return of(bytes, capacity);
    }

    private static void checkCapacity(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("dictionary capacity must be at least 1: " + capacity);
        }
    }

    /** The text (a copy): what goes on the wire and into {@code networks.d/*.conf}, no NUL. */
    public byte[] encode() {
        return text.clone();
    }

    /** Length of the text in bytes (1.14.1's {@code sizeBytes}). */
    public int sizeBytes() {
        return text.length;
    }

    public int capacity() {
        return capacity;
    }

    public boolean isEmpty() {
        return text.length == 0;
    }

    /** A builder that starts with this dictionary's entries, for appending more. */
    public Builder toBuilder() {
        return new Builder(capacity, text);
    }

    // ---------------------------------------------------------------- reading

    /** Whether an entry with {@code key} exists (an empty value counts). */
    public boolean contains(String key) {
        return get(key, 2).isPresent();
    }

    /**
     * The value of the first entry with {@code key}, unescaped; empty if there is none. The value
     * is limited only by the dictionary's capacity, as 1.14.1 reads binary values into a buffer of
     * that capacity.
     */
    public Optional<byte[]> get(String key) {
        return get(key, capacity);
    }

    /**
     * The value of the first entry with {@code key} as 1.14.1 reads it into a buffer of
     * {@code destCapacity} bytes: silently cut to {@code destCapacity − 1} bytes.
     */
    public Optional<byte[]> get(String key, int destCapacity) {
        if (destCapacity < 1) {
            throw new IllegalArgumentException("destination capacity must be at least 1: " + destCapacity);
        }
        int at = find(keyBytes(key));
        if (at < 0) {
            return Optional.empty();
        }
        return Optional.of(unescape(at, destCapacity - 1));
    }

    /**
     * A text value read into {@code destCapacity} bytes and then used as a C string: cut to
     * {@code destCapacity − 1} bytes and at the first NUL, decoded as UTF-8 (malformed sequences
     * become U+FFFD). Empty if the key is absent.
     */
    public Optional<String> getText(String key, int destCapacity) {
        return get(key, destCapacity).map(v -> new String(v, 0, cStringLength(v), StandardCharsets.UTF_8));
    }

    /**
     * 1.14.1's {@code getUI}: the value read into 128 bytes and parsed by C's {@code strtoull} in
     * base 16; {@code defaultValue} if the key is absent or its value empty. The result is an
     * unsigned 64-bit value in a {@code long}.
     */
    public long getUnsigned(String key, long defaultValue) {
        Optional<byte[]> v = get(key, INTEGER_BUFFER);
        if (v.isEmpty() || v.get().length == 0) {
            return defaultValue;
        }
        return parseHex(v.get(), false);
    }

    /** 1.14.1's {@code getI}: like {@link #getUnsigned} with C's {@code strtoll} (signed, saturating). */
    public long getSigned(String key, long defaultValue) {
        Optional<byte[]> v = get(key, INTEGER_BUFFER);
        if (v.isEmpty() || v.get().length == 0) {
            return defaultValue;
        }
        return parseHex(v.get(), true);
    }

    /**
     * 1.14.1's {@code getB}: {@code defaultValue} if the key is absent; otherwise true iff the value
     * starts with {@code 1}, {@code t} or {@code T} (an empty value is false).
     */
    public boolean getBoolean(String key, boolean defaultValue) {
        Optional<byte[]> v = get(key, BOOLEAN_BUFFER);
        if (v.isEmpty()) {
            return defaultValue;
        }
        byte[] b = v.get();
        return b.length > 0 && (b[0] == '1' || b[0] == 't' || b[0] == 'T');
    }

    /**
     * The keys of all entries in text order, duplicates included: for each line (CR or LF ends a
     * line) that contains '=', the bytes before the first '=' as UTF-8. For diagnostics and for
     * tests of key order; lookups use {@link #get}.
     */
    public List<String> keys() {
        List<String> keys = new ArrayList<>();
        int p = 0;
        while (p < text.length) {
            int lineEnd = p;
            while (lineEnd < text.length && text[lineEnd] != CR && text[lineEnd] != LF) {
                lineEnd++;
            }
            for (int i = p; i < lineEnd; i++) {
                if (text[i] == EQUALS) {
                    keys.add(new String(text, p, i - p, StandardCharsets.UTF_8));
                    break;
                }
            }
            p = lineEnd + 1;
        }
        return keys;
    }

    // Position of the first value byte of the first entry whose key equals `key`, or -1. The
    // scan is 1.14.1's: compare the key from the start of a line; on a mismatch (or a full match
    // not followed by '=') skip to the next CR or LF from where the comparison stopped.
    private int find(byte[] key) {
        int p = 0;
        int n = text.length;
        while (p < n) {
            int k = 0;
            while (k < key.length && p < n && text[p] == key[k]) {
                k++;
                p++;
            }
            if (k == key.length && p < n && text[p] == EQUALS) {
                return p + 1;
            }
            while (p < n && text[p] != CR && text[p] != LF) {
                p++;
            }
            if (p >= n) {
                return -1;
            }
            p++;
        }
        return -1;
    }

    // Unescapes the value starting at `p`, keeping at most `max` bytes.
    private byte[] unescape(int p, int max) {
        int end = p;
        while (end < text.length && text[end] != CR && text[end] != LF) {
            end++;
        }
        byte[] out = new byte[Math.min(max, end - p)];
        int j = 0;
        boolean escaped = false;
        for (int i = p; i < end && j < out.length; i++) {
            byte c = text[i];
            if (escaped) {
                escaped = false;
                out[j++] = switch (c) {
                    case 'r' -> CR;
                    case 'n' -> LF;
                    case '0' -> 0;
                    case 'e' -> EQUALS;
                    default -> c;
                };
            } else if (c == ESCAPE) {
                escaped = true;
            } else {
                out[j++] = c;
            }
        }
        return j == out.length ? out : Arrays.copyOf(out, j);
    }

    private static int cStringLength(byte[] v) {
        for (int i = 0; i < v.length; i++) {
            if (v[i] == 0) {
                return i;
            }
        }
        return v.length;
    }

    private static byte[] keyBytes(String key) {
        if (key.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a dictionary key cannot contain NUL");
        }
        return key.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * C's {@code strtoull} ({@code signed} false) or {@code strtoll} (true) in base 16 over the C
     * string in {@code s} (glibc semantics): skip blanks, take a sign and an optional {@code 0x},
     * read hex digits up to the first other byte; overflow saturates (unsigned: all ones whatever
     * the sign; signed: the extreme of the sign); no digits gives 0.
     */
    static long parseHex(byte[] s, boolean signed) {
        int n = cStringLength(s);
        int i = 0;
        while (i < n && isCSpace(s[i])) {
            i++;
        }
        boolean negative = false;
        if (i < n && (s[i] == '-' || s[i] == '+')) {
            negative = s[i] == '-';
            i++;
        }
        // "0x" with no hex digit after it reads as 0 in glibc, which skipping it also gives.
        if (i + 1 < n && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
            i += 2;
        }
        long magnitude = 0;
        boolean overflow = false;
        for (; i < n; i++) {
            int d = Character.digit(s[i], 16);
            if (d < 0) {
                break;
            }
            if ((magnitude >>> 60) != 0) {
                overflow = true;
            } else {
                magnitude = (magnitude << 4) | d;
            }
        }
        if (!signed) {
            if (overflow) {
                return -1L;
            }
            return negative ? -magnitude : magnitude;
        }
        if (negative) {
            if (overflow || Long.compareUnsigned(magnitude, Long.MIN_VALUE) > 0) {
                return Long.MIN_VALUE;
            }
            return -magnitude;
        }
        if (overflow || magnitude < 0) {
            return Long.MAX_VALUE;
        }
        return magnitude;
    }

    private static boolean isCSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
    }

    // ---------------------------------------------------------------- writing

    /** A builder for a dictionary of {@code capacity} bytes (at least 1). */
    public static Builder builder(int capacity) {
        checkCapacity(capacity);
        return new Builder(capacity, new byte[0]);
    }

    /**
     * Appends entries as 1.14.1's {@code Dictionary::add} does. Every add returns whether the entry
     * fit; one that does not fit (the text would exceed capacity − 1 bytes, escapes counting two)
     * leaves the builder exactly as before. Keys are not checked (as in 1.14.1) except for NUL,
     * and an existing key is not replaced: the new entry is appended and shadowed.
     */
    public static final class Builder {
        private final int capacity;
        private byte[] bytes;
        private int length;

        private Builder(int capacity, byte[] initial) {
            this.capacity = capacity;
            this.bytes = Arrays.copyOf(initial, Math.max(64, initial.length));
            this.length = initial.length;
        }

        /** Adds a binary value: every byte is kept, the five special bytes escaped. */
        public boolean add(String key, byte[] value) {
            return append(keyBytes(key), value, value.length);
        }

        /**
         * Adds a text value as 1.14.1 adds a C string: its UTF-8 bytes up to the first NUL
         * character.
         */
        public boolean add(String key, String value) {
            byte[] v = value.getBytes(StandardCharsets.UTF_8);
            return append(keyBytes(key), v, cStringLength(v));
        }

        /** Adds {@code 1} or {@code 0}. */
        public boolean add(String key, boolean value) {
            return append(keyBytes(key), new byte[] {(byte) (value ? '1' : '0')}, 1);
        }

        /**
         * Adds an unsigned 64-bit value as exactly 16 lower-case hex digits. (1.14.1's Address
         * overload goes through this path as well; network configs write addresses as 10-digit
         * text instead.)
         */
        public boolean addUnsigned(String key, long value) {
            return append(keyBytes(key), hex16(value), 16);
        }

        /**
         * Adds a signed 64-bit value the way 1.14.1 does: 16 hex digits of its magnitude. Quirk
         * (ZT1-04 §1.1, vectors README §12.5): the minus sign of a negative value is lost, so
         * {@code -5} is written {@code 0000000000000005}.
         */
        public boolean addSigned(String key, long value) {
            return append(keyBytes(key), hex16(value >= 0 ? value : -value), 16);
        }

        /** Length of the text so far. */
        public int sizeBytes() {
            return length;
        }

        public Dictionary build() {
            return new Dictionary(Arrays.copyOf(bytes, length), capacity);
        }

        private boolean append(byte[] key, byte[] value, int valueLength) {
            long needed = (length > 0 ? 1 : 0) + key.length + 1L;
            for (int i = 0; i < valueLength; i++) {
                needed += isEscaped(value[i]) ? 2 : 1;
            }
            if (length + needed > capacity - 1) {
                return false;
            }
            int size = (int) (length + needed);
            if (size > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(size, bytes.length * 2));
            }
            int j = length;
            if (length > 0) {
                bytes[j++] = LF;
            }
            System.arraycopy(key, 0, bytes, j, key.length);
            j += key.length;
            bytes[j++] = EQUALS;
            for (int i = 0; i < valueLength; i++) {
                byte c = value[i];
                if (isEscaped(c)) {
                    bytes[j++] = ESCAPE;
                    bytes[j++] = switch (c) {
                        case 0 -> '0';
                        case CR -> 'r';
                        case LF -> 'n';
                        case EQUALS -> 'e';
                        default -> ESCAPE;
                    };
                } else {
                    bytes[j++] = c;
                }
            }
            length = j;
            return true;
        }

        private static boolean isEscaped(byte c) {
            return c == 0 || c == CR || c == LF || c == ESCAPE || c == EQUALS;
        }

        private static byte[] hex16(long v) {
            byte[] out = new byte[16];
            for (int i = 15; i >= 0; i--) {
                out[i] = HEX_DIGITS[(int) (v & 0xf)];
                v >>>= 4;
            }
            return out;
        }
    }

    // ---------------------------------------------------------------- value semantics

    @Override
    public boolean equals(Object o) {
        return o instanceof Dictionary d && capacity == d.capacity && Arrays.equals(text, d.text);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(text) * 31 + capacity;
    }

    /** The text with LF as line breaks and other non-printable bytes as {@code \xNN}, for logs. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(text.length + 16);
        HexFormat hex = HexFormat.of();
        for (byte b : text) {
            if (b == LF || (b >= 0x20 && b < 0x7f)) {
                sb.append((char) b);
            } else {
                sb.append("\\x").append(hex.toHexDigits(b));
            }
        }
        return sb.toString();
    }
}
