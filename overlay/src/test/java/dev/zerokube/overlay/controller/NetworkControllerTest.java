package dev.zerokube.overlay.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.credentials.CredentialType;
import dev.zerokube.overlay.wire.credentials.Revocation;
import dev.zerokube.overlay.wire.credentials.VerifyResult;
import dev.zerokube.overlay.wire.netconf.ConfigRequestMetadata;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import dev.zerokube.overlay.wire.netconf.Route;
import dev.zerokube.overlay.wire.rules.RuleEntry;
import dev.zerokube.overlay.wire.rules.RuleType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Goal: each behaviour of the controller core (ZT1-09 §1.3, §3, §4, §5), decided as 1.14.1 does
 * except for the documented deviations (Q2, Q5, Q16). Method: an {@link InMemoryPolicyStore}, a
 * fake clock ({@code now}, moved by hand) and generated identities from identities.jsonl (gen03 is
 * the controller 569957c763); each test drives {@link NetworkController} with requests and policy
 * changes and checks decisions, effects and the records left in the store.
 */
class NetworkControllerTest {
    private static final Identity CONTROLLER = ControllerFixtures.gen(3);
    private static final NetworkId NWID = NetworkId.parse("569957c763000042");
    private static final Identity A = ControllerFixtures.gen(1);
    private static final Identity B = ControllerFixtures.gen(2);
    private static final Identity C = ControllerFixtures.gen(4);
    private static final Identity D = ControllerFixtures.gen(6);
    private static final ConfigRequestMetadata METADATA = ConfigRequestMetadata.zeroTier1141("linux/x86_64");
    private static final InetEndpoint PHYSICAL = InetEndpoint.parse("198.18.0.7/9993");
    private static final RuleEntry ACCEPT = new RuleEntry.Action(RuleType.ACTION_ACCEPT, false, false);
    private static final RuleEntry DROP = new RuleEntry.Action(RuleType.ACTION_DROP, false, false);

    private InMemoryPolicyStore store;
    private NetworkController controller;
    private long now = 1_764_460_800_000L;

    @BeforeEach
    void setUp() {
        store = new InMemoryPolicyStore();
        controller = new NetworkController(CONTROLLER, store, new SplittableRandom(42));
        store.putNetwork(network().build());
    }

    private NetworkRecord.Builder network() {
        return NetworkRecord.builder(NWID, now).name("unit").v4AssignZt(true)
                .ipAssignmentPools(List.of(pool("10.9.0.1", "10.9.0.254")))
                .routes(List.of(Route.direct(InetEndpoint.parse("10.9.0.0/24"))));
    }

    private NetworkRecord storedNetwork() {
        return store.network(NWID).orElseThrow();
    }

    private ConfigDecision request(Identity who) {
        return request(who, METADATA);
    }

    private ConfigDecision request(Identity who, ConfigRequestMetadata metadata) {
        return controller.onConfigRequest(now, who.publicOnly(), NWID, metadata, PHYSICAL);
    }

    private NetworkConfig config(Identity who) {
        return assertInstanceOf(ConfigDecision.Reply.class, request(who)).config();
    }

    private void assertRefused(RefusalCode code, ConfigDecision d) {
        assertEquals(code, assertInstanceOf(ConfigDecision.Refuse.class, d).code());
    }

    private void assertIgnored(IgnoreReason reason, ConfigDecision d) {
        assertEquals(reason, assertInstanceOf(ConfigDecision.Ignore.class, d).reason());
    }

    private MemberRecord member(Identity who) {
        return store.member(NWID, who.address()).orElseThrow();
    }

    private void authorize(Identity... who) {
        for (Identity i : who) {
            MemberRecord m = store.member(NWID, i.address())
                    .orElseGet(() -> MemberRecord.builder(NWID, i.address(), now).build());
            store.putMember(m.withAuthorizedByApi(true, now));
        }
    }

    private List<ControllerEffect> change(Optional<PolicyChange> c) {
        return controller.onPolicyChange(now, c.orElseThrow());
    }

    /** The members' addresses in ascending order, the order effects come in. */
    private static List<Address> addresses(Identity... who) {
        return java.util.Arrays.stream(who).map(Identity::address).sorted().toList();
    }

    private static IpPool pool(String start, String end) {
        return new IpPool(ip(start), ip(end));
    }

    private static InetEndpoint ip(String text) {
        return InetEndpoint.of(InetEndpoint.parseIp(text), 0);
    }

