package dev.zerokube.overlay.controller;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.NetworkId;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Where the controller reads networks and members and writes what requests change (ZT1-09 §2,
 * §8 item 2). Implementations: {@link InMemoryPolicyStore} (tests), the Kubernetes operator
 * (ZeroTierNetwork and Member resources), a file store in 1.14.1's {@code controller.d} layout.
 *
 * <p>The controller writes only member records, and only with compare-and-set on the revision it
 * read, so that an administrator's concurrent change is never overwritten: on
 * {@link MemberWrite.Outcome#CONFLICT} it reads again and rebuilds. Changes made by others reach
 * the controller as {@link PolicyChange}s passed to {@link NetworkController#onPolicyChange};
 * the controller's own writes need no change event (their effect is already in its reply).
 *
 * <p>Calls are synchronous and made from the controller's single thread.
 */
public interface PolicyStore {
    /** The network, if it exists. */
    Optional<NetworkRecord> network(NetworkId id);

    /** The member record, if one exists. */
    Optional<MemberRecord> member(NetworkId id, Address address);

    /** Every member record of the network, ascending by address; empty for an unknown network. */
    List<MemberRecord> members(NetworkId id);

    /**
     * Active bridges and allocated addresses of the network. The default computes them from
     * {@link #members}; a store with indices may answer faster.
     */
    default NetworkSummary summary(NetworkId id) {
        return NetworkSummary.of(members(id));
    }

    /**
     * Compare-and-set write of a member record. Succeeds only if the stored record's revision is
     * {@code expectedRevision} (empty: no record may exist yet). If {@code next} equals the stored
     * record but for the revision, nothing is written ({@code UNCHANGED}); otherwise it is stored
     * with revision {@code expectedRevision + 1} (1 for a new record; {@code next}'s own revision
     * is ignored).
     */
    MemberWrite writeMember(MemberRecord next, OptionalLong expectedRevision);

    /**
     * Notes a member's latest genuine request. Called for every accepted request of an existing
     * network, authorized or not; it is status, not policy (no revision bump, no change event), so
     * a store may keep it in memory and persist it at a low rate.
     */
    void recordRequest(NetworkId id, Address address, LastRequest request);

    /** The member's latest request as recorded, if any. */
    Optional<LastRequest> lastRequest(NetworkId id, Address address);
}
