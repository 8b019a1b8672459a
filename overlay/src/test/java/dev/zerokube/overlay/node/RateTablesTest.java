package dev.zerokube.overlay.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/*
 * Goal: the bounded rate-gate memory (RecentTable) and the reply-ID table (ReplyTable) keep their
 * promises: a gate closes for exactly its interval, memory never exceeds its capacity whatever
 * keys arrive, an OK matches only a recent request's full 64-bit ID and an ID stays valid after a
 * match. Method: direct checks of each rule, plus a seeded flood of keys.
 */
class RateTablesTest {
    @Test
    void gateClosesForItsIntervalAndReopens() {
        RecentTable t = new RecentTable(64);
        assertTrue(t.gate(42, 0, 1_000, 500));
        assertFalse(t.gate(42, 0, 1_499, 500));
        assertTrue(t.gate(43, 0, 1_499, 500), "another key is independent");
        assertTrue(t.gate(42, 0, 1_500, 500));
        assertEquals(1_500, t.get(42, 0));
        t.remove(42, 0);
        assertEquals(Timing.NEVER_MS, t.get(42, 0));
        assertTrue(t.gate(42, 0, 1_501, 500), "forgotten, so open");
    }

    @Test
    void burstGateMatchesATokenBucketModel() {
        // model: a bucket of `burst` tokens, one added every `interval` ms up to `burst`
        int burst = 5;
        long interval = 100;
        RecentTable t = new RecentTable(64);
        SplittableRandom r = new SplittableRandom(11);
        double tokens = burst;
        long last = 0;
        int allowed = 0;
        for (long now = 0; now < 20_000; now += r.nextInt(0, 60)) {
            tokens = Math.min(burst, tokens + (now - last) / (double) interval);
            last = now;
            boolean expected = tokens >= 1 - 1e-9;
            assertEquals(expected, t.gateBurst(9, 0, now, interval, burst), "at " + now + " ms, tokens " + tokens);
            if (expected) {
                tokens -= 1;
                allowed++;
            }
        }
        assertTrue(allowed <= burst + 20_000 / interval, "never more than the burst plus the refill: " + allowed);
        assertTrue(allowed >= 20_000 / interval, "the steady rate is reached: " + allowed);
    }

    @Test
    void burstGateAdmitsTheBurstAtOnceThenOnePerInterval() {
        RecentTable t = new RecentTable(64);
        for (int i = 0; i < 4; i++) {
            assertTrue(t.gateBurst(1, 0, 1_000, 250, 4), "token " + i);
        }
        assertFalse(t.gateBurst(1, 0, 1_000, 250, 4));
        assertFalse(t.gateBurst(1, 0, 1_249, 250, 4));
        assertTrue(t.gateBurst(2, 0, 1_000, 250, 4), "another key has its own bucket");
        assertTrue(t.gateBurst(1, 0, 1_250, 250, 4));
        assertFalse(t.gateBurst(1, 0, 1_250, 250, 4));
    }

    @Test
    void pairsAreOrderedKeys() {
        RecentTable t = new RecentTable(64);
        t.put(1, 2, 10);
        assertEquals(10, t.get(1, 2));
        assertEquals(Timing.NEVER_MS, t.get(2, 1), "the caller sorts an unordered pair");
    }

    @Test
    void forgetsOldEntries() {
        RecentTable t = new RecentTable(64);
        t.put(1, 0, 100);
        t.put(2, 0, 900);
        t.forgetOlderThan(1_000, 500);
        assertEquals(Timing.NEVER_MS, t.get(1, 0));
        assertEquals(900, t.get(2, 0));
    }

    @Test
    void memoryIsBoundedWhateverTheKeys() {
        RecentTable t = new RecentTable(256);
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 100_000; i++) {
            t.put(r.nextLong(), r.nextLong(), i);
            assertTrue(t.size() <= t.capacity());
        }
        assertEquals(t.capacity(), t.size());
        long newest = 99_999;
        assertTrue(t.capacity() >= 256);
        // a full set evicts its oldest key, so the newest key is always found
        t.put(7, 7, newest + 1);
        assertEquals(newest + 1, t.get(7, 7));
    }

    @Test
    void repliesMatchFull64BitIdsAndAreNotConsumed() {
        ReplyTable t = new ReplyTable();
        assertFalse(t.isExpected(0), "an empty table expects nothing, not even ID 0");
        long id = 0x1234_5678_9abc_def0L;
        t.expect(id);
        assertTrue(t.isExpected(id));
        assertTrue(t.isExpected(id), "a second answer to the same request is accepted too");
        assertFalse(t.isExpected(id ^ 1), "same upper 32 bits, different ID");
        assertFalse(t.isExpected(id ^ (1L << 40)));
    }

    @Test
    void aBucketKeepsItsLast32Ids() {
        ReplyTable t = new ReplyTable();
        long bucketBits = 0x0000_0077_0000_0000L;
        for (int i = 0; i < 40; i++) {
            t.expect(bucketBits | ((long) i << 44) | i);
        }
        for (int i = 0; i < 40; i++) {
            assertEquals(i >= 8, t.isExpected(bucketBits | ((long) i << 44) | i), "id " + i);
        }
        assertTrue(ReplyTable.SLOTS == 32 && ReplyTable.BUCKETS == 256);
    }
}
