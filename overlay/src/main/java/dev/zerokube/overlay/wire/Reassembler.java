package dev.zerokube.overlay.wire;

/**
 * Reassembly of incoming fragmented packets (ZT1-02 §6.3) with bounded memory and no allocation
 * after construction.
 *
 * <p>A fragmented packet arrives as a head (a packet with the 0x40 flag, {@link #onHead}) and
 * fragments 1 .. total-1 ({@link #onFragment}), in any order, possibly duplicated, with any hop
 * counts. Pieces are matched by packet ID alone, as 1.14.1 does; they are <em>copied</em> into
 * this object's own pool, so the caller may reuse its receive buffer as soon as a call returns.
 * When the last piece arrives, the whole packet (head bytes, then fragment payloads in number
 * order) is written to the caller's output buffer and {@link Status#COMPLETE} is returned;
 * nothing is authenticated here: the caller dearmors the result.
 *
 * <p>Limits (all wire-neutral improvements over 1.14.1's 32-slot ring, ZT1-02 §16 note 8):
 * <ul>
 *   <li>at most {@code packetsMax} packets in flight; a new one evicts the oldest;</li>
 *   <li>at most {@code bytesMax} bytes of pieces held, counted in {@link #BLOCK_SIZE}-byte blocks;
 *       a piece that does not fit evicts the oldest other packets;</li>
 *   <li>a packet whose first piece is older than {@code timeoutMs} is dropped (1.14.1 has no
 *       timeout, only eviction; ZT1-02 §15 item 15);</li>
 *   <li>fragments must satisfy {@code 1 <= number < total <= 7} and agree on {@code total};
 *       pieces of one packet may not exceed {@link PacketHeader#MAX_LENGTH} bytes together.</li>
 * </ul>
 *
 * <p>Time comes only from the {@code nowMs} arguments. Not thread-safe: one instance per receive
 * loop. The lookup scans all slots, so keep {@code packetsMax} in the tens to hundreds.
 *
 * @param <P> what the caller wants back with a completed packet: the path its head arrived on
 *            (1.14.1 decodes an assembled packet as if it came on the head's path)
 */
public final class Reassembler<P> {
    /** Outcome of offering one piece. */
    public enum Status {
        /** The packet is complete: see {@link #assembledLength()} and {@link #assembledPath()}. */
        COMPLETE,
        /** Stored; more pieces are needed. */
        PENDING,
        /** This piece was already held: ignored. */
        DUPLICATE,
        /** Not a valid piece (length, indicator, number or total out of range; head without 0x40). */
        INVALID,
        /** A fragment whose total differs from earlier fragments of the same packet: ignored. */
        INCONSISTENT,
        /** The pieces would exceed {@link PacketHeader#MAX_LENGTH}: the whole packet is dropped. */
        TOO_LARGE
    }

    /** Default cap on packets being reassembled at once. */
    public static final int DEFAULT_PACKETS_MAX = 64;
    /** Default cap on bytes held for pieces. */
    public static final int DEFAULT_BYTES_MAX = 256 * 1024;
    /** Default age after which an incomplete packet is dropped (1.14.1's receive-queue timeout). */
    public static final long DEFAULT_TIMEOUT_MS = 5000;
    /** Granularity of the piece pool. */
    public static final int BLOCK_SIZE = 256;
    /** Smallest pool that always holds one maximal packet in seven pieces. */
    public static final int MIN_BYTES_MAX =
            ((PacketHeader.MAX_LENGTH + BLOCK_SIZE - 1) / BLOCK_SIZE + Fragment.MAX_PIECES) * BLOCK_SIZE;

    private static final int NO_BLOCK = -1;

    /** One packet being reassembled; a slot reused forever. */
    private static final class Slot<P> {
        boolean inUse;
        long packetId;
        long createdMs;
        long sequence;
        /** Total pieces from the fragments, 0 while only the head is known. */
        int total;
        /** Bit k set = piece k held (bit 0 = head). */
        int mask;
        int bytes;
        final int[] firstBlock = new int[Fragment.MAX_PIECES];
        final int[] length = new int[Fragment.MAX_PIECES];
        P path;
    }

    private final Slot<P>[] slots;
    private final long timeoutMs;
    private final byte[] pool;
    private final int[] nextBlock;
    private final int[] freeBlocks;
    private int freeCount;
    private long sequence;
    private int inFlight;

    private int assembledLength = -1;
    private P assembledPath;
    private long evicted;
    private long expired;

    /** A reassembler with the default limits. */
    public Reassembler() {
        this(DEFAULT_PACKETS_MAX, DEFAULT_BYTES_MAX, DEFAULT_TIMEOUT_MS);
    }

