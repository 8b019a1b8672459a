package dev.zerokube.overlay.controller;

import dev.zerokube.overlay.wire.InetEndpoint;
import java.util.Objects;

/**
 * One entry of a network's {@code ipAssignmentPools}: addresses auto-assignment may pick from
 * (ZT1-09 §4.9, §4.10). No order between the bounds is required, as in 1.14.1 (an IPv4 pool
 * whose end is below its start is skipped when assigning).
 *
 * @param start {@code ipRangeStart}, an IP with port 0
 * @param end {@code ipRangeEnd}, an IP of the same family with port 0
 */
public record IpPool(InetEndpoint start, InetEndpoint end) {
    public IpPool {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (start.isNil() || end.isNil() || start.isIpv4() != end.isIpv4()) {
            throw new IllegalArgumentException("pool bounds must be IPs of one family: " + start + " - " + end);
        }
        if (start.port() != 0 || end.port() != 0) {
            throw new IllegalArgumentException("pool bounds are plain IPs (port 0): " + start + " - " + end);
        }
    }

    public boolean isIpv4() {
        return start.isIpv4();
    }

    @Override
    public String toString() {
        return start.ipString() + "-" + end.ipString();
    }
}
