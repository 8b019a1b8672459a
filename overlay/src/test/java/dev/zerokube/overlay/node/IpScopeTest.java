package dev.zerokube.overlay.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zerokube.overlay.wire.InetEndpoint;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/*
 * Goal: IpScope classifies addresses exactly as ZT1-07 §0's table (1.14.1's InetAddress::ipScope),
 * including the boundaries of every prefix and the IPv6 oddities, and says which addresses may
 * carry ZeroTier traffic. Method: a table of addresses at and around each boundary; for IPv4 also
 * 200 000 random addresses checked against a plain ordered list of prefixes written from the doc.
 */
class IpScopeTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "0.0.0.0, NONE", "0.255.255.255, NONE", "1.0.0.0, GLOBAL", "5.255.255.255, GLOBAL", "6.0.0.1, PSEUDOPRIVATE",
        "10.0.0.0, PRIVATE", "10.255.255.255, PRIVATE", "11.1.1.1, PSEUDOPRIVATE", "21.0.0.1, PSEUDOPRIVATE",
        "22.0.0.1, PSEUDOPRIVATE", "25.0.0.1, PSEUDOPRIVATE", "26.0.0.1, PSEUDOPRIVATE", "27.0.0.1, GLOBAL",
        "28.0.0.1, PSEUDOPRIVATE", "29.0.0.1, PSEUDOPRIVATE", "30.0.0.1, PSEUDOPRIVATE", "31.0.0.1, GLOBAL",
        "51.0.0.1, PSEUDOPRIVATE", "55.0.0.1, PSEUDOPRIVATE", "56.0.0.1, PSEUDOPRIVATE", "57.0.0.1, GLOBAL",
        "100.63.255.255, GLOBAL", "100.64.0.0, PRIVATE", "100.127.255.255, PRIVATE", "100.128.0.0, GLOBAL",
        "127.0.0.1, LOOPBACK", "127.255.255.255, LOOPBACK", "169.253.255.255, GLOBAL", "169.254.0.1, LINK_LOCAL",
        "169.255.0.0, GLOBAL", "172.15.255.255, GLOBAL", "172.16.0.0, PRIVATE", "172.31.255.255, PRIVATE",
        "172.32.0.0, GLOBAL", "192.0.1.255, GLOBAL", "192.0.2.0, PRIVATE", "192.0.2.255, PRIVATE", "192.0.3.0, GLOBAL",
        "192.167.255.255, GLOBAL", "192.168.0.0, PRIVATE", "192.168.255.255, PRIVATE", "192.169.0.0, GLOBAL",
        "198.17.255.255, GLOBAL", "198.18.0.0, PRIVATE", "198.19.255.255, PRIVATE", "198.20.0.0, GLOBAL",
        "198.51.100.7, PRIVATE", "198.51.101.0, GLOBAL", "203.0.113.9, PRIVATE", "203.0.114.0, GLOBAL",
        "223.255.255.255, GLOBAL", "224.0.0.1, MULTICAST", "239.255.255.255, MULTICAST", "240.0.0.0, PSEUDOPRIVATE",
        "254.255.255.255, PSEUDOPRIVATE", "255.255.255.255, NONE",
        "::, NONE", "::1, LOOPBACK", "::2, GLOBAL", "0:0:0:0:0:1:0:0, GLOBAL", "::ffff:127.0.0.1, LOOPBACK",
        "::ffff:127.1.2.3, LOOPBACK", "::ffff:10.0.0.1, GLOBAL", "::ffff:1.2.3.4, GLOBAL", "fe80::1, LOOPBACK",
        "fe80::2, LINK_LOCAL", "fe80::1:0:0:1, LINK_LOCAL", "febf::1, LOOPBACK", "fec0::1, GLOBAL", "fc00::1, PRIVATE",
        "fdff:ffff::1, PRIVATE", "fbff::1, GLOBAL", "ff02::1, MULTICAST", "2001:db8::1, GLOBAL", "2001:470::1, GLOBAL",
    })
    void classifiesLike1141(String ip, IpScope expected) {
        assertEquals(expected, IpScope.of(InetEndpoint.parse(ip + "/9993")));
    }

    @ParameterizedTest(name = "{0} usable: {1}")
    @CsvSource({
        "1.2.3.4, true", "10.0.0.1, true", "6.0.0.1, true", "198.18.0.1, true", "127.0.0.1, false", "0.1.2.3, false",
        "169.254.1.1, false", "224.0.0.5, false", "255.1.1.1, false", "2001:db8::1, true", "fd00::1, true",
        "2001:470::1, false", "2001:470:ffff::1, false", "2001:471::1, true", "fe80::9, false", "::1, false",
        "ff02::1, false",
    })
    void pathValidity(String ip, boolean usable) {
        assertEquals(usable, IpScope.isValidForPath(InetEndpoint.parse(ip + "/9993")));
    }

    @Test
    void nilIsNoneAndUnusable() {
        assertEquals(IpScope.NONE, IpScope.of(InetEndpoint.NIL));
        assertEquals(false, IpScope.isValidForPath(InetEndpoint.NIL));
    }

    @Test
    void valuesAre1141s() {
        int v = 0;
        for (IpScope s : IpScope.values()) {
            assertEquals(v, s.value());
            assertEquals(s, IpScope.ofValue(v++));
        }
        assertEquals(IpScope.MAX_VALUE + 1, v);
    }

    /** ZT1-07 §0's IPv4 column as an ordered list: the first matching prefix decides. */
    private record Prefix(long network, int bits, IpScope scope) {
        boolean contains(long ip) {
            long mask = bits == 0 ? 0 : (0xffffffffL << (32 - bits)) & 0xffffffffL;
            return (ip & mask) == network;
        }
    }

    private static final List<Prefix> MODEL = List.of(
            p(0, 0, 0, 0, 8, IpScope.NONE), p(255, 0, 0, 0, 8, IpScope.NONE), p(127, 0, 0, 0, 8, IpScope.LOOPBACK),
            p(10, 0, 0, 0, 8, IpScope.PRIVATE), p(100, 64, 0, 0, 10, IpScope.PRIVATE), p(172, 16, 0, 0, 12, IpScope.PRIVATE),
            p(192, 168, 0, 0, 16, IpScope.PRIVATE), p(192, 0, 2, 0, 24, IpScope.PRIVATE), p(198, 18, 0, 0, 15, IpScope.PRIVATE),
            p(198, 51, 100, 0, 24, IpScope.PRIVATE), p(203, 0, 113, 0, 24, IpScope.PRIVATE),
            p(169, 254, 0, 0, 16, IpScope.LINK_LOCAL), p(224, 0, 0, 0, 4, IpScope.MULTICAST),
            p(240, 0, 0, 0, 4, IpScope.PSEUDOPRIVATE), p(6, 0, 0, 0, 8, IpScope.PSEUDOPRIVATE),
            p(11, 0, 0, 0, 8, IpScope.PSEUDOPRIVATE), p(21, 0, 0, 0, 8, IpScope.PSEUDOPRIVATE),
            p(22, 0, 0, 0, 8, IpScope.PSEUDOPRIVATE), p(25, 0, 0, 0, 8, IpScope.PSEUDOPRIVATE),
            p(26, 0, 0, 0, 8, IpScope.PSEUDOPRIVATE), p(28, 0, 0, 0, 8, IpScope.PSEUDOPRIVATE),
            p(29, 0, 0, 0, 8, IpScope.PSEUDOPRIVATE), p(30, 0, 0, 0, 8, IpScope.PSEUDOPRIVATE),
            p(51, 0, 0, 0, 8, IpScope.PSEUDOPRIVATE), p(55, 0, 0, 0, 8, IpScope.PSEUDOPRIVATE),
            p(56, 0, 0, 0, 8, IpScope.PSEUDOPRIVATE), p(0, 0, 0, 0, 0, IpScope.GLOBAL));

    private static Prefix p(int a, int b, int c, int d, int bits, IpScope scope) {
        return new Prefix(((long) a << 24) | (b << 16) | (c << 8) | d, bits, scope);
    }

    @Test
    void randomIpv4AgreesWithThePrefixModel() {
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++) {
            long ip = r.nextLong(1L << 32);
            IpScope expected = MODEL.stream().filter(x -> x.contains(ip)).findFirst().orElseThrow().scope();
            assertEquals(expected, IpScope.ofIpv4(ip), () -> Long.toHexString(ip));
        }
    }
}
