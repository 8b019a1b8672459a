package dev.zerokube.overlay.rules;

import static dev.zerokube.overlay.rules.Frames.ARP;
import static dev.zerokube.overlay.rules.Frames.IPV4;
import static dev.zerokube.overlay.rules.Frames.IPV6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.testing.Vectors;
import dev.zerokube.overlay.wire.rules.RuleCodec;
import dev.zerokube.overlay.wire.rules.RuleEntry;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/*
 * Goal: every match type, action and driver rule of ZT1-06 §6–§7 and each documented quirk behaves as
 * 1.14.1 does. Method: hand-built frames against small tables written as the wire bytes of ZT1-06
 * §4.4/§11.6 (decoded by RuleCodec), plus the capture network's program from rules.jsonl; each test
 * checks a case where the rule matters (a rule that changed nothing would not be tested).
 */
class RuleEvaluatorTest {
    static final long SELF = 0x11_1111_1111L;
    static final long PEER = 0x22_2222_2222L;
    static final long OBSERVER = 0xde_adbe_ef01L;
    static final long MAC_SELF = 0x02_1111_1111_11L;
    static final long MAC_PEER = 0x02_2222_2222_22L;
    static final String ACCEPT = "0100";
    static final String DROP = "0000";

    final RuleEvaluator evaluator = new RuleEvaluator(new SplittableRandom(7));
    final Verdict verdict = new Verdict();
    final FrameView frame = new FrameView();

    static List<RuleEntry> entries(String hex) {
        try {
            return RuleCodec.decodeTable(new ByteReader(HexFormat.of().parseHex(hex.replace(" ", "")), "test"), 1024);
        } catch (WireFormatException e) {
            throw new AssertionError(e);
        }
    }

    static NetworkRules rules(String hex) {
        return NetworkRules.of(RuleTable.of(entries(hex)));
    }

    Verdict out(NetworkRules rules, byte[] payload, int etherType) {
        return out(rules, payload, etherType, MAC_PEER, PEER);
    }

    Verdict out(NetworkRules rules, byte[] payload, int etherType, long macDest, long dest) {
        frame.set(payload, 0, payload.length, etherType, MAC_SELF, macDest, 0);
        return evaluator.filterOutbound(rules, frame, SELF, dest, TagValues.EMPTY, SenderOwnership.NONE, false, verdict);
    }

    Verdict in(NetworkRules rules, byte[] payload, int etherType) {
        frame.set(payload, 0, payload.length, etherType, MAC_PEER, MAC_SELF, 0);
        return evaluator.filterInbound(rules, frame, SELF, PEER, TagValues.EMPTY, List.of(), SenderOwnership.NONE, verdict);
    }

    /** Whether a single match entry (hex, type byte first) matches: "match; accept" delivers. */
    boolean matches(String matchHex, byte[] payload, int etherType) {
        return out(rules(matchHex + ACCEPT), payload, etherType).deliver();
    }

    static byte[] tcp4(int dport) {
        return Frames.ipv4(6, Frames.tcp(40000, dport, 0x02));
    }

    @Test
    void classicBaseTableAdmitsOnlyIpv4ArpIpv6() {
        NetworkRules classic = rules("a5020800 a5020806 a50286dd 0000 0100");
        assertTrue(out(classic, tcp4(80), IPV4).deliver());
        assertTrue(out(classic, Frames.arp(Frames.ip4("10.0.0.1"), Frames.ip4("10.0.0.2")), ARP).deliver());
        assertTrue(out(classic, Frames.ipv6(17, Frames.udp(1, 2)), IPV6).deliver());
        Verdict v = out(classic, new byte[60], 0x8035);
        assertFalse(v.deliver());
        assertEquals(TableResult.DROP, v.baseResult());
        assertTrue(in(classic, tcp4(80), IPV4).deliver());
        assertFalse(in(classic, new byte[60], 0x88cc).deliver());
    }

