package dev.zerokube.overlay.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.Mac;
import dev.zerokube.overlay.wire.rules.RuleEntry;
import dev.zerokube.overlay.wire.rules.RuleType;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/*
 * Goal: the allocation-free evaluator agrees with the slow reference model (RuleModel) on every
 * verdict field and on how many random draws it makes, over random rule tables and random frames,
 * and its per-frame path allocates nothing. Method: seeded generators biased so that matches hit
 * (frames and rules draw addresses, ports, protocols and tags from the same small pools), IPv4/IPv6
 * (with extension headers)/ARP/other frames, TCP/UDP/ICMP/other payloads, odd header lengths and
 * truncations; both directions, capabilities, tags present or not. The run also counts which match
 * types took part, so a generator that stopped producing a type would fail the test.
 */
class RuleEvaluatorRandomTest {
    static final long SELF = 0x11_1111_1111L;
    static final long PEER = 0x22_2222_2222L;
    static final long OTHER = 0x33_3333_3333L;
    static final long[] ADDRESSES = {SELF, PEER, OTHER, 0, 0x44_4444_4444L};
    static final long MAC_SELF = 0x02_1111_1111_11L;
    static final long MAC_PEER = 0x02_2222_2222_22L;
    static final long[] MACS = {MAC_SELF, MAC_PEER, 0xffff_ffff_ffffL, 0x3333_0000_0001L, 0x0100_5e00_00fbL};
    static final int[] PORTS = {0, 22, 23, 53, 80, 443, 65535};
    static final int[] PROTOCOLS = {1, 6, 17, 58, 132, 136, 0, 43, 47};
    static final int[] ETHERTYPES = {0x0800, 0x0806, 0x86dd, 0x8035};
    static final String[] IPV4 = {"10.0.0.1", "10.0.0.2", "10.1.2.3", "192.168.0.1"};
    static final String[] IPV6 = {"fd000000000000000000000000000001", "fd000000000000000000000000000002",
            "fe800000000000000000000000000001", "fd00abcd000000000000000000000000"};
    static final int[] PREFIXES = {0, 1, 7, 8, 16, 24, 31, 32, 33, 63, 64, 65, 120, 127, 128, 200, 255};

    /** Deterministic, stateless stand-in for certificates of ownership. */
    static final SenderOwnership OWNERSHIP = new SenderOwnership() {
        @Override
        public boolean ownsIp(byte[] buf, int offset, int length) {
            int sum = 0;
            for (int i = 0; i < length; i++) {
                sum += buf[offset + i];
            }
            return (sum & 1) == 0;
        }

        @Override
        public boolean ownsMac(long mac) {
            return (mac & 2) == 0;
        }
    };

    record Case(byte[] payload, int etherType, long macSource, long macDest, int vlanId, boolean inbound, long remote,
            Map<Long, Long> localTags, Map<Long, Long> remoteTags, List<RuleEntry> base,
            List<Map.Entry<Long, List<RuleEntry>>> caps, boolean unsupported, boolean noTee) {}

    static <T> T pick(SplittableRandom r, T[] a) {
        return a[r.nextInt(a.length)];
    }

    static int pick(SplittableRandom r, int[] a) {
        return a[r.nextInt(a.length)];
    }

    static byte[] l4(SplittableRandom r, int proto) {
        return switch (proto) {
            case 6 -> Frames.tcp(pick(r, PORTS), pick(r, PORTS), r.nextInt(256), r.nextInt(256));
            case 17, 132, 136 -> Frames.udp(pick(r, PORTS), pick(r, PORTS));
            case 1, 58 -> Frames.icmp(new int[] {0, 3, 8, 128, 135, 136}[r.nextInt(6)], r.nextInt(3));
            default -> randomBytes(r, r.nextInt(30));
        };
    }

