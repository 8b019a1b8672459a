package dev.zerokube.overlay.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.controller.ControllerJson;
import dev.zerokube.overlay.controller.MemberRecord;
import dev.zerokube.overlay.controller.MemberWrite;
import dev.zerokube.overlay.controller.NetworkRecord;
import dev.zerokube.overlay.controller.PolicyChange;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: the file store keeps PolicyStore's semantics (revision rule, compare-and-set, also across
 * threads), reads and writes 1.14.1's controller.d as 1.14.1 does, and never serves, drops or
 * overwrites a record whose file it could not read. Method: real files in a temp directory;
 * records from ZT1-09 §2.6 (1.14.1 FileDB output) written by hand; corrupt and left-over files
 * planted before open; reopen and compare.
 */
class FilePolicyStoreTest {
    static final NetworkId NWID = NetworkId.parse("1d939ff884000001");
    static final Address A = Address.parse("7202a77aad");
    static final Address B = Address.parse("0123456789");

    /** ZT1-09 §2.6: the network file 1.14.1 wrote (one line). */
    static final String NETWORK_1_14_1 = "{\"authTokens\":[null],\"authorizationEndpoint\":\"\",\"capabilities\":[{\"default\":true,\"id\":1,"
            + "\"rules\":[{\"type\":\"ACTION_ACCEPT\"}]}],\"clientId\":\"\",\"creationTime\":1796051684899,"
            + "\"dns\":{\"domain\":\"zk.local\",\"servers\":[\"10.147.17.53\"]},\"enableBroadcast\":true,"
            + "\"id\":\"1d939ff884000001\",\"ipAssignmentPools\":[{\"ipRangeEnd\":\"10.147.17.254\","
            + "\"ipRangeStart\":\"10.147.17.1\"}],\"mtu\":2800,\"multicastLimit\":32,\"name\":\"zk-demo\","
            + "\"nwid\":\"1d939ff884000001\",\"objtype\":\"network\",\"private\":true,\"remoteTraceLevel\":0,"
            + "\"remoteTraceTarget\":null,\"revision\":1,\"routes\":[{\"target\":\"10.147.17.0/24\",\"via\":null}],"
            + "\"rules\":[{\"type\":\"ACTION_ACCEPT\"}],\"rulesSource\":\"\",\"ssoEnabled\":false,"
            + "\"tags\":[{\"default\":7,\"id\":100}],\"v4AssignMode\":{\"zt\":true},"
            + "\"v6AssignMode\":{\"6plane\":true,\"rfc4193\":true,\"zt\":false}}";

    /** ZT1-09 §2.6: the member file after B's first request. */
    static final String MEMBER_1_14_1 = "{\"activeBridge\":false,\"address\":\"7202a77aad\",\"authenticationExpiryTime\":0,\"authorized\":false,"
            + "\"capabilities\":[],\"creationTime\":1796051684900,\"id\":\"7202a77aad\",\"identity\":\"7202a77aad:0:9ff0"
            + "cf9d34a3d16375dd495b9795ba9850466b06edc10290c27cda330c3fa727509862dafad8a50ad2735e4e5d07b3affb9b"
            + "1af95aa632a4d7258b494304f955\",\"ipAssignments\":[],\"lastAuthorizedCredential\":null,"
            + "\"lastAuthorizedCredentialType\":null,\"lastAuthorizedTime\":0,\"lastDeauthorizedTime\":0,"
            + "\"noAutoAssignIps\":false,\"nwid\":\"1d939ff884000001\",\"objtype\":\"member\",\"remoteTraceLevel\":0,"
            + "\"remoteTraceTarget\":null,\"revision\":1,\"ssoExempt\":false,\"tags\":[],\"vMajor\":-1,\"vMinor\":-1,"
            + "\"vProto\":-1,\"vRev\":-1}";

    @TempDir
    Path dir;

    static NetworkRecord network() {
        return NetworkRecord.builder(NWID, 1000).name("net").v4AssignZt(true).build();
    }