    // ------------------------------------------------------------------ request gate

    @Test
    void requestsForAnotherControllersNetworkGetNoAnswerAndLeaveNoTrace() {
        NetworkId foreign = NetworkId.parse("1bd76879ed000042");
        store.putNetwork(NetworkRecord.builder(foreign, now).build());
        authorize(A);
        ConfigDecision d = controller.onConfigRequest(now, A.publicOnly(), foreign, METADATA, PHYSICAL);
        assertIgnored(IgnoreReason.FOREIGN_NETWORK, d);
        assertEquals(Optional.empty(), store.member(foreign, A.address()));
        assertEquals(Optional.empty(), store.lastRequest(foreign, A.address()));
    }

    @Test
    void anUnknownNetworkIsNotFound() {
        NetworkId unknown = NetworkId.parse("569957c763000077");
        assertRefused(RefusalCode.OBJECT_NOT_FOUND, controller.onConfigRequest(now, A.publicOnly(), unknown, METADATA, PHYSICAL));
        assertEquals(Optional.empty(), store.lastRequest(unknown, A.address()));
        assertEquals(0x03, RefusalCode.OBJECT_NOT_FOUND.errorReply(5, unknown).errorCode());
    }

    @Test
    void requestsWithinOneSecondOfTheLastAcceptedOneAreDropped() {
        authorize(A);
        config(A);
        long first = now;
        now = first + 500;
        assertIgnored(IgnoreReason.RATE_LIMITED, request(A));
        now = first + 1000;
        assertIgnored(IgnoreReason.RATE_LIMITED, request(A));
        now = first + 1001;
        config(A);
        // a dropped request does not move the window; refused requests count like answered ones
        now += 1;
        assertIgnored(IgnoreReason.RATE_LIMITED, request(A));
        assertRefused(RefusalCode.ACCESS_DENIED, request(B));
        now += 1000;
        assertIgnored(IgnoreReason.RATE_LIMITED, request(B));
        // the gate is per network
        NetworkId other = NetworkId.parse("569957c763000043");
        store.putNetwork(NetworkRecord.builder(other, now).build());
        assertRefused(RefusalCode.ACCESS_DENIED, controller.onConfigRequest(now, B.publicOnly(), other, METADATA, PHYSICAL));
    }

    @Test
    void everyAcceptedRequestIsRecordedAsTheMembersLastRequest() {
        assertRefused(RefusalCode.ACCESS_DENIED, request(A));
        assertEquals(new LastRequest(now, PHYSICAL, new ClientVersion(1, 14, 1, 12)),
                store.lastRequest(NWID, A.address()).orElseThrow());
        long first = now;
        now += 10;
        request(A); // rate limited: not recorded
        assertEquals(first, store.lastRequest(NWID, A.address()).orElseThrow().timeMs());
        assertEquals(1, member(A).revision(), "recording a request is status, not a member change");
    }

    // ------------------------------------------------------------------ authorization

    @Test
    void anUnknownNodeOnAPrivateNetworkBecomesAPendingMember() {
        assertRefused(RefusalCode.ACCESS_DENIED, request(A));
        MemberRecord pending = member(A);
        assertFalse(pending.authorized());
        assertEquals(Optional.of(A.publicOnly()), pending.identity());
        assertEquals(1, pending.revision());
        assertEquals(now, pending.creationTimeMs());
        assertEquals(ClientVersion.UNKNOWN, pending.clientVersion());
        assertEquals(List.of(), pending.ipAssignments(), "nothing is allocated to a pending member");
        now += 5000;
        assertRefused(RefusalCode.ACCESS_DENIED, request(A));
        assertEquals(1, member(A).revision(), "a repeated denial writes nothing");
        assertEquals(0x07, RefusalCode.ACCESS_DENIED.errorReply(5, NWID).errorCode());
    }

    @Test
    void aPinnedIdentityRefusesAnotherKeyClaimingTheSameAddress() {
        authorize(A);
        config(A);
        MemberRecord before = member(A);
        Identity impostor = new Identity(A.address(), B.publicKey(), null);
        now += 5000;
        assertRefused(RefusalCode.ACCESS_DENIED, request(impostor));
        assertEquals(before, member(A));
    }