    static byte[] randomBytes(SplittableRandom r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    static byte[] frame(SplittableRandom r, int etherType) {
        byte[] p = switch (etherType) {
            case 0x0800 -> {
                int proto = pick(r, PROTOCOLS);
                int ihl = r.nextInt(10) == 0 ? r.nextInt(16) : 5 + r.nextInt(2);
                yield Frames.ipv4(proto, Frames.ip4(pick(r, IPV4)), Frames.ip4(pick(r, IPV4)), r.nextInt(256), ihl, l4(r, proto));
            }
            case 0x86dd -> {
                int proto = pick(r, PROTOCOLS);
                int[][] chain = new int[r.nextInt(3) == 0 ? r.nextInt(4) : 0][];
                for (int i = 0; i < chain.length; i++) {
                    chain[i] = new int[] {new int[] {0, 43, 60, 135}[r.nextInt(4)], r.nextInt(3)};
                }
                byte[] l4 = l4(r, proto);
                if (proto == 58 && r.nextBoolean()) {
                    l4 = new byte[24 + r.nextInt(8)]; // neighbor solicitation / advertisement
                    l4[0] = (byte) (135 + r.nextInt(2));
                    System.arraycopy(Frames.ip6(pick(r, IPV6)), 0, l4, 8, 16);
                }
                yield Frames.ipv6(proto, Frames.ip6(pick(r, IPV6)), Frames.ip6(pick(r, IPV6)), r.nextInt(256), chain, l4);
            }
            case 0x0806 -> Frames.arp(Frames.ip4(pick(r, IPV4)), Frames.ip4(pick(r, IPV4)));
            default -> randomBytes(r, r.nextInt(100));
        };
        if (r.nextInt(8) == 0) {
            p = java.util.Arrays.copyOf(p, r.nextInt(p.length + 1));
        }
        if (r.nextInt(30) == 0) {
            r.nextBytes(p);
        }
        return p;
    }

    static final RuleType[] MATCHES = java.util.Arrays.stream(RuleType.values()).filter(t -> !t.isAction())
            .toArray(RuleType[]::new);

    static RuleEntry entry(SplittableRandom r, Map<RuleType, Integer> seen) {
        boolean not = r.nextInt(3) == 0;
        boolean or = r.nextInt(4) == 0;
        int kind = r.nextInt(10);
        if (kind < 3) {
            return action(r);
        }
        if (kind == 3 && r.nextInt(3) == 0) {
            int[] reserved = {16, 17, 20, 23, 52, 60, 63};
            return new RuleEntry.Unknown(reserved[r.nextInt(reserved.length)], not, or);
        }
        RuleType t = pick(r, MATCHES);
        seen.merge(t, 1, Integer::sum);
        return switch (t) {
            case MATCH_SOURCE_ZEROTIER_ADDRESS, MATCH_DEST_ZEROTIER_ADDRESS ->
                    new RuleEntry.AddressMatch(t, not, or, new Address(ADDRESSES[r.nextInt(ADDRESSES.length)]));
            case MATCH_VLAN_ID -> new RuleEntry.ValueMatch(t, not, or, r.nextInt(3));
            case MATCH_VLAN_PCP, MATCH_VLAN_DEI -> new RuleEntry.ValueMatch(t, not, or, r.nextInt(3));
            case MATCH_IP_PROTOCOL -> new RuleEntry.ValueMatch(t, not, or, pick(r, PROTOCOLS));
            case MATCH_ETHERTYPE -> new RuleEntry.ValueMatch(t, not, or, pick(r, ETHERTYPES));
            case MATCH_CHARACTERISTICS -> new RuleEntry.ValueMatch(t, not, or, r.nextBoolean()
                    ? 1L << new int[] {0, 1, 2, 4, 8, 11, 59, 60, 61, 62, 63}[r.nextInt(11)] : r.nextLong());
            case MATCH_RANDOM -> new RuleEntry.ValueMatch(t, not, or, new long[] {0, 0xffff_ffffL, 0x8000_0000L,
                    r.nextLong() & 0xffff_ffffL}[r.nextInt(4)]);
            case MATCH_MAC_SOURCE, MATCH_MAC_DEST -> new RuleEntry.MacMatch(t, not, or, new Mac(MACS[r.nextInt(MACS.length)]));
            case MATCH_IPV4_SOURCE, MATCH_IPV4_DEST -> new RuleEntry.IpMatch(t, not, or, Frames.ip4(pick(r, IPV4)), pick(r, PREFIXES));
            case MATCH_IPV6_SOURCE, MATCH_IPV6_DEST -> {
                byte[] ip = Frames.ip6(pick(r, IPV6));
                if (r.nextBoolean()) { // clear host bits so that prefixes can match
                    int bits = pick(r, PREFIXES);
                    for (int i = 0; i < 16; i++) {
                        int keep = Math.max(0, Math.min(8, bits - 8 * i));
                        ip[i] &= (byte) (0xff00 >> keep);
                    }
                    yield new RuleEntry.IpMatch(t, not, or, ip, bits);
                }
                yield new RuleEntry.IpMatch(t, not, or, ip, pick(r, PREFIXES));
            }
            case MATCH_IP_TOS -> {
                int lo = r.nextInt(256);
                yield new RuleEntry.IpTosMatch(not, or, r.nextInt(256), lo, r.nextBoolean() ? 255 : r.nextInt(256));
            }
            case MATCH_ICMP -> new RuleEntry.IcmpMatch(not, or, new int[] {0, 3, 8, 128, 135}[r.nextInt(5)], r.nextInt(3), r.nextInt(4));
            case MATCH_IP_SOURCE_PORT_RANGE, MATCH_IP_DEST_PORT_RANGE -> {
                int a = pick(r, PORTS);
                int b = pick(r, PORTS);
                yield new RuleEntry.RangeMatch(t, not, or, Math.min(a, b), Math.max(a, b));
            }
            case MATCH_FRAME_SIZE_RANGE -> {
                int a = r.nextInt(120);
                yield new RuleEntry.RangeMatch(t, not, or, a, a + r.nextInt(80));
            }
            case MATCH_TAGS_DIFFERENCE, MATCH_TAGS_BITWISE_AND, MATCH_TAGS_BITWISE_OR, MATCH_TAGS_BITWISE_XOR,
                    MATCH_TAGS_EQUAL, MATCH_TAG_SENDER, MATCH_TAG_RECEIVER ->
                    new RuleEntry.TagMatch(t, not, or, 1 + r.nextInt(3), r.nextInt(8) == 0 ? 0xffff_ffffL : r.nextInt(4));
            case MATCH_INTEGER_RANGE -> {
                long start = r.nextBoolean() ? r.nextInt(256) : r.nextLong();
                long span = r.nextBoolean() ? r.nextInt(256) : r.nextLong() & 0xffff_ffffL;
                yield new RuleEntry.IntegerRangeMatch(not, or, start, start + span, r.nextInt(70), r.nextInt(256));
            }
            default -> throw new IllegalStateException(t.toString());
        };
    }

    static RuleEntry action(SplittableRandom r) {
        boolean not = r.nextInt(8) == 0;
        boolean or = r.nextInt(8) == 0;
        return switch (r.nextInt(12)) {
            case 0, 1, 2 -> new RuleEntry.Action(RuleType.ACTION_DROP, not, or);
            case 3, 4, 5 -> new RuleEntry.Action(RuleType.ACTION_ACCEPT, not, or);
            case 6 -> new RuleEntry.Action(RuleType.ACTION_BREAK, not, or);
            case 7 -> new RuleEntry.Action(RuleType.ACTION_PRIORITY, not, or);
            case 8 -> new RuleEntry.Unknown(7 + r.nextInt(9), not, or);
            default -> {
                RuleType t = new RuleType[] {RuleType.ACTION_TEE, RuleType.ACTION_WATCH, RuleType.ACTION_REDIRECT}[r.nextInt(3)];
                long address = ADDRESSES[r.nextInt(ADDRESSES.length)] | (r.nextInt(4) == 0 ? r.nextLong() << 40 : 0);
                yield new RuleEntry.Forward(t, not, or, address, r.nextLong() & 0xffff_ffffL,
                        new int[] {0, 1, 20, 64, 0xffff}[r.nextInt(5)]);
            }
        };
    }

    static List<RuleEntry> table(SplittableRandom r, Map<RuleType, Integer> seen) {
        List<RuleEntry> t = new ArrayList<>();
        int n = r.nextInt(12);
        for (int i = 0; i < n; i++) {
            t.add(entry(r, seen));
        }
        if (r.nextBoolean()) {
            t.add(action(r));
        }
        return t;
    }

    static Map<Long, Long> tags(SplittableRandom r) {
        Map<Long, Long> m = new HashMap<>();
        for (long id = 1; id <= 3; id++) {
            if (r.nextInt(3) != 0) {
                m.put(id, r.nextInt(8) == 0 ? 0xffff_ffffL : (long) r.nextInt(4));
            }
        }
        return m;
    }

    static TagValues tagValues(Map<Long, Long> m) {
        long[] ids = m.keySet().stream().mapToLong(Long::longValue).toArray();
        long[] values = java.util.Arrays.stream(ids).map(m::get).toArray();
        return TagValues.of(ids, values);
    }

    static Case randomCase(SplittableRandom r, Map<RuleType, Integer> seen) {
        int etherType = r.nextInt(10) == 0 ? r.nextInt(0x10000) : pick(r, ETHERTYPES);
        byte[] p = frame(r, etherType);
        boolean inbound = r.nextBoolean();
        long remote = inbound ? (r.nextInt(10) == 0 ? OTHER : PEER) : (r.nextInt(3) == 0 ? 0 : PEER);
        List<Map.Entry<Long, List<RuleEntry>>> caps = new ArrayList<>();
        int nCaps = r.nextInt(4);
        for (int i = 0; i < nCaps; i++) {
            caps.add(Map.entry((long) r.nextInt(6), table(r, seen)));
        }
        return new Case(p, etherType, MACS[r.nextInt(MACS.length)], MACS[r.nextInt(MACS.length)],
                r.nextInt(5) == 0 ? r.nextInt(3) : 0, inbound, remote, tags(r), tags(r), table(r, seen), caps,
                r.nextInt(4) == 0, r.nextInt(4) == 0);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 0x5eed, 20261130})
    void evaluatorAgreesWithReferenceModel(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        SplittableRandom fastRandom = new SplittableRandom(seed * 31 + 7);
        SplittableRandom modelRandom = new SplittableRandom(seed * 31 + 7);
        RuleEvaluator evaluator = new RuleEvaluator(fastRandom);
        RuleModel model = new RuleModel(modelRandom);
        FrameView frame = new FrameView();
        Verdict verdict = new Verdict();
        Map<RuleType, Integer> seen = new EnumMap<>(RuleType.class);
        Map<String, Integer> outcomes = new HashMap<>();
        for (int i = 0; i < 4000; i++) {
            Case c = randomCase(r, seen);
            List<RuleTable> capTables = c.caps.stream().map(e -> RuleTable.ofCapability(e.getKey(), e.getValue())).toList();
            NetworkRules net = new NetworkRules(RuleTable.of(c.base), capTables, tagValues(c.localTags), c.unsupported);
            // Put the frame at an offset inside a larger buffer to check the bounds handling.
            int offset = r.nextInt(4);
            byte[] buf = new byte[offset + c.payload.length + r.nextInt(4)];
            java.util.Arrays.fill(buf, (byte) 0x5a);
            System.arraycopy(c.payload, 0, buf, offset, c.payload.length);
            frame.set(buf, offset, c.payload.length, c.etherType, c.macSource, c.macDest, c.vlanId);
            Verdict v = c.inbound
                    ? evaluator.filterInbound(net, frame, SELF, c.remote, tagValues(c.remoteTags), capTables, OWNERSHIP, verdict)
                    : evaluator.filterOutbound(net, frame, SELF, c.remote, tagValues(c.remoteTags), OWNERSHIP, c.noTee, verdict);
            RuleModel.Outcome expected = model.filter(new RuleModel.Input(c.payload, c.etherType, c.macSource, c.macDest,
                    c.vlanId, SELF, c.remote, c.inbound, c.localTags, c.remoteTags, OWNERSHIP, c.unsupported), c.base,
                    c.caps, c.noTee);
            assertEquals(expected, RuleModel.Outcome.of(v), () -> "seed " + seed + " case " + c);
            assertEquals(modelRandom.nextLong(), fastRandom.nextLong(), "random draws diverged: " + c);
            outcomes.merge(v.baseResult() + (v.deliver() ? "+deliver" : "") + (v.teeAddress() != 0 ? "+tee" : "")
                    + (v.redirectAddress() != 0 ? "+redirect" : "") + (v.capabilityId() >= 0 ? "+cap" : ""), 1, Integer::sum);
        }
        for (RuleType t : MATCHES) {
            assertTrue(seen.getOrDefault(t, 0) > 50, () -> t + " rarely generated: " + seen);
        }
        for (String o : List.of("DROP", "ACCEPT+deliver", "NO_MATCH", "NO_MATCH+deliver+cap", "REDIRECT+redirect",
                "ACCEPT+deliver+tee", "SUPER_ACCEPT+deliver")) {
            assertTrue(outcomes.getOrDefault(o, 0) > 5, () -> o + " rarely reached: " + outcomes);
        }
    }