    @Test
    void captureNetworkProgramDropsTelnetOnly() throws WireFormatException {
        JsonNode line = Vectors.read("rules.jsonl").stream()
                .filter(l -> "capture-network-program".equals(l.path("name").asText())).findFirst().orElseThrow();
        List<RuleEntry> base = RuleCodec.decodeTable(new ByteReader(Vectors.hex(line, "binary"), "base"), 1024);
        JsonNode cap = line.get("binary_capabilities").get(0);
        RuleTable ssh = RuleTable.ofCapability(cap.get("id").asLong(),
                RuleCodec.decodeTable(new ByteReader(Vectors.hex(cap, "binary"), "cap"), 64));
        assertEquals(100, line.at("/json/config/tags/0/id").asInt());
        NetworkRules net = new NetworkRules(RuleTable.of(base), List.of(ssh), TagValues.of(new long[] {100}, new long[] {1}), false);
        for (boolean inbound : new boolean[] {false, true}) {
            java.util.function.BiFunction<byte[], Integer, Verdict> run = (p, et) -> {
                frame.set(p, 0, p.length, et, inbound ? MAC_PEER : MAC_SELF, inbound ? MAC_SELF : MAC_PEER, 0);
                return inbound
                        ? evaluator.filterInbound(net, frame, SELF, PEER, TagValues.EMPTY, List.of(ssh), SenderOwnership.NONE, verdict)
                        : evaluator.filterOutbound(net, frame, SELF, PEER, TagValues.EMPTY, SenderOwnership.NONE, false, verdict);
            };
            Verdict telnet = run.apply(tcp4(23), IPV4);
            assertFalse(telnet.deliver());
            assertEquals(TableResult.DROP, telnet.baseResult(), "base DROP is final: the ssh capability is not consulted");
            assertFalse(run.apply(Frames.ipv6(6, Frames.tcp(1, 23, 0x10)), IPV6).deliver());
            for (byte[] ok : List.of(tcp4(22), tcp4(24), Frames.ipv4(17, Frames.udp(5, 23)), Frames.ipv4(1, Frames.icmp(8, 0)))) {
                Verdict v = run.apply(ok, IPV4);
                assertTrue(v.deliver());
                assertEquals(TableResult.ACCEPT, v.baseResult());
                assertEquals(RuleTable.BASE, v.capabilityId());
            }
            assertTrue(run.apply(Frames.arp(Frames.ip4("10.0.0.1"), Frames.ip4("10.0.0.2")), ARP).deliver());
            assertFalse(run.apply(new byte[64], 0x9000).deliver());
        }
        // Without the trailing ACCEPT only the capability admits ssh, outbound with our own capability.
        NetworkRules noAccept = new NetworkRules(RuleTable.of(base.subList(0, base.size() - 1)), List.of(ssh), TagValues.EMPTY, false);
        Verdict v = out(noAccept, tcp4(22), IPV4);
        assertTrue(v.deliver());
        assertEquals(2000, v.capabilityId());
        assertFalse(out(noAccept, tcp4(80), IPV4).deliver());
        // Inbound, our own capability does not widen what we receive; the sender's presented one does.
        assertFalse(in(noAccept, tcp4(22), IPV4).deliver());
        frame.set(tcp4(22), 0, 40, IPV4, MAC_PEER, MAC_SELF, 0);
        assertTrue(evaluator.filterInbound(noAccept, frame, SELF, PEER, TagValues.EMPTY, List.of(ssh), SenderOwnership.NONE, verdict).deliver());
    }

    @Test
    void matchesCombineLeftToRightWithoutPrecedence() {
        String eth4 = "25020800";
        String eth6 = "250286dd";
        String orEth6 = "650286dd";
        String proto6 = "240106";
        byte[] udp4 = Frames.ipv4(17, Frames.udp(1, 2));
        // ipv4 or ipv6 and tcp == (ipv4 or ipv6) and tcp: false for UDP over IPv4.
        assertFalse(matches(eth4 + orEth6 + proto6, udp4, IPV4));
        // ipv6 and tcp or ipv4 == (ipv6 and tcp) or ipv4: true for the same frame.
        assertTrue(matches(eth6 + proto6 + "65020800", udp4, IPV4));
        // A leading OR is a no-op (true OR x).
        assertTrue(matches(orEth6, udp4, IPV4));
        // An AND after a false group skips the remaining ANDs but an OR can still rescue it.
        assertTrue(matches(eth6 + proto6 + "65020800" + proto6.replace("24", "a4"), udp4, IPV4));
    }

    @Test
    void hardNoIsImmuneToNot() {
        byte[] arp = Frames.arp(Frames.ip4("192.168.1.1"), Frames.ip4("192.168.1.2"));
        assertFalse(matches("9f05 0a000000 08", arp, ARP), "not ipsrc 10/8 is false on ARP");
        assertFalse(matches("9f05 0a000000 08", tcp4(1), IPV4), "10.1.2.3 is in 10/8");
        assertTrue(matches("9f05 0b000000 08", tcp4(1), IPV4));
        assertFalse(matches("a401 06", arp, ARP), "not ipprotocol tcp is false on ARP");
        assertFalse(matches("a303 ff 00 ff", arp, ARP), "not iptos on ARP");
        assertFalse(matches("a111 fd000000000000000000000000000000 08", tcp4(1), IPV4), "not ipsrc fd00::/8 on IPv4");
    }

    @Test
    void icmpTypeMismatchIsHardAndUncheckedCodeIsHardYes() {
        byte[] echo = Frames.ipv4(1, Frames.icmp(8, 3));
        byte[] reply = Frames.ipv4(1, Frames.icmp(0, 0));
        assertTrue(matches("2603 08 00 00", echo, IPV4));
        // ZT1-06 §6.3.7 says "not icmp 8 -1 is never true"; 1.14.1's code (node/Network.cpp) gives a
        // hard yes on a type match, so NOT simply has no effect: true for type 8, false otherwise.
        assertTrue(matches("a603 08 00 00", echo, IPV4), "not icmp 8 -1: hard yes");
        assertFalse(matches("a603 08 00 00", reply, IPV4), "not icmp 8 -1: hard no");
        assertFalse(matches("2603 08 00 01", echo, IPV4), "code 0 checked");
        assertTrue(matches("a603 08 00 01", echo, IPV4), "code comparison is invertible");
        assertTrue(matches("2603 08 03 01", echo, IPV4));
        // icmp 8 -1 or icmp 0 0 (ZT1-06 §11.6 B).
        assertTrue(matches("2603080000 6603000001", reply, IPV4));
        assertFalse(matches("2603080000 6603000001", Frames.ipv4(1, Frames.icmp(0, 1)), IPV4));
        byte[] icmp6 = Frames.ipv6(58, Frames.ip6("fd000000000000000000000000000001"), Frames.ip6("fd000000000000000000000000000002"),
                0, new int[][] {{0, 0}, {60, 1}}, Frames.icmp(128, 0));
        assertTrue(matches("2603 80 00 01", icmp6, IPV6), "ICMPv6 found after the extension headers");
        assertFalse(matches("2603 80 00 01", Frames.ipv6(17, Frames.udp(128, 0)), IPV6));
        assertFalse(matches("2603 08 00 00", Frames.ipv4(6, Frames.icmp(8, 0)), IPV4), "protocol must be 1");
    }