    @Test
    void anAdministratorsAuthorizationTakesEffectAtTheNextRequest() {
        assertRefused(RefusalCode.ACCESS_DENIED, request(A));
        List<ControllerEffect> effects = change(store.putMember(member(A).withAuthorizedByApi(true, now)));
        assertEquals(List.of(), effects, "a member never authorized has no request to replay (ZT1-09 §5.3)");
        now += 5000;
        NetworkConfig c = config(A);
        assertEquals(A.address(), c.issuedTo());
        MemberRecord m = member(A);
        assertEquals(Optional.of(MemberRecord.CREDENTIAL_TYPE_API), m.lastAuthorizedCredentialType());
        assertEquals(new ClientVersion(1, 14, 1, 12), m.clientVersion());
        ControllerFixtures.assertSignedBy(CONTROLLER, c);
    }

    @Test
    void aPublicNetworkAuthorizesNewNodesAndGivesThemTheDefaultCapabilitiesAndTags() {
        store.putNetwork(storedNetwork().toBuilder().privateNetwork(false)
                .capabilities(List.of(new CapabilityDefinition(7, true, List.of(ACCEPT)),
                        new CapabilityDefinition(3, false, List.of(DROP))))
                .tags(List.of(new TagDefinition(2, OptionalLong.of(3)), new TagDefinition(5, OptionalLong.empty())))
                .build());
        NetworkConfig c = config(A);
        assertTrue(c.isPublic());
        MemberRecord m = member(A);
        assertTrue(m.authorized());
        assertEquals(now, m.lastAuthorizedTimeMs());
        assertEquals(Optional.of(MemberRecord.CREDENTIAL_TYPE_PUBLIC), m.lastAuthorizedCredentialType());
        assertEquals(List.of(7L), m.capabilities());
        assertEquals(List.of(new MemberTag(2, 3)), m.tags());
        assertEquals(List.of(7L), c.capabilities().stream().map(x -> x.id()).toList());
        assertEquals(List.of(2L), c.tags().stream().map(x -> x.id()).toList());
        assertEquals(3, c.tags().getFirst().value());
    }

    @Test
    void defaultCapabilitiesGoOnlyToNewRecordsButDefaultTagsToEveryMember() {
        store.putNetwork(storedNetwork().toBuilder()
                .capabilities(List.of(new CapabilityDefinition(7, true, List.of(ACCEPT))))
                .tags(List.of(new TagDefinition(9, OptionalLong.of(1)), new TagDefinition(4, OptionalLong.of(8))))
                .build());
        authorize(A); // record created by the administrator: not new at its first request (quirk Q4)
        store.putMember(member(A).toBuilder().tags(List.of(new MemberTag(9, 5))).build());
        NetworkConfig c = config(A);
        assertEquals(List.of(), c.capabilities());
        assertEquals(List.of(4L, 9L), c.tags().stream().map(t -> t.id()).toList(), "ascending ids");
        assertEquals(List.of(8L, 5L), c.tags().stream().map(t -> t.value()).toList(), "the member's own value wins");
        assertEquals(List.of(new MemberTag(9, 5), new MemberTag(4, 8)), member(A).tags(), "defaults appended");
        assertEquals(List.of(), member(A).capabilities());
    }

    @Test
    void joinTokensAuthorizeUntilTheyExpire() {
        store.putNetwork(storedNetwork().toBuilder()
                .authTokens(Map.of("forever", 0L, "later", now + 60_000, "gone", now - 1)).build());
        assertRefused(RefusalCode.ACCESS_DENIED, request(A, METADATA.withAuthToken("gone")));
        assertRefused(RefusalCode.ACCESS_DENIED, request(B, METADATA.withAuthToken("unknown")));
        assertRefused(RefusalCode.ACCESS_DENIED, request(C, METADATA.withAuthToken("")));
        assertInstanceOf(ConfigDecision.Reply.class, request(D, METADATA.withAuthToken("later")));
        assertEquals(Optional.of(MemberRecord.CREDENTIAL_TYPE_TOKEN), member(D).lastAuthorizedCredentialType());
        assertEquals(Optional.of("later"), member(D).lastAuthorizedCredential());
        now += 2000;
        assertInstanceOf(ConfigDecision.Reply.class, request(A, METADATA.withAuthToken("forever")),
                "a pending member may present a token later");
        assertTrue(member(A).authorized());
        now += 60_000;
        assertRefused(RefusalCode.ACCESS_DENIED, request(B, METADATA.withAuthToken("later")));
    }