    @Test
    void perFramePathAllocatesNothing() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        SplittableRandom r = new SplittableRandom(99);
        Map<RuleType, Integer> seen = new EnumMap<>(RuleType.class);
        int n = 64;
        byte[][] payloads = new byte[n][];
        int[] etherTypes = new int[n];
        NetworkRules[] nets = new NetworkRules[n];
        TagValues[] remoteTags = new TagValues[n];
        List<List<RuleTable>> caps = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Case c = randomCase(r, seen);
            payloads[i] = c.payload;
            etherTypes[i] = c.etherType;
            caps.add(c.caps.stream().map(e -> RuleTable.ofCapability(e.getKey(), e.getValue())).toList());
            nets[i] = new NetworkRules(RuleTable.of(c.base), caps.get(i), tagValues(c.localTags), false);
            remoteTags[i] = tagValues(c.remoteTags);
        }
        RuleEvaluator evaluator = new RuleEvaluator(new SplittableRandom(1));
        FrameView frame = new FrameView();
        Verdict verdict = new Verdict();
        long tid = Thread.currentThread().threadId();
        long[] accepted = new long[1];
        Runnable loop = () -> {
            for (int k = 0; k < 20_000; k++) {
                int i = k & (n - 1);
                frame.set(payloads[i], 0, payloads[i].length, etherTypes[i], MAC_PEER, MAC_SELF, 0);
                Verdict v = (k & 64) == 0
                        ? evaluator.filterInbound(nets[i], frame, SELF, PEER, remoteTags[i], caps.get(i), OWNERSHIP, verdict)
                        : evaluator.filterOutbound(nets[i], frame, SELF, PEER, remoteTags[i], OWNERSHIP, false, verdict);
                accepted[0] += v.deliver() ? 1 : 0;
            }
        };
        loop.run(); // warm up (class loading, JIT)
        long before = mx.getThreadAllocatedBytes(tid);
        loop.run();
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        // One allocated object per frame would be at least 16 bytes x 20,000.
        assertTrue(allocated < 20_000, "allocated " + allocated + " bytes over 20,000 frames");
        assertTrue(accepted[0] > 0);
    }
}
