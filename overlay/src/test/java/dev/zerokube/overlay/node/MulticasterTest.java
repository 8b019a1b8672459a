package dev.zerokube.overlay.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.Mac;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.PacketHeader;
import dev.zerokube.overlay.wire.Verb;
import dev.zerokube.overlay.wire.verbs.MulticastFrame;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/*
 * Goal: the multicast directory and sender behave as ZT1-08 §3.4–§3.6 says 1.14.1's Multicaster
 * does (member table, expiry, gather answers, send limits and order, queue), within our bounds.
 * Method: a Multicaster with a recording Sender, driven by hand with a virtual clock; the member
 * table is also checked against a plain map model under random LIKEs, removals and cleanups.
 */
class MulticasterTest {
    private static final long SELF = 0x1111111111L;
    private static final long NWID = 0x8056c2e21c000001L;
    private static final long BCAST = Mac.BROADCAST.value();
    private static final long T0 = 1_000_000L;

    /** What the multicaster asked to send. */
    static final class Recorder implements Multicaster.Sender {
        final List<Long> recipients = new ArrayList<>();
        final List<byte[]> payloads = new ArrayList<>();
        final List<long[]> gathers = new ArrayList<>();

        @Override
        public void sendMulticast(OutboundMulticast m, long recipient, long nowMs) {
            recipients.add(recipient);
            payloads.add(Arrays.copyOf(m.payload, m.payloadLength));
        }

        @Override
        public void gather(long networkId, long groupMac, long groupAdi, long gatherLimit, long nowMs) {
            gathers.add(new long[] {networkId, groupMac, groupAdi, gatherLimit, nowMs});
        }
    }

    private final Recorder out = new Recorder();
    private final byte[] frame = {1, 2, 3, 4, 5, 6, 7, 8};

    private static Multicaster multicaster(long seed) {
        return new Multicaster(SELF, new SplittableRandom(seed), 64, 256);
    }

    private static long member(int i) {
        return 0x2200000000L + i;
    }

    private static MulticastFrame decode(byte[] payload) throws WireFormatException {
        return MulticastFrame.decode(new ByteReader(payload, "MULTICAST_FRAME"));
    }

    @Test
    void selfAndZeroAreNeverMembersAndKnownOnesAreRefreshed() {
        Multicaster mc = multicaster(1);
        mc.add(NWID, BCAST, 7, SELF, T0, out);
        mc.add(NWID, BCAST, 7, 0, T0, out);
        assertEquals(0, mc.knownCount(NWID, BCAST, 7));
        mc.add(NWID, BCAST, 7, member(1), T0, out);
        mc.add(NWID, BCAST, 7, member(1), T0 + 500_000, out);
        assertEquals(1, mc.knownCount(NWID, BCAST, 7));
        mc.clean(T0 + Timing.MULTICAST_LIKE_EXPIRE_MS); // 500 s after the refresh: still there
        assertTrue(mc.isMember(NWID, BCAST, 7, member(1)));
        mc.clean(T0 + 500_000 + Timing.MULTICAST_LIKE_EXPIRE_MS - 1);
        assertTrue(mc.isMember(NWID, BCAST, 7, member(1)));
        mc.clean(T0 + 500_000 + Timing.MULTICAST_LIKE_EXPIRE_MS);
        assertFalse(mc.isMember(NWID, BCAST, 7, member(1)), "expires at exactly 600 s");
        assertEquals(0, mc.groupCount(), "an empty group without queue is forgotten");
    }