    static MemberRecord member(Address a) {
        return MemberRecord.builder(NWID, a, 2000).authorized(true)
                .ipAssignments(List.of(InetEndpoint.of(new byte[] {10, 0, 0, 5}, 0))).build();
    }

    @Test
    void readsA114ControllerDirectoryAndWritesTheSameBytesBack() throws IOException {
        Path net = dir.resolve("network");
        Files.createDirectories(net.resolve("1d939ff884000001/member"));
        Files.writeString(net.resolve("1d939ff884000001.json"), NETWORK_1_14_1);
        Files.writeString(net.resolve("1d939ff884000001/member/7202a77aad.json"), MEMBER_1_14_1);
        try (FilePolicyStore store = FilePolicyStore.open(dir)) {
            assertEquals(List.of(), store.problems());
            NetworkRecord n = store.network(NWID).orElseThrow();
            assertEquals("zk-demo", n.name());
            assertEquals(1, n.revision());
            assertTrue(n.v4AssignZt());
            assertEquals(1, n.ipAssignmentPools().size());
            MemberRecord m = store.member(NWID, A).orElseThrow();
            assertFalse(m.authorized());
            assertTrue(m.identity().isPresent());
            assertEquals(List.of(m), store.members(NWID));
            // Written back by our serializer: byte for byte what 1.14.1 wrote.
            assertEquals(NETWORK_1_14_1, new String(JsonText.write(ControllerJson.toJson(n)), StandardCharsets.UTF_8));
            assertEquals(MEMBER_1_14_1, new String(JsonText.write(ControllerJson.toJson(m)), StandardCharsets.UTF_8));
            // A change is stored with revision + 1 in the same layout.
            store.putMember(m.withAuthorizedByApi(true, 5000));
        }
        String rewritten = Files.readString(net.resolve("1d939ff884000001/member/7202a77aad.json"));
        assertTrue(rewritten.contains("\"authorized\":true") && rewritten.contains("\"revision\":2"), rewritten);
    }

    @Test
    void recordsSurviveReopenWithTheirRevisions() throws IOException {
        try (FilePolicyStore store = FilePolicyStore.open(dir)) {
            store.putNetwork(network());
            store.putMember(member(A));
            store.putMember(member(B));
            store.putMember(member(B).toBuilder().name(Optional.of("b")).build());
        }
        try (FilePolicyStore store = FilePolicyStore.open(dir)) {
            assertEquals(List.of(), store.problems());
            assertEquals(1, store.network(NWID).orElseThrow().revision());
            assertEquals(member(A).withRevision(1), store.member(NWID, A).orElseThrow());
            assertEquals(2, store.member(NWID, B).orElseThrow().revision());
            assertEquals(List.of(NWID), store.networkIds());
            assertEquals(2, store.memberCount());
        }
    }

    @Test
    void revisionRuleAndCompareAndSet() throws IOException {
        try (FilePolicyStore store = FilePolicyStore.open(dir)) {
            assertEquals(MemberWrite.Outcome.CONFLICT, store.writeMember(member(A), OptionalLong.empty()).outcome(),
                    "no network yet");
            assertTrue(store.putNetwork(network()).isPresent());
            assertTrue(store.putNetwork(network().withRevision(7)).isEmpty(), "only the revision differs");
            MemberWrite w = store.writeMember(member(A), OptionalLong.empty());
            assertEquals(MemberWrite.Outcome.STORED, w.outcome());
            assertEquals(1, w.stored().orElseThrow().revision());
            assertEquals(MemberWrite.Outcome.CONFLICT, store.writeMember(member(A), OptionalLong.empty()).outcome());
            assertEquals(MemberWrite.Outcome.CONFLICT, store.writeMember(member(A), OptionalLong.of(5)).outcome());
            assertEquals(MemberWrite.Outcome.UNCHANGED, store.writeMember(member(A), OptionalLong.of(1)).outcome());
            MemberRecord renamed = member(A).toBuilder().name(Optional.of("x")).build();
            assertEquals(2, store.writeMember(renamed, OptionalLong.of(1)).stored().orElseThrow().revision());
            String file = Files.readString(store.memberFile(NWID, A));
            assertTrue(file.contains("\"revision\":2") && file.contains("\"name\":\"x\""), file);
        }
    }

