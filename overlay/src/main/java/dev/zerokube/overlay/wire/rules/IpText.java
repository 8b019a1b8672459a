package dev.zerokube.overlay.wire.rules;

/**
 * IP address text as 1.14.1's controller reads and writes it in rule JSON: the C library's
 * {@code inet_pton}/{@code inet_ntop} (glibc flavour: no leading zeros in IPv4 octets, the first
 * longest run of two or more zero groups becomes {@code ::}, {@code ::a.b.c.d} and
 * {@code ::ffff:a.b.c.d} for IPv4-compatible and IPv4-mapped addresses).
 *
 * <p>Kept here rather than in a general InetAddress type because these exact forms are what the
 * controller JSON of ZT1-06 §5 compares against; nothing here touches the network.
 */
final class IpText {
    private IpText() {}

    /** {@code a.b.c.d} for 4 bytes, the {@code inet_ntop} form for 16. */
    static String format(byte[] ip) {
        if (ip.length == 4) {
            return formatIpv4(ip, 0);
        }
        if (ip.length != 16) {
            throw new IllegalArgumentException("IP address of " + ip.length + " bytes");
        }
        int[] words = new int[8];
        for (int i = 0; i < 8; i++) {
            words[i] = ((ip[2 * i] & 0xff) << 8) | (ip[2 * i + 1] & 0xff);
        }
        int bestBase = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (words[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && words[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestBase = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestLen < 2) {
            bestBase = -1;
        }
        StringBuilder sb = new StringBuilder(46);
        for (int i = 0; i < 8; i++) {
            if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
                if (i == bestBase) {
                    sb.append(':');
                }
                continue;
            }
            if (i != 0) {
                sb.append(':');
            }
            if (i == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && words[5] == 0xffff))) {
                sb.append(formatIpv4(ip, 12));
                return sb.toString();
            }
            sb.append(Integer.toHexString(words[i]));
        }
        if (bestBase >= 0 && bestBase + bestLen == 8) {
            sb.append(':');
        }
        return sb.toString();
    }

    private static String formatIpv4(byte[] ip, int off) {
        return (ip[off] & 0xff) + "." + (ip[off + 1] & 0xff) + "." + (ip[off + 2] & 0xff) + "." + (ip[off + 3] & 0xff);
    }

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
