package dev.zerokube.overlay.node;

import dev.zerokube.overlay.wire.InetEndpoint;

/**
 * ZeroTier's classification of a physical address (ZT1-07 §0, {@code InetAddress::ipScope}). The
 * numbers are 1.14.1's and matter: path quality multiplies by {@code 8 - value} and RENDEZVOUS
 * picks the highest common value. Note that 198.18.0.0/15 and the documentation prefixes are
 * PRIVATE, not GLOBAL.
 */
public enum IpScope {
    NONE(0),
    MULTICAST(1),
    LOOPBACK(2),
    PSEUDOPRIVATE(3),
    GLOBAL(4),
    LINK_LOCAL(5),
    SHARED(6),
    PRIVATE(7);

    /** The highest scope value. */
    public static final int MAX_VALUE = 7;

    private static final IpScope[] BY_VALUE = values();

    private final int value;

    IpScope(int value) {
        this.value = value;
    }

    /** 1.14.1's number for this scope. */
    public int value() {
        return value;
    }

    /** The scope numbered {@code value} (0..7). */
    public static IpScope ofValue(int value) {
        return BY_VALUE[value];
    }

    /** The scope of an endpoint's IP (nil is NONE). */
    public static IpScope of(InetEndpoint endpoint) {
        if (endpoint.isIpv4()) {
            return ofIpv4(endpoint.ipv4Value());
        }
        if (endpoint.isIpv6()) {
            return ofIpv6(endpoint.ip());
        }
        return NONE;
    }

    /** The scope of an IPv4 address given as an unsigned 32-bit value. */
    public static IpScope ofIpv4(long ip) {
        int a = (int) (ip >>> 24) & 0xff;
        switch (a) {
            case 0, 255:
                return NONE;
            case 6, 11, 21, 22, 25, 26, 28, 29, 30, 51, 55, 56:
                return PSEUDOPRIVATE; // /8s held by military and government bodies, unrouted in practice
            case 10:
                return PRIVATE;
            case 127:
                return LOOPBACK;
            default:
                break;
        }
        if (inPrefix(ip, 0x64400000L, 10) || inPrefix(ip, 0xac100000L, 12) || inPrefix(ip, 0xc0a80000L, 16)
                || inPrefix(ip, 0xc0000200L, 24) || inPrefix(ip, 0xc6120000L, 15) || inPrefix(ip, 0xc6336400L, 24)
                || inPrefix(ip, 0xcb007100L, 24)) {
            return PRIVATE; // 100.64/10, 172.16/12, 192.168/16, 192.0.2/24, 198.18/15, 198.51.100/24, 203.0.113/24
        }
        if (inPrefix(ip, 0xa9fe0000L, 16)) {
            return LINK_LOCAL;
        }
        if (a >= 224 && a < 240) {
            return MULTICAST;
        }
        if (a >= 240) {
            return PSEUDOPRIVATE;
        }
        return GLOBAL;
    }

    /** The scope of a 16-byte IPv6 address. */
    public static IpScope ofIpv6(byte[] ip) {
        int b0 = ip[0] & 0xff;
        if (b0 == 0xff) {
            return MULTICAST;
        }
        if (b0 == 0xfe && (ip[1] & 0xc0) == 0x80) {
            // fe80::1 counts as loopback, the rest of fe80::/10 as link-local
            return zeroFromTo(ip, 2, 15) && ip[15] == 1 ? LOOPBACK : LINK_LOCAL;
        }
        if ((b0 & 0xfe) == 0xfc) {
            return PRIVATE;
        }
        // ::ffff:127.x.y.z (byte 9 is not looked at, as in 1.14.1)
        if (zeroFromTo(ip, 0, 9) && (ip[10] & 0xff) == 0xff && (ip[11] & 0xff) == 0xff && ip[12] == 0x7f) {
            return LOOPBACK;
        }
        if (zeroFromTo(ip, 0, 15)) {
            if (ip[15] == 1) {
                return LOOPBACK;
            }
            if (ip[15] == 0) {
                return NONE;
            }
        }
        return GLOBAL;
    }

    /**
     * Whether ZeroTier traffic may use this remote address at all ({@code Path::isAddressValidForPath},
     * ZT1-07 §0): IPv4 or IPv6 of scope PRIVATE, PSEUDOPRIVATE, SHARED or GLOBAL, and not in
     * 2001:470::/32 (tunnel broker space, where ZeroTier over a tunnel would loop).
     */
    public static boolean isValidForPath(InetEndpoint endpoint) {
        if (endpoint.isNil()) {
            return false;
        }
        IpScope scope = of(endpoint);
        if (scope != PRIVATE && scope != PSEUDOPRIVATE && scope != SHARED && scope != GLOBAL) {
            return false;
        }
        if (endpoint.isIpv6()) {
            byte[] ip = endpoint.ip();
            return !(ip[0] == 0x20 && ip[1] == 0x01 && ip[2] == 0x04 && ip[3] == 0x70);
        }
        return true;
    }

    private static boolean inPrefix(long ip, long network, int bits) {
        long mask = (0xffffffffL << (32 - bits)) & 0xffffffffL;
        return (ip & mask) == network;
    }

    private static boolean zeroFromTo(byte[] ip, int from, int toExclusive) {
        for (int i = from; i < toExclusive; i++) {
            if (ip[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