    @Test
    void compareAndSetHoldsAcrossThreads() throws Exception {
        int threads = 4;
        int incrementsEach = 25;
        try (FilePolicyStore store = FilePolicyStore.open(dir)) {
            store.putNetwork(network());
            store.putMember(member(A).toBuilder().remoteTraceLevel(0).build());
            CountDownLatch start = new CountDownLatch(1);
            AtomicInteger conflicts = new AtomicInteger();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < incrementsEach; ) {
                        MemberRecord read = store.member(NWID, A).orElseThrow();
                        MemberRecord next = read.toBuilder().remoteTraceLevel(read.remoteTraceLevel() + 1).build();
                        if (store.writeMember(next, OptionalLong.of(read.revision())).outcome() == MemberWrite.Outcome.STORED) {
                            i++;
                        } else {
                            conflicts.incrementAndGet();
                        }
                    }
                }));
            }
            start.countDown();
            for (Thread t : workers) {
                t.join();
            }
            MemberRecord end = store.member(NWID, A).orElseThrow();
            assertEquals(threads * incrementsEach, end.remoteTraceLevel(), "an increment was lost (conflicts seen: " + conflicts + ")");
            assertEquals(1 + threads * incrementsEach, end.revision());
        }
        try (FilePolicyStore store = FilePolicyStore.open(dir)) {
            assertEquals(threads * incrementsEach, store.member(NWID, A).orElseThrow().remoteTraceLevel());
        }
    }

    @Test
    void unreadableRecordsAreReportedKeptAndBlocked() throws IOException {
        try (FilePolicyStore store = FilePolicyStore.open(dir)) {
            store.putNetwork(network());
            store.putMember(member(A));
            store.putMember(member(B));
        }
        Path memberA;
        try (FilePolicyStore store = FilePolicyStore.open(dir)) {
            memberA = store.memberFile(NWID, A);
        }
        byte[] truncated = "{\"activeBridge\":false,\"addr".getBytes(StandardCharsets.UTF_8);
        Files.write(memberA, truncated);
        Path temp = memberA.resolveSibling(".0123456789.json.tmp");
        Files.writeString(temp, "{\"half");
        Path orphan = dir.resolve("network/aaaaaaaaaa000001/member");
        Files.createDirectories(orphan);
        Files.writeString(orphan.resolve("0000000001.json"), MEMBER_1_14_1);

        try (FilePolicyStore store = FilePolicyStore.open(dir)) {
            List<FilePolicyStore.Problem> problems = store.problems();
            assertEquals(2, problems.size(), problems.toString());
            assertTrue(problems.stream().anyMatch(p -> p.file().equals(memberA) && p.reason().contains("unreadable")),
                    problems.toString());
            assertTrue(problems.stream().anyMatch(p -> p.file().equals(orphan.getParent())), problems.toString());
            assertFalse(Files.exists(temp), "left-over temp file removed");
            assertTrue(store.member(NWID, A).isEmpty(), "not served");
            assertTrue(store.member(NWID, B).isPresent());
            assertEquals(MemberWrite.Outcome.CONFLICT, store.writeMember(member(A), OptionalLong.empty()).outcome());
            FilePolicyStore.RecordBlockedException e = assertThrows(FilePolicyStore.RecordBlockedException.class,
                    () -> store.putMember(member(A)));
            assertTrue(e.getMessage().contains(memberA.toString()), e.getMessage());
            assertThrows(FilePolicyStore.RecordBlockedException.class, () -> store.deleteMember(NWID, A));
            assertThrows(FilePolicyStore.RecordBlockedException.class, () -> store.deleteNetwork(NWID));
            assertArrayEquals(truncated, Files.readAllBytes(memberA), "the unreadable file is left as it was");
        }
    }

    @Test
    void unreadableNetworkBlocksTheNetworkAndItsMembers() throws IOException {
        try (FilePolicyStore store = FilePolicyStore.open(dir)) {
            store.putNetwork(network());
            store.putMember(member(A));
        }
        Path netFile = dir.resolve("network/1d939ff884000001.json");
        Files.writeString(netFile, "{\"id\":\"1d939ff884000002\",\"nwid\":\"1d939ff884000002\"}");
        try (FilePolicyStore store = FilePolicyStore.open(dir)) {
            assertEquals(2, store.problems().size(), store.problems().toString());
            assertTrue(store.network(NWID).isEmpty());
            assertTrue(store.networkIdTaken(NWID), "a new network must not take the blocked id");
            assertTrue(store.member(NWID, A).isEmpty());
            assertThrows(FilePolicyStore.RecordBlockedException.class, () -> store.putNetwork(network()));
            assertEquals(0, store.networkCount());
        }
    }

    @Test
    void deletesRemoveFilesAndReportChanges() throws IOException {
        List<PolicyChange> seen = new ArrayList<>();
        try (FilePolicyStore store = FilePolicyStore.open(dir)) {
            store.addListener(seen::add);
            store.putNetwork(network());
            store.putMember(member(A));
            store.putMember(member(B));
            assertTrue(store.putMember(member(B)).isEmpty(), "unchanged: no event");
            PolicyChange deleted = store.deleteMember(NWID, A).orElseThrow();
            assertInstanceOf(PolicyChange.MemberDeleted.class, deleted);
            assertFalse(Files.exists(store.memberFile(NWID, A)));
            assertTrue(store.deleteMember(NWID, A).isEmpty());
            PolicyChange.NetworkDeleted nd = assertInstanceOf(PolicyChange.NetworkDeleted.class,
                    store.deleteNetwork(NWID).orElseThrow());
            assertEquals(List.of(B), nd.members().stream().map(MemberRecord::address).toList());
            assertFalse(Files.exists(dir.resolve("network/1d939ff884000001.json")));
            assertFalse(Files.exists(dir.resolve("network/1d939ff884000001")));
            assertEquals(5, seen.size(), seen.toString());
            assertInstanceOf(PolicyChange.NetworkChanged.class, seen.get(0));
            assertInstanceOf(PolicyChange.MemberChanged.class, seen.get(1));
        }
        try (FilePolicyStore store = FilePolicyStore.open(dir)) {
            assertEquals(List.of(), store.networkIds());
            assertEquals(List.of(), store.problems());
        }
    }

    @Test
    void summaryFollowsMemberChanges() throws IOException {
        try (FilePolicyStore store = FilePolicyStore.open(dir)) {
            store.putNetwork(network());
            store.putMember(member(A));
            assertEquals(1, store.summary(NWID).allocatedIps().size());
            assertEquals(List.of(), store.summary(NWID).activeBridges());
            store.putMember(member(A).toBuilder().activeBridge(true).build());
            assertEquals(List.of(A), store.summary(NWID).activeBridges());
            store.putMember(member(A).toBuilder().ipAssignments(List.of()).activeBridge(true).build());
            assertEquals(0, store.summary(NWID).allocatedIps().size());
            store.deleteMember(NWID, A);
            assertEquals(List.of(), store.summary(NWID).activeBridges());
        }
    }

    @Test
    void oneProcessPerDirectory() throws IOException {
        try (FilePolicyStore store = FilePolicyStore.open(dir)) {
            assertThrows(Exception.class, () -> FilePolicyStore.open(dir).close());
            assertTrue(store.problems().isEmpty());
        }
        FilePolicyStore.open(dir).close();
    }
}
