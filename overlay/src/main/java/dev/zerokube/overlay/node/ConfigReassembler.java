package dev.zerokube.overlay.node;

import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.Dictionary;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.verbs.ConfigChunk;
import java.util.Arrays;

/**
 * Puts a network config dictionary together from its chunks (ZT1-03 §4.12.2, 1.14.1's
 * {@code Network::handleConfigChunk}), for one network.
 *
 * <p>Each signed chunk is checked before anything is stored: network id, {@code offset + n ≤
 * total < 484 520}, signature type 1 of 96 bytes, and the signature by the controller over its
 * signed region. Only then is a slot's buffer allocated, so memory is bounded by
 * {@link Timing#NETWORK_MAX_INCOMING_UPDATES} × {@link Dictionary#NETWORK_CONFIG_CAPACITY} and only
 * the controller can make us use it. Chunks of one update (same update id) go to one slot; a new
 * update takes a free slot or the least recently used one. Unlike 1.14.1, which sums chunk
 * lengths and drops duplicates by signature, covered ranges are tracked: a chunk at an offset
 * already held is a duplicate, one that overlaps another is refused, and the update is complete
 * when the ranges cover the whole dictionary.
 *
 * <p>A legacy chunk (unsigned, controllers before 1.2) is offered with {@link #offerLegacy} by a
 * caller that checked it came from the controller in OK(NETWORK_CONFIG_REQUEST).
 */
final class ConfigReassembler {
    /** What happened to a chunk. */
    enum Result {
        /** Stored; the update is not complete yet. */
        PENDING,
        /** Stored, and it completed the update: {@link #completed()} holds the dictionary. */
        COMPLETE,
        /** Already held, or part of the update completed last (a retransmission or a duplicated datagram). */
        DUPLICATE,
        /** The controller's identity is not known: nothing could be verified. */
        SIGNER_UNKNOWN,
        /** Refused: another network, bad bounds or signature, overlap, too many chunks. */
        INVALID
    }

    private final NetworkId networkId;
    private final Slot[] slots = new Slot[Timing.NETWORK_MAX_INCOMING_UPDATES];
    private long useCounter;
    private byte[] completed;
    private long completedUpdateId;

    ConfigReassembler(NetworkId networkId) {
        this.networkId = networkId;
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new Slot();
        }
    }

    /**
     * A signed chunk (from OK(NETWORK_CONFIG_REQUEST) or NETWORK_CONFIG), checked against
     * {@code controller} (null if its identity is unknown).
     */
    Result offer(ConfigChunk chunk, Identity controller) {
        ConfigChunk.Signed s = chunk.signed();
        if (s == null || !chunk.networkId().equals(networkId) || !s.isC25519()) {
            return Result.INVALID;
        }
        byte[] data = chunk.data();
        long total = s.totalLength();
        long offset = s.chunkOffset();
        if (total >= Dictionary.NETWORK_CONFIG_CAPACITY || offset + data.length > total) {
            return Result.INVALID;
        }
        if (completed != null && s.configUpdateId() == completedUpdateId) {
            return Result.DUPLICATE; // a late copy of a chunk of the update just completed
        }
        Slot slot = find(s.configUpdateId());
        if (slot != null && slot.holds(offset, data.length)) {
            slot.lastUse = ++useCounter;
            return Result.DUPLICATE;
        }
        if (controller == null) {
            return Result.SIGNER_UNKNOWN;
        }
        if (!controller.verify(chunk.signedMessage(), s.signature())) {
            return Result.INVALID;
        }
        return store(slot, s.configUpdateId(), total, offset, data);
    }

    /**
     * A legacy single chunk: the whole dictionary, with the packet id of the OK as update id
     * (ZT1-03 §4.12.1). The caller checked the sender is the controller.
     */
    Result offerLegacy(ConfigChunk chunk, long okPacketId) {
        if (chunk.signed() != null || !chunk.networkId().equals(networkId)) {
            return Result.INVALID;
        }
        byte[] data = chunk.data();
        if (completed != null && okPacketId == completedUpdateId) {
            return Result.DUPLICATE;
        }
        Slot slot = find(okPacketId);
        if (slot != null && slot.holds(0, data.length)) {
            return Result.DUPLICATE;
        }
        return store(slot, okPacketId, data.length, 0, data);
    }

    /** The dictionary the last {@link Result#COMPLETE} finished (its slot is then free again). */
    byte[] completed() {
        return completed;
    }

    /** The update id of {@link #completed()}. */
    long completedUpdateId() {
        return completedUpdateId;
    }

    /** Bytes held in reassembly buffers (for tests of the bound). */
    long bufferedBytes() {
        long n = 0;
        for (Slot s : slots) {
            n += s.data == null ? 0 : s.data.length;
        }
        return n;
    }

    private Slot find(long updateId) {
        for (Slot s : slots) {
            if (s.used && s.updateId == updateId) {
                return s;
            }
        }
        return null;
    }

    private Result store(Slot slot, long updateId, long total, long offset, byte[] data) {
        if (slot == null) {
            slot = leastRecentlyUsed();
            slot.reset(updateId, (int) total);
        } else if (slot.total != total) {
            return Result.INVALID;
        }
        if (slot.chunks >= Timing.NETWORK_MAX_UPDATE_CHUNKS || slot.overlaps(offset, data.length)) {
            return Result.INVALID;
        }
        slot.lastUse = ++useCounter;
        slot.add((int) offset, data);
        if (slot.covered != total) {
            return Result.PENDING;
        }
        completed = slot.data;
        completedUpdateId = updateId;
        slot.free();
        return Result.COMPLETE;
    }

    private Slot leastRecentlyUsed() {
        Slot best = slots[0];
        for (Slot s : slots) {
            if (!s.used) {
                return s;
            }
            if (s.lastUse < best.lastUse) {
                best = s;
            }
        }
        return best;
    }

    /** One update being reassembled: its buffer and the ranges [start, end) received. */
    private static final class Slot {
        boolean used;
        long updateId;
        long lastUse;
        long total;
        long covered;
        int chunks;
        byte[] data;
        int[] starts = new int[8];
        int[] ends = new int[8];

        void reset(long updateId, int total) {
            this.used = true;
            this.updateId = updateId;
            this.total = total;
            this.covered = 0;
            this.chunks = 0;
            this.data = new byte[total];
        }

        void free() {
            used = false;
            data = null;
            chunks = 0;
        }

        boolean holds(long offset, int length) {
            for (int i = 0; i < chunks; i++) {
                if (starts[i] == offset && ends[i] - starts[i] == length) {
                    return true;
                }
            }
            return false;
        }

        boolean overlaps(long offset, int length) {
            long end = offset + length;
            for (int i = 0; i < chunks; i++) {
                if (offset < ends[i] && starts[i] < end) {
                    return true;
                }
            }
            // an empty chunk covers nothing but would count toward the chunk limit only
            return length == 0 && total != 0;
        }

        void add(int offset, byte[] chunk) {
            if (chunks == starts.length) {
                starts = Arrays.copyOf(starts, chunks * 2);
                ends = Arrays.copyOf(ends, chunks * 2);
            }
            starts[chunks] = offset;
            ends[chunks] = offset + chunk.length;
            chunks++;
            covered += chunk.length;
            System.arraycopy(chunk, 0, data, offset, chunk.length);
        }
    }
}