    @Test
    void aDeauthorizedMemberOfAPublicNetworkStaysOut() {
        store.putNetwork(storedNetwork().toBuilder().privateNetwork(false).build());
        config(A);
        now += 5000;
        change(store.putMember(member(A).withAuthorizedByApi(false, now)));
        now += 5000;
        assertRefused(RefusalCode.ACCESS_DENIED, request(A));
        assertFalse(member(A).authorized(), "1.14.1 would re-authorize it here (quirk Q5); zerokube does not");
    }

    @Test
    void aClientWithoutRulesEngineGetsOneAcceptRuleAndNoCapabilitiesOrTags() {
        store.putNetwork(storedNetwork().toBuilder().rules(List.of(DROP))
                .capabilities(List.of(new CapabilityDefinition(7, true, List.of(ACCEPT))))
                .tags(List.of(new TagDefinition(9, OptionalLong.of(1)))).privateNetwork(false).build());
        ConfigRequestMetadata old = new ConfigRequestMetadata(6, 1, 9, 1, 2, 0, 0, 0, 0, 0, 0, 0, "", Optional.empty());
        NetworkConfig c = assertInstanceOf(ConfigDecision.Reply.class, request(A, old)).config();
        assertEquals(List.of(ACCEPT), c.rules());
        assertEquals(List.of(), c.capabilities());
        assertEquals(List.of(), c.tags());
        assertEquals(List.of(), member(A).capabilities(), "no defaults recorded");
        assertEquals(List.of(), member(A).tags());
        assertEquals(new ClientVersion(1, 2, 0, 9), member(A).clientVersion());
    }

    // ------------------------------------------------------------------ addresses

    @Test
    void staticAssignmentsOutsideEveryRouteAreLeftOutButStayAllocated() {
        authorize(A, B);
        store.putMember(member(A).toBuilder().ipAssignments(List.of(ip("10.99.0.1"), ip("10.9.0.20"))).build());
        NetworkConfig c = config(A);
        assertEquals(List.of(InetEndpoint.parse("10.9.0.20/24")), c.staticIps(), "a routed static IPv4 skips the pool");
        assertEquals(List.of(ip("10.99.0.1"), ip("10.9.0.20")), member(A).ipAssignments());
        assertEquals(Set.of(ip("10.99.0.1"), ip("10.9.0.20")), store.summary(NWID).allocatedIps());
    }

    @Test
    void poolAddressesAvoidOtherMembersAndAreFreedWhenAMemberIsDeleted() {
        store.putNetwork(storedNetwork().toBuilder().ipAssignmentPools(List.of(pool("10.9.0.1", "10.9.0.3"))).build());
        authorize(A, B, C);
        InetEndpoint a = config(A).staticIps().getFirst();
        InetEndpoint b = config(B).staticIps().getFirst();
        assertFalse(a.equals(b));
        assertEquals(Set.of("10.9.0.1/24", "10.9.0.2/24"), Set.of(a.toString(), b.toString()), "end is never picked (Q13)");
        assertEquals(List.of(), config(C).staticIps(), "pool exhausted");
        store.deleteMember(NWID, A.address());
        now += 5000;
        assertEquals(List.of(a), config(C).staticIps());
    }

    @Test
    void aPoolAddressKeepsTheLongestRoutePrefixFromTheFirstConfigOn() {
        store.putNetwork(storedNetwork().toBuilder()
                .routes(List.of(new Route(InetEndpoint.parse("10.0.0.0/8"), InetEndpoint.parse("192.168.1.1/0"), 0, 0),
                        Route.direct(InetEndpoint.parse("10.1.0.0/16"))))
                .ipAssignmentPools(List.of(pool("10.1.0.1", "10.1.0.10"))).build());
        authorize(A);
        PoolPick expected = Ipv4PoolAllocator.pick(storedNetwork().ipAssignmentPools(), storedNetwork().routes(),
                A.address(), Set.of(), List.of()).orElseThrow();
        assertEquals(8, expected.routePrefixBits(), "1.14.1 would issue /8 once (quirk Q2)");
        NetworkConfig first = config(A);
        now += 5000;
        NetworkConfig second = config(A);
        assertEquals(List.of(InetEndpoint.of(expected.ip().ip(), 16)), first.staticIps());
        assertEquals(first.staticIps(), second.staticIps());
    }

