package dev.zerokube.overlay.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Goal: the in-memory store keeps 1.14.1's save rule (a save that changes only the revision writes
 * nothing; any other bumps the revision) and the compare-and-set contract of
 * {@link PolicyStore#writeMember}; administrator operations report the right {@link PolicyChange}.
 * Method: direct calls with hand-made records.
 */
class InMemoryPolicyStoreTest {
    private static final NetworkId NWID = NetworkId.parse("569957c763000001");
    private static final Address A = Address.parse("22afb5217c");

    private final InMemoryPolicyStore store = new InMemoryPolicyStore();

    @Test
    void networkSavesBumpTheRevisionOnlyWhenSomethingChanged() {
        NetworkRecord n = NetworkRecord.builder(NWID, 5).build();
        assertInstanceOf(PolicyChange.NetworkChanged.class, store.putNetwork(n).orElseThrow());
        assertEquals(1, store.network(NWID).orElseThrow().revision());
        assertEquals(Optional.empty(), store.putNetwork(n.withRevision(99)), "only the revision differs");
        store.putNetwork(n.toBuilder().mtu(1400).build());
        assertEquals(2, store.network(NWID).orElseThrow().revision());
        store.load(n.withRevision(17));
        assertEquals(17, store.network(NWID).orElseThrow().revision(), "load takes records as they are");
    }

    @Test
    void memberWritesAreCompareAndSetOnTheRevision() {
        store.putNetwork(NetworkRecord.builder(NWID, 0).build());
        MemberRecord m = MemberRecord.builder(NWID, A, 0).build();
        assertEquals(MemberWrite.Outcome.CONFLICT, store.writeMember(m, OptionalLong.of(0)).outcome(), "no record yet");
        MemberWrite created = store.writeMember(m, OptionalLong.empty());
        assertEquals(MemberWrite.Outcome.STORED, created.outcome());
        assertEquals(1, created.stored().orElseThrow().revision());
        assertEquals(MemberWrite.Outcome.CONFLICT, store.writeMember(m, OptionalLong.empty()).outcome(), "exists now");
        assertEquals(MemberWrite.Outcome.UNCHANGED, store.writeMember(m.withRevision(50), OptionalLong.of(1)).outcome());
        MemberRecord changed = m.toBuilder().activeBridge(true).build();
        assertEquals(MemberWrite.Outcome.CONFLICT, store.writeMember(changed, OptionalLong.of(0)).outcome(), "stale read");
        assertEquals(2, store.writeMember(changed, OptionalLong.of(1)).stored().orElseThrow().revision());
        assertEquals(MemberWrite.Outcome.CONFLICT,
                store.writeMember(MemberRecord.builder(NetworkId.parse("569957c763000002"), A, 0).build(),
                        OptionalLong.empty()).outcome(), "no such network");
    }

    @Test
    void administratorOperationsReportTheirChanges() {
        assertThrows(IllegalArgumentException.class, () -> store.putMember(MemberRecord.builder(NWID, A, 0).build()));
        store.putNetwork(NetworkRecord.builder(NWID, 0).build());
        MemberRecord m = MemberRecord.builder(NWID, A, 0).build().withAuthorizedByApi(true, 10);
        PolicyChange.MemberChanged created = assertInstanceOf(PolicyChange.MemberChanged.class, store.putMember(m).orElseThrow());
        assertEquals(Optional.empty(), created.before());
        assertEquals(1, created.after().revision());
        PolicyChange.MemberChanged deauthorized = assertInstanceOf(PolicyChange.MemberChanged.class,
                store.putMember(created.after().withAuthorizedByApi(false, 20)).orElseThrow());
        assertTrue(deauthorized.deauthorized());
        assertEquals(20, deauthorized.after().lastDeauthorizedTimeMs());
        assertEquals(10, deauthorized.after().lastAuthorizedTimeMs());
        assertEquals(List.of(deauthorized.after()), store.members(NWID));
        assertEquals(deauthorized.after(), assertInstanceOf(PolicyChange.MemberDeleted.class,
                store.deleteMember(NWID, A).orElseThrow()).before());
        assertEquals(Optional.empty(), store.deleteMember(NWID, A));
        store.putMember(m);
        PolicyChange.NetworkDeleted gone = assertInstanceOf(PolicyChange.NetworkDeleted.class,
                store.deleteNetwork(NWID).orElseThrow());
        assertEquals(1, gone.members().size());
        assertEquals(List.of(), store.members(NWID));
        assertEquals(Optional.empty(), store.deleteNetwork(NWID));
    }

    @Test
    void apiAuthorizationChangesOnlyOnAFlip() {
        MemberRecord m = MemberRecord.builder(NWID, A, 0).build();
        assertEquals(m, m.withAuthorizedByApi(false, 5));
        MemberRecord on = m.withAuthorizedByApi(true, 5);
        assertEquals(on, on.withAuthorizedByApi(true, 9));
        assertEquals(Optional.of("api"), on.lastAuthorizedCredentialType());
    }

    @Test
    void lastRequestsAreKeptPerMember() {
        LastRequest r = new LastRequest(7, InetEndpoint.parse("198.18.0.1/9993"), ClientVersion.UNKNOWN);
        store.recordRequest(NWID, A, r);
        assertEquals(Optional.of(r), store.lastRequest(NWID, A));
        assertEquals(Optional.empty(), store.lastRequest(NWID, Address.parse("c9fee927f8")));
    }
}
