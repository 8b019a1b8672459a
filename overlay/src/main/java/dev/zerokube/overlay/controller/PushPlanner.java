package dev.zerokube.overlay.controller;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.NetworkId;
import java.util.List;

/**
 * Who must hear about a policy change (ZT1-09 §5), from the controller's memory of who is online:
 *
 * <table>
 *   <caption>pushes and revocations per change</caption>
 *   <tr><th>change</th><th>config pushed to</th><th>COM revoked of</th></tr>
 *   <tr><td>network changed</td><td>every online member with a replayable request</td><td>—</td></tr>
 *   <tr><td>member changed</td><td>that member, if online with a replayable request</td>
 *       <td>that member, if it lost its authorization</td></tr>
 *   <tr><td>member deleted</td><td>—</td><td>that member, if it was authorized</td></tr>
 *   <tr><td>network deleted</td><td>—</td><td>every member, authorized or not</td></tr>
 * </table>
 * Each revocation goes to every member online on that network, authorized or not, the revoked
 * member included (quirk Q15); the receivers' fast propagation carries it further. Offline members
 * get nothing: their next request brings their new config.
 */
final class PushPlanner {
    private PushPlanner() {}

    /**
     * @param replays configs to rebuild and push
     * @param revoked members whose COMs are revoked (one revocation each)
     * @param recipients members each revocation is sent to
     */
    record Plan(NetworkId networkId, List<MemberStatusTable.Replay> replays, List<Address> revoked,
            List<Address> recipients) {}

    static Plan plan(PolicyChange change, MemberStatusTable status, long nowMs) {
        return switch (change) {
            case PolicyChange.NetworkChanged c -> {
                NetworkId n = c.network().id();
                yield new Plan(n, status.replays(n, nowMs), List.of(), List.of());
            }
            case PolicyChange.MemberChanged c -> {
                NetworkId n = c.after().networkId();
                List<MemberStatusTable.Replay> replays = status.replay(n, c.after().address(), nowMs).stream().toList();
                yield c.deauthorized()
                        ? new Plan(n, replays, List.of(c.after().address()), status.online(n, nowMs))
                        : new Plan(n, replays, List.of(), List.of());
            }
            case PolicyChange.MemberDeleted c -> {
                NetworkId n = c.before().networkId();
                yield c.before().authorized()
                        ? new Plan(n, List.of(), List.of(c.before().address()), status.online(n, nowMs))
                        : new Plan(n, List.of(), List.of(), List.of());
            }
            case PolicyChange.NetworkDeleted c -> {
                NetworkId n = c.network().id();
                yield new Plan(n, List.of(), c.members().stream().map(MemberRecord::address).toList(),
                        status.online(n, nowMs));
            }
        };
    }
}