    @Test
    void managedIpv6AddressesComeFirstAndNoAutoAssignSuppressesThemAndThePools() {
        store.putNetwork(storedNetwork().toBuilder().v6AssignMode(new V6AssignMode(true, true, false)).build());
        authorize(A, B);
        NetworkConfig c = config(A);
        assertEquals(List.of(dev.zerokube.overlay.wire.ManagedIpv6.rfc4193(NWID, A.address()),
                dev.zerokube.overlay.wire.ManagedIpv6.sixPlane(NWID, A.address())), c.staticIps().subList(0, 2));
        assertEquals(3, c.staticIps().size());
        assertTrue(c.ndpEmulation());
        assertEquals(List.of(c.staticIps().get(2).ipString()), member(A).ipAssignments().stream().map(InetEndpoint::ipString).toList(),
                "only the pool address is stored");
        store.putMember(member(B).toBuilder().noAutoAssignIps(true).build());
        NetworkConfig b = config(B);
        assertEquals(List.of(), b.staticIps());
        assertFalse(b.ndpEmulation());
        assertEquals(List.of(), b.certificatesOfOwnership(), "no COO without static IPs");
    }

    @Test
    void atMost32StaticIpsAreIssuedAndTheCertificateOfOwnershipCoversTheFirst16() {
        authorize(A);
        List<InetEndpoint> many = new ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            many.add(ip("10.9.0." + i));
        }
        store.putMember(member(A).toBuilder().ipAssignments(many).build());
        NetworkConfig c = config(A);
        assertEquals(NetworkConfig.STATIC_IPS_MAX, c.staticIps().size());
        assertEquals(16, c.certificatesOfOwnership().getFirst().things().size());
        assertTrue(c.certificatesOfOwnership().getFirst().owns(ip("10.9.0.16").ip()));
        assertFalse(c.certificatesOfOwnership().getFirst().owns(ip("10.9.0.17").ip()));
    }

    @Test
    void activeBridgesAreListedOnlyWhenAuthorized() {
        authorize(A, B);
        store.putMember(member(B).toBuilder().activeBridge(true).build());
        store.putMember(MemberRecord.builder(NWID, C.address(), now).activeBridge(true).build());
        assertEquals(List.of(B.address()), config(A).activeBridges(), "C is not authorized (quirk Q16 avoided)");
    }

    @Test
    void scalarsComeFromTheNetworkRecord() {
        store.putNetwork(storedNetwork().toBuilder().mtu(99_999).multicastLimit(0x1_0000_0040L).enableBroadcast(false)
                .name("n".repeat(200)).remoteTraceTarget(C.address()).remoteTraceLevel(10)
                .credentialTimeMaxDeltaMs(OptionalLong.of(1)).build());
        authorize(A);
        NetworkConfig c = config(A);
        assertEquals(NetworkConfig.MTU_MAX, c.mtu());
        assertEquals(0x40, c.multicastLimit());
        assertFalse(c.enableBroadcast());
        assertEquals(127, c.nameBytes().length);
        assertEquals(C.address(), c.remoteTraceTarget());
        assertEquals(10, c.remoteTraceLevel());
        assertEquals(NetworkConfig.CREDENTIAL_TIME_MAX_DELTA_MIN_MS, c.credentialTimeMaxDeltaMs());
        assertEquals(storedNetwork().revision(), c.revision());
        assertEquals(now, c.timestampMs());
        assertEquals(now, c.certificateOfMembership().orElseThrow().timestampMs());
        store.putMember(member(A).toBuilder().remoteTraceTarget(D.address()).build());
        now += 5000;
        NetworkConfig d = config(A);
        assertEquals(D.address(), d.remoteTraceTarget());
        assertEquals(0, d.remoteTraceLevel(), "a member's own target comes with its own level");
    }

    // ------------------------------------------------------------------ pushes and revocation

    /** A and B authorized and online, C online but never authorized, D authorized but offline. */
    private void fourMembers() {
        authorize(A, B, D);
        config(D);
        now += 121_000;
        config(A);
        config(B);
        assertRefused(RefusalCode.ACCESS_DENIED, request(C));
        now += 1000;
    }

    @Test
    void aNetworkChangePushesFreshConfigsToOnlineAuthorizedMembers() {
        fourMembers();
        List<ControllerEffect> effects = change(store.putNetwork(storedNetwork().toBuilder().mtu(1400).build()));
        assertEquals(addresses(A, B), effects.stream().map(ControllerEffect::recipient).toList());
        for (ControllerEffect e : effects) {
            NetworkConfig c = assertInstanceOf(ControllerEffect.PushConfig.class, e).config();
            assertEquals(1400, c.mtu());
            assertEquals(storedNetwork().revision(), c.revision());
            assertEquals(e.recipient(), c.issuedTo());
            assertEquals(now, c.timestampMs());
        }
        assertTrue(controller.isOnline(NWID, C.address(), now));
        assertFalse(controller.isOnline(NWID, D.address(), now));
    }

    @Test
    void aMemberChangePushesOnlyToThatMember() {
        fourMembers();
        List<ControllerEffect> effects = change(store.putMember(member(A).toBuilder()
                .ipAssignments(List.of(ip("10.9.0.200"))).build()));
        assertEquals(1, effects.size());
        NetworkConfig c = assertInstanceOf(ControllerEffect.PushConfig.class, effects.getFirst()).config();
        assertEquals(A.address(), c.issuedTo());
        assertEquals(List.of(InetEndpoint.parse("10.9.0.200/24")), c.staticIps());
    }

    @Test
    void deauthorizationRevokesTheComAtEveryOnlineMemberIncludingTheTarget() {
        fourMembers();
        List<ControllerEffect> effects = change(store.putMember(member(B).withAuthorizedByApi(false, now)));
        assertEquals(addresses(A, B, C), effects.stream().map(ControllerEffect::recipient).toList(),
                "no push: B is refused now");
        Set<Revocation> revocations = effects.stream()
                .map(e -> assertInstanceOf(ControllerEffect.SendRevocation.class, e).revocation()).collect(Collectors.toSet());
        assertEquals(1, revocations.size(), "one revocation, sent to each");
        Revocation r = revocations.iterator().next();
        assertEquals(B.address(), r.target());
        assertEquals(NWID, r.networkId());
        assertEquals(now, r.thresholdMs());
        assertEquals(0, r.credentialId());
        assertEquals(CredentialType.COM, r.type());
        assertTrue(r.fastPropagate());
        assertEquals(CONTROLLER.address(), r.signedBy());
        assertEquals(VerifyResult.OK, r.verify(a -> a.equals(CONTROLLER.address()) ? CONTROLLER.publicOnly() : null));
    }

    @Test
    void deletingAMemberRevokesItOnlyIfItWasAuthorized() {
        fourMembers();
        assertEquals(List.of(), change(store.deleteMember(NWID, C.address())));
        List<ControllerEffect> effects = change(store.deleteMember(NWID, A.address()));
        assertEquals(addresses(A, B, C), effects.stream().map(ControllerEffect::recipient).toList());
        effects.forEach(e -> assertEquals(A.address(),
                assertInstanceOf(ControllerEffect.SendRevocation.class, e).revocation().target()));
    }

    @Test
    void deletingTheNetworkRevokesEveryMemberAndThenItIsNotFound() {
        fourMembers();
        List<ControllerEffect> effects = change(store.deleteNetwork(NWID));
        Set<Address> targets = effects.stream()
                .map(e -> assertInstanceOf(ControllerEffect.SendRevocation.class, e).revocation().target())
                .collect(Collectors.toSet());
        assertEquals(Set.of(A.address(), B.address(), C.address(), D.address()), targets);
        assertEquals(4 * 3, effects.size(), "each revocation to the 3 online members");
        now += 5000;
        assertRefused(RefusalCode.OBJECT_NOT_FOUND, request(A));
    }

    @Test
    void changesToAnotherControllersNetworksAreIgnored() {
        NetworkId foreign = NetworkId.parse("1bd76879ed000042");
        assertEquals(List.of(), controller.onPolicyChange(now,
                store.putNetwork(NetworkRecord.builder(foreign, now).build()).orElseThrow()));
        MemberRecord m = MemberRecord.builder(foreign, A.address(), now).authorized(true).build();
        assertEquals(List.of(), controller.onPolicyChange(now, new PolicyChange.MemberDeleted(m)));
    }

    // ------------------------------------------------------------------ store conflicts and bounds

    @Test
    void conflictingWritesAreRebuiltFromFreshReadsAndGivenUpAfterAFewTries() {
        authorize(A);
        int[] conflictsLeft = {1};
        PolicyStore racing = new DelegatingStore(store) {
            @Override
            public MemberWrite writeMember(MemberRecord next, OptionalLong expectedRevision) {
                if (conflictsLeft[0]-- > 0) {
                    // an administrator renames the member between our read and our write
                    MemberRecord current = store.member(NWID, next.address())
                            .orElseGet(() -> MemberRecord.builder(NWID, next.address(), now).build());
                    store.putMember(current.toBuilder().name(Optional.of("renamed " + conflictsLeft[0])).build());
                }
                return super.writeMember(next, expectedRevision);
            }
        };
        NetworkController c = new NetworkController(CONTROLLER, racing, new SplittableRandom(1));
        assertInstanceOf(ConfigDecision.Reply.class, c.onConfigRequest(now, A.publicOnly(), NWID, METADATA, PHYSICAL));
        assertEquals(Optional.of("renamed 0"), member(A).name(), "the administrator's change survived");
        assertFalse(member(A).ipAssignments().isEmpty(), "and ours was written on the retry");

        conflictsLeft[0] = Integer.MAX_VALUE;
        now += 5000;
        assertIgnored(IgnoreReason.STORE_CONFLICT, c.onConfigRequest(now, B.publicOnly(), NWID, METADATA, PHYSICAL));
    }

    @Test
    void aFullStatusTableServesNewMembersWithoutTrackingThemUntilOldEntriesExpire() {
        NetworkController small = new NetworkController(CONTROLLER, store, new SplittableRandom(1), 2);
        authorize(A, B, C);
        for (Identity i : List.of(A, B, C)) {
            assertInstanceOf(ConfigDecision.Reply.class, small.onConfigRequest(now, i.publicOnly(), NWID, METADATA, PHYSICAL));
        }
        assertFalse(small.isOnline(NWID, C.address(), now));
        assertInstanceOf(ConfigDecision.Reply.class, small.onConfigRequest(now, C.publicOnly(), NWID, METADATA, PHYSICAL),
                "untracked: not rate limited either");
        now += MemberStatusTable.ONLINE_WINDOW_MS;
        small.onConfigRequest(now, C.publicOnly(), NWID, METADATA, PHYSICAL);
        assertTrue(small.isOnline(NWID, C.address(), now));
        assertFalse(small.isOnline(NWID, A.address(), now));
    }

    /** A store that forwards every call, for tests that interfere with one. */
    private static class DelegatingStore implements PolicyStore {
        private final PolicyStore inner;

        DelegatingStore(PolicyStore inner) {
            this.inner = inner;
        }

        @Override
        public Optional<NetworkRecord> network(NetworkId id) {
            return inner.network(id);
        }

        @Override
        public Optional<MemberRecord> member(NetworkId id, Address address) {
            return inner.member(id, address);
        }

        @Override
        public List<MemberRecord> members(NetworkId id) {
            return inner.members(id);
        }

        @Override
        public MemberWrite writeMember(MemberRecord next, OptionalLong expectedRevision) {
            return inner.writeMember(next, expectedRevision);
        }

        @Override
        public void recordRequest(NetworkId id, Address address, LastRequest request) {
            inner.recordRequest(id, address, request);
        }

        @Override
        public Optional<LastRequest> lastRequest(NetworkId id, Address address) {
            return inner.lastRequest(id, address);
        }
    }

    // ------------------------------------------------------------------ assignment before the first request

    @Test
    void assignAddressesGivesAnAuthorizedMemberTheAddressItsFirstConfigCarries() {
        authorize(A);
        MemberRecord assigned = controller.assignAddresses(NWID, A.address()).orElseThrow();
        assertEquals(1, assigned.ipAssignments().size());
        assertEquals(assigned, member(A));
        NetworkConfig config = config(A);
        assertEquals(List.of(InetEndpoint.of(assigned.ipAssignments().get(0).ip(), 24)), config.staticIps());
        assertEquals(assigned.ipAssignments(), member(A).ipAssignments());
        long revision = member(A).revision();
        assertEquals(Optional.of(member(A)), controller.assignAddresses(NWID, A.address()));
        assertEquals(revision, member(A).revision(), "a second assignment writes nothing");
    }

    @Test
    void assignAddressesLeavesUnauthorizedAndUnknownMembersAlone() {
        store.putMember(MemberRecord.builder(NWID, B.address(), now).build());
        assertEquals(List.of(), controller.assignAddresses(NWID, B.address()).orElseThrow().ipAssignments());
        assertEquals(Optional.empty(), controller.assignAddresses(NWID, C.address()));
        assertEquals(Optional.empty(), controller.assignAddresses(NetworkId.parse("569957c763000043"), B.address()));
    }
}
