package dev.zerokube.overlay.controller;

import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.ManagedIpv6;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import dev.zerokube.overlay.wire.netconf.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The static IPs of a config ({@code I}) and the assignments they add to the member record, in
 * 1.14.1's order (ZT1-09 §4.6):
 *
 * <ol>
 *   <li>unless {@code noAutoAssignIps}: the RFC 4193 address (/88), then the 6PLANE address (/40),
 *       each setting NDP emulation; never stored in the record;
 *   <li>each stored assignment that some route contains, with the longest containing prefix
 *       (routes with a gateway count); one that no route contains is left out but stays stored
 *       and allocated;
 *   <li>unless {@code noAutoAssignIps} or an IPv6 assignment was issued in step 2: one IPv6
 *       address from the pools if {@code v6AssignMode.zt} ({@link Ipv6PoolAllocator});
 *   <li>likewise for IPv4 if {@code v4AssignMode.zt} ({@link Ipv4PoolAllocator}).
 * </ol>
 * At most 32 addresses are issued; a pool address is stored even when it no longer fits.
 *
 * <p>One deliberate difference (quirk Q2): a pool address is issued with the prefix every later
 * config gives it (the longest containing route, step 2), where 1.14.1's first config uses the
 * prefix of the route that accepted it (the first IPv4 route or the last gateway-less IPv6 one),
 * so that a member never sees its netmask change between its first and second config. Which
 * address is chosen is exactly 1.14.1's.
 */
final class StaticIpAssigner {
    private StaticIpAssigner() {}

    /**
     * @param staticIps the {@code I} list
     * @param ipAssignments the member's {@code ipAssignments} afterwards (pool picks appended)
     * @param ndpEmulation whether an RFC 4193 or 6PLANE address was issued
     */
    record Result(List<InetEndpoint> staticIps, List<InetEndpoint> ipAssignments, boolean ndpEmulation) {}

    /** Assigns for {@code member} on {@code network}; {@code routes} are the config's {@code RT}. */
    static Result assign(NetworkRecord network, MemberRecord member, List<Route> routes, NetworkSummary summary,
            RandomGenerator random) {
        List<InetEndpoint> out = new ArrayList<>();
        List<InetEndpoint> assignments = new ArrayList<>(member.ipAssignments());
        boolean ndp = false;
        boolean autoAssign = !member.noAutoAssignIps();
        if (autoAssign && network.v6AssignMode().rfc4193()) {
            out.add(ManagedIpv6.rfc4193(network.id(), member.address()));
            ndp = true;
        }
        if (autoAssign && network.v6AssignMode().sixPlane()) {
            out.add(ManagedIpv6.sixPlane(network.id(), member.address()));
            ndp = true;
        }
        boolean managedV4 = false;
        boolean managedV6 = false;
        for (InetEndpoint ip : member.ipAssignments()) {
            int bits = RouteContainment.longestContainingPrefix(routes, ip);
            if (bits >= 0) {
                add(out, ip, bits);
                managedV4 |= ip.isIpv4();
                managedV6 |= ip.isIpv6();
            }
        }
        if (autoAssign && network.v6AssignMode().zt() && !managedV6) {
            Optional<PoolPick> pick = Ipv6PoolAllocator.pick(network.ipAssignmentPools(), routes, member.address(),
                    summary.allocatedIps(), assignments, random);
            pick.ifPresent(p -> issue(p, routes, out, assignments));
        }
        if (autoAssign && network.v4AssignZt() && !managedV4) {
            Optional<PoolPick> pick = Ipv4PoolAllocator.pick(network.ipAssignmentPools(), routes, member.address(),
                    summary.allocatedIps(), assignments);
            pick.ifPresent(p -> issue(p, routes, out, assignments));
        }
        return new Result(List.copyOf(out), List.copyOf(assignments), ndp);
    }

    private static void issue(PoolPick pick, List<Route> routes, List<InetEndpoint> out, List<InetEndpoint> assignments) {
        assignments.add(pick.ip());
        add(out, pick.ip(), RouteContainment.longestContainingPrefix(routes, pick.ip()));
    }

    private static void add(List<InetEndpoint> out, InetEndpoint ip, int prefixBits) {
        if (out.size() < NetworkConfig.STATIC_IPS_MAX) {
            out.add(InetEndpoint.of(ip.ip(), prefixBits));
        }
    }
}
