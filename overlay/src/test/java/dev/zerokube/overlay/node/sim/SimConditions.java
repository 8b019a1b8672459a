package dev.zerokube.overlay.node.sim;

/**
 * How the simulated underlay treats each datagram: a one-way latency drawn uniformly from
 * [{@code latencyMinMs}, {@code latencyMaxMs}], then, each by its own seeded draw, loss,
 * duplication (a second copy with its own latency) and reordering (extra delay up to
 * {@code reorderDelayMaxMs}, so later datagrams overtake it).
 */
public record SimConditions(long latencyMinMs, long latencyMaxMs, double loss, double duplication, double reordering,
        long reorderDelayMaxMs) {
    public SimConditions {
        if (latencyMinMs < 0 || latencyMaxMs < latencyMinMs || loss < 0 || loss >= 1 || duplication < 0
                || duplication > 1 || reordering < 0 || reordering > 1 || reorderDelayMaxMs < 0) {
            throw new IllegalArgumentException(toString());
        }
    }

    /** A clean LAN-like underlay: 1–5 ms, nothing lost, duplicated or reordered. */
    public static SimConditions clean() {
        return new SimConditions(1, 5, 0, 0, 0, 0);
    }

    /** The same fraction {@code p} of loss, duplication and reordering, 5–40 ms latency. */
    public static SimConditions lossy(double p) {
        return new SimConditions(5, 40, p, p, p, 100);
    }
}
