package dev.zerokube.overlay.controller;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.InetEndpoint;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a config needs to know about the other members of its network (1.14.1's
 * {@code NetworkSummaryInfo}, ZT1-09 §2.4).
 *
 * @param activeBridges authorized members flagged {@code activeBridge}, ascending by address. 1.14.1
 *     also lists unauthorized ones (quirk Q16); zerokube does not
 * @param allocatedIps every address in every member's {@code ipAssignments}, authorized or not,
 *     whether or not a route contains it: pool assignment never hands these out
 */
public record NetworkSummary(List<Address> activeBridges, Set<InetEndpoint> allocatedIps) {
    public NetworkSummary {
        activeBridges = List.copyOf(activeBridges);
        allocatedIps = Set.copyOf(allocatedIps);
    }

    /** The summary of these member records. */
    public static NetworkSummary of(Collection<MemberRecord> members) {
        List<Address> bridges = new ArrayList<>();
        Set<InetEndpoint> allocated = new HashSet<>();
        for (MemberRecord m : members) {
            if (m.activeBridge() && m.authorized()) {
                bridges.add(m.address());
            }
            allocated.addAll(m.ipAssignments());
        }
        bridges.sort(null);
        return new NetworkSummary(bridges, allocated);
    }
}
