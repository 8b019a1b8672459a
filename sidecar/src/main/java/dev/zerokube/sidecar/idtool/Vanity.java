package dev.zerokube.sidecar.idtool;

/**
 * The optional vanity prefix of {@code idtool generate}: the leading {@code bits} of the 40-bit
 * address must equal {@code prefix}. As in idtool, the value is the argument read as a C
 * {@code strtoull} base-16 number (leading blanks, a sign and "0x" allowed, stopping at the first
 * non-hex character, saturating on overflow) masked to 40 bits, and the bit count is four per
 * character of the argument, at most 40.
 */
record Vanity(long prefix, int bits) {
    static final Vanity NONE = new Vanity(0, 0);
    private static final long ADDRESS_MASK = 0xff_ffff_ffffL;

    static Vanity parse(String arg) {
        return new Vanity(strtoull16(arg) & ADDRESS_MASK, Math.min(40, 4 * arg.length()));
    }

    /** Whether {@code address} (40 bits) starts with this prefix; always true without one. */
    boolean matches(long address) {
        return (address >>> (40 - bits)) == prefix;
    }

    /** The prefix moved to the top of 40 bits, as idtool prints it while searching (unmasked). */
    long prefixAligned() {
        return prefix << (40 - bits);
    }

    private static long strtoull16(String s) {
        int i = 0;
        while (i < s.length() && " \t\n\u000b\f\r".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        boolean negative = false;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        if (i + 2 < s.length() && s.charAt(i) == '0' && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X')
                && Character.digit(s.charAt(i + 2), 16) >= 0) {
            i += 2;
        }
        long value = 0;
        boolean overflow = false;
        for (; i < s.length(); i++) {
            int d = s.charAt(i) < 128 ? Character.digit(s.charAt(i), 16) : -1;
            if (d < 0) {
                break;
            }
            if (Long.compareUnsigned(value, 0x0fff_ffff_ffff_ffffL) > 0) {
                overflow = true;
            }
            value = (value << 4) | d;
        }
        if (overflow) {
            return -1L; // ULLONG_MAX, whatever the sign
        }
        return negative ? -value : value;
    }
}
