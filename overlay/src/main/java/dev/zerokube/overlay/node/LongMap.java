package dev.zerokube.overlay.node;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A map from {@code long} keys (40-bit addresses) to values with open addressing and linear
 * probing, so that looking up a peer per packet allocates nothing (a {@code HashMap<Long, V>}
 * would box the key). Removal shifts later entries back, so there are no tombstones. The
 * capacity is fixed at construction: the caller enforces its own limit below it.
 */
final class LongMap<V> {
    private final long[] keys;
    private final Object[] values;
    private final int mask;
    private final int maxSize;
    private int size;

    /** A map for at most {@code maxSize} entries (the table is at least twice as large). */
    LongMap(int maxSize) {
        if (maxSize < 1 || maxSize > (1 << 28)) {
            throw new IllegalArgumentException("maxSize " + maxSize);
        }
        int capacity = Integer.highestOneBit(maxSize * 2 - 1) << 1;
        keys = new long[capacity];
        values = new Object[capacity];
        mask = capacity - 1;
        this.maxSize = maxSize;
    }

    int size() {
        return size;
    }

    int maxSize() {
        return maxSize;
    }

    @SuppressWarnings("unchecked")
    V get(long key) {
        for (int i = slot(key); ; i = (i + 1) & mask) {
            Object v = values[i];
            if (v == null) {
                return null;
            }
            if (keys[i] == key) {
                return (V) v;
            }
        }
    }

    /**
     * Puts a non-null value; returns the previous one.
     *
     * @throws IllegalStateException if this would exceed the size given at construction
     */
    @SuppressWarnings("unchecked")
    V put(long key, V value) {
        if (value == null) {
            throw new IllegalArgumentException("null value");
        }
        int i = slot(key);
        for (; values[i] != null; i = (i + 1) & mask) {
            if (keys[i] == key) {
                V old = (V) values[i];
                values[i] = value;
                return old;
            }
        }
        if (size == maxSize) {
            throw new IllegalStateException("map full at " + maxSize + " entries");
        }
        keys[i] = key;
        values[i] = value;
        size++;
        return null;
    }

    /** Removes the key; returns its value or null. */
    @SuppressWarnings("unchecked")
    V remove(long key) {
        int i = slot(key);
        for (; values[i] != null; i = (i + 1) & mask) {
            if (keys[i] == key) {
                V old = (V) values[i];
                shiftBack(i);
                size--;
                return old;
            }
        }
        return null;
    }

    /** Calls {@code action} for every value, in table order; the map must not change meanwhile. */
    @SuppressWarnings("unchecked")
    void forEachValue(Consumer<? super V> action) {
        for (Object v : values) {
            if (v != null) {
                action.accept((V) v);
            }
        }
    }

    void clear() {
        Arrays.fill(values, null);
        size = 0;
    }

    // Backward-shift deletion: move later members of the probe run into the hole.
    private void shiftBack(int hole) {
        int i = hole;
        while (true) {
            i = (i + 1) & mask;
            if (values[i] == null) {
                break;
            }
            int home = slot(keys[i]);
            // the entry at i may move to the hole iff its home is not cyclically in (hole, i]
            boolean homeInRange = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
            if (!homeInRange) {
                keys[hole] = keys[i];
                values[hole] = values[i];
                hole = i;
            }
        }
        values[hole] = null;
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
