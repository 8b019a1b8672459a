package dev.zerokube.overlay.controller;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.netconf.Route;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * IPv4 auto-assignment from pools, bit for bit as 1.14.1 (ZT1-09 §4.10). The candidates are a
 * deterministic function of the pool and the member address, so two controllers with the same
 * records pick the same address:
 *
 * <pre>
 * for each IPv4 pool (start, end), skipped if end &lt; start or start = 0:
 *   len = end - start                      (not + 1: end itself is never picked unless start = end)
 *   counter = low 32 bits of the member address
 *   up to min(end - start + 1, 1000) times:
 *     ip = start + counter mod len  (start if len = 0);  counter += 1   (unsigned 32-bit)
 *     skip ip if its last octet is 255 (.0 and other broadcast addresses are handed out)
 *     prefix = bits of the FIRST IPv4 route, gateway routes included, whose target equals
 *              ip masked to its bits (a target with host bits set never matches)
 *     accept if prefix &gt; 0, ip is allocated to no member and not already the member's
 * </pre>
 * Arithmetic is on Java {@code int}s read as unsigned; shifts by 32 behave as on x86 (a /0 target
 * matches only itself and then yields prefix 0, which is refused).
 */
final class Ipv4PoolAllocator {
    /** 1.14.1 tries at most this many candidates per pool. */
    static final int TRIALS_MAX = 1000;

    private Ipv4PoolAllocator() {}

    /**
     * The first acceptable address of the first pool that has one, or empty.
     *
     * @param allocated every member's assigned addresses (the network's allocated set)
     * @param own the member's current {@code ipAssignments}
     */
    static Optional<PoolPick> pick(List<IpPool> pools, List<Route> routes, Address member, Set<InetEndpoint> allocated,
            Collection<InetEndpoint> own) {
        for (IpPool pool : pools) {
            if (!pool.isIpv4()) {
                continue;
            }
            int start = (int) pool.start().ipv4Value();
            int end = (int) pool.end().ipv4Value();
            if (Integer.compareUnsigned(end, start) < 0 || start == 0) {
                continue;
            }
            int len = end - start;
            int counter = (int) member.value();
            long last = Integer.toUnsignedLong(end);
            int trial = 0;
            for (long k = Integer.toUnsignedLong(start); k <= last && trial < TRIALS_MAX; k++, trial++) {
                int ip = len != 0 ? start + Integer.remainderUnsigned(counter, len) : start;
                counter++;
                if ((ip & 0xff) == 0xff) {
                    continue;
                }
                int bits = firstMatchingRouteBits(routes, ip);
                InetEndpoint candidate = ipv4(ip);
                if (bits > 0 && !allocated.contains(candidate) && !own.contains(candidate)) {
                    return Optional.of(new PoolPick(candidate, bits));
                }
            }
        }
        return Optional.empty();
    }

    private static int firstMatchingRouteBits(List<Route> routes, int ip) {
        for (Route r : routes) {
            InetEndpoint t = r.target();
            if (t.isIpv4()) {
                int bits = t.port();
                if ((ip & (-1 << (32 - bits))) == (int) t.ipv4Value()) {
                    return bits;
                }
            }
        }
        return -1;
    }

    static InetEndpoint ipv4(int ip) {
        return InetEndpoint.of(new byte[] {(byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8), (byte) ip}, 0);
    }
}
