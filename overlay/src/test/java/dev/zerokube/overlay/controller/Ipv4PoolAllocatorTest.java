package dev.zerokube.overlay.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.netconf.Route;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Goal: IPv4 pool assignment picks exactly 1.14.1's address (ZT1-09 §4.10). Method: the worked
 * examples of ZT1-09 §2.6 and §4.10; then random pools, routes, allocations and members (seeded),
 * each compared with a slow model that lists the candidate sequence explicitly in {@code long}
 * arithmetic and tests every rule on its own.
 */
class Ipv4PoolAllocatorTest {

    @ParameterizedTest
    @CsvSource({
        // pool start, end, route, allocated (;-separated), member, expected ("" = none)
        "10.147.17.1, 10.147.17.254, 10.147.17.0/24, '', 89e92ceee5, 10.147.17.41/24",
        "10.147.17.1, 10.147.17.254, 10.147.17.0/24, 10.147.17.41, 89e92ceee5, 10.147.17.42/24",
        "10.244.0.1, 10.244.255.254, 10.244.0.0/16, '', 89e92ceee5, 10.244.170.115/16",
        "10.244.0.1, 10.244.255.254, 10.244.0.0/16, '', 01000100fb, 10.244.1.0/16",
        "10.147.17.1, 10.147.17.254, 10.147.17.5/24, '', 89e92ceee5, ''",
        "10.147.17.1, 10.147.17.254, 10.147.17.0/24, '', 7202a77aad, 10.147.17.73/24",
        "10.147.17.1, 10.147.17.254, 10.147.17.0/24, '', 22afb5217c, 10.147.17.253/24",
    })
    void workedExamples(String start, String end, String route, String allocated, String member, String expected) {
        Set<InetEndpoint> alloc = new HashSet<>();
        for (String a : allocated.split(";")) {
            if (!a.isBlank()) {
                alloc.add(ip(a.trim()));
            }
        }
        Optional<PoolPick> pick = Ipv4PoolAllocator.pick(List.of(new IpPool(ip(start), ip(end))),
                List.of(Route.direct(InetEndpoint.parse(route))), Address.parse(member), alloc, List.of());
        assertEquals(expected, pick.map(p -> InetEndpoint.of(p.ip().ip(), p.routePrefixBits()).toString()).orElse(""));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
    void matchesTheSlowModel(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int picked = 0;
        int rounds = 300;
        for (int round = 0; round < rounds; round++) {
            int base = 0x0a000000 | (r.nextInt(4) << 8);
            List<IpPool> pools = new ArrayList<>();
            for (int i = r.nextInt(1, 4); i > 0; i--) {
                int start = r.nextInt(10) == 0 ? 0 : base + r.nextInt(600);
                int end = r.nextInt(8) == 0 ? start - r.nextInt(1, 5) : start + r.nextInt(r.nextBoolean() ? 3 : 1500);
                pools.add(new IpPool(Ipv4PoolAllocator.ipv4(start), Ipv4PoolAllocator.ipv4(end)));
            }
            List<Route> routes = new ArrayList<>();
            for (int i = r.nextInt(0, 4); i > 0; i--) {
                int bits = r.nextInt(10) == 0 ? 0 : r.nextInt(16, 33);
                int target = base + r.nextInt(1024);
                if (r.nextInt(3) > 0 && bits > 0) {
                    target &= -1 << (32 - bits); // mostly clean targets; some keep host bits
                }
                InetEndpoint via = r.nextInt(4) == 0 ? Ipv4PoolAllocator.ipv4(base + 1) : InetEndpoint.NIL;
                routes.add(new Route(InetEndpoint.of(Ipv4PoolAllocator.ipv4(target).ip(), bits), via, 0, 0));
            }
            Set<InetEndpoint> allocated = new HashSet<>();
            for (int i = r.nextInt(0, 600); i > 0; i--) {
                allocated.add(Ipv4PoolAllocator.ipv4(base + r.nextInt(1600)));
            }
            List<InetEndpoint> own = new ArrayList<>();
            for (int i = r.nextInt(0, 3); i > 0; i--) {
                own.add(Ipv4PoolAllocator.ipv4(base + r.nextInt(1600)));
            }
            Address member = Address.fromLow40Bits(r.nextLong(1, 1L << 40));
            Optional<PoolPick> expected = model(pools, routes, member, allocated, own);
            assertEquals(expected, Ipv4PoolAllocator.pick(pools, routes, member, allocated, own),
                    "seed " + seed + " round " + round + ": pools " + pools + " routes " + routes + " member " + member);
            picked += expected.isPresent() ? 1 : 0;
        }
        // the generator must exercise both outcomes
        assertTrue(picked > rounds / 10 && picked < rounds - rounds / 10, picked + " of " + rounds + " rounds picked");
    }

    /** The rules of ZT1-09 §4.10 one by one, with every number a non-negative long. */
    private static Optional<PoolPick> model(List<IpPool> pools, List<Route> routes, Address member,
            Set<InetEndpoint> allocated, List<InetEndpoint> own) {
        final long u32 = 1L << 32;
        for (IpPool pool : pools) {
            long start = pool.start().ipv4Value();
            long end = pool.end().ipv4Value();
            if (end < start || start == 0) {
                continue;
            }
            long len = end - start;
            long tries = Math.min(end - start + 1, 1000);
            for (long t = 0; t < tries; t++) {
                long counter = (member.value() + t) % u32;
                long ip = len > 0 ? start + counter % len : start;
                if (ip % 256 == 255) {
                    continue;
                }
                int prefix = -1;
                for (Route route : routes) {
                    if (!route.target().isIpv4()) {
                        continue;
                    }
                    long bits = route.prefixBits();
                    // a /0 mask is all ones on x86 (shift by 32 is a shift by 0)
                    long network = bits == 0 ? ip : ip / (1L << (32 - bits)) * (1L << (32 - bits));
                    if (network == route.target().ipv4Value()) {
                        prefix = (int) bits;
                        break;
                    }
                }
                InetEndpoint candidate = Ipv4PoolAllocator.ipv4((int) ip);
                if (prefix > 0 && !allocated.contains(candidate) && !own.contains(candidate)) {
                    return Optional.of(new PoolPick(candidate, prefix));
                }
            }
        }
        return Optional.empty();
    }

    private static InetEndpoint ip(String text) {
        return InetEndpoint.of(InetEndpoint.parseIp(text), 0);
    }
}