    @Test
    void portRangesFollowTheIpv4AndIpv6Quirks() {
        assertTrue(matches("2804 0016 0016", tcp4(22), IPV4));
        assertFalse(matches("2804 0017 0050", tcp4(22), IPV4));
        assertTrue(matches("2704 9c40 9c40", tcp4(22), IPV4), "source port 40000");
        // Not a hard value: "not dport 80" matches ICMP and other portless IPv4.
        assertTrue(matches("a804 0050 0050", Frames.ipv4(1, Frames.icmp(8, 0)), IPV4));
        assertFalse(matches("a804 0050 0050", Frames.arp(new byte[4], new byte[4]), ARP), "hard no off IP");
        // IPv4 port 0 can match, IPv6 port 0 never does.
        assertTrue(matches("2804 0000 0000", Frames.ipv4(17, Frames.udp(1, 0)), IPV4));
        assertFalse(matches("2804 0000 0000", Frames.ipv6(17, Frames.udp(1, 0)), IPV6));
        assertTrue(matches("a804 0000 0000", Frames.ipv6(17, Frames.udp(1, 0)), IPV6));
        assertTrue(matches("2804 0035 0035", Frames.ipv6(17, Frames.ip6("fd000000000000000000000000000001"),
                Frames.ip6("fd000000000000000000000000000002"), 0, new int[][] {{43, 2}}, Frames.udp(9, 53)), IPV6));
        // SCTP and UDP-Lite carry ports too; a header too short to hold them has none.
        assertTrue(matches("2804 0050 0050", Frames.ipv4(132, Frames.udp(1, 80)), IPV4));
        assertTrue(matches("2804 0050 0050", Frames.ipv4(136, Frames.udp(1, 80)), IPV4));
        assertFalse(matches("2804 0050 0050", Frames.ipv4(47, Frames.udp(1, 80)), IPV4));
        assertFalse(matches("2804 0050 0050", Frames.ipv4(6, new byte[] {0, 1, 0, 80}), IPV4), "needs len > hl + 4");
        // IPv4 options move the transport header.
        assertTrue(matches("2804 0050 0050", Frames.ipv4(6, Frames.ip4("1.1.1.1"), Frames.ip4("2.2.2.2"), 0, 7,
                Frames.tcp(1, 80, 0)), IPV4));
    }

    @Test
    void ipPrefixesIpv4MasksRuleIpv6DoesNot() {
        byte[] v4 = tcp4(1); // 10.1.2.3 -> 10.9.8.7
        assertTrue(matches("1f05 0a010000 10", v4, IPV4));
        assertTrue(matches("1f05 0a01ffff 10", v4, IPV4), "IPv4 host bits of the rule are ignored");
        assertFalse(matches("1f05 0a020000 10", v4, IPV4));
        assertTrue(matches("1f05 01020304 00", v4, IPV4), "/0 matches everything");
        assertTrue(matches("1f05 0a010203 ff", v4, IPV4), "bits clamp to 32");
        assertFalse(matches("1f05 0a010204 ff", v4, IPV4));
        assertTrue(matches("2005 0a090807 20", v4, IPV4));
        assertFalse(matches("9f05 0a010203 20", new byte[19], IPV4),
                "an IPv4 frame needs 20 bytes");
        byte[] v6 = Frames.ipv6(17, Frames.udp(1, 2)); // fd00::a -> fd00::b
        assertTrue(matches("2111 fd000000000000000000000000000000 08", v6, IPV6));
        assertFalse(matches("2111 fd000000000000000000000000000001 08", v6, IPV6), "host bits in the rule never match");
        assertTrue(matches("2111 fd00000000000000000000000000000a 80", v6, IPV6));
        assertTrue(matches("2111 fd00000000000000000000000000000a ff", v6, IPV6), "bits clamp to 128");
        assertTrue(matches("2211 fd00000000000000000000000000000b 80", v6, IPV6));
        assertFalse(matches("2111 fd000000000000000000000000000000 00", v6, IPV6), "/0 still compares the rule to 0");
        assertTrue(matches("2111 00000000000000000000000000000000 00", v6, IPV6));
        assertTrue(matches("2111 fd000000000000000000000000000000 41", v6, IPV6), "prefix across the 64-bit halves");
    }

