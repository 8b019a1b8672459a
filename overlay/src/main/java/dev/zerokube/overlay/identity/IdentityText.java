package dev.zerokube.overlay.identity;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * The text form of an identity, {@code address:0:public[:private]} (ZT1-01 §6), read exactly as
 * ZeroTier One 1.14.1 reads it so that any identity file it accepts is accepted here and every
 * string it refuses is refused.
 *
 * <p>1.14.1 works on the C string, so this works on the UTF-8 bytes up to the first NUL:
 * <ul>
 *   <li>384 bytes or more: refused (its copy buffer holds 383 characters and a NUL);
 *   <li>fields split on {@code ':'} with empty fields skipped ({@code strtok_r});
 *       fewer than 3 or more than 4 fields: refused;
 *   <li>address: C {@code strtoull(field, 16)} (leading white space, a sign, a {@code 0x} prefix,
 *       digits up to the first non-hex character, saturation on overflow), then the low 40 bits;
 *       a reserved result is refused;
 *   <li>type: exactly {@code "0"};
 *   <li>keys: hex pairs until 64 bytes are produced or the field ends; a character that is not a
 *       hex digit counts as nibble 0, a lone last digit is dropped, anything after the 64th byte
 *       (such as a trailing newline) is ignored; fewer than 64 bytes: refused.
 * </ul>
 * No cryptographic check is made here; {@link Identity#locallyValidate()} does that.
 */
final class IdentityText {
    /** 1.14.1 copies the text into a 384-byte buffer with its NUL, so 383 bytes is the limit. */
    static final int LENGTH_MAX = 383;
    private static final byte SEPARATOR = ':';
    private static final HexFormat HEX = HexFormat.of();

    private IdentityText() {}

    static String format(Address address, byte[] publicKey, byte[] privateKeyOrNull) {
        StringBuilder s = new StringBuilder(270);
        s.append(address).append(":0:").append(HEX.formatHex(publicKey));
        if (privateKeyOrNull != null) {
            s.append(':').append(HEX.formatHex(privateKeyOrNull));
        }
        return s.toString();
    }

    static Identity parse(String text) throws InvalidIdentityException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        if (end > LENGTH_MAX) {
            throw new InvalidIdentityException("identity text is " + end + " bytes long, more than the "
                    + LENGTH_MAX + " ZeroTier accepts");
        }
        Address address = null;
        byte[] publicKey = null;
        byte[] privateKey = null;
        int fields = 0;
        int pos = 0;
        while (true) {
            while (pos < end && bytes[pos] == SEPARATOR) {
                pos++;
            }
            if (pos == end) {
                break;
            }
            int start = pos;
            while (pos < end && bytes[pos] != SEPARATOR) {
                pos++;
            }
            switch (fields++) {
                case 0 -> address = address(bytes, start, pos);
                case 1 -> type(bytes, start, pos);
                case 2 -> publicKey = key(bytes, start, pos, "public key");
                case 3 -> privateKey = key(bytes, start, pos, "private key");
                default -> throw new InvalidIdentityException(
                        "identity text has more than 4 ':'-separated fields (address:0:public[:private])");
            }
        }
        if (fields < 3) {
            throw new InvalidIdentityException("identity text has " + fields
                    + " non-empty ':'-separated fields, at least 3 are needed (address:0:public[:private])");
        }
        return new Identity(address, publicKey, privateKey);
    }

    private static Address address(byte[] b, int start, int end) throws InvalidIdentityException {
        Address address = Address.fromLow40Bits(strtoull16(b, start, end));
        if (address.isReserved()) {
            throw new InvalidIdentityException("identity address field " + quote(b, start, end, 12)
                    + " reads as " + address + ", which is reserved (zero or first byte 0xff)");
        }
        return address;
    }

    private static void type(byte[] b, int start, int end) throws InvalidIdentityException {
        if (end - start == 1 && b[start] == '0') {
            return;
        }
        if (end - start == 1 && b[start] == '1') {
            throw new InvalidIdentityException("identity type 1 (P-384) is not supported: ZeroTier 1.x and"
                    + " zerokube know only type 0 (C25519)");
        }
        throw new InvalidIdentityException("identity type field " + quote(b, start, end, 4)
                + " must be exactly 0 (C25519)");
    }

    /** {@code strtoull(s, NULL, 16)} of glibc on the field; the field holds no NUL and no ':'. */
    private static long strtoull16(byte[] b, int start, int end) {
        int p = start;
        while (p < end && isCSpace(b[p])) {
            p++;
        }
        boolean negative = false;
        if (p < end && (b[p] == '+' || b[p] == '-')) {
            negative = b[p] == '-';
            p++;
        }
        if (p + 1 < end && b[p] == '0' && (b[p + 1] == 'x' || b[p + 1] == 'X')) {
            p += 2; // with no hex digit after it the value is 0 either way
        }
        long value = 0;
        boolean overflow = false;
        for (; p < end; p++) {
            int digit = hexDigit(b[p]);
            if (digit < 0) {
                break;
            }
            if (Long.compareUnsigned(value, 0x0fff_ffff_ffff_ffffL) > 0) {
                overflow = true;
            }
            value = (value << 4) | digit;
        }
        if (overflow) {
            return -1L; // ULLONG_MAX; the sign is not applied to a saturated result
        }
        return negative ? -value : value;
    }

    private static byte[] key(byte[] b, int start, int end, String what) throws InvalidIdentityException {
        byte[] key = new byte[Identity.KEY_LENGTH];
        int produced = 0;
        int p = start;
        while (produced < key.length && p + 1 < end) {
            key[produced++] = (byte) ((lenientNibble(b[p]) << 4) | lenientNibble(b[p + 1]));
            p += 2;
        }
        if (produced < key.length) {
            throw new InvalidIdentityException("identity " + what + " field has " + (end - start)
                    + " characters, which give " + produced + " bytes; 64 bytes (128 hex digits) are needed");
        }
        return key;
    }

    private static int hexDigit(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** 1.14.1 reads a character that is not a hex digit as 0 rather than failing. */
    private static int lenientNibble(byte c) {
        return Math.max(0, hexDigit(c));
    }

    private static boolean isCSpace(byte c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    /**
     * A short field quoted for an error message, unprintable bytes escaped; a longer one only by
     * its length, since a misplaced field may be key material.
     */
    private static String quote(byte[] b, int start, int end, int lengthMax) {
        if (end - start > lengthMax) {
            return "of " + (end - start) + " characters";
        }
        StringBuilder s = new StringBuilder("'");
        for (int i = start; i < end; i++) {
            int c = b[i] & 0xff;
            s.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return s.append('\'').toString();
    }
}
