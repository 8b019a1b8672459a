package dev.zerokube.overlay.node;

import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.PacketHeader;

/**
 * Packets waiting for an identity: received packets whose source is unknown (parked until
 * OK(WHOIS), ZT1-02 §13 step 9) or packets to send whose destination is unknown or unreachable
 * (ZT1-02 §14 step 6). The caller's buffer is only valid during a call, so each packet is
 * <em>copied</em> into this queue's own pool: a fixed number of slots, each with a buffer grown
 * on demand up to {@link PacketHeader#MAX_LENGTH} and then reused, so memory is bounded by
 * {@code slotsMax × 10024} bytes whatever arrives. A full queue drops its oldest packet, as
 * 1.14.1's 32-entry rings do; the node expires entries after 5 s ({@link Timing}).
 */
final class WhoisQueue {
    private static final int INITIAL_BUFFER = 256;

    /** One waiting packet; the slot object and its buffer are reused. */
    static final class Entry {
        byte[] bytes = new byte[0];
        int length;
        /** The address whose identity is awaited: a received packet's source, a sent packet's destination. */
        long address;
        /** Received packets: the socket and endpoint the packet (or its head) came from. */
        long localSocket;
        InetEndpoint remote;
        long createdMs;
        long sequence;
        boolean used;
    }

    private final Entry[] entries;
    private int size;
    private long sequence;
    private long dropped;

    WhoisQueue(int slotsMax) {
        if (slotsMax < 1) {
            throw new IllegalArgumentException("slotsMax " + slotsMax);
        }
        entries = new Entry[slotsMax];
        for (int i = 0; i < slotsMax; i++) {
            entries[i] = new Entry();
        }
    }

    /**
     * Copies {@code src[off, off+len)} into a free slot (evicting the oldest entry when full) and
     * returns the entry.
     */
    Entry add(byte[] src, int off, int len, long address, long localSocket, InetEndpoint remote, long nowMs) {
        if (len < 0 || len > PacketHeader.MAX_LENGTH) {
            throw new IllegalArgumentException("packet of " + len + " bytes");
        }
        Entry slot = null;
        Entry oldest = null;
        for (Entry e : entries) {
            if (!e.used) {
                slot = e;
                break;
            }
            if (oldest == null || e.sequence < oldest.sequence) {
                oldest = e;
            }
        }
        if (slot == null) {
            slot = oldest;
            free(slot);
            dropped++;
        }
        if (slot.bytes.length < len) {
            slot.bytes = new byte[Math.min(PacketHeader.MAX_LENGTH, Math.max(INITIAL_BUFFER, Integer.highestOneBit(len) << 1))];
        }
        System.arraycopy(src, off, slot.bytes, 0, len);
        slot.length = len;
        slot.address = address;
        slot.localSocket = localSocket;
        slot.remote = remote;
        slot.createdMs = nowMs;
        slot.sequence = sequence++;
        slot.used = true;
        size++;
        return slot;
    }

    /** The entry in slot {@code i} (0 .. {@link #capacity()}-1); check {@link Entry#used}. */
    Entry slot(int i) {
        return entries[i];
    }

    void free(Entry e) {
        if (e.used) {
            e.used = false;
            e.remote = null;
            size--;
        }
    }

    /** Whether some waiting entry is for {@code address}. */
    boolean waitsFor(long address) {
        for (Entry e : entries) {
            if (e.used && e.address == address) {
                return true;
            }
        }
        return false;
    }

    int size() {
        return size;
    }

    int capacity() {
        return entries.length;
    }

    /** Packets dropped so far because the queue was full. */
    long droppedCount() {
        return dropped;
    }

    /** Bytes held by slot buffers: bounded by capacity × {@link PacketHeader#MAX_LENGTH}. */
    long bufferBytes() {
        long n = 0;
        for (Entry e : entries) {
            n += e.bytes.length;
        }
        return n;
    }
}