    @Test
    void tosProtocolEthertypeFrameSizeMacAndVlan() {
        byte[] v4 = Frames.ipv4(6, Frames.ip4("1.1.1.1"), Frames.ip4("2.2.2.2"), 0xb8, 5, Frames.tcp(1, 2, 0));
        assertTrue(matches("2303 fc b8 b8", v4, IPV4));
        assertFalse(matches("2303 fc 10 20", v4, IPV4));
        byte[] v6 = Frames.ipv6(6, new byte[16], new byte[16], 0x2e, new int[0][], Frames.tcp(1, 2, 0));
        assertTrue(matches("2303 ff 2e 2e", v6, IPV6), "IPv6 traffic class");
        assertTrue(matches("2303 0f 0e 0e", v6, IPV6));
        assertTrue(matches("2401 06", v6, IPV6));
        byte[] v6ext = Frames.ipv6(17, new byte[16], new byte[16], 0, new int[][] {{0, 0}, {43, 0}, {60, 3}, {135, 0}}, Frames.udp(1, 2));
        assertTrue(matches("2401 11", v6ext, IPV6), "protocol after four extension headers");
        assertFalse(matches("2401 00", v6ext, IPV6));
        assertTrue(matches("2401 2c", Frames.ipv6(44, new byte[8]), IPV6), "fragment header ends the walk");
        assertTrue(matches("2502 88cc", new byte[10], 0x88cc));
        assertTrue(matches("2a04 0028 0028", tcp4(1), IPV4), "frame size is the payload length");
        assertFalse(matches("2a04 0029 ffff", tcp4(1), IPV4));
        assertTrue(matches("1e06 022222222222", tcp4(1), IPV4));
        assertTrue(matches("1d06 021111111111", tcp4(1), IPV4));
        assertFalse(matches("1d06 022222222222", tcp4(1), IPV4));
        assertTrue(matches("1a02 0000", tcp4(1), IPV4), "vlan id is 0");
        frame.set(tcp4(1), 0, 40, IPV4, MAC_SELF, MAC_PEER, 5);
        assertTrue(evaluator.filterOutbound(rules("1a02 0005" + ACCEPT), frame, SELF, PEER, TagValues.EMPTY,
                SenderOwnership.NONE, false, verdict).deliver());
        assertTrue(matches("1b01 00", tcp4(1), IPV4));
        assertFalse(matches("1b01 03", tcp4(1), IPV4), "PCP not implemented: only rule value 0 matches");
        assertFalse(matches("1c01 01", tcp4(1), IPV4));
    }

    @Test
    void zerotierAddressesAndNilDestination() {
        assertTrue(matches("1805 1111111111", tcp4(1), IPV4));
        assertTrue(matches("1905 2222222222", tcp4(1), IPV4));
        assertTrue(out(rules("1905 0000000000" + ACCEPT), tcp4(1), IPV4, 0xffff_ffff_ffffL, 0).deliver(),
                "nil destination equals a zero address rule");
        assertFalse(out(rules("1905 2222222222" + ACCEPT), tcp4(1), IPV4, 0x0100_5e00_0001L, 0).deliver());
        Verdict v = in(rules("1805 2222222222 1905 1111111111" + ACCEPT), tcp4(1), IPV4);
        assertTrue(v.deliver(), "inbound: source is the sender, destination is us");
    }

    @Test
    void characteristicsNeedAnyBit() {
        assertTrue(matches("2908 0000000000000002", tcp4(1), IPV4), "SYN");
        assertTrue(matches("2908 0000000000000012", tcp4(1), IPV4), "SYN or ACK");
        assertFalse(matches("2908 0000000000000010", tcp4(1), IPV4));
        assertTrue(matches("2908 0000000000000100", Frames.ipv4(6, Frames.tcp(1, 2, 0, 0x51)), IPV4), "NS bit");
        assertTrue(matches("2908 0000000000000800", Frames.ipv4(6, Frames.tcp(1, 2, 0, 0x58)), IPV4), "reserved bit 0");
        assertTrue(matches("2908 0000000000000001", Frames.ipv6(6, Frames.tcp(1, 2, 0x01)), IPV6));
        assertFalse(matches("2908 0000000000000001", Frames.ipv4(17, Frames.tcp(1, 2, 0x01)), IPV4), "UDP has no flags");
        assertFalse(matches("2908 8000000000000000", tcp4(1), IPV4));
        assertTrue(in(rules("2908 8000000000000000" + ACCEPT), tcp4(1), IPV4).deliver(), "inbound bit");
        assertTrue(out(rules("2908 4000000000000000" + ACCEPT), tcp4(1), IPV4, 0x3333_0000_0001L, 0).deliver());
        assertFalse(out(rules("2908 2000000000000000" + ACCEPT), tcp4(1), IPV4, 0x3333_0000_0001L, 0).deliver());
        assertTrue(out(rules("2908 6000000000000000" + ACCEPT), tcp4(1), IPV4, 0xffff_ffff_ffffL, 0).deliver());
        // chr tcp_syn,inbound (ZT1-06 §4.4) outbound on a SYN: the SYN bit alone suffices.
        assertTrue(matches("2908 8000000000000002", tcp4(1), IPV4));
    }

    @Test
    void senderAuthenticationAsksTheOwnershipForTheClaimedAddress() {
        NetworkRules ipAuth = rules("2908 1000000000000000" + ACCEPT);
        NetworkRules macAuth = rules("2908 0800000000000000" + ACCEPT);
        byte[][] seen = new byte[1][];
        SenderOwnership owner = new SenderOwnership() {
            @Override
            public boolean ownsIp(byte[] buf, int offset, int length) {
                seen[0] = java.util.Arrays.copyOfRange(buf, offset, offset + length);
                return true;
            }

            @Override
            public boolean ownsMac(long mac) {
                return mac == MAC_PEER;
            }
        };
        byte[] v4 = tcp4(1);
        frame.set(v4, 0, v4.length, IPV4, MAC_PEER, MAC_SELF, 0);
        assertTrue(evaluator.filterInbound(ipAuth, frame, SELF, PEER, TagValues.EMPTY, List.of(), owner, verdict).deliver());
        assertEquals("0a010203", HexFormat.of().formatHex(seen[0]));
        assertTrue(evaluator.filterInbound(macAuth, frame, SELF, PEER, TagValues.EMPTY, List.of(), owner, verdict).deliver());
        assertFalse(evaluator.filterInbound(ipAuth, frame, SELF, PEER, TagValues.EMPTY, List.of(), SenderOwnership.NONE, verdict).deliver());
        byte[] arp = Frames.arp(Frames.ip4("10.7.7.7"), Frames.ip4("10.0.0.1"));
        frame.set(arp, 0, arp.length, ARP, MAC_PEER, MAC_SELF, 0);
        assertTrue(evaluator.filterInbound(ipAuth, frame, SELF, PEER, TagValues.EMPTY, List.of(), owner, verdict).deliver());
        assertEquals("0a070707", HexFormat.of().formatHex(seen[0]));
        // Neighbor advertisement: the target address is the claim; neighbor solicitation: always authenticated.
        byte[] na = new byte[24];
        na[0] = (byte) 136;
        na[8] = (byte) 0xfd;
        na[23] = 0x42;
        byte[] naFrame = Frames.ipv6(58, na);
        frame.set(naFrame, 0, naFrame.length, IPV6, MAC_PEER, MAC_SELF, 0);
        assertTrue(evaluator.filterInbound(ipAuth, frame, SELF, PEER, TagValues.EMPTY, List.of(), owner, verdict).deliver());
        assertEquals("fd000000000000000000000000000042", HexFormat.of().formatHex(seen[0]));
        naFrame[40] = (byte) 135;
        frame.set(naFrame, 0, naFrame.length, IPV6, MAC_PEER, MAC_SELF, 0);
        assertTrue(evaluator.filterInbound(ipAuth, frame, SELF, PEER, TagValues.EMPTY, List.of(), SenderOwnership.NONE, verdict).deliver());
    }

