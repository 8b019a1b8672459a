package dev.zerokube.overlay.controller;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.netconf.Route;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * IPv6 auto-assignment from pools as 1.14.1 does it (ZT1-09 §4.9):
 *
 * <pre>
 * for each IPv6 pool, start s and end e as (hi, lo) unsigned 64-bit halves:
 *   up to 1000 trials:
 *     trial 0, if e.lo &gt; s.lo and e.lo - s.lo &gt;= 0xffffffffff:   (s.hi, s.lo + member address)
 *     otherwise, random r: (s.hi + r.hi mod (e.hi - s.hi), s.lo + r.lo mod (e.lo - s.lo))
 *              (a half whose end is not above its start adds 0; wrap-around, no carry)
 *     prefix = bits of the LAST gateway-less IPv6 route containing the candidate
 *     accept if prefix &gt; 0, allocated to no member and not already the member's
 * </pre>
 * The first trial makes the address stable across controllers; the random trials are not
 * reproducible (1.14.1 draws them from its secure RNG; here from the injected generator).
 */
final class Ipv6PoolAllocator {
    /** 1.14.1 tries at most this many candidates per pool. */
    static final int TRIALS_MAX = 1000;
    /** The low half must span at least a 40-bit address for the deterministic first trial. */
    static final long ADDRESS_SPAN = 0xff_ffff_ffffL;

    private Ipv6PoolAllocator() {}

    /** The first acceptable address of the first pool that has one, or empty. */
    static Optional<PoolPick> pick(List<IpPool> pools, List<Route> routes, Address member, Set<InetEndpoint> allocated,
            Collection<InetEndpoint> own, RandomGenerator random) {
        for (IpPool pool : pools) {
            if (pool.isIpv4()) {
                continue;
            }
            byte[] s = pool.start().ip();
            byte[] e = pool.end().ip();
            long sHi = half(s, 0);
            long sLo = half(s, 8);
            long eHi = half(e, 0);
            long eLo = half(e, 8);
            for (int trial = 0; trial < TRIALS_MAX; trial++) {
                long hi;
                long lo;
                if (trial == 0 && Long.compareUnsigned(eLo, sLo) > 0 && Long.compareUnsigned(eLo - sLo, ADDRESS_SPAN) >= 0) {
                    hi = sHi;
                    lo = sLo + member.value();
                } else {
                    long rHi = random.nextLong();
                    long rLo = random.nextLong();
                    hi = sHi + (Long.compareUnsigned(eHi, sHi) > 0 ? Long.remainderUnsigned(rHi, eHi - sHi) : 0);
                    lo = sLo + (Long.compareUnsigned(eLo, sLo) > 0 ? Long.remainderUnsigned(rLo, eLo - sLo) : 0);
                }
                InetEndpoint candidate = ipv6(hi, lo);
                int bits = lastGatewayLessRouteBits(routes, candidate);
                if (bits > 0 && !allocated.contains(candidate) && !own.contains(candidate)) {
                    return Optional.of(new PoolPick(candidate, bits));
                }
            }
        }
        return Optional.empty();
    }

    private static int lastGatewayLessRouteBits(List<Route> routes, InetEndpoint ip) {
        int bits = 0;
        for (Route r : routes) {
            if (r.via().isNil() && r.target().isIpv6() && RouteContainment.contains(r.target(), ip)) {
                bits = r.prefixBits();
            }
        }
        return bits;
    }

    private static long half(byte[] ip, int offset) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (ip[offset + i] & 0xff);
        }
        return v;
    }

    static InetEndpoint ipv6(long hi, long lo) {
        byte[] ip = new byte[16];
        for (int i = 0; i < 8; i++) {
            ip[i] = (byte) (hi >>> (56 - 8 * i));
            ip[8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        return InetEndpoint.of(ip, 0);
    }
}
