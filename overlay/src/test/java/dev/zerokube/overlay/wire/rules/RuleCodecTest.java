package dev.zerokube.overlay.wire.rules;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.Mac;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Goal: the rule codec and JSON converter are total and self-consistent beyond the vectors.
 * Method: seeded random tables of every entry variant (round trip both ways, JSON idempotence),
 * every truncation of a table, random garbage, and hand-made cases for the 1.14.1 decoder quirks
 * of ZT1-06 §4.1 (fields at fixed offsets, length byte decides the advance, reserved types kept).
 */
class RuleCodecTest {
    private static final HexFormat HEX = HexFormat.of();

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
    void randomTablesRoundTrip(long seed) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int round = 0; round < 50; round++) {
            List<RuleEntry> table = new ArrayList<>();
            int n = rnd.nextInt(0, 40);
            for (int i = 0; i < n; i++) {
                table.add(randomEntry(rnd));
            }
            byte[] bytes = RuleCodec.encodeTable(table);
            ByteReader r = new ByteReader(bytes, "rules");
            List<RuleEntry> back = RuleCodec.decodeTable(r, RuleCodec.BASE_TABLE_ENTRIES_MAX);
            assertEquals(table, back, "seed " + seed);
            assertFalse(r.hasRemaining());
            assertArrayEquals(bytes, RuleCodec.encodeTable(back));
            assertEquals(table, RuleCodec.decodeCounted(new ByteReader(bytes, "cap"), n));
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {21, 22, 23, 24, 25, 26, 27, 28})
    void randomEntriesThroughControllerJson(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < 2000; i++) {
            RuleEntry e = randomEntry(rnd);
            Optional<Map<String, Object>> json = ControllerRuleJson.render(e);
            if (e instanceof RuleEntry.Unknown || e.type() == RuleType.ACTION_PRIORITY) {
                assertTrue(json.isEmpty(), e.toString());
                continue;
            }
            assertTrue(json.isPresent(), e.toString());
            Optional<RuleEntry> parsed = ControllerRuleJson.parse(json.get());
            if (e instanceof RuleEntry.IntegerRangeMatch) {
                assertTrue(parsed.isEmpty(), "1.14.1 drops INTEGER_RANGE");
                continue;
            }
            // What the controller keeps of an entry is a fixed point of parse ∘ render.
            RuleEntry kept = parsed.orElseThrow();
            Map<String, Object> keptJson = ControllerRuleJson.render(kept).orElseThrow();
            assertEquals(kept, ControllerRuleJson.parse(keptJson).orElseThrow(), e.toString());
            if (isControllerCanonical(e)) {
                assertEquals(e, kept);
                assertEquals(json.get(), keptJson);
            }
        }
    }

    @Test
    void everyTruncationFailsOrStopsAtAnEntryBoundary() throws Exception {
        SplittableRandom rnd = new SplittableRandom(99);
        List<RuleEntry> table = new ArrayList<>();
        for (RuleType t : RuleType.values()) {
            table.add(randomEntry(rnd, t));
        }
        table.add(new RuleEntry.Unknown(9, false, true));
        List<Integer> boundaries = new ArrayList<>();
        int at = 0;
        for (RuleEntry e : table) {
            boundaries.add(at);
            at += RuleCodec.encodeTable(List.of(e)).length;
        }
        byte[] bytes = RuleCodec.encodeTable(table);
        for (int cut = 0; cut < bytes.length; cut++) {
            ByteReader r = new ByteReader(bytes, 0, cut, "rules");
            int entriesBefore = boundaries.indexOf(cut);
            if (entriesBefore >= 0) {
                assertEquals(table.subList(0, entriesBefore), RuleCodec.decodeTable(r, RuleCodec.BASE_TABLE_ENTRIES_MAX));
            } else {
                WireFormatException ex = assertThrows(WireFormatException.class,
                        () -> RuleCodec.decodeTable(r, RuleCodec.BASE_TABLE_ENTRIES_MAX), "cut " + cut);
                assertTrue(ex.what().contains("rule"), ex.what());
            }
        }
    }

    @Test
    void countedListLongerThanInputFailsBeforeAllocating() {
        byte[] two = {0x01, 0x00};
        assertThrows(WireFormatException.class, () -> RuleCodec.decodeCounted(new ByteReader(two, "cap"), 65535));
        assertThrows(WireFormatException.class, () -> RuleCodec.decodeCounted(new ByteReader(two, "cap"), 2));
    }

    @ParameterizedTest
    @ValueSource(longs = {31, 32, 33, 34})
    void garbageNeverEscapesAsAnUncheckedException(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < 5000; i++) {
            byte[] b = new byte[rnd.nextInt(0, 64)];
            rnd.nextBytes(b);
            try {
                List<RuleEntry> t = RuleCodec.decodeTable(new ByteReader(b, "rules"), 1024);
                RuleCodec.encodeTable(t);
                ControllerRuleJson.renderAll(t);
            } catch (WireFormatException expected) {
                // bad input is reported, never thrown as something else
            }
        }
    }

    @Test
    void fieldsAreReadAtFixedOffsetsAndTheLengthByteDecidesTheAdvance() throws Exception {
        // ETHERTYPE with length byte 0: 1.14.1 reads 0x0800 from the following bytes, advances 0,
        // then reads those bytes again as a reserved action 8 with length 0.
        List<RuleEntry> t = decode("25000800");
        assertEquals(List.of(new RuleEntry.ValueMatch(RuleType.MATCH_ETHERTYPE, false, false, 0x0800),
                new RuleEntry.Unknown(8, false, false)), t);
        // DROP with a 3-byte payload: the payload is skipped.
        assertEquals(List.of(RuleEntry.Action.of(RuleType.ACTION_DROP), RuleEntry.Action.of(RuleType.ACTION_ACCEPT)),
                decode("0003aabbcc0100"));
        // Reserved match 52 with NOT and OR bits and a payload: kept as Unknown, payload dropped.
        RuleEntry u = decode("f402ffff").getFirst();
        assertEquals(new RuleEntry.Unknown(52, true, true), u);
        assertEquals("f400", HEX.formatHex(RuleCodec.encodeTable(List.of(u))));
        // PRIORITY carries no payload on the wire.
        assertEquals("0600", HEX.formatHex(RuleCodec.encodeTable(decode("060107"))));
    }

    @Test
    void integerRangeKeepsOnlyA32BitOffsetFromStart() throws Exception {
        // start 0x10, end 0x1_0000_0020: 1.14.1 keeps end - start = 0x1_0000_0010 as 0x10.
        RuleEntry e = decode("3313" + "0000000000000010" + "0000000100000020" + "0004" + "87").getFirst();
        assertEquals(new RuleEntry.IntegerRangeMatch(false, false, 0x10, 0x20, 4, 0x87), e);
        assertThrows(IllegalArgumentException.class,
                () -> new RuleEntry.IntegerRangeMatch(false, false, 0, 1L << 32, 0, 0));
        assertEquals(Map.of("type", "INTEGER_RANGE", "start", "0000000000000010", "end", "0000000000000020",
                "idx", 4L, "little", true, "bits", 8L, "not", false, "or", false), ControllerRuleJson.render(e).orElseThrow());
    }

    @Test
    void decodeTableStopsAtItsLimit() throws Exception {
        ByteReader r = new ByteReader(HEX.parseHex("01000000"), "rules");
        assertEquals(List.of(RuleEntry.Action.of(RuleType.ACTION_ACCEPT)), RuleCodec.decodeTable(r, 1));
        assertEquals(2, r.remaining());
    }

    @Test
    void constructorsRejectValuesWiderThanTheirField() {
        assertThrows(IllegalArgumentException.class,
                () -> new RuleEntry.ValueMatch(RuleType.MATCH_ETHERTYPE, false, false, 0x10000));
        assertThrows(IllegalArgumentException.class,
                () -> new RuleEntry.ValueMatch(RuleType.MATCH_TAGS_EQUAL, false, false, 1));
        assertThrows(NullPointerException.class,
                () -> new RuleEntry.AddressMatch(RuleType.MATCH_SOURCE_ZEROTIER_ADDRESS, false, false, null));
        assertThrows(IllegalArgumentException.class,
                () -> new RuleEntry.IpMatch(RuleType.MATCH_IPV4_DEST, false, false, new byte[16], 8));
        assertThrows(IllegalArgumentException.class, () -> new RuleEntry.Unknown(1, false, false));
        assertThrows(IllegalArgumentException.class, () -> new RuleEntry.Action(RuleType.ACTION_TEE, false, false));
        byte[] ip = {10, 0, 0, 1};
        RuleEntry.IpMatch m = new RuleEntry.IpMatch(RuleType.MATCH_IPV4_DEST, false, false, ip, 32);
        ip[0] = 11;
        m.ip()[1] = 9;
        assertArrayEquals(new byte[] {10, 0, 0, 1}, m.ip(), "arrays copied in and out");
    }

    @Test
    void controllerJsonIsReadLenientlyLike114() {
        Map<String, Object> r = new TreeMap<>();
        r.put("type", "ACTION_TEE");
        r.put("address", " 0xDEADBEEF01ff");
        r.put("length", -1L);
        r.put("not", "true");
        assertEquals(new RuleEntry.Forward(RuleType.ACTION_TEE, true, false, 0xadbeef01ffL, 0, 0xffff),
                ControllerRuleJson.parse(r).orElseThrow());

        r = new TreeMap<>(Map.of("type", "MATCH_IPV4_SOURCE", "ip", "10.1.2.3/300", "or", 1L));
        assertEquals(new RuleEntry.IpMatch(RuleType.MATCH_IPV4_SOURCE, false, true, new byte[] {10, 1, 2, 3}, 32),
                ControllerRuleJson.parse(r).orElseThrow(), "300 & 0xff = 44, clamped to 32");
        r = new TreeMap<>(Map.of("type", "MATCH_IPV6_DEST", "ip", "10.1.2.3/64"));
        assertEquals(new RuleEntry.IpMatch(RuleType.MATCH_IPV6_DEST, false, false, new byte[16], 64),
                ControllerRuleJson.parse(r).orElseThrow(), "wrong family: zero address, prefix kept");
        r = new TreeMap<>(Map.of("type", "MATCH_MAC_DEST", "mac", "02-AB-cd:ef:0"));
        assertEquals(new RuleEntry.MacMatch(RuleType.MATCH_MAC_DEST, false, false, new Mac(0x02abcdef0000L)),
                ControllerRuleJson.parse(r).orElseThrow());
        r = new TreeMap<>(Map.of("type", "MATCH_IP_DEST_PORT_RANGE", "start", "22"));
        assertEquals(new RuleEntry.RangeMatch(RuleType.MATCH_IP_DEST_PORT_RANGE, false, false, 22, 22),
                ControllerRuleJson.parse(r).orElseThrow(), "end defaults to start");
        r = new TreeMap<>(Map.of("type", "MATCH_CHARACTERISTICS", "mask", 3));
        assertEquals(new RuleEntry.ValueMatch(RuleType.MATCH_CHARACTERISTICS, false, false, 3),
                ControllerRuleJson.parse(r).orElseThrow());
        r = new TreeMap<>();
        r.put("type", "MATCH_CHARACTERISTICS");
        r.put("mask", null);
        Map<String, Object> nullMask = r;
        assertThrows(IllegalArgumentException.class, () -> ControllerRuleJson.parse(nullMask));

        assertTrue(ControllerRuleJson.parse(Map.of("type", "INTEGER_RANGE", "start", 1)).isEmpty());
        assertTrue(ControllerRuleJson.parse(Map.of("type", "ACTION_PRIORITY")).isEmpty());
        assertTrue(ControllerRuleJson.parse(Map.of()).isEmpty());
        assertEquals(List.of(RuleEntry.Action.of(RuleType.ACTION_DROP)),
                ControllerRuleJson.parseAll(List.of("x", Map.of("type", "nope"), Map.of("type", "ACTION_DROP"))));
    }

    @Test
    void strtoullBehavesLikeC() {
        assertEquals(0, ControllerRuleJson.strtoull("", 10));
        assertEquals(22, ControllerRuleJson.strtoull("22abc", 10));
        assertEquals(-5, ControllerRuleJson.strtoull("-5", 10));
        assertEquals(-1, ControllerRuleJson.strtoull("99999999999999999999999", 10));
        assertEquals(0xff, ControllerRuleJson.strtoull("0xff", 16));
        assertEquals(0, ControllerRuleJson.strtoull("0xg", 16));
        assertEquals(0xabc, ControllerRuleJson.strtoull("\t abc", 16));
    }

    @ParameterizedTest
    @ValueSource(strings = {"::", "::1", "fd00::", "fd00::1", "2001:db8::ff00:42:8329", "::ffff:10.0.0.1",
        "::10.0.0.1", "1:0:0:2::3", "1::2:0:0:3", "2605:9880:200:1200:30:571:e34:51", "fe80::1:0:0:0",
        "1:2:3:4:5:6:7:8", "1:0:2:0:3:0:4:0", "::ffff:0.0.0.0", "0:0:1::"})
    void ipv6TextRoundTripsAndMatchesTheJdkParser(String text) throws Exception {
        byte[] parsed = IpText.parseIpv6(text);
        assertArrayEquals(InetAddress.getByName(text).getAddress().length == 16
                ? InetAddress.getByName(text).getAddress() : v4Mapped(InetAddress.getByName(text).getAddress()), parsed);
        assertEquals(text, InetEndpoint.of(parsed, 0).ipString(), "as the controller renders it");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ":", ":::", "1:::2", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "1:", "g::",
        "::1.2.3", "::1.2.3.256", "1:2:3:4:5:6:7::8", "::01.2.3.4"})
    void badIpv6TextIsRejected(String text) {
        assertEquals(null, IpText.parseIpv6(text));
    }

    @Test
    void ipv4TextIsStrictDottedQuad() {
        assertArrayEquals(new byte[] {10, 1, 0, (byte) 255}, IpText.parseIpv4("10.1.0.255"));
        for (String bad : new String[] {"", "1.2.3", "1.2.3.4.", "1.2.3.4.5", "01.2.3.4", "1.2.3.256", "1..2.3", "a.b.c.d"}) {
            assertEquals(null, IpText.parseIpv4(bad), bad);
        }
    }

    private static byte[] v4Mapped(byte[] v4) {
        byte[] out = new byte[16];
        out[10] = (byte) 0xff;
        out[11] = (byte) 0xff;
        System.arraycopy(v4, 0, out, 12, 4);
        return out;
    }

    private static List<RuleEntry> decode(String hex) throws WireFormatException {
        return RuleCodec.decodeTable(new ByteReader(HEX.parseHex(hex), "rules"), 1024);
    }

    /** True if the entry is one the controller can hold unchanged (see ZT1-06 §5.2). */
    private static boolean isControllerCanonical(RuleEntry e) {
        return switch (e) {
            case RuleEntry.Action a -> !a.not() && !a.or();
            case RuleEntry.Forward f -> !f.not() && !f.or() && (f.address() >>> 40) == 0
                    && (f.type() != RuleType.ACTION_REDIRECT || f.length() == 0);
            case RuleEntry.IpMatch m -> m.prefixBits() <= m.ip().length * 8;
            case RuleEntry.IcmpMatch m -> m.flags() == 1 || (m.flags() == 0 && m.icmpCode() == 0);
            default -> true;
        };
    }

    static RuleEntry randomEntry(SplittableRandom rnd) {
        RuleType[] types = RuleType.values();
        if (rnd.nextInt(20) == 0) {
            int[] reserved = {7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 52, 60, 63};
            return new RuleEntry.Unknown(reserved[rnd.nextInt(reserved.length)], rnd.nextBoolean(), rnd.nextBoolean());
        }
        return randomEntry(rnd, types[rnd.nextInt(types.length)]);
    }

    static RuleEntry randomEntry(SplittableRandom rnd, RuleType t) {
        boolean not = rnd.nextBoolean();
        boolean or = rnd.nextBoolean();
        return switch (t) {
            case ACTION_DROP, ACTION_ACCEPT, ACTION_BREAK, ACTION_PRIORITY -> new RuleEntry.Action(t, not, or);
            case ACTION_TEE, ACTION_WATCH, ACTION_REDIRECT -> new RuleEntry.Forward(t, not, or,
                    rnd.nextBoolean() ? rnd.nextLong() : rnd.nextLong() >>> 24, rnd.nextLong() >>> 32, rnd.nextInt(65536));
            case MATCH_SOURCE_ZEROTIER_ADDRESS, MATCH_DEST_ZEROTIER_ADDRESS ->
                    new RuleEntry.AddressMatch(t, not, or, new Address(rnd.nextLong() >>> 24));
            case MATCH_VLAN_ID, MATCH_VLAN_PCP, MATCH_VLAN_DEI, MATCH_IP_PROTOCOL, MATCH_ETHERTYPE, MATCH_RANDOM,
                    MATCH_CHARACTERISTICS -> new RuleEntry.ValueMatch(t, not, or,
                    rnd.nextLong() >>> (64 - RuleEntry.ValueMatch.bits(t)));
            case MATCH_MAC_SOURCE, MATCH_MAC_DEST -> new RuleEntry.MacMatch(t, not, or, new Mac(rnd.nextLong() >>> 16));
            case MATCH_IPV4_SOURCE, MATCH_IPV4_DEST, MATCH_IPV6_SOURCE, MATCH_IPV6_DEST -> {
                byte[] ip = new byte[t.payloadLength() - 1];
                rnd.nextBytes(ip);
                if (rnd.nextBoolean()) {
                    for (int i = 0; i < ip.length; i++) {
                        ip[i] = rnd.nextInt(3) == 0 ? ip[i] : 0;
                    }
                }
                yield new RuleEntry.IpMatch(t, not, or, ip, rnd.nextInt(256));
            }
            case MATCH_IP_TOS -> new RuleEntry.IpTosMatch(not, or, rnd.nextInt(256), rnd.nextInt(256), rnd.nextInt(256));
            case MATCH_ICMP -> new RuleEntry.IcmpMatch(not, or, rnd.nextInt(256), rnd.nextInt(256),
                    rnd.nextBoolean() ? rnd.nextInt(2) : rnd.nextInt(256));
            case MATCH_IP_SOURCE_PORT_RANGE, MATCH_IP_DEST_PORT_RANGE, MATCH_FRAME_SIZE_RANGE ->
                    new RuleEntry.RangeMatch(t, not, or, rnd.nextInt(65536), rnd.nextInt(65536));
            case MATCH_TAGS_DIFFERENCE, MATCH_TAGS_BITWISE_AND, MATCH_TAGS_BITWISE_OR, MATCH_TAGS_BITWISE_XOR,
                    MATCH_TAGS_EQUAL, MATCH_TAG_SENDER, MATCH_TAG_RECEIVER ->
                    new RuleEntry.TagMatch(t, not, or, rnd.nextLong() >>> 32, rnd.nextLong() >>> 32);
            case MATCH_INTEGER_RANGE -> {
                long start = rnd.nextLong();
                yield new RuleEntry.IntegerRangeMatch(not, or, start, start + (rnd.nextLong() >>> 32),
                        rnd.nextInt(65536), rnd.nextInt(256));
            }
        };
    }
}