    /**
     * @param packetsMax packets reassembled at once (at least 1)
     * @param bytesMax   bytes held for pieces, at least {@link #MIN_BYTES_MAX}; rounded down to
     *                   whole blocks; allocated once, here
     * @param timeoutMs  age of the first piece after which an incomplete packet is dropped (> 0)
     */
    @SuppressWarnings("unchecked")
    public Reassembler(int packetsMax, int bytesMax, long timeoutMs) {
        if (packetsMax < 1 || bytesMax < MIN_BYTES_MAX || timeoutMs <= 0) {
            throw new IllegalArgumentException("packetsMax " + packetsMax + ", bytesMax " + bytesMax
                    + " (min " + MIN_BYTES_MAX + "), timeoutMs " + timeoutMs);
        }
        slots = new Slot[packetsMax];
        for (int i = 0; i < packetsMax; i++) {
            slots[i] = new Slot<>();
        }
        this.timeoutMs = timeoutMs;
        int blocks = bytesMax / BLOCK_SIZE;
        pool = new byte[blocks * BLOCK_SIZE];
        nextBlock = new int[blocks];
        freeBlocks = new int[blocks];
        for (int i = 0; i < blocks; i++) {
            freeBlocks[i] = blocks - 1 - i;
        }
        freeCount = blocks;
    }

    /**
     * Offers the head of a fragmented packet: {@code data[off, off+len)} is a packet (byte 13 not
     * 0xff, 28..10024 bytes) with the 0x40 flag. On {@link Status#COMPLETE} the packet is in
     * {@code out[outOff, outOff + assembledLength())}; {@code out} must have room for
     * {@link PacketHeader#MAX_LENGTH} bytes.
     *
     * @param path returned by {@link #assembledPath()} when the packet completes
     */
    public Status onHead(byte[] data, int off, int len, P path, long nowMs, byte[] out, int outOff) {
        checkOut(out, outOff);
        clearAssembled();
        if (len < PacketHeader.MIN_LENGTH || len > PacketHeader.MAX_LENGTH || Fragment.isFragment(data, off)
                || !PacketHeader.isFragmented(data, off)) {
            return Status.INVALID;
        }
        Slot<P> slot = slotFor(PacketHeader.packetId(data, off), nowMs);
        if ((slot.mask & 1) != 0) {
            return Status.DUPLICATE;
        }
        if (!store(slot, 0, data, off, len)) {
            return Status.TOO_LARGE;
        }
        slot.path = path;
        return completeIfDone(slot, out, outOff);
    }

    /**
     * Offers a fragment ({@code data[off, off+len)} with byte 13 = 0xff). On
     * {@link Status#COMPLETE} the packet is in {@code out} as for {@link #onHead}.
     */
    public Status onFragment(byte[] data, int off, int len, long nowMs, byte[] out, int outOff) {
        checkOut(out, outOff);
        clearAssembled();
        if (len <= Fragment.HEADER_LENGTH || len > PacketHeader.MAX_LENGTH || !Fragment.isFragment(data, off)) {
            return Status.INVALID;
        }
        int number = Fragment.numberAt(data, off);
        int total = Fragment.totalAt(data, off);
        if (number < 1 || number >= total || total > Fragment.MAX_PIECES) {
            return Status.INVALID;
        }
        Slot<P> slot = slotFor(Fragment.packetIdAt(data, off), nowMs);
        if (slot.total != 0 && slot.total != total) {
            return Status.INCONSISTENT;
        }
        if ((slot.mask & (1 << number)) != 0) {
            return Status.DUPLICATE;
        }
        if (!store(slot, number, data, off + Fragment.HEADER_LENGTH, len - Fragment.HEADER_LENGTH)) {
            return Status.TOO_LARGE;
        }
        slot.total = total;
        return completeIfDone(slot, out, outOff);
    }

    /** Length of the packet written by the last call that returned {@link Status#COMPLETE}, else -1. */
    public int assembledLength() {
        return assembledLength;
    }

    /** The head's path of the packet completed by the last call, else null. */
    public P assembledPath() {
        return assembledPath;
    }

    /** Drops every incomplete packet whose first piece is older than the timeout. */
    public void expire(long nowMs) {
        for (Slot<P> slot : slots) {
            if (slot.inUse && nowMs - slot.createdMs > timeoutMs) {
                release(slot);
                expired++;
            }
        }
    }

    /** Packets currently being reassembled. */
    public int packetsInFlight() {
        return inFlight;
    }

    /** Bytes of the pool currently holding pieces (whole blocks). */
    public int bytesInUse() {
        return (nextBlock.length - freeCount) * BLOCK_SIZE;
    }

    /** Size of the pool: the cap on {@link #bytesInUse()}. */
    public int bytesCapacity() {
        return pool.length;
    }

