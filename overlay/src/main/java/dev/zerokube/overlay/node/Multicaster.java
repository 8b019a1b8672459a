package dev.zerokube.overlay.node;

import java.util.random.RandomGenerator;

/**
 * The multicast directory and sender (ZT1-08 §3.4–§3.6; 1.14.1's {@code Multicaster}): per
 * (network, group) the members learned from MULTICAST_LIKEs and gather answers, each with the
 * time it was last heard; the frames still looking for recipients; the time of the last explicit
 * gather. A root keeps these tables for every network its members announce to it, which is what
 * lets it answer gathers for networks it never joined.
 *
 * <p>Behaviour as 1.14.1: our own address is never a member; a new member is offered every queued
 * frame of its group at once; members expire {@link Timing#MULTICAST_LIKE_EXPIRE_MS} after they
 * were last heard, but only at the next {@link #clean} (until then they still receive); a send
 * goes to at most {@code limit} recipients, active bridges first and counted, then members in a
 * fresh random order; with fewer known members than the limit the frame is queued for those
 * learned later and an explicit gather is asked for (§3.5). Gather answers list us first when we
 * are in the group, then distinct members picked at random, never the requester.
 *
 * <p>Ours, not 1.14.1's (peers cannot tell): everything is bounded ({@code groupsMax} groups,
 * {@code membersMax} per group, where a new member replaces the one heard longest ago;
 * {@link Timing#MULTICAST_TX_QUEUE_SIZE} queued frames per group); queued frames expire exactly
 * at 5 s; an empty group is gathered for at most once per {@link #EMPTY_GROUP_GATHER_INTERVAL_MS}
 * rather than on every frame (ZT1-08 §7 quirk 4). After the tables have grown, sending,
 * learning and answering allocate nothing: groups are found through a {@link LongMap} of hash
 * chains and queued frames come from a pool.
 */
final class Multicaster {
    /** Our floor between explicit gathers for a group with no known member (1.14.1 has none). */
    static final long EMPTY_GROUP_GATHER_INTERVAL_MS = 1_000;
    /**
     * The first repeat of a gather that left a frame queued with no member to send it to; each
     * later repeat waits twice as long as the one before, while a frame still waits (5 s). 1.14.1
     * gathers only when the next frame to the group is sent, e.g. at the kernel's next ARP
     * retry a second later: at start, a member's first LIKE often reaches the root just after
     * our first gather, and that second is then most of the time to the first ping.
     */
    static final long EMPTY_GROUP_REGATHER_FIRST_MS = 50;
    /** Groups whose gathers are repeated at once; past this, a group waits for its next frame as in 1.14.1. */
    static final int REGATHER_GROUPS_MAX = 64;
    /** Largest gather answer: 1.14.1 caps the count field. */
    static final int GATHER_LIMIT_MAX = 0xffff;

    /** Where a multicast goes out: the caller runs the per-recipient rules, pushes credentials and sends. */
    interface Sender {
        /** Sends {@code m}'s payload as a MULTICAST_FRAME to {@code recipient} (already logged and counted). */
        void sendMulticast(OutboundMulticast m, long recipient, long nowMs);

        /** An explicit gather is due for this group: send MULTICAST_GATHERs asking for {@code gatherLimit} members. */
        void gather(long networkId, long groupMac, long groupAdi, long gatherLimit, long nowMs);
    }

    /** One (network, group) and what we know of it. */
    static final class Group {
        final long networkId;
        final long mac;
        final long adi;
        /** Next group with the same hash. */
        Group next;
        /** Member addresses in ascending order, and when each was last heard. */
        long[] members = new long[4];
        long[] heardMs = new long[4];
        int size;
        long lastExplicitGatherMs = Timing.NEVER_MS;
        /** While in {@link #regathering}: when the next repeat is due, the wait after it, and its gather limit. */
        long regatherAtMs;
        long regatherStepMs;
        long regatherLimit;
        boolean regathering;
        final OutboundMulticast[] queue = new OutboundMulticast[Timing.MULTICAST_TX_QUEUE_SIZE];
        int queued;

