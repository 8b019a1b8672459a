package dev.zerokube.overlay.wire.rules;

/**
 * IP address text as 1.14.1's controller reads it in rule JSON: the C library's {@code inet_pton}
 * (glibc flavour: exactly four decimal IPv4 octets without leading zeros; IPv6 groups of at most
 * four hex digits, one {@code ::}, an optional trailing dotted quad).
 *
 * <p>Kept apart from {@link dev.zerokube.overlay.wire.InetEndpoint#parseIp}, which is a general
 * literal parser: here rejection is not an error but yields the zero address, as in 1.14.1, so
 * the accepted set must be exactly the C library's. Writing uses {@code InetEndpoint}.
 */
final class IpText {
    private IpText() {}

    /** Four bytes, or {@code null} unless {@code s} is exactly a dotted quad without leading zeros. */
    static byte[] parseIpv4(String s) {
        byte[] out = new byte[4];
        int octets = 0;
        int value = 0;
        boolean sawDigit = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                if (sawDigit && value == 0) {
                    return null;
                }
                value = value * 10 + (c - '0');
                if (value > 255) {
                    return null;
                }
                if (!sawDigit) {
                    if (++octets > 4) {
                        return null;
                    }
                    sawDigit = true;
                }
                out[octets - 1] = (byte) value;
            } else if (c == '.' && sawDigit) {
                if (octets == 4) {
                    return null;
                }
                value = 0;
                sawDigit = false;
            } else {
                return null;
            }
        }
        return octets == 4 && sawDigit ? out : null;
    }

    /** Sixteen bytes, or {@code null} unless {@code s} is an RFC 4291 text address. */
    static byte[] parseIpv6(String s) {
        byte[] out = new byte[16];
        int n = s.length();
        int i = 0;
        int o = 0;
        int colonAt = -1;
        if (n >= 1 && s.charAt(0) == ':') {
            if (n < 2 || s.charAt(1) != ':') {
                return null;
            }
            i = 1;
        }
        int groupStart = i;
        int value = 0;
        int digits = 0;
        while (i < n) {
            char c = s.charAt(i++);
            int d = Character.digit(c, 16);
            if (d >= 0 && c < 128) {
                if (++digits > 4) {
                    return null;
                }
                value = (value << 4) | d;
                continue;
            }
            if (c == ':') {
                groupStart = i;
                if (digits == 0) {
                    if (colonAt >= 0) {
                        return null;
                    }
                    colonAt = o;
                    continue;
                }
                if (i == n || o + 2 > 16) {
                    return null;
                }
                out[o++] = (byte) (value >> 8);
                out[o++] = (byte) value;
                value = 0;
                digits = 0;
                continue;
            }
            if (c == '.' && o + 4 <= 16) {
                byte[] v4 = parseIpv4(s.substring(groupStart));
                if (v4 == null) {
                    return null;
                }
                System.arraycopy(v4, 0, out, o, 4);
                o += 4;
                digits = 0;
                break;
            }
            return null;
        }
        if (digits > 0) {
            if (o + 2 > 16) {
                return null;
            }
            out[o++] = (byte) (value >> 8);
            out[o++] = (byte) value;
        }
        if (colonAt >= 0) {
            if (o == 16) {
                return null;
            }
            int tail = o - colonAt;
            System.arraycopy(out, colonAt, out, 16 - tail, tail);
            for (int k = colonAt; k < 16 - tail; k++) {
                out[k] = 0;
            }
            o = 16;
        }
        return o == 16 ? out : null;
    }
}