    /** Cap on {@link #packetsInFlight()}. */
    public int packetsMax() {
        return slots.length;
    }

    /** Incomplete packets dropped to make room so far. */
    public long evictedCount() {
        return evicted;
    }

    /** Incomplete packets dropped for age so far. */
    public long expiredCount() {
        return expired;
    }

    private void clearAssembled() {
        assembledLength = -1;
        assembledPath = null;
    }

    private static void checkOut(byte[] out, int outOff) {
        if (outOff < 0 || out.length - outOff < PacketHeader.MAX_LENGTH) {
            throw new IllegalArgumentException("output buffer needs room for " + PacketHeader.MAX_LENGTH + " bytes");
        }
    }

    /** The slot of this packet, or a fresh one (expiring old slots and evicting the oldest if full). */
    private Slot<P> slotFor(long packetId, long nowMs) {
        Slot<P> free = null;
        Slot<P> oldest = null;
        for (Slot<P> slot : slots) {
            if (slot.inUse && nowMs - slot.createdMs > timeoutMs) {
                release(slot);
                expired++;
            }
            if (!slot.inUse) {
                if (free == null) {
                    free = slot;
                }
                continue;
            }
            if (slot.packetId == packetId) {
                return slot;
            }
            if (oldest == null || slot.sequence < oldest.sequence) {
                oldest = slot;
            }
        }
        if (free == null) {
            release(oldest);
            evicted++;
            free = oldest;
        }
        free.inUse = true;
        free.packetId = packetId;
        free.createdMs = nowMs;
        free.sequence = sequence++;
        free.total = 0;
        free.mask = 0;
        free.bytes = 0;
        inFlight++;
        return free;
    }

    /** Copies a piece into the pool; false (and the packet dropped) if it would be too large. */
    private boolean store(Slot<P> slot, int piece, byte[] src, int off, int len) {
        if (slot.bytes + len > PacketHeader.MAX_LENGTH) {
            release(slot);
            return false;
        }
        int needed = (len + BLOCK_SIZE - 1) / BLOCK_SIZE;
        while (freeCount < needed) {
            Slot<P> victim = oldestOtherThan(slot);
            // MIN_BYTES_MAX guarantees one packet of at most MAX_LENGTH bytes always fits alone.
            release(victim);
            evicted++;
        }
        int first = NO_BLOCK;
        int previous = NO_BLOCK;
        for (int copied = 0; copied < len; copied += BLOCK_SIZE) {
            int block = freeBlocks[--freeCount];
            nextBlock[block] = NO_BLOCK;
            if (previous == NO_BLOCK) {
                first = block;
            } else {
                nextBlock[previous] = block;
            }
            System.arraycopy(src, off + copied, pool, block * BLOCK_SIZE, Math.min(BLOCK_SIZE, len - copied));
            previous = block;
        }
        slot.firstBlock[piece] = first;
        slot.length[piece] = len;
        slot.bytes += len;
        slot.mask |= 1 << piece;
        return true;
    }

    private Slot<P> oldestOtherThan(Slot<P> keep) {
        Slot<P> oldest = null;
        for (Slot<P> slot : slots) {
            if (slot.inUse && slot != keep && (oldest == null || slot.sequence < oldest.sequence)) {
                oldest = slot;
            }
        }
        if (oldest == null) {
            throw new IllegalStateException("pool smaller than one packet");
        }
        return oldest;
    }

    private Status completeIfDone(Slot<P> slot, byte[] out, int outOff) {
        if (slot.total == 0 || (slot.mask & 1) == 0 || slot.mask != (1 << slot.total) - 1) {
            return Status.PENDING;
        }
        int at = outOff;
        for (int piece = 0; piece < slot.total; piece++) {
            int remaining = slot.length[piece];
            for (int block = slot.firstBlock[piece]; remaining > 0; block = nextBlock[block]) {
                int n = Math.min(BLOCK_SIZE, remaining);
                System.arraycopy(pool, block * BLOCK_SIZE, out, at, n);
                at += n;
                remaining -= n;
            }
        }
        assembledLength = at - outOff;
        assembledPath = slot.path;
        release(slot);
        return Status.COMPLETE;
    }

    private void release(Slot<P> slot) {
        for (int piece = 0; piece < Fragment.MAX_PIECES; piece++) {
            if ((slot.mask & (1 << piece)) != 0) {
                for (int block = slot.firstBlock[piece]; block != NO_BLOCK; block = nextBlock[block]) {
                    freeBlocks[freeCount++] = block;
                }
            }
        }
        slot.mask = 0;
        slot.bytes = 0;
        slot.total = 0;
        slot.path = null;
        if (slot.inUse) {
            slot.inUse = false;
            inFlight--;
        }
    }
}
