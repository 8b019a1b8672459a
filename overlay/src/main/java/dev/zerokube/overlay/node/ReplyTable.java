package dev.zerokube.overlay.node;

/**
 * The packet IDs of requests we sent recently, so that an OK is processed only when it answers
 * one of them (ZT1-02 §9, ZT1-03 §3.1). Like 1.14.1: 256 buckets chosen by bits 32..39 of the ID,
 * 32 entries each, overwritten round-robin, and an entry is not consumed when matched (one HELLO
 * sent from several sockets is answered several times, and every answer counts). Unlike 1.14.1
 * it compares all 64 bits and starts empty, so an in-re ID with zero upper bits is not accepted
 * by accident (ZT1-02 §15 item 20); peers echo the on-wire ID verbatim, so this is compatible.
 * Record the ID as it is on the wire, i.e. after armoring (cipher 3 replaces it).
 */
final class ReplyTable {
    static final int BUCKETS = 256;
    static final int SLOTS = 32;

    private final long[] ids = new long[BUCKETS * SLOTS];
    private final byte[] filled = new byte[BUCKETS];
    private final byte[] next = new byte[BUCKETS];

    /** Remembers a request's on-wire packet ID. */
    void expect(long packetId) {
        int bucket = bucket(packetId);
        int slot = next[bucket];
        ids[bucket * SLOTS + slot] = packetId;
        next[bucket] = (byte) ((slot + 1) % SLOTS);
        if (filled[bucket] < SLOTS) {
            filled[bucket]++;
        }
    }

    /** Whether {@code inRePacketId} is one of the recent requests. */
    boolean isExpected(long inRePacketId) {
        int bucket = bucket(inRePacketId);
        int base = bucket * SLOTS;
        for (int i = 0, n = filled[bucket]; i < n; i++) {
            if (ids[base + i] == inRePacketId) {
                return true;
            }
        }
        return false;
    }

    private static int bucket(long packetId) {
        return (int) (packetId >>> 32) & (BUCKETS - 1);
    }
}