    @Test
    void frameSizeZeroAndRandom() {
        RuleEvaluator fixed = new RuleEvaluator(constant(0x80000000));
        byte[] p = tcp4(1);
        frame.set(p, 0, p.length, IPV4, MAC_SELF, MAC_PEER, 0);
        assertTrue(fixed.filterOutbound(rules("2b04 80000000" + ACCEPT), frame, SELF, PEER, TagValues.EMPTY, SenderOwnership.NONE, false, verdict).deliver());
        assertFalse(fixed.filterOutbound(rules("2b04 7fffffff" + ACCEPT), frame, SELF, PEER, TagValues.EMPTY, SenderOwnership.NONE, false, verdict).deliver());
        RuleEvaluator max = new RuleEvaluator(constant(-1));
        assertTrue(max.filterOutbound(rules("2b04 ffffffff" + ACCEPT), frame, SELF, PEER, TagValues.EMPTY, SenderOwnership.NONE, false, verdict).deliver());
        // A RANDOM match in an AND group that is already false draws nothing.
        int[] draws = {0};
        RuleEvaluator counting = new RuleEvaluator(new RandomGenerator() {
            @Override
            public long nextLong() {
                draws[0]++;
                return 0;
            }

            @Override
            public int nextInt() {
                draws[0]++;
                return 0;
            }
        });
        counting.filterOutbound(rules("25020806 2b04ffffffff" + ACCEPT), frame, SELF, PEER, TagValues.EMPTY, SenderOwnership.NONE, false, verdict);
        assertEquals(0, draws[0]);
        counting.filterOutbound(rules("25020800 2b04ffffffff" + ACCEPT), frame, SELF, PEER, TagValues.EMPTY, SenderOwnership.NONE, false, verdict);
        assertEquals(1, draws[0]);
    }

