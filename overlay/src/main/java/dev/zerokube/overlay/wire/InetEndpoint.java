package dev.zerokube.overlay.wire;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * ZeroTier's {@code InetAddress}: an IPv4 or IPv6 address with a 16-bit port, or nil
 * (ZT1-03 §2.1). Named apart from {@link java.net.InetAddress}, which has no port and no nil.
 * In network configs the port field carries a netmask's bit count instead of a port.
 *
 * <pre>
 * type [1]   0x00 nil                        total 1
 *            0x01, 0x02 reserved: 6 bytes    total 7   (read as nil, never written)
 *            0x03 reserved: [2] len, len     total 3+len (read as nil, never written)
 *            0x04 IPv4: [4] ip, [2] port     total 7
 *            0x06 IPv6: [16] ip, [2] port    total 19
 *            anything else: invalid
 * </pre>
 * Text form (ZeroTier's {@code toString}, i.e. {@code inet_ntop} and a decimal port):
 * {@code ip/port}, IPv6 with the longest run of two or more zero groups as {@code ::};
 * nil is the empty string. Immutable; the address bytes are copied in and out.
 */
public final class InetEndpoint {
    /** No address. */
    public static final InetEndpoint NIL = new InetEndpoint(new byte[0], 0);

    public static final int TYPE_NIL = 0x00;
    public static final int TYPE_IPV4 = 0x04;
    public static final int TYPE_IPV6 = 0x06;
    /** Encoded length of nil, IPv4 and IPv6. */
    public static final int NIL_LENGTH = 1;
    public static final int IPV4_LENGTH = 7;
    public static final int IPV6_LENGTH = 19;

    private final byte[] ip;
    private final int port;

    private InetEndpoint(byte[] ip, int port) {
        this.ip = ip;
        this.port = port;
    }

    /** An endpoint from 4 (IPv4) or 16 (IPv6) address bytes and a port 0..65535. */
    public static InetEndpoint of(byte[] ip, int port) {
        if (ip.length != 4 && ip.length != 16) {
            throw new IllegalArgumentException("IP address must be 4 or 16 bytes, got " + ip.length);
        }
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        return new InetEndpoint(ip.clone(), port);
    }

    /** From a Java address (no name lookup is involved: only its bytes are used). */
    public static InetEndpoint of(java.net.InetAddress address, int port) {
        return of(address.getAddress(), port);
    }

    public boolean isNil() {
        return ip.length == 0;
    }

    public boolean isIpv4() {
        return ip.length == 4;
    }

    public boolean isIpv6() {
        return ip.length == 16;
    }

    /** The address bytes (a copy): 0, 4 or 16 of them. */
    public byte[] ip() {
        return ip.clone();
    }

    public int port() {
        return port;
    }

    /** How many address bytes: 0 (nil), 4 or 16. */
    public int ipLength() {
        return ip.length;
    }

    /** Copies the address bytes (0, 4 or 16) to {@code dst} at {@code off}; returns how many. */
    public int copyIpTo(byte[] dst, int off) {
        System.arraycopy(ip, 0, dst, off, ip.length);
        return ip.length;
    }

    /** Address byte {@code i} (no copy: for code that writes or compares addresses per packet). */
    public byte ipByte(int i) {
        return ip[i];
    }

    /** An IPv4 address as an unsigned 32-bit value (network order); fails for other kinds. */
    public long ipv4Value() {
        if (!isIpv4()) {
            throw new IllegalStateException("not IPv4: " + this);
        }
        return ((ip[0] & 0xffL) << 24) | ((ip[1] & 0xff) << 16) | ((ip[2] & 0xff) << 8) | (ip[3] & 0xff);
    }

    /**
     * The Java address (IPv6 stays an {@link Inet6Address} even when IPv4-mapped), or
     * {@code null} for nil. Built from bytes only: no name lookup.
     */
    public java.net.InetAddress toInetAddress() {
        try {
            if (isIpv4()) {
                return Inet4Address.getByAddress(ip);
            }
            if (isIpv6()) {
                return Inet6Address.getByAddress(null, ip, -1);
            }
            return null;
        } catch (UnknownHostException e) {
            throw new IllegalStateException("address of legal length refused", e);
        }
    }

    /** Bytes {@link #encode} writes. */
    public int encodedLength() {
        return isNil() ? NIL_LENGTH : isIpv4() ? IPV4_LENGTH : IPV6_LENGTH;
    }

    public void encode(ByteWriter w) {
        if (isNil()) {
            w.u8(TYPE_NIL);
            return;
        }
        w.u8(isIpv4() ? TYPE_IPV4 : TYPE_IPV6).bytes(ip).u16(port);
    }

    /** The encoded form as a new array. */
    public byte[] toBytes() {
        ByteWriter w = new ByteWriter(encodedLength());
        encode(w);
        return w.toByteArray();
    }

    /**
     * Reads one endpoint. The reserved types 0x01/0x02/0x03 are skipped and read as nil (1.14.1
     * accepts them for forward compatibility); any other unknown type is an error.
     */
    public static InetEndpoint decode(ByteReader r, String field) throws WireFormatException {
        int type = r.readU8(field + " type");
        switch (type) {
            case TYPE_NIL:
                return NIL;
            case 0x01, 0x02:
                r.skip(6, field + " reserved type " + type);
                return NIL;
            case 0x03:
                r.skip(r.readU16(field + " reserved length"), field + " reserved data");
                return NIL;
            case TYPE_IPV4: {
                byte[] a = r.readBytes(4, field + " IPv4");
                return new InetEndpoint(a, r.readU16(field + " port"));
            }
            case TYPE_IPV6: {
                byte[] a = r.readBytes(16, field + " IPv6");
                return new InetEndpoint(a, r.readU16(field + " port"));
            }
            default:
                throw r.error(field + ": unknown address type 0x" + Integer.toHexString(type));
        }
    }

    /**
     * Parses the text form {@code ip/port} (IPv4 dotted quad or IPv6 without zone), or the empty
     * string for nil. Only literals are accepted: nothing is looked up.
     */
    public static InetEndpoint parse(String text) {
        if (text.isEmpty()) {
            return NIL;
        }
        int slash = text.lastIndexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("expected ip/port: " + text);
        }
        int port = parsePort(text.substring(slash + 1), text);
        String host = text.substring(0, slash);
        byte[] ip = host.indexOf(':') >= 0 ? parseIpv6(host) : parseIpv4(host);
        if (ip == null) {
            throw new IllegalArgumentException("not an IP literal: " + text);
        }
        return new InetEndpoint(ip, port);
    }

    /** Parses an IPv4 or IPv6 literal (no port) into 4 or 16 bytes. */
    public static byte[] parseIp(String literal) {
        byte[] ip = literal.indexOf(':') >= 0 ? parseIpv6(literal) : parseIpv4(literal);
        if (ip == null) {
            throw new IllegalArgumentException("not an IP literal: " + literal);
        }
        return ip;
    }

    private static int parsePort(String s, String whole) {
        if (s.isEmpty() || s.length() > 5) {
            throw new IllegalArgumentException("bad port in " + whole);
        }
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("bad port in " + whole);
            }
            v = v * 10 + (c - '0');
        }
        if (v > 0xffff) {
            throw new IllegalArgumentException("port out of range in " + whole);
        }
        return v;
    }

    private static byte[] parseIpv4(String s) {
        byte[] out = new byte[4];
        int part = 0;
        int value = -1;
        int digits = 0;
        for (int i = 0; i <= s.length(); i++) {
            char c = i < s.length() ? s.charAt(i) : '.';
            if (c == '.') {
                if (value < 0 || part > 3) {
                    return null;
                }
                out[part++] = (byte) value;
                value = -1;
                digits = 0;
            } else if (c >= '0' && c <= '9' && digits < 3) {
                value = (value < 0 ? 0 : value * 10) + (c - '0');
                digits++;
                if (value > 255) {
                    return null;
                }
            } else {
                return null;
            }
        }
        return part == 4 ? out : null;
    }

    private static byte[] parseIpv6(String s) {
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        String head = gap >= 0 ? s.substring(0, gap) : s;
        if (gap >= 0 && head.indexOf('.') >= 0) {
            return null;
        }
        String tail = gap >= 0 ? s.substring(gap + 2) : "";
        int[] h = groups(head);
        int[] t = groups(tail);
        if (h == null || t == null) {
            return null;
        }
        int total = h.length + t.length;
        if (gap < 0 ? total != 8 : total > 7) {
            return null;
        }
        byte[] out = new byte[16];
        for (int i = 0; i < h.length; i++) {
            out[2 * i] = (byte) (h[i] >>> 8);
            out[2 * i + 1] = (byte) h[i];
        }
        for (int i = 0; i < t.length; i++) {
            int g = 8 - t.length + i;
            out[2 * g] = (byte) (t[i] >>> 8);
            out[2 * g + 1] = (byte) t[i];
        }
        return out;
    }

    // Colon-separated hex groups; a trailing dotted quad counts as two groups.
    private static int[] groups(String s) {
        if (s.isEmpty()) {
            return new int[0];
        }
        String[] parts = s.split(":", -1);
        int n = parts.length;
        boolean quad = parts[n - 1].indexOf('.') >= 0;
        int[] out = new int[quad ? n + 1 : n];
        for (int i = 0; i < n; i++) {
            String p = parts[i];
            if (quad && i == n - 1) {
                byte[] v4 = parseIpv4(p);
                if (v4 == null) {
                    return null;
                }
                out[i] = ((v4[0] & 0xff) << 8) | (v4[1] & 0xff);
                out[i + 1] = ((v4[2] & 0xff) << 8) | (v4[3] & 0xff);
                continue;
            }
            if (p.isEmpty() || p.length() > 4) {
                return null;
            }
            int v = 0;
            for (int k = 0; k < p.length(); k++) {
                char c = p.charAt(k);
                if (!HexFormat.isHexDigit(c)) {
                    return null;
                }
                v = (v << 4) | HexFormat.fromHexDigit(c);
            }
            out[i] = v;
        }
        return out;
    }

    /** The IP alone in text form as {@code inet_ntop} writes it; empty for nil. */
    public String ipString() {
        if (isIpv4()) {
            return (ip[0] & 0xff) + "." + (ip[1] & 0xff) + "." + (ip[2] & 0xff) + "." + (ip[3] & 0xff);
        }
        if (isNil()) {
            return "";
        }
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((ip[2 * i] & 0xff) << 8) | (ip[2 * i + 1] & 0xff);
        }
        // The longest run of two or more zero groups (the first on a tie) becomes "::".
        int bestAt = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestAt = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(45);
        // inet_ntop (which 1.14.1 uses) prints IPv4-compatible and IPv4-mapped addresses with a
        // dotted quad.
        if (bestAt == 0 && (bestLen == 6 || (bestLen == 5 && g[5] == 0xffff))) {
            sb.append(bestLen == 5 ? "::ffff:" : "::");
            return sb.append(ip[12] & 0xff).append('.').append(ip[13] & 0xff).append('.')
                    .append(ip[14] & 0xff).append('.').append(ip[15] & 0xff).toString();
        }
        for (int i = 0; i < 8; i++) {
            if (i == bestAt) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    /** {@code ip/port}, or the empty string for nil. */
    @Override
    public String toString() {
        return isNil() ? "" : ipString() + "/" + port;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InetEndpoint e && port == e.port && Arrays.equals(ip, e.ip);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ip) * 31 + port;
    }
}