    @Test
    void groupsAreKeyedByNetworkMacAndAdi() {
        Multicaster mc = multicaster(1);
        mc.add(NWID, BCAST, 7, member(1), T0, out);
        mc.add(NWID, BCAST, 8, member(2), T0, out);
        mc.add(NWID + 1, BCAST, 7, member(3), T0, out);
        mc.add(NWID, 0x01005e0000fbL, 7, member(4), T0, out);
        assertTrue(mc.isMember(NWID, BCAST, 7, member(1)));
        assertFalse(mc.isMember(NWID, BCAST, 7, member(2)));
        assertFalse(mc.isMember(NWID, BCAST, 7, member(3)));
        assertFalse(mc.isMember(NWID, BCAST, 7, member(4)));
        assertEquals(4, mc.groupCount());
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void withEnoughMembersOnePassGoesToLimitRecipientsBridgesFirst(long seed) throws WireFormatException {
        Multicaster mc = multicaster(seed);
        for (int i = 0; i < 20; i++) {
            mc.add(NWID, BCAST, 0, member(i), T0, out);
        }
        long[] bridges = {member(3), SELF, 0x3300000001L};
        mc.send(NWID, BCAST, 0, 5, bridges, 3, 0, 0x02aabbccddeeL, 0x0800, frame, 0, frame.length, T0, out);
        assertEquals(5, out.recipients.size());
        assertEquals(member(3), out.recipients.get(0), "bridges first, in config order");
        assertEquals(0x3300000001L, out.recipients.get(1), "ourselves skipped");
        assertEquals(5, new HashSet<>(out.recipients).size(), "a bridge that is also a member is sent to once");
        assertTrue(out.gathers.isEmpty(), "no explicit gather when enough members are known");
        assertEquals(0, mc.queuedCount(NWID, BCAST, 0), "nothing queued");
        MulticastFrame f = decode(out.payloads.getFirst());
        assertEquals(MulticastFrame.FLAG_GATHER_LIMIT, f.flags());
        assertEquals(1, f.gatherLimit(), "gather limit 1 keeps lists fresh");
        assertEquals(new NetworkId(NWID), f.networkId());
        assertEquals(0x0800, f.etherType());
        assertArrayEquals(frame, f.data());
        for (byte[] p : out.payloads) {
            assertArrayEquals(out.payloads.getFirst(), p, "every recipient gets the same payload");
        }
    }

    @Test
    void membersArePickedInRandomOrder() {
        Map<Long, Integer> firstPicks = new HashMap<>();
        for (long seed = 0; seed < 200; seed++) {
            Multicaster mc = multicaster(seed);
            Recorder r = new Recorder();
            for (int i = 0; i < 4; i++) {
                mc.add(NWID, BCAST, 0, member(i), T0, r);
            }
            mc.send(NWID, BCAST, 0, 1, new long[0], 0, 0, 1, 0x0800, frame, 0, frame.length, T0, r);
            firstPicks.merge(r.recipients.getFirst(), 1, Integer::sum);
        }
        assertEquals(4, firstPicks.size(), "each member is sometimes the one picked: " + firstPicks);
        for (int n : firstPicks.values()) {
            assertTrue(n > 20, "roughly uniform: " + firstPicks);
        }
    }

    @Test
    void fewMembersQueueTheFrameAskAGatherAndServeLateMembersOnce() throws WireFormatException {
        Multicaster mc = multicaster(9);
        mc.add(NWID, BCAST, 0x0a931101L, member(1), T0, out);
        mc.send(NWID, BCAST, 0x0a931101L, 3, new long[0], 0, 0, 1, 0x0806, frame, 0, frame.length, T0, out);
        assertEquals(List.of(member(1)), out.recipients);
        assertEquals(1, out.gathers.size(), "the first send gathers (never gathered before)");
        assertEquals(3, out.gathers.getFirst()[3], "(limit - known) + 1");
        assertEquals(3, decode(out.payloads.getFirst()).gatherLimit());
        assertEquals(1, mc.queuedCount(NWID, BCAST, 0x0a931101L));

        mc.add(NWID, BCAST, 0x0a931101L, member(2), T0 + 100, out);
        mc.add(NWID, BCAST, 0x0a931101L, member(2), T0 + 200, out); // a refresh sends nothing
        assertEquals(List.of(member(1), member(2)), out.recipients);
        mc.add(NWID, BCAST, 0x0a931101L, member(3), T0 + 300, out);
        assertEquals(List.of(member(1), member(2), member(3)), out.recipients);
        assertEquals(0, mc.queuedCount(NWID, BCAST, 0x0a931101L), "done at the limit");
        mc.add(NWID, BCAST, 0x0a931101L, member(4), T0 + 400, out);
        assertEquals(3, out.recipients.size(), "never more than the limit");

        // With members known but fewer than the limit, explicit gathers wait 60 s.
        mc.send(NWID, BCAST, 0x0a931101L, 10, new long[0], 0, 0, 1, 0x0806, frame, 0, frame.length, T0 + 1_000, out);
        assertEquals(1, out.gathers.size());
        mc.send(NWID, BCAST, 0x0a931101L, 10, new long[0], 0, 0, 1, 0x0806, frame, 0, frame.length,
                T0 + Timing.MULTICAST_EXPLICIT_GATHER_DELAY_MS, out);
        assertEquals(2, out.gathers.size());
        assertEquals(10 - 4 + 1, out.gathers.get(1)[3]);
    }

    @Test
    void queuedFramesExpireAfterFiveSeconds() {
        Multicaster mc = multicaster(2);
        mc.send(NWID, BCAST, 5, 4, new long[0], 0, 0, 1, 0x0806, frame, 0, frame.length, T0, out);
        assertTrue(out.recipients.isEmpty());
        mc.add(NWID, BCAST, 5, member(1), T0 + Timing.MULTICAST_TRANSMIT_TIMEOUT_MS, out);
        assertEquals(List.of(member(1)), out.recipients, "still due at exactly 5 s");
        mc.add(NWID, BCAST, 5, member(2), T0 + Timing.MULTICAST_TRANSMIT_TIMEOUT_MS + 1, out);
        assertEquals(List.of(member(1)), out.recipients, "expired after");
        assertEquals(0, mc.queuedCount(NWID, BCAST, 5));
    }

    @Test
    void emptyGroupsAreGatheredAtMostOncePerSecond() {
        Multicaster mc = multicaster(2);
        for (int i = 0; i < 10; i++) {
            mc.send(NWID, BCAST, 5, 4, new long[0], 0, 0, 1, 0x0806, frame, 0, frame.length, T0 + i * 100, out);
        }
        assertEquals(1, out.gathers.size());
        mc.send(NWID, BCAST, 5, 4, new long[0], 0, 0, 1, 0x0806, frame, 0, frame.length,
                T0 + Multicaster.EMPTY_GROUP_GATHER_INTERVAL_MS, out);
        assertEquals(2, out.gathers.size());
        assertEquals(5, out.gathers.get(1)[3], "limit + 1 with nobody known");
    }

    @Test
    void aFrameThatFoundNoMemberRepeatsItsGatherUntilAMemberIsKnown() {
        Multicaster mc = multicaster(2);
        assertEquals(Long.MAX_VALUE, mc.nextRegatherMs(), "nothing waits");
        mc.send(NWID, BCAST, 5, 4, new long[0], 0, 0, 1, 0x0806, frame, 0, frame.length, T0, out);
        assertEquals(1, out.gathers.size());
        long first = Multicaster.EMPTY_GROUP_REGATHER_FIRST_MS;
        assertEquals(T0 + first, mc.nextRegatherMs());
        mc.regather(T0 + first - 1, out);
        assertEquals(1, out.gathers.size(), "not due yet");
        mc.regather(T0 + first, out);
        assertEquals(2, out.gathers.size());
        assertArrayEquals(new long[] {NWID, BCAST, 5, 5, T0 + first}, out.gathers.get(1), "the same gather again");
        assertEquals(T0 + 3 * first, mc.nextRegatherMs(), "each wait twice the one before");
        mc.regather(T0 + 3 * first, out);
        assertEquals(3, out.gathers.size());
        mc.add(NWID, BCAST, 5, member(1), T0 + 3 * first + 1, out);
        assertEquals(List.of(member(1)), out.recipients, "the member learned gets the frame");
        mc.regather(T0 + 7 * first, out);
        assertEquals(3, out.gathers.size(), "a group with a member is not gathered for again");
        assertEquals(Long.MAX_VALUE, mc.nextRegatherMs());
    }

    @Test
    void repeatedGathersEndWithTheQueuedFramesAndAreBounded() {
        Multicaster mc = multicaster(3);
        mc.send(NWID, BCAST, 5, 4, new long[0], 0, 0, 1, 0x0806, frame, 0, frame.length, T0, out);
        for (long next = mc.nextRegatherMs(); next != Long.MAX_VALUE; next = mc.nextRegatherMs()) {
            assertTrue(next <= T0 + 2 * Timing.MULTICAST_TRANSMIT_TIMEOUT_MS, "the timer ends");
            mc.regather(next, out);
        }
        assertTrue(out.gathers.stream().allMatch(g -> g[4] <= T0 + Timing.MULTICAST_TRANSMIT_TIMEOUT_MS),
                "no gather after the frame expired");
        assertEquals(7, out.gathers.size(), "the first, then after 50, 150, 350, 750, 1550 and 3150 ms");

        Recorder many = new Recorder();
        Multicaster mc2 = new Multicaster(SELF, new SplittableRandom(4), 256, 256);
        int groups = Multicaster.REGATHER_GROUPS_MAX + 1;
        for (int adi = 1; adi <= groups; adi++) {
            mc2.send(NWID, BCAST, adi, 4, new long[0], 0, 0, 1, 0x0806, frame, 0, frame.length, T0, many);
        }
        assertEquals(groups, many.gathers.size());
        mc2.regather(T0 + Multicaster.EMPTY_GROUP_REGATHER_FIRST_MS, many);
        assertEquals(groups + Multicaster.REGATHER_GROUPS_MAX, many.gathers.size(),
                "groups past the bound wait for their next frame, as in 1.14.1");
    }

    @Test
    void aFullQueueDropsItsOldestFrame() {
        Multicaster mc = multicaster(2);
        for (int i = 0; i < Timing.MULTICAST_TX_QUEUE_SIZE + 3; i++) {
            byte[] f = {(byte) i};
            mc.send(NWID, BCAST, 5, 4, new long[0], 0, 0, 1, 0x0806, f, 0, 1, T0, out);
        }
        assertEquals(Timing.MULTICAST_TX_QUEUE_SIZE, mc.queuedCount(NWID, BCAST, 5));
        mc.add(NWID, BCAST, 5, member(1), T0 + 1, out);
        assertEquals(Timing.MULTICAST_TX_QUEUE_SIZE, out.payloads.size());
        assertEquals(3, out.payloads.getFirst()[out.payloads.getFirst().length - 1], "frames 0..2 were dropped");
    }

    @Test
    void bridgedFramesCarryTheirSourceMac() throws WireFormatException {
        Multicaster mc = multicaster(2);
        long foreign = 0x00163e000001L;
        mc.send(NWID, 0x01005e0000fbL, 0, 4, new long[] {member(7)}, 1, foreign, 1, 0x0800, frame, 0, frame.length, T0,
                out);
        MulticastFrame f = decode(out.payloads.getFirst());
        assertEquals(MulticastFrame.FLAG_GATHER_LIMIT | MulticastFrame.FLAG_SOURCE_MAC, f.flags());
        assertEquals(new Mac(foreign), f.source());
        assertEquals(new Mac(0x01005e0000fbL), f.group().mac());
    }

    @Test
    void framesAreCutAtTenThousandBytes() throws WireFormatException {
        Multicaster mc = multicaster(2);
        byte[] big = new byte[10_050];
        mc.send(NWID, BCAST, 0, 4, new long[] {member(7)}, 1, 0, 1, 0x0800, big, 0, big.length, T0, out);
        assertEquals(OutboundMulticast.FRAME_MAX, decode(out.payloads.getFirst()).data().length);
    }

    @Test
    void gatherAnswersListUsFirstThenDistinctMembersButNeverTheRequester() {
        Multicaster mc = multicaster(3);
        for (int i = 0; i < 10; i++) {
            mc.add(NWID, BCAST, 0, member(i), T0, out);
        }
        PacketWriter w = new PacketWriter();
        w.start(1, member(0), SELF, Verb.OK);
        int at = w.length;
        int added = mc.gather(NWID, BCAST, 0, member(4), true, 100, w);
        assertEquals(10, added, "us + 9 members (the requester is picked but not written)");
        assertEquals(11, u32(w.buf, at), "total known counts us and every member");
        assertEquals(10, (w.buf[at + 4] & 0xff) << 8 | (w.buf[at + 5] & 0xff));
        assertEquals(SELF, u40(w.buf, at + 6));
        Set<Long> listed = new TreeSet<>();
        for (int i = 1; i < 10; i++) {
            listed.add(u40(w.buf, at + 6 + 5 * i));
        }
        assertEquals(9, listed.size());
        assertFalse(listed.contains(member(4)));
        assertEquals(at + 6 + 50, w.length);

        PacketWriter small = new PacketWriter();
        small.start(1, member(0), SELF, Verb.OK);
        assertEquals(3, mc.gather(NWID, BCAST, 0, 0, false, 3, small));
        assertEquals(0, mc.gather(NWID, BCAST, 0, 0, true, 0, small), "limit 0 answers nothing");
        PacketWriter none = new PacketWriter();
        none.start(1, member(0), SELF, Verb.OK);
        assertEquals(0, mc.gather(NWID, BCAST, 99, 0, false, 10, none), "unknown group, not subscribed");
    }

    @Test
    void gatherAnswersStopAtThePacketSize() {
        Multicaster mc = new Multicaster(SELF, new SplittableRandom(1), 4, 4_000);
        for (int i = 0; i < 3_000; i++) {
            mc.add(NWID, BCAST, 0, member(i), T0, out);
        }
        PacketWriter w = new PacketWriter();
        w.start(1, member(0), SELF, Verb.OK);
        int at = w.length;
        int added = mc.gather(NWID, BCAST, 0, 0, false, 5_000, w);
        assertEquals((PacketHeader.MAX_LENGTH - at - 6) / 5, added);
        assertTrue(w.length <= PacketHeader.MAX_LENGTH);
    }

    @Test
    void boundsEvictTheStalestMemberAndRefuseNewGroups() {
        Multicaster mc = new Multicaster(SELF, new SplittableRandom(1), 2, 3);
        mc.add(NWID, BCAST, 0, member(1), T0 + 10, out);
        mc.add(NWID, BCAST, 0, member(2), T0, out);
        mc.add(NWID, BCAST, 0, member(3), T0 + 20, out);
        mc.add(NWID, BCAST, 0, member(4), T0 + 30, out);
        assertEquals(3, mc.knownCount(NWID, BCAST, 0));
        assertFalse(mc.isMember(NWID, BCAST, 0, member(2)), "heard longest ago");
        mc.add(NWID, BCAST, 1, member(1), T0, out);
        mc.add(NWID, BCAST, 2, member(1), T0, out);
        assertEquals(2, mc.groupCount());
        assertFalse(mc.isMember(NWID, BCAST, 2, member(1)));
        mc.send(NWID, BCAST, 2, 4, new long[] {member(9)}, 1, 0, 1, 0x0800, frame, 0, 1, T0, out);
        assertEquals(List.of(member(9)), out.recipients, "a group without room still reaches the bridges");
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13})
    void memberTableAgreesWithAMapModel(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Multicaster mc = new Multicaster(SELF, new SplittableRandom(seed), 1024, 1024);
        Map<List<Long>, TreeMap<Long, Long>> model = new HashMap<>();
        long now = T0;
        for (int step = 0; step < 20_000; step++) {
            now += rnd.nextInt(2_000);
            long adi = rnd.nextInt(6);
            List<Long> key = List.of(NWID, BCAST, adi);
            long m = member(rnd.nextInt(40));
            int op = rnd.nextInt(20);
            if (op == 0) {
                mc.clean(now);
                long n = now;
                model.values().forEach(t -> t.values().removeIf(heard -> n - heard >= Timing.MULTICAST_LIKE_EXPIRE_MS));
            } else if (op == 1) {
                mc.remove(NWID, BCAST, adi, m);
                model.computeIfAbsent(key, k -> new TreeMap<>()).remove(m);
            } else {
                mc.add(NWID, BCAST, adi, m, now, out);
                model.computeIfAbsent(key, k -> new TreeMap<>()).put(m, now);
            }
            TreeMap<Long, Long> expected = model.getOrDefault(key, new TreeMap<>());
            assertEquals(expected.size(), mc.knownCount(NWID, BCAST, adi), "step " + step);
            assertEquals(expected.containsKey(m), mc.isMember(NWID, BCAST, adi, m), "step " + step);
        }
    }

    private static long u32(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 4; i++) {
            v = (v << 8) | (b[at + i] & 0xff);
        }
        return v;
    }

    private static long u40(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 5; i++) {
            v = (v << 8) | (b[at + i] & 0xff);
        }
        return v;
    }
}
