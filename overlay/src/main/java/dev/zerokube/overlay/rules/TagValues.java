package dev.zerokube.overlay.rules;

import dev.zerokube.overlay.wire.credentials.Tag;
import java.util.Arrays;
import java.util.List;

/**
 * The tag values one member holds on a network (id → value), as the rule evaluator sees them
 * (ZT1-06 §6.3.9). Immutable; lookups are a binary search over sorted primitive arrays, so they do
 * not allocate. For a remote member, build it only from tags whose timestamps are valid against our
 * own config (ZT1-06 §8.4): an absent tag and an expired one look the same to the rules.
 */
public final class TagValues {
    /** No tags at all (e.g. the unknown destination of an outbound multicast). */
    public static final TagValues EMPTY = new TagValues(new long[0], new long[0]);

    private final long[] ids;
    private final long[] values;

    private TagValues(long[] ids, long[] values) {
        this.ids = ids;
        this.values = values;
    }

    /**
     * Tag values from parallel arrays of u32 ids and u32 values; if an id repeats, the last value
     * wins.
     */
    public static TagValues of(long[] ids, long[] values) {
        if (ids.length != values.length) {
            throw new IllegalArgumentException("ids and values differ in length");
        }
        long[][] pairs = new long[ids.length][];
        for (int i = 0; i < ids.length; i++) {
            requireU32(ids[i], "tag id");
            requireU32(values[i], "tag value");
            pairs[i] = new long[] {ids[i], values[i], i};
        }
        Arrays.sort(pairs, (a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[2], b[2]));
        int n = 0;
        long[] outIds = new long[pairs.length];
        long[] outValues = new long[pairs.length];
        for (long[] p : pairs) {
            if (n > 0 && outIds[n - 1] == p[0]) {
                outValues[n - 1] = p[1];
            } else {
                outIds[n] = p[0];
                outValues[n] = p[1];
                n++;
            }
        }
        return new TagValues(Arrays.copyOf(outIds, n), Arrays.copyOf(outValues, n));
    }

    /** The values of these tags (normally all issued to one member). */
    public static TagValues of(List<Tag> tags) {
        long[] ids = new long[tags.size()];
        long[] values = new long[tags.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = tags.get(i).id();
            values[i] = tags.get(i).value();
        }
        return of(ids, values);
    }

    /** The index of tag {@code id}, or -1 when absent. */
    public int indexOf(long id) {
        int i = Arrays.binarySearch(ids, id);
        return i >= 0 ? i : -1;
    }

    /** The value at an index returned by {@link #indexOf}. */
    public long valueAt(int index) {
        return values[index];
    }

    /** The number of tags. */
    public int size() {
        return ids.length;
    }

    private static void requireU32(long v, String what) {
        if ((v >>> 32) != 0) {
            throw new IllegalArgumentException(what + " " + v + " exceeds 32 bits");
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("TagValues{");
        for (int i = 0; i < ids.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(ids[i]).append('=').append(values[i]);
        }
        return sb.append('}').toString();
    }
}
