package dev.zerokube.overlay.rules;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The few JavaScript semantics the 1.14.1 rule compiler's output depends on: {@code parseInt},
 * {@code parseFloat}, {@code ToInt32}, {@code String.split} on a run of separators, and the
 * compiler's own number reader and address-family tests.
 *
 * <p>JavaScript numbers are doubles, so values are carried as {@code double} here: comparisons
 * against the compiler's bounds then behave exactly as in 1.14.1, including for huge inputs.
 */
final class Js {
    /** The compiler's "not a number" result: its number reader returns -1 for anything unreadable. */
    static final double NOT_A_NUMBER = -1;

    // Beyond this many significant digits the value is infinite as a double in either radix.
    private static final int SIGNIFICANT_DIGITS_MAX = 400;

    /*
     * The compiler classifies an ipsrc/ipdest address with two unanchored regular expressions, so
     * what matters is whether some substring matches. For the IPv6 expression that reduces to:
     * "::" somewhere, or eight groups of 1-4 hex digits joined by single colons, or the link-local
     * zone form "fe80:%" followed by a letter or digit. For the IPv4 expression: a digit, a dot,
     * two whole octets (0..255, at most one leading zero digit pair such as "05") each followed by
     * a dot, and a digit. Checked against 1.14.1 on generated inputs (see the rules tests).
     */
    private static final Pattern IPV6_SHAPE =
            Pattern.compile("::|[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4}){7}|fe80:%[0-9a-zA-Z]");
    private static final String OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[0-9]{1,2})";
    private static final Pattern IPV4_SHAPE =
            Pattern.compile("[0-9]\\." + OCTET + "\\." + OCTET + "\\.[0-9]");

    private Js() {}

    /** Unicode lower case as JavaScript's {@code toLowerCase} (locale independent). */
    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    /** JavaScript's WhiteSpace and LineTerminator characters, which number parsing skips. */
    static boolean isWhitespace(char c) {
        return switch (c) {
            case '\t', '\n', '\u000b', '\f', '\r', ' ', '\u00a0', '\u1680', '\u2028', '\u2029', '\u202f', '\u205f',
                    '\u3000', '\ufeff' -> true;
            default -> c >= '\u2000' && c <= '\u200a';
        };
    }

    /**
     * {@code parseInt(s, radix)} for radix 10, 16, or 0 (automatic: {@code 0x} selects 16):
     * leading white space, a sign, the {@code 0x} prefix in radix 16, then the longest run of
     * digits; {@code NaN} when there is none.
     */
    static double parseInt(String s, int radix) {
        int i = 0;
        int n = s.length();
        while (i < n && isWhitespace(s.charAt(i))) {
            i++;
        }
        boolean negative = false;
        if (i < n && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        if ((radix == 16 || radix == 0) && i + 1 < n && s.charAt(i) == '0'
                && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X')) {
            i += 2;
            radix = 16;
        } else if (radix == 0) {
            radix = 10;
        }
        int start = i;
        while (i < n && digit(s.charAt(i), radix) >= 0) {
            i++;
        }
        if (i == start) {
            return Double.NaN;
        }
        int first = start;
        while (first < i - 1 && s.charAt(first) == '0') {
            first++;
        }
        double magnitude = i - first > SIGNIFICANT_DIGITS_MAX
                ? Double.POSITIVE_INFINITY
                : new BigInteger(s.substring(first, i), radix).doubleValue();
        return negative ? -magnitude : magnitude;
    }

    private static int digit(char c, int radix) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (radix == 16 && c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (radix == 16 && c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /**
     * The compiler's number reader: lower-cased, {@code 0x} followed by at least one character
     * means hexadecimal, anything else decimal, with {@code parseInt}'s leniency (trailing text
     * ignored, sign allowed); {@link #NOT_A_NUMBER} when nothing parses.
     */
    static double parseNum(String s) {
        if (s == null || s.isEmpty()) {
            return NOT_A_NUMBER;
        }
        String l = lower(s);
        double v = l.length() > 2 && l.startsWith("0x") ? parseInt(l.substring(2), 16) : parseInt(l, 10);
        return Double.isNaN(v) ? NOT_A_NUMBER : v;
    }

    /**
     * {@code parseFloat(s)}: leading white space, then the longest prefix that is a decimal
     * literal ({@code [+-]} digits, fraction, exponent) or {@code Infinity}; {@code NaN} if none.
     */
    static double parseFloat(String s) {
        int i = 0;
        int n = s.length();
        while (i < n && isWhitespace(s.charAt(i))) {
            i++;
        }
        int start = i;
        if (i < n && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
            i++;
        }
        if (s.startsWith("Infinity", i)) {
            return s.charAt(start) == '-' ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        int intDigits = 0;
        while (i < n && isAsciiDigit(s.charAt(i))) {
            i++;
            intDigits++;
        }
        int fracDigits = 0;
        if (i < n && s.charAt(i) == '.') {
            int j = i + 1;
            while (j < n && isAsciiDigit(s.charAt(j))) {
                j++;
                fracDigits++;
            }
            if (intDigits > 0 || fracDigits > 0) {
                i = j;
            }
        }
        if (intDigits == 0 && fracDigits == 0) {
            return Double.NaN;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            int j = i + 1;
            if (j < n && (s.charAt(j) == '-' || s.charAt(j) == '+')) {
                j++;
            }
            int expStart = j;
            while (j < n && isAsciiDigit(s.charAt(j))) {
                j++;
            }
            if (j > expStart) {
                i = j;
            }
        }
        return Double.parseDouble(s.substring(start, i));
    }

    static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** ECMAScript {@code ToInt32}: the integer part modulo 2^32, as a signed int; NaN and infinities give 0. */
    static int toInt32(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return 0;
        }
        return new BigDecimal(d).toBigInteger().intValue();
    }

    /**
     * {@code s.split(/[chars]+/)}: pieces between runs of separator characters, keeping the empty
     * first and last pieces that a leading or trailing run produces ({@code ""} gives one empty
     * piece).
     */
    static List<String> splitRuns(String s, String separators) {
        List<String> pieces = new ArrayList<>();
        int pieceStart = 0;
        int i = 0;
        while (i < s.length()) {
            if (separators.indexOf(s.charAt(i)) >= 0) {
                pieces.add(s.substring(pieceStart, i));
                while (i < s.length() && separators.indexOf(s.charAt(i)) >= 0) {
                    i++;
                }
                pieceStart = i;
            } else {
                i++;
            }
        }
        pieces.add(s.substring(pieceStart));
        return pieces;
    }

    /** Whether the compiler takes the text before the {@code /} of an ipsrc/ipdest for IPv6. */
    static boolean looksLikeIpv6(String address) {
        return IPV6_SHAPE.matcher(address).find();
    }

    /** Whether the compiler takes the text for IPv4 (asked only when {@link #looksLikeIpv6} is false). */
    static boolean looksLikeIpv4(String address) {
        return IPV4_SHAPE.matcher(address).find();
    }

    /** The JSON value of a JavaScript number the compiler emits: always an integer here. */
    static long integral(double d) {
        return (long) d;
    }
}