    static RandomGenerator constant(int value) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                return value;
            }

            @Override
            public int nextInt() {
                return value;
            }
        };
    }

    Verdict tagged(String hex, boolean inbound, TagValues local, TagValues remote) {
        NetworkRules net = new NetworkRules(RuleTable.of(entries(hex)), List.of(), local, false);
        byte[] p = tcp4(1);
        frame.set(p, 0, p.length, IPV4, inbound ? MAC_PEER : MAC_SELF, inbound ? MAC_SELF : MAC_PEER, 0);
        return inbound
                ? evaluator.filterInbound(net, frame, SELF, PEER, remote, List.of(), SenderOwnership.NONE, verdict)
                : evaluator.filterOutbound(net, frame, SELF, PEER, remote, SenderOwnership.NONE, false, verdict);
    }

    static TagValues tag(long id, long value) {
        return TagValues.of(new long[] {id}, new long[] {value});
    }

    @Test
    void tagPairOperations() {
        TagValues l = tag(10, 0b1100);
        TagValues r = tag(10, 0b1010);
        for (boolean inbound : new boolean[] {false, true}) {
            assertTrue(tagged("2c08 0000000a 00000002" + ACCEPT, inbound, l, r).deliver(), "|12-10| <= 2");
            assertFalse(tagged("2c08 0000000a 00000001" + ACCEPT, inbound, l, r).deliver());
            assertTrue(tagged("2c08 0000000a 00000002" + ACCEPT, inbound, r, l).deliver(), "difference is symmetric");
            assertTrue(tagged("2d08 0000000a 00000008" + ACCEPT, inbound, l, r).deliver(), "and");
            assertTrue(tagged("2e08 0000000a 0000000e" + ACCEPT, inbound, l, r).deliver(), "or");
            assertTrue(tagged("2f08 0000000a 00000006" + ACCEPT, inbound, l, r).deliver(), "xor");
            assertFalse(tagged("3008 0000000a 0000000c" + ACCEPT, inbound, l, r).deliver(), "equal needs both");
            assertTrue(tagged("3008 0000000a 0000000c" + ACCEPT, inbound, l, l).deliver());
            assertTrue(tagged("b008 0000000a 0000000c" + ACCEPT, inbound, l, r).deliver(), "a decided tag match inverts");
            // Our own tag absent: hard no, whatever NOT says.
            assertFalse(tagged("ac08 0000000a 00000000" + ACCEPT, inbound, TagValues.EMPTY, r).deliver());
        }
        assertTrue(TagValues.of(new long[] {0xffff_ffffL, 0}, new long[] {0, 0xffff_ffffL}).indexOf(0xffff_ffffL) >= 0);
        assertTrue(tagged("2c08 0000000a ffffffff" + ACCEPT, false, tag(10, 0xffff_ffffL), tag(10, 0)).deliver(), "unsigned difference");
    }

    @Test
    void undecidedTagsAreLenientOutboundAndStrictInbound() {
        TagValues l = tag(10, 1);
        // Outbound, remote tag unknown: hard yes (even under NOT) and the next DROP is skipped.
        assertTrue(tagged("ac08 0000000a 00000000" + ACCEPT, false, l, TagValues.EMPTY).deliver());
        Verdict v = tagged("2c08 0000000a 00000000" + DROP + ACCEPT, false, l, TagValues.EMPTY);
        assertTrue(v.deliver(), "the DROP right after the undecided match is swallowed");
        // skipDrop is sticky: set in a group that then fails, consumed by a later matching DROP only.
        assertTrue(tagged("2c08 0000000a 00000000 25020806" + ACCEPT + DROP + ACCEPT, false, l, TagValues.EMPTY).deliver());
        assertFalse(tagged("2c08 0000000a 00000000" + DROP + DROP + ACCEPT, false, l, TagValues.EMPTY).deliver(),
                "only one DROP is swallowed");
        // Inbound without the sender's tag: hard no.
        assertFalse(tagged("ac08 0000000a 00000000" + ACCEPT, true, l, TagValues.EMPTY).deliver());
        assertFalse(tagged("2c08 0000000a 00000000" + ACCEPT, true, l, TagValues.EMPTY).deliver());
        // Outbound to a nil destination: the destination's tags are ignored.
        NetworkRules net = new NetworkRules(RuleTable.of(entries("ac08 0000000a 00000000" + DROP + ACCEPT)), List.of(), l, false);
        byte[] p = tcp4(1);
        frame.set(p, 0, p.length, IPV4, MAC_SELF, 0xffff_ffff_ffffL, 0);
        assertTrue(evaluator.filterOutbound(net, frame, SELF, 0, tag(10, 99), SenderOwnership.NONE, false, verdict).deliver());
        assertFalse(evaluator.filterOutbound(net, frame, SELF, PEER, tag(10, 99), SenderOwnership.NONE, false, verdict).deliver());
    }

    @Test
    void senderAndReceiverTags() {
        TagValues mine = tag(10, 1);
        TagValues theirs = tag(10, 2);
        String tseq2 = "3108 0000000a 00000002";
        String treq2 = "3208 0000000a 00000002";
        // Outbound: sender tag is ours, receiver tag is the destination's.
        assertFalse(tagged(tseq2 + ACCEPT, false, mine, theirs).deliver());
        assertTrue(tagged(treq2 + ACCEPT, false, mine, theirs).deliver());
        assertTrue(tagged("b208 0000000a 00000002" + ACCEPT, false, mine, TagValues.EMPTY).deliver(), "unknown receiver: hard yes");
        assertTrue(tagged(treq2 + DROP + ACCEPT, false, mine, TagValues.EMPTY).deliver(), "and the DROP is swallowed");
        assertFalse(tagged("b108 0000000a 00000002" + ACCEPT, false, TagValues.EMPTY, theirs).deliver(), "own tag absent: hard no");
        // Inbound: sender tag is the remote's, receiver tag is ours.
        assertTrue(tagged(tseq2 + ACCEPT, true, mine, theirs).deliver());
        assertFalse(tagged(treq2 + ACCEPT, true, mine, theirs).deliver());
        assertTrue(tagged("3208 0000000a 00000001" + ACCEPT, true, mine, theirs).deliver());
        assertFalse(tagged("b108 0000000a 00000002" + ACCEPT, true, mine, TagValues.EMPTY).deliver(), "sender sent no tag");
        // tseq role 2 treq role 2 tand role 1 (ZT1-06 §11.6 E).
        assertFalse(tagged("31080000000a00000002 32080000000a00000002 2d080000000a00000000" + ACCEPT, true, tag(10, 2), tag(10, 2)).deliver());
        assertTrue(tagged("31080000000a00000002 32080000000a00000002 2d080000000a00000002" + ACCEPT, true, tag(10, 2), tag(10, 2)).deliver());
    }

    static String forward(int code, long address, int length) {
        return String.format("%02x0e %016x 00000000 %04x", code, address, length);
    }

    @Test
    void teeWatchAndRedirect() {
        byte[] p = tcp4(1); // 40 bytes
        Verdict v = out(rules(forward(2, OBSERVER, 0xffff) + ACCEPT), p, IPV4);
        assertTrue(v.deliver());
        assertEquals(OBSERVER, v.teeAddress());
        assertEquals(40, v.teeLength());
        assertFalse(v.teeWatch());
        v = out(rules(forward(3, OBSERVER, 16) + ACCEPT), p, IPV4);
        assertEquals(16, v.teeLength());
        assertTrue(v.teeWatch());
        v = out(rules(forward(2, OBSERVER, 0) + ACCEPT), p, IPV4);
        assertEquals(40, v.teeLength(), "length 0 is the whole frame");
        v = out(rules(forward(2, OBSERVER, 5) + forward(3, 0x44_4444_4444L, 7) + ACCEPT), p, IPV4);
        assertEquals(0x44_4444_4444L, v.teeAddress(), "the last TEE/WATCH wins");
        assertEquals(7, v.teeLength());
        // Address compared on its low 40 bits.
        v = out(rules(forward(2, 0xabcd_0000_0000_0000L | OBSERVER, 0) + ACCEPT), p, IPV4);
        assertEquals(OBSERVER, v.teeAddress());
        // To the source, the destination or (outbound) ourselves: nothing.
        assertEquals(0, out(rules(forward(2, SELF, 0) + forward(2, PEER, 0) + ACCEPT), p, IPV4).teeAddress());
        // A base DROP means no copy; a matched TEE does not end evaluation.
        assertEquals(0, out(rules(forward(2, OBSERVER, 0) + DROP), p, IPV4).teeAddress());
        assertFalse(out(rules(forward(2, OBSERVER, 0)), p, IPV4).accepted(), "TEE then the end of the table: default drop");
        // A TEE guarded by a non-matching group.
        assertEquals(0, out(rules("25020806" + forward(2, OBSERVER, 0) + ACCEPT), p, IPV4).teeAddress());
        // REDIRECT: the frame goes to the new destination only.
        v = out(rules(forward(4, OBSERVER, 0)), p, IPV4);
        assertFalse(v.deliver());
        assertTrue(v.accepted());
        assertEquals(OBSERVER, v.redirectAddress());
        assertEquals(TableResult.REDIRECT, v.baseResult());
        v = out(rules(forward(4, PEER, 0) + forward(4, SELF, 0) + ACCEPT), p, IPV4);
        assertTrue(v.deliver(), "redirect to the destination or to ourselves outbound is a no-op");
        assertEquals(0, v.redirectAddress());
        v = out(rules(forward(4, 0, 0)), p, IPV4);
        assertTrue(v.deliver(), "redirect to the nil address: accepted and sent as planned");
        // Inbound: a redirect away from us.
        v = in(rules(forward(4, OBSERVER, 0)), p, IPV4);
        assertFalse(v.deliver());
        assertEquals(OBSERVER, v.redirectAddress());
    }

    @Test
    void copiesAimedAtUsSuperAcceptInbound() {
        byte[] p = tcp4(1);
        Verdict v = in(rules(forward(2, SELF, 0) + DROP), p, IPV4);
        assertTrue(v.deliver());
        assertTrue(v.superAccept());
        assertEquals(TableResult.SUPER_ACCEPT, v.baseResult());
        // Not matched: marks superAccept, so a later ACCEPT is SUPER_ACCEPT.
        v = in(rules("25020806" + forward(3, SELF, 0) + ACCEPT), p, IPV4);
        assertTrue(v.superAccept());
        v = in(rules(ACCEPT), p, IPV4);
        assertTrue(v.deliver());
        assertFalse(v.superAccept());
        // superAccept relaxes inbound tag checks: no sender tag is a hard yes and skips a DROP.
        NetworkRules net = new NetworkRules(RuleTable.of(entries("25020806" + forward(2, SELF, 0)
                + "2c08 0000000a 00000000" + DROP + ACCEPT)), List.of(), tag(10, 1), false);
        frame.set(p, 0, p.length, IPV4, MAC_PEER, MAC_SELF, 0);
        v = evaluator.filterInbound(net, frame, SELF, PEER, TagValues.EMPTY, List.of(), SenderOwnership.NONE, verdict);
        assertTrue(v.superAccept());
        // Outbound, a copy to ourselves is ignored.
        assertFalse(out(rules(forward(2, SELF, 0) + DROP), p, IPV4).deliver());
    }

    @Test
    void breakDropAndCapabilities() {
        byte[] p = tcp4(22);
        RuleTable capDrop = RuleTable.ofCapability(5, entries(DROP));
        RuleTable capSsh = RuleTable.ofCapability(9, entries("240106 2804 0016 0016" + forward(2, OBSERVER, 10) + ACCEPT));
        RuleTable capAll = RuleTable.ofCapability(7, entries(ACCEPT));
        NetworkRules net = new NetworkRules(RuleTable.of(entries(forward(3, 0x55_5555_5555L, 0) + "0500" + ACCEPT)),
                List.of(capSsh, capDrop), TagValues.EMPTY, false);
        Verdict v = out(net, p, IPV4);
        assertEquals(TableResult.NO_MATCH, v.baseResult(), "BREAK");
        assertTrue(v.deliver(), "a capability DROP ends only that capability");
        assertEquals(9, v.capabilityId());
        assertEquals(OBSERVER, v.capabilityTeeAddress());
        assertEquals(10, v.capabilityTeeLength());
        assertEquals(0x55_5555_5555L, v.teeAddress(), "the base table's WATCH is still sent");
        assertTrue(v.teeWatch());
        // noTee: no copies reported.
        frame.set(p, 0, p.length, IPV4, MAC_SELF, MAC_PEER, 0);
        v = evaluator.filterOutbound(net, frame, SELF, PEER, TagValues.EMPTY, SenderOwnership.NONE, true, verdict);
        assertTrue(v.deliver());
        assertEquals(0, v.teeAddress());
        assertEquals(0, v.capabilityTeeAddress());
        // Ascending id order: capability 7 accepts before 9.
        NetworkRules both = new NetworkRules(RuleTable.of(entries("0500")), List.of(capSsh, capAll), TagValues.EMPTY, false);
        assertEquals(7, out(both, p, IPV4).capabilityId());
        // No capability accepts: default drop, and no copies.
        v = out(new NetworkRules(RuleTable.of(entries(forward(2, OBSERVER, 0))), List.of(capDrop), TagValues.EMPTY, false), p, IPV4);
        assertFalse(v.accepted());
        assertEquals(0, v.teeAddress());
        // Inbound: the sender's capabilities in the order given; SUPER_ACCEPT from a capability.
        RuleTable capObserve = RuleTable.ofCapability(3, entries(forward(2, SELF, 0)));
        frame.set(p, 0, p.length, IPV4, MAC_PEER, MAC_SELF, 0);
        v = evaluator.filterInbound(NetworkRules.of(RuleTable.of(List.of())), frame, SELF, PEER, TagValues.EMPTY,
                List.of(capSsh, capObserve), SenderOwnership.NONE, verdict);
        assertEquals(9, v.capabilityId());
        assertFalse(v.superAccept());
        v = evaluator.filterInbound(NetworkRules.of(RuleTable.of(List.of())), frame, SELF, PEER, TagValues.EMPTY,
                List.of(capObserve, capSsh), SenderOwnership.NONE, verdict);
        assertEquals(3, v.capabilityId());
        assertTrue(v.superAccept());
    }

    @Test
    void unknownTypesAndPriority() {
        byte[] p = tcp4(1);
        // Reserved match 20: 0 unless the config flag says otherwise; it is invertible.
        assertFalse(matches("1400", p, IPV4));
        assertTrue(matches("9400", p, IPV4));
        NetworkRules flagged = new NetworkRules(RuleTable.of(entries("1400" + ACCEPT)), List.of(), TagValues.EMPTY, true);
        assertTrue(out(flagged, p, IPV4).deliver());
        // Reserved action 9 is ignored but ends the group: the false group does not reach ACCEPT.
        assertTrue(out(rules("25020806 0900" + ACCEPT), p, IPV4).deliver());
        assertFalse(out(rules("25020806 0900"), p, IPV4).accepted());
        // PRIORITY accepts.
        assertTrue(out(rules("0600"), p, IPV4).deliver());
    }

    @Test
    void integerRangeQuirks() {
        byte[] p = new byte[32];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) i;
        }
        // 16-bit big-endian at index 0 actually reads bytes 6..7 (offset shifted by 8 - 2).
        assertTrue(matches(String.format("3313 %016x %016x 0000 0f", 0x0607, 0x0607), p, 0x9000));
        assertFalse(matches(String.format("3313 %016x %016x 0000 0f", 0x0001, 0x0001), p, 0x9000));
        // 16-bit little-endian at index 2: bytes 2,3 -> 0x0302.
        assertTrue(matches(String.format("3313 %016x %016x 0002 8f", 0x0302, 0x0302), p, 0x9000));
        // Out of range reads zero (not a hard no).
        assertTrue(matches(String.format("3313 %016x %016x 0100 3f", 0, 0), p, 0x9000));
        // 12 bits big-endian: bytes 6..7 masked to 12 bits.
        assertTrue(matches(String.format("3313 %016x %016x 0000 0b", 0x607, 0x607), p, 0x9000));
    }

    @Test
    void adHocBuiltInTable() {
        String table = "a50286dd 0000 24013a 0100 240111 640106 2804 1000 1fff 0100 a908 0000000000000002 0100"
                + " 2908 0000000000000002 2908 0000000000000010 0100 0000";
        NetworkRules adhoc = rules(table);
        assertFalse(out(adhoc, tcp4(5000), IPV4).deliver(), "only IPv6");
        assertTrue(out(adhoc, Frames.ipv6(58, Frames.icmp(128, 0)), IPV6).deliver());
        assertTrue(out(adhoc, Frames.ipv6(6, Frames.tcp(1, 0x1000, 0x02)), IPV6).deliver(), "SYN in range");
        assertFalse(out(adhoc, Frames.ipv6(6, Frames.tcp(1, 80, 0x02)), IPV6).deliver(), "SYN out of range");
        assertTrue(out(adhoc, Frames.ipv6(6, Frames.tcp(1, 80, 0x10)), IPV6).deliver(), "not a SYN");
        assertTrue(out(adhoc, Frames.ipv6(6, Frames.tcp(80, 1, 0x12)), IPV6).deliver(), "SYN-ACK");
        assertTrue(out(adhoc, Frames.ipv6(17, Frames.udp(1, 80)), IPV6).deliver(), "UDP has no SYN bit");
    }

    @Test
    void copyFlagsFollowTheCode() {
        assertEquals(0x02, Verdict.copyFlags(false, false, false));
        assertEquals(0x16, Verdict.copyFlags(false, true, false));
        assertEquals(0x04, Verdict.copyFlags(false, false, true));
        assertEquals(0x08, Verdict.copyFlags(true, false, false));
        assertEquals(0x1c, Verdict.copyFlags(true, true, false));
        assertEquals(0x0a, Verdict.copyFlags(true, false, true));
    }

    @Test
    void offsetAndLengthDelimitTheFrame() {
        byte[] inner = tcp4(23);
        byte[] padded = new byte[inner.length + 20];
        System.arraycopy(inner, 0, padded, 7, inner.length);
        java.util.Arrays.fill(padded, 0, 7, (byte) 0xff);
        frame.set(padded, 7, inner.length, IPV4, MAC_SELF, MAC_PEER, 0);
        NetworkRules r = rules("2804 0017 0017" + DROP + "2a04 0028 0028" + ACCEPT);
        assertFalse(evaluator.filterOutbound(r, frame, SELF, PEER, TagValues.EMPTY, SenderOwnership.NONE, false, verdict).deliver());
        frame.set(tcp4(24), 0, 40, IPV4, MAC_SELF, MAC_PEER, 0);
        assertTrue(evaluator.filterOutbound(r, frame, SELF, PEER, TagValues.EMPTY, SenderOwnership.NONE, false, verdict).deliver());
    }
}
