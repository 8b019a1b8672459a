package dev.zerokube.overlay.node;

/** Drops per {@link DropReason}, counted without allocation. */
final class DropCounters {
    private final long[] counts = new long[DropReason.values().length];

    void add(DropReason reason) {
        counts[reason.ordinal()]++;
    }

    long count(DropReason reason) {
        return counts[reason.ordinal()];
    }

    long total() {
        long n = 0;
        for (long c : counts) {
            n += c;
        }
        return n;
    }
}
