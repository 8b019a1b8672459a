package dev.zerokube.overlay.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import java.net.Inet6Address;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Goal: ZeroTier InetAddress (ZT1-03 §2.1) encodes, decodes and prints as 1.14.1 does, and its
 * decoder is total. Method: the worked examples of ZT1-03, seeded random round trips through
 * bytes and text (checked against java.net's own literal handling), every truncation, and
 * malformed text.
 */
class InetEndpointTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void workedExamplesOfZt103() throws WireFormatException {
        assertEquals("04c0a8010a2709", HEX.formatHex(InetEndpoint.parse("192.168.1.10/9993").toBytes()));
        assertEquals("0620010db8000000000000000000000001" + "01bb",
                HEX.formatHex(InetEndpoint.parse("2001:db8::1/443").toBytes()));
        InetEndpoint e = InetEndpoint.decode(new ByteReader(HEX.parseHex("04c0a8010a2709"), "t"), "a");
        assertEquals("192.168.1.10/9993", e.toString());
        assertEquals(0xc0a8010aL, e.ipv4Value());
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void randomRoundTrip(long seed) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int t = 0; t < 500; t++) {
            InetEndpoint e = random(rnd);
            byte[] bytes = e.toBytes();
            assertEquals(e.encodedLength(), bytes.length);
            ByteReader r = new ByteReader(bytes, "t");
            assertEquals(e, InetEndpoint.decode(r, "a"));
            r.expectEnd("a");
            assertEquals(e, InetEndpoint.parse(e.toString()));
            if (!e.isNil()) {
                // Our text must name the same address Java reads from it (java.net parses literals
                // without lookups).
                java.net.InetAddress j = java.net.InetAddress.getByName(e.ipString());
                assertArrayEquals(normalise(e.ip()), normalise(j.getAddress()));
                assertArrayEquals(e.ip(), e.toInetAddress().getAddress());
            }
        }
    }

    // java.net turns IPv4-mapped IPv6 text into IPv4; compare on that footing.
    private static byte[] normalise(byte[] ip) {
        if (ip.length == 16 && java.util.Arrays.equals(ip, 0, 12,
                new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1}, 0, 12)) {
            return java.util.Arrays.copyOfRange(ip, 12, 16);
        }
        return ip;
    }

    static InetEndpoint random(SplittableRandom rnd) {
        int kind = rnd.nextInt(3);
        if (kind == 0) {
            return InetEndpoint.NIL;
        }
        byte[] ip = new byte[kind == 1 ? 4 : 16];
        rnd.nextBytes(ip);
        if (kind == 2) {
            // Zero runs of every length exercise "::" placement.
            int from = rnd.nextInt(8);
            int to = from + rnd.nextInt(9 - from);
            for (int i = 2 * from; i < 2 * to; i++) {
                ip[i] = 0;
            }
        }
        return InetEndpoint.of(ip, rnd.nextInt(65536));
    }

    @ParameterizedTest
    @CsvSource({
        "::/0, ::/0",
        "::1/1, ::1/1",
        "1::/2, 1::/2",
        "1:0:0:2:0:0:0:3/4, 1:0:0:2::3/4",
        "1:0:2:3:4:5:6:7/5, 1:0:2:3:4:5:6:7/5",
        "FD00:5A54:0:0:0:0:0:1/9993, fd00:5a54::1/9993",
        "::ffff:1.2.3.4/6, ::ffff:1.2.3.4/6",
        "0:0:0:0:0:ffff:0102:0304/6, ::ffff:1.2.3.4/6",
        "::1.2.3.4/7, ::1.2.3.4/7",
        "::1:0:0:0/8, ::1:0:0:0/8",
        "1:0:0:2:0:0:3:4/8, 1::2:0:0:3:4/8",
        "1:0:0:1:0:0:0:0/8, 1:0:0:1::/8",
        "0:0:0:0:1:ffff:0:0/9, ::1:ffff:0:0/9",
    })
    void ipv6Text(String in, String out) {
        assertEquals(out, InetEndpoint.parse(in).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.2.3.4", "1.2.3/1", "1.2.3.4.5/1", "256.1.1.1/1", "1.2.3.4/65536", "1.2.3.4/-1",
        "1.2.3.4/", "1::2::3/1", "1:2:3:4:5:6:7:8:9/1", "1:2:3:4:5:6:7/1", "::1%eth0/1", "12345::/1",
        "host.example/1", ":1/1", "1.2.3.4::/1", "1:2:3:4:5:6:7:8::/1"})
    void badText(String text) {
        assertThrows(IllegalArgumentException.class, () -> InetEndpoint.parse(text));
    }

    @Test
    void ipv4MappedStaysIpv6() {
        byte[] ip = HEX.parseHex("00000000000000000000ffff01020304");
        InetEndpoint e = InetEndpoint.of(ip, 1);
        assertInstanceOf(Inet6Address.class, e.toInetAddress());
        assertTrue(e.isIpv6());
    }

    @Test
    void everyTruncationIsAWireFormatException() {
        for (String hex : new String[] {"04c0a8010a2709", "0620010db800000000000000000000000101bb", "0300020102",
            "01010203040506"}) {
            byte[] b = HEX.parseHex(hex);
            for (int n = 0; n < b.length; n++) {
                ByteReader r = new ByteReader(b, 0, n, "t");
                assertThrows(WireFormatException.class, () -> InetEndpoint.decode(r, "a"), hex + " cut at " + n);
            }
        }
        for (int type = 0; type < 256; type++) {
            byte[] b = new byte[40];
            b[0] = (byte) type;
            ByteReader r = new ByteReader(b, "t");
            boolean known = type <= 4 || type == 6;
            if (known) {
                assertTrue(assertDecodes(r) != null);
            } else {
                assertThrows(WireFormatException.class, () -> InetEndpoint.decode(r, "a"));
            }
        }
    }

    private static InetEndpoint assertDecodes(ByteReader r) {
        try {
            return InetEndpoint.decode(r, "a");
        } catch (WireFormatException e) {
            throw new AssertionError(e.what());
        }
    }

    @Test
    void encodeWritesOnlyCanonicalTypes() {
        ByteWriter w = new ByteWriter();
        InetEndpoint.NIL.encode(w);
        assertArrayEquals(new byte[] {0}, w.toByteArray());
        assertEquals("", InetEndpoint.NIL.toString());
        assertThrows(IllegalArgumentException.class, () -> InetEndpoint.of(new byte[5], 1));
        assertThrows(IllegalArgumentException.class, () -> InetEndpoint.of(new byte[4], 65536));
    }
}
