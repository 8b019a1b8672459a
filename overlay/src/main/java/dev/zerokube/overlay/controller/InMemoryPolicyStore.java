package dev.zerokube.overlay.controller;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.NetworkId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * A {@link PolicyStore} in memory, with 1.14.1's save semantics (ZT1-09 §2.4): a save that
 * changes nothing but the revision writes nothing; any other save stores revision + 1. Besides
 * the store interface it has the administrator's side: {@link #putNetwork}, {@link #putMember},
 * {@link #deleteMember}, {@link #deleteNetwork}, each returning the {@link PolicyChange} to hand to
 * the controller, and {@link #load} for records taken as they are (as a file store reads its
 * files at start-up). Not thread-safe.
 */
public final class InMemoryPolicyStore implements PolicyStore {
    private final Map<NetworkId, NetworkRecord> networks = new TreeMap<>();
    private final Map<NetworkId, Map<Address, MemberRecord>> members = new TreeMap<>();
    private final Map<NetworkId, Map<Address, LastRequest>> lastRequests = new HashMap<>();

    /** Takes a network record as it is, revision included; no change is reported. */
    public void load(NetworkRecord network) {
        networks.put(network.id(), network);
    }

    /** Takes a member record as it is, revision included; no change is reported. */
    public void load(MemberRecord member) {
        members.computeIfAbsent(member.networkId(), k -> new TreeMap<>()).put(member.address(), member);
    }

    /**
     * Saves a network as an administrator does: unless only the revision differs, stores it with
     * the stored revision + 1 (the given record's revision + 1 if new) and reports the change.
     */
    public Optional<PolicyChange> putNetwork(NetworkRecord network) {
        NetworkRecord stored = networks.get(network.id());
        if (stored != null && stored.sameIgnoringRevision(network)) {
            return Optional.empty();
        }
        NetworkRecord saved = network.withRevision((stored == null ? network.revision() : stored.revision()) + 1);
        networks.put(saved.id(), saved);
        return Optional.of(new PolicyChange.NetworkChanged(saved));
    }

    /**
     * Saves a member as an administrator does (the network must exist): unless only the revision
     * differs, stores it with the stored revision + 1 (1 if new) and reports the change.
     */
    public Optional<PolicyChange> putMember(MemberRecord member) {
        if (!networks.containsKey(member.networkId())) {
            throw new IllegalArgumentException("no network " + member.networkId());
        }
        Optional<MemberRecord> stored = member(member.networkId(), member.address());
        if (stored.isPresent() && stored.get().sameIgnoringRevision(member)) {
            return Optional.empty();
        }
        MemberRecord saved = member.withRevision(stored.map(MemberRecord::revision).orElse(0L) + 1);
        load(saved);
        return Optional.of(new PolicyChange.MemberChanged(stored, saved));
    }

    /** Deletes a member record, reporting the deletion if there was one. */
    public Optional<PolicyChange> deleteMember(NetworkId id, Address address) {
        Map<Address, MemberRecord> m = members.get(id);
        MemberRecord removed = m == null ? null : m.remove(address);
        return Optional.ofNullable(removed).map(PolicyChange.MemberDeleted::new);
    }

    /** Deletes a network and all its member records, reporting the deletion if there was one. */
    public Optional<PolicyChange> deleteNetwork(NetworkId id) {
        NetworkRecord removed = networks.remove(id);
        Map<Address, MemberRecord> m = members.remove(id);
        lastRequests.remove(id);
        if (removed == null) {
            return Optional.empty();
        }
        return Optional.of(new PolicyChange.NetworkDeleted(removed, m == null ? List.of() : List.copyOf(m.values())));
    }

    @Override
    public Optional<NetworkRecord> network(NetworkId id) {
        return Optional.ofNullable(networks.get(id));
    }

    @Override
    public Optional<MemberRecord> member(NetworkId id, Address address) {
        Map<Address, MemberRecord> m = members.get(id);
        return Optional.ofNullable(m == null ? null : m.get(address));
    }

    @Override
    public List<MemberRecord> members(NetworkId id) {
        Map<Address, MemberRecord> m = members.get(id);
        return m == null ? List.of() : new ArrayList<>(m.values());
    }

    @Override
    public MemberWrite writeMember(MemberRecord next, OptionalLong expectedRevision) {
        Optional<MemberRecord> stored = member(next.networkId(), next.address());
        boolean expected = stored.isEmpty() ? expectedRevision.isEmpty()
                : expectedRevision.isPresent() && expectedRevision.getAsLong() == stored.get().revision();
        if (!expected || !networks.containsKey(next.networkId())) {
            return new MemberWrite(MemberWrite.Outcome.CONFLICT, stored);
        }
        if (stored.isPresent() && stored.get().sameIgnoringRevision(next)) {
            return new MemberWrite(MemberWrite.Outcome.UNCHANGED, stored);
        }
        MemberRecord saved = next.withRevision(expectedRevision.orElse(0) + 1);
        load(saved);
        return new MemberWrite(MemberWrite.Outcome.STORED, Optional.of(saved));
    }

    @Override
    public void recordRequest(NetworkId id, Address address, LastRequest request) {
        lastRequests.computeIfAbsent(id, k -> new HashMap<>()).put(address, request);
    }

    @Override
    public Optional<LastRequest> lastRequest(NetworkId id, Address address) {
        Map<Address, LastRequest> m = lastRequests.get(id);
        return Optional.ofNullable(m == null ? null : m.get(address));
    }
}