        Group(long networkId, long mac, long adi) {
            this.networkId = networkId;
            this.mac = mac;
            this.adi = adi;
        }

        boolean is(long networkId, long mac, long adi) {
            return this.networkId == networkId && this.mac == mac && this.adi == adi;
        }

        int indexOf(long address) {
            int lo = 0;
            int hi = size - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                long v = members[mid];
                if (v < address) {
                    lo = mid + 1;
                } else if (v > address) {
                    hi = mid - 1;
                } else {
                    return mid;
                }
            }
            return -(lo + 1);
        }
    }

    private final long self;
    private final RandomGenerator random;
    private final int groupsMax;
    private final int membersMax;
    private final LongMap<Group> groups;
    private int groupCount;
    /** Shuffled member indexes of the current send. */
    private final int[] order;
    /** Members already picked by the current gather answer, and which indexes to clear after. */
    private final boolean[] picked;
    private final int[] pickedAt;
    private final OutboundMulticast onePass = new OutboundMulticast();
    private final OutboundMulticast[] pool;
    private int pooled;
    /** Groups with a frame queued and no member yet, whose gather is repeated on the timer. */
    private final Group[] regathering = new Group[REGATHER_GROUPS_MAX];
    private int regatherCount;

    Multicaster(long self, RandomGenerator random, int groupsMax, int membersMax) {
        if (groupsMax < 1 || membersMax < 1) {
            throw new IllegalArgumentException("groupsMax " + groupsMax + ", membersMax " + membersMax);
        }
        this.self = self;
        this.random = random;
        this.groupsMax = groupsMax;
        this.membersMax = membersMax;
        this.groups = new LongMap<>(groupsMax);
        this.order = new int[membersMax];
        this.picked = new boolean[membersMax];
        this.pickedAt = new int[membersMax];
        this.pool = new OutboundMulticast[Timing.MULTICAST_TX_QUEUE_SIZE * 4];
    }

    // ---- learning members

    /**
     * {@code member} is in the group as of {@code nowMs} (a LIKE record or a gather answer): refresh
     * it, or add it and offer it every frame queued for the group. Ourselves and address 0 are ignored.
     */
    void add(long networkId, long groupMac, long groupAdi, long member, long nowMs, Sender sender) {
        if (member == self || member == 0) {
            return;
        }
        Group g = group(networkId, groupMac, groupAdi, true);
        if (g == null) {
            return;
        }
        int i = g.indexOf(member);
        if (i >= 0) {
            g.heardMs[i] = nowMs;
            return;
        }
        if (g.size == membersMax) {
            evictStalest(g);
            i = g.indexOf(member);
        }
        insert(g, -(i + 1), member, nowMs);
        for (int q = 0; q < g.queued; ) {
            OutboundMulticast m = g.queue[q];
            if (!m.expired(nowMs) && !m.atLimit() && !m.wasSentTo(member)) {
                m.log(member);
                sender.sendMulticast(m, member, nowMs);
            }
            if (m.expired(nowMs) || m.atLimit()) {
                dequeue(g, q);
            } else {
                q++;
            }
        }
    }

    /** ERROR(UNWANTED_MULTICAST): {@code member} no longer wants the group. */
    void remove(long networkId, long groupMac, long groupAdi, long member) {
        Group g = group(networkId, groupMac, groupAdi, false);
        if (g == null) {
            return;
        }
        int i = g.indexOf(member);
        if (i >= 0) {
            removeAt(g, i);
        }
    }

    /** Members known for the group, expired-but-not-yet-cleaned ones included (as 1.14.1 counts them). */
    int knownCount(long networkId, long groupMac, long groupAdi) {
        Group g = group(networkId, groupMac, groupAdi, false);
        return g == null ? 0 : g.size;
    }

    /** Whether {@code member} is a known member of the group. */
    boolean isMember(long networkId, long groupMac, long groupAdi, long member) {
        Group g = group(networkId, groupMac, groupAdi, false);
        return g != null && g.indexOf(member) >= 0;
    }

    /** Frames queued for the group. */
    int queuedCount(long networkId, long groupMac, long groupAdi) {
        Group g = group(networkId, groupMac, groupAdi, false);
        return g == null ? 0 : g.queued;
    }

    int groupCount() {
        return groupCount;
    }

    // ---- answering gathers

    /**
     * Appends gather results to {@code out} (ZT1-03 §4.14: total known [4], count [2], addresses):
     * our own address first when {@code selfSubscribed}, then distinct members picked at random,
     * skipping {@code requester}, until {@code limit} addresses are written, every member was
     * picked, or the packet is full. Returns the number of addresses written (send only if > 0).
     */
    int gather(long networkId, long groupMac, long groupAdi, long requester, boolean selfSubscribed, long limit,
            PacketWriter out) {
        if (limit <= 0) {
            return 0;
        }
        limit = Math.min(limit, GATHER_LIMIT_MAX);
        int totalAt = out.length;
        out.u32(0);
        int countAt = out.length;
        out.u16(0);
        long total = 0;
        int added = 0;
        if (selfSubscribed) {
            out.u40(self);
            total++;
            added++;
        }
        Group g = group(networkId, groupMac, groupAdi, false);
        if (g != null && g.size > 0) {
            total += g.size;
            int k = 0;
            while (added < limit && k < g.size && out.length + 5 <= out.buf.length) {
                int r = (int) (Integer.toUnsignedLong(random.nextInt()) % g.size);
                while (picked[r]) {
                    r = r + 1 == g.size ? 0 : r + 1;
                }
                picked[r] = true;
                pickedAt[k++] = r;
                long a = g.members[r];
                if (a != requester) {
                    out.u40(a);
                    added++;
                }
            }
            for (int i = 0; i < k; i++) {
                picked[pickedAt[i]] = false;
            }
        }
        writeAt(out.buf, totalAt, total, 4);
        writeAt(out.buf, countAt, added, 2);
        return added;
    }

    // ---- sending

    /**
     * Sends a frame to the group (ZT1-08 §3.6 B–D): to at most {@code limit} recipients, the
     * {@code bridgeCount} active bridges of {@code bridges} first (in config order, ourselves
     * skipped), then known members in a fresh random order (bridges not twice). With at least
     * {@code limit} members known it is sent once with gather limit 1; otherwise an explicit gather
     * is asked of the sender if due, and the frame is queued, with gather limit
     * {@code (limit − known) + 1}, for members learned within 5 s.
     *
     * @param bridgedSource the frame's foreign source MAC when we bridge it, else 0
     * @param memberMac our member MAC on the network
     */
    void send(long networkId, long groupMac, long groupAdi, int limit, long[] bridges, int bridgeCount,
            long bridgedSource, long memberMac, int etherType, byte[] frame, int off, int len, long nowMs,
            Sender sender) {
        if (limit <= 0) {
            return;
        }
        Group g = group(networkId, groupMac, groupAdi, true);
        int known = g == null ? 0 : g.size;
        shuffle(known);
        if (g != null && known >= limit) {
            OutboundMulticast m = onePass;
            m.init(networkId, groupMac, groupAdi, bridgedSource, memberMac, etherType, frame, off, len, limit, 1, nowMs);
            sendToBridgesAndMembers(m, g, bridges, bridgeCount, nowMs, sender);
            return;
        }
        if (g == null) {
            // No room for the group: send to the bridges, which need no table.
            OutboundMulticast m = onePass;
            m.init(networkId, groupMac, groupAdi, bridgedSource, memberMac, etherType, frame, off, len, limit,
                    (long) limit + 1, nowMs);
            sendToBridgesAndMembers(m, null, bridges, bridgeCount, nowMs, sender);
            return;
        }
        long gatherLimit = (long) (limit - known) + 1;
        if (g.queued == g.queue.length) {
            dequeue(g, 0);
        }
        boolean gatherDue = known == 0
                ? nowMs - g.lastExplicitGatherMs >= EMPTY_GROUP_GATHER_INTERVAL_MS
                : nowMs - g.lastExplicitGatherMs >= Timing.MULTICAST_EXPLICIT_GATHER_DELAY_MS;
        if (gatherDue) {
            g.lastExplicitGatherMs = nowMs;
            sender.gather(networkId, groupMac, groupAdi, gatherLimit, nowMs);
            if (known == 0) {
                startRegather(g, gatherLimit, nowMs);
            }
        }
        OutboundMulticast m = obtain();
        m.init(networkId, groupMac, groupAdi, bridgedSource, memberMac, etherType, frame, off, len, limit, gatherLimit,
                nowMs);
        g.queue[g.queued++] = m;
        sendToBridgesAndMembers(m, g, bridges, bridgeCount, nowMs, sender);
        if (m.atLimit()) {
            dequeue(g, g.queued - 1);
        }
    }

    private void sendToBridgesAndMembers(OutboundMulticast m, Group g, long[] bridges, int bridgeCount, long nowMs,
            Sender sender) {
        int count = 0;
        for (int i = 0; i < bridgeCount && count < m.limit; i++) {
            long b = bridges[i];
            if (b == self) {
                continue;
            }
            m.log(b);
            sender.sendMulticast(m, b, nowMs);
            count++;
        }
        int size = g == null ? 0 : g.size;
        for (int idx = 0; count < m.limit && idx < size; idx++) {
            long a = g.members[order[idx]];
            if (contains(bridges, bridgeCount, a)) {
                continue;
            }
            m.log(a);
            sender.sendMulticast(m, a, nowMs);
            count++;
        }
    }

    // ---- repeated gathers for frames that found no member

    private void startRegather(Group g, long gatherLimit, long nowMs) {
        g.regatherStepMs = EMPTY_GROUP_REGATHER_FIRST_MS;
        g.regatherAtMs = nowMs + EMPTY_GROUP_REGATHER_FIRST_MS;
        g.regatherLimit = gatherLimit;
        if (!g.regathering && regatherCount < regathering.length) {
            g.regathering = true;
            regathering[regatherCount++] = g;
        }
    }

    /** When {@link #regather} next has work, or {@code Long.MAX_VALUE}. */
    long nextRegatherMs() {
        long next = Long.MAX_VALUE;
        for (int i = 0; i < regatherCount; i++) {
            next = Math.min(next, regathering[i].regatherAtMs);
        }
        return next;
    }

    /**
     * Repeats the gather of each group that still has a frame waiting and no member, when due
     * (after {@link #EMPTY_GROUP_REGATHER_FIRST_MS}, then twice as long each time); a group that
     * got a member or whose frames went or expired is done.
     */
    void regather(long nowMs, Sender sender) {
        for (int i = 0; i < regatherCount; ) {
            Group g = regathering[i];
            if (g.size > 0 || !hasLiveFrame(g, nowMs)) {
                g.regathering = false;
                regathering[i] = regathering[--regatherCount];
                regathering[regatherCount] = null;
                continue;
            }
            if (nowMs >= g.regatherAtMs) {
                g.lastExplicitGatherMs = nowMs;
                g.regatherStepMs *= 2;
                g.regatherAtMs = nowMs + g.regatherStepMs;
                sender.gather(g.networkId, g.mac, g.adi, g.regatherLimit, nowMs);
            }
            i++;
        }
    }

    private static boolean hasLiveFrame(Group g, long nowMs) {
        for (int q = 0; q < g.queued; q++) {
            if (!g.queue[q].expired(nowMs) && !g.queue[q].atLimit()) {
                return true;
            }
        }
        return false;
    }

    // ---- housekeeping

    /**
     * 1.14.1's {@code Multicaster::clean}, every 30 s: members heard {@link Timing#MULTICAST_LIKE_EXPIRE_MS}
     * ago or longer go, expired or finished frames leave the queues, empty groups are forgotten.
     */
    void clean(long nowMs) {
        // Collect first: the map must not change while it is walked.
        Group[] doomed = new Group[Math.max(1, groupCount)];
        int[] n = {0};
        groups.forEachValue(head -> {
            for (Group g = head; g != null; g = g.next) {
                for (int q = 0; q < g.queued; ) {
                    OutboundMulticast m = g.queue[q];
                    if (m.expired(nowMs) || m.atLimit()) {
                        dequeue(g, q);
                    } else {
                        q++;
                    }
                }
                int w = 0;
                for (int r = 0; r < g.size; r++) {
                    if (nowMs - g.heardMs[r] < Timing.MULTICAST_LIKE_EXPIRE_MS) {
                        g.members[w] = g.members[r];
                        g.heardMs[w] = g.heardMs[r];
                        w++;
                    }
                }
                g.size = w;
                if (w == 0 && g.queued == 0) {
                    doomed[n[0]++] = g;
                }
            }
        });
        for (int i = 0; i < n[0]; i++) {
            unlink(doomed[i]);
        }
    }

    // ---- internals

    private Group group(long networkId, long mac, long adi, boolean create) {
        long key = hash(networkId, mac, adi);
        Group head = groups.get(key);
        for (Group g = head; g != null; g = g.next) {
            if (g.is(networkId, mac, adi)) {
                return g;
            }
        }
        if (!create || groupCount == groupsMax) {
            return null;
        }
        Group g = new Group(networkId, mac, adi);
        g.next = head;
        groups.put(key, g);
        groupCount++;
        return g;
    }

    private void unlink(Group g) {
        long key = hash(g.networkId, g.mac, g.adi);
        Group head = groups.get(key);
        if (head == g) {
            if (g.next == null) {
                groups.remove(key);
            } else {
                groups.put(key, g.next);
            }
        } else {
            for (Group p = head; p != null; p = p.next) {
                if (p.next == g) {
                    p.next = g.next;
                    break;
                }
            }
        }
        groupCount--;
    }

    private static long hash(long networkId, long mac, long adi) {
        long h = networkId * 0x9E3779B97F4A7C15L;
        h ^= mac * 0xC2B2AE3D27D4EB4FL;
        h ^= adi * 0x165667B19E3779F9L;
        return h ^ (h >>> 29);
    }

    private static void insert(Group g, int at, long member, long nowMs) {
        if (g.size == g.members.length) {
            int bigger = g.members.length * 2;
            g.members = java.util.Arrays.copyOf(g.members, bigger);
            g.heardMs = java.util.Arrays.copyOf(g.heardMs, bigger);
        }
        System.arraycopy(g.members, at, g.members, at + 1, g.size - at);
        System.arraycopy(g.heardMs, at, g.heardMs, at + 1, g.size - at);
        g.members[at] = member;
        g.heardMs[at] = nowMs;
        g.size++;
    }

    private static void removeAt(Group g, int at) {
        System.arraycopy(g.members, at + 1, g.members, at, g.size - at - 1);
        System.arraycopy(g.heardMs, at + 1, g.heardMs, at, g.size - at - 1);
        g.size--;
    }

    private static void evictStalest(Group g) {
        int oldest = 0;
        for (int i = 1; i < g.size; i++) {
            if (g.heardMs[i] < g.heardMs[oldest]) {
                oldest = i;
            }
        }
        removeAt(g, oldest);
    }

    /** Fisher–Yates over {@code order[0, n)} with the node's random generator (1.14.1 does the same). */
    private void shuffle(int n) {
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = (int) (Integer.toUnsignedLong(random.nextInt()) % (i + 1));
            int t = order[j];
            order[j] = order[i];
            order[i] = t;
        }
    }

    private OutboundMulticast obtain() {
        return pooled > 0 ? pool[--pooled] : new OutboundMulticast();
    }

    private void dequeue(Group g, int q) {
        OutboundMulticast m = g.queue[q];
        System.arraycopy(g.queue, q + 1, g.queue, q, g.queued - q - 1);
        g.queue[--g.queued] = null;
        if (pooled < pool.length) {
            pool[pooled++] = m;
        }
    }

    private static boolean contains(long[] values, int n, long v) {
        for (int i = 0; i < n; i++) {
            if (values[i] == v) {
                return true;
            }
        }
        return false;
    }

    private static void writeAt(byte[] b, int at, long v, int bytes) {
        for (int i = bytes - 1; i >= 0; i--) {
            b[at++] = (byte) (v >>> (8 * i));
        }
    }
}
