package dev.zerokube.overlay.node;

/**
 * Fixed-size memory of "when did we last do X for key K", for rate gates that 1.14.1 keeps in
 * unbounded hash tables: WHOIS per address, RENDEZVOUS per unordered pair, identity verification
 * per source network. Keys are two longs. The table is set-associative: a key can live in one of
 * {@link #WAYS} slots of its set, and a new key takes the slot with the oldest time. Forgetting a
 * key early only lets the gated action happen sooner, which each user accepts; the memory is
 * bounded whatever the input. No allocation after construction.
 */
final class RecentTable {
    static final int WAYS = 4;

    private final long[] keyA;
    private final long[] keyB;
    private final long[] timeMs;
    private final boolean[] used;
    private final int setMask;

    /** A table of at least {@code entries} slots (rounded up to a power of two, at least {@link #WAYS}). */
    RecentTable(int entries) {
        int sets = Math.max(1, Integer.highestOneBit(Math.max(1, entries / WAYS - 1)) << 1);
        setMask = sets - 1;
        int n = sets * WAYS;
        keyA = new long[n];
        keyB = new long[n];
        timeMs = new long[n];
        used = new boolean[n];
    }

    /** The time stored for the key, or {@link Timing#NEVER_MS}. */
    long get(long a, long b) {
        int base = base(a, b);
        for (int i = base; i < base + WAYS; i++) {
            if (used[i] && keyA[i] == a && keyB[i] == b) {
                return timeMs[i];
            }
        }
        return Timing.NEVER_MS;
    }

    /** Stores the time for the key, evicting the oldest key of its set if needed. */
    void put(long a, long b, long nowMs) {
        int base = base(a, b);
        int victim = base;
        for (int i = base; i < base + WAYS; i++) {
            if (used[i] && keyA[i] == a && keyB[i] == b) {
                timeMs[i] = nowMs;
                return;
            }
            if (!used[i]) {
                victim = i;
                break;
            }
            if (timeMs[i] < timeMs[victim]) {
                victim = i;
            }
        }
        used[victim] = true;
        keyA[victim] = a;
        keyB[victim] = b;
        timeMs[victim] = nowMs;
    }

    /**
     * The rate gate: true (and the time recorded) when the key was not stored within
     * {@code intervalMs} before {@code nowMs}; false otherwise.
     */
    boolean gate(long a, long b, long nowMs, long intervalMs) {
        if (nowMs - get(a, b) < intervalMs) {
            return false;
        }
        put(a, b, nowMs);
        return true;
    }

    /**
     * A token-bucket gate (GCRA: the table holds each key's theoretical arrival time): up to
     * {@code burst} actions at once, then one per {@code intervalMs}. True (and the action
     * counted) when allowed. A key forgotten early starts again with a full bucket, as
     * {@link #gate} does.
     */
    boolean gateBurst(long a, long b, long nowMs, long intervalMs, int burst) {
        long tat = Math.max(get(a, b), nowMs);
        if (tat - nowMs > (burst - 1) * intervalMs) {
            return false;
        }
        put(a, b, tat + intervalMs);
        return true;
    }

    void remove(long a, long b) {
        int base = base(a, b);
        for (int i = base; i < base + WAYS; i++) {
            if (used[i] && keyA[i] == a && keyB[i] == b) {
                used[i] = false;
            }
        }
    }

    /** Forgets every key stored at least {@code ageMs} before {@code nowMs}. */
    void forgetOlderThan(long nowMs, long ageMs) {
        for (int i = 0; i < used.length; i++) {
            if (used[i] && nowMs - timeMs[i] >= ageMs) {
                used[i] = false;
            }
        }
    }

    /** Keys currently held. */
    int size() {
        int n = 0;
        for (boolean u : used) {
            if (u) {
                n++;
            }
        }
        return n;
    }

    /** Slots in the table: the bound on {@link #size()}. */
    int capacity() {
        return used.length;
    }

    private int base(long a, long b) {
        long h = (a * 0x9E3779B97F4A7C15L) ^ (b * 0xC2B2AE3D27D4EB4FL);
        h ^= h >>> 29;
        return ((int) h & setMask) * WAYS;
    }
}
