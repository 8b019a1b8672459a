package dev.zerokube.overlay.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.testing.Vectors;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.netconf.Dns;
import dev.zerokube.overlay.wire.netconf.Route;
import dev.zerokube.overlay.wire.rules.RuleEntry;
import dev.zerokube.overlay.wire.rules.RuleType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Goal: the controller's JSON objects map to records as 1.14.1's {@code _request} reads them
 * (ZT1-09 §2.5 lenient readers, §2.3 normal forms) and records write back losslessly. Method:
 * hand-written objects with every lenient form and every refused input; seeded random records
 * through {@code toJson}, JSON text and back. (The capture's real files are in
 * ControllerCaptureTest, the vectors' records in ControllerConfigVectorTest.)
 */
class ControllerJsonTest {
    private static final Identity A = ControllerFixtures.gen(1);

    private static Map<String, Object> json(String text) {
        try {
            return ControllerFixtures.map(Vectors.json().readTree(text));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static InetEndpoint ip(String text) {
        return InetEndpoint.of(InetEndpoint.parseIp(text), 0);
    }

    @Test
    void networkFieldsAreReadLeniently() {
        NetworkRecord n = ControllerJson.network(json("""
                {"id":"569957c763000001","revision":"5","private":"false","enableBroadcast":0,"multicastLimit":"64",
                 "mtu":99999,"name":12,"v4AssignMode":"zt","v6AssignMode":"6plane,zt",
                 "routes":[{"target":"10.0.0.0/8","via":"192.168.1.1"},{"target":"10.1.0.0/16"},
                           {"target":"fd00:1::/64","via":"10.0.0.1"},{"target":"10.2.0.0/40"},{"target":7},"junk",
                           {"target":"10.3.0.5/24","via":null},{"target":"10.4.0"}],
                 "ipAssignmentPools":[{"ipRangeStart":"10.1.0.1","ipRangeEnd":"10.1.0.10"},
                           {"ipRangeStart":"10.1.0.1","ipRangeEnd":"fd00::1"},{"ipRangeStart":"10.1.0.1"}],
                 "rules":[{"type":"ACTION_DROP"},{"type":"NOPE"},5],
                 "capabilities":[{"id":"7","default":1,"rules":[{"type":"ACTION_ACCEPT"}]},{"id":3},"x"],
                 "tags":[{"id":2,"default":3},{"id":5,"default":null},{"id":6,"default":"4"}],
                 "remoteTraceTarget":"1d939ff884","remoteTraceLevel":10,
                 "authTokens":{"ok":0,"neg":-5,"str":"x"},
                 "dns":{"domain":"zk.local","servers":["10.147.17.53","bogus","fd00::53/53","10.0.0.1","10.0.0.2"]}}
                """));
        assertEquals(NetworkId.parse("569957c763000001"), n.id());
        assertEquals(5, n.revision());
        assertEquals(false, n.privateNetwork());
        assertEquals(false, n.enableBroadcast());
        assertEquals(64, n.multicastLimit());
        assertEquals(99_999, n.mtu(), "stored as is, clamped when issued");
        assertEquals("12", n.name());
        assertEquals(true, n.v4AssignZt());
        assertEquals(new V6AssignMode(false, true, true), n.v6AssignMode());
        assertEquals(List.of(
                new Route(InetEndpoint.parse("10.0.0.0/8"), ip("192.168.1.1"), 0, 0),
                Route.direct(InetEndpoint.parse("10.1.0.0/16")),
                Route.direct(InetEndpoint.parse("fd00:1::/64")),
                Route.direct(InetEndpoint.parse("10.3.0.5/24")),
                Route.direct(InetEndpoint.parse("0.0.0.0/0"))), n.routes(),
                "via of another family dropped, prefix over 32 dropped, host bits kept, bad dotted text is 0.0.0.0");
        assertEquals(List.of(new IpPool(ip("10.1.0.1"), ip("10.1.0.10"))), n.ipAssignmentPools());
        assertEquals(List.of(new RuleEntry.Action(RuleType.ACTION_DROP, false, false)), n.rules());
        assertEquals(List.of(new CapabilityDefinition(7, true, List.of(new RuleEntry.Action(RuleType.ACTION_ACCEPT, false, false))),
                new CapabilityDefinition(3, false, List.of())), n.capabilities());
        assertEquals(List.of(new TagDefinition(2, OptionalLong.of(3)), new TagDefinition(5, OptionalLong.empty()),
                new TagDefinition(6, OptionalLong.empty())), n.tags(), "a default must be a JSON number");
        assertEquals(Address.parse("1d939ff884"), n.remoteTraceTarget());
        assertEquals(10, n.remoteTraceLevel());
        assertEquals(Map.of("ok", 0L), n.authTokens());
        assertEquals(Optional.of(Dns.of("zk.local", List.of(ip("10.147.17.53"), InetEndpoint.NIL,
                InetEndpoint.parse("fd00::53/53"), ip("10.0.0.1")))), n.dns(), "first four servers, bad ones nil");
    }

    @Test
    void absentNetworkFieldsTakeTheDefaultsRequestHandlingUses() {
        NetworkRecord n = ControllerJson.network(json("{\"nwid\":\"569957c763000001\",\"dns\":[],\"authTokens\":[null]}"));
        assertEquals(true, n.privateNetwork());
        assertEquals(true, n.enableBroadcast());
        assertEquals(32, n.multicastLimit());
        assertEquals(2800, n.mtu());
        assertEquals(V6AssignMode.NONE, n.v6AssignMode());
        assertEquals(List.of(), n.rules(), "a record without rules issues none (initNetwork would have added ACCEPT)");
        assertEquals(Optional.empty(), n.dns());
        assertEquals(Map.of(), n.authTokens());
        assertEquals(OptionalLong.empty(), n.credentialTimeMaxDeltaMs());
        assertEquals(Address.NONE, n.remoteTraceTarget());
    }

    @Test
    void inputsThat114WouldFailOnAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ControllerJson.network(json("{}")));
        assertThrows(IllegalArgumentException.class, () -> ControllerJson.network(json(
                "{\"id\":\"569957c763000001\",\"certificateTimeoutWindowSize\":\"1h\"}")), "quirk Q8");
        assertThrows(IllegalArgumentException.class, () -> ControllerJson.network(json(
                "{\"id\":\"569957c763000001\",\"dns\":{\"domain\":\"" + "d".repeat(128) + "\"}}")), "quirk Q10");
        assertThrows(IllegalArgumentException.class, () -> ControllerJson.member(json(
                "{\"nwid\":\"569957c763000001\",\"id\":\"22afb5217c\",\"identity\":\"22afb5217c:0:00\"}")));
        assertThrows(IllegalArgumentException.class, () -> ControllerJson.member(json(
                "{\"nwid\":\"569957c763000001\",\"id\":\"c9fee927f8\",\"identity\":\"" + A.publicOnly() + "\"}")),
                "identity of another address");
    }

    @Test
    void memberFieldsAreReadLeniently() {
        MemberRecord m = ControllerJson.member(json("""
                {"nwid":"569957c763000001","address":"22AFB5217C","authorized":"true","activeBridge":1,
                 "ipAssignments":["10.1.0.7/24","garbage","10.1.2",7,"fd00::1"],
                 "tags":[[1,2],[3],"x",[4,"5"],[4294967297,1]],"capabilities":[1,"2",4294967299],
                 "lastAuthorizedCredentialType":"api","lastAuthorizedCredential":null,"vMajor":1,"vMinor":"14"}
                """));
        assertEquals(A.address(), m.address());
        assertEquals(true, m.authorized());
        assertEquals(true, m.activeBridge());
        assertEquals(List.of(ip("10.1.0.7"), ip("0.0.0.0"), ip("fd00::1")), m.ipAssignments());
        assertEquals(List.of(new MemberTag(1, 2), new MemberTag(4, 5), new MemberTag(1, 1)), m.tags(), "ids masked to 32 bits");
        assertEquals(List.of(1L, 2L, 3L), m.capabilities());
        assertEquals(Optional.of("api"), m.lastAuthorizedCredentialType());
        assertEquals(Optional.empty(), m.lastAuthorizedCredential());
        assertEquals(new ClientVersion(1, 14, -1, -1), m.clientVersion());
        assertEquals(Optional.empty(), m.identity());
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void recordsWriteAndReadBack(long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < 40; i++) {
            NetworkRecord n = randomNetwork(r);
            JsonNode text = Vectors.json().readTree(ControllerFixtures.text(ControllerJson.toJson(n)));
            assertEquals(n, ControllerJson.network(ControllerFixtures.map(text)));
            MemberRecord m = randomMember(r, n.id());
            JsonNode mText = Vectors.json().readTree(ControllerFixtures.text(ControllerJson.toJson(m)));
            assertEquals(m, ControllerJson.member(ControllerFixtures.map(mText)));
            assertEquals(new ArrayList<>(new TreeMap<>(ControllerFixtures.map(mText)).keySet()),
                    iterable(mText.fieldNames()), "keys sorted as FileDB writes them");
        }
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    private static NetworkRecord randomNetwork(SplittableRandom r) {
        NetworkId id = new NetworkId(0x569957c763000000L | r.nextInt(1 << 24));
        List<Route> routes = new ArrayList<>();
        for (int k = r.nextInt(4); k > 0; k--) {
            boolean v4 = r.nextBoolean();
            InetEndpoint target = InetEndpoint.of(bytes(r, v4 ? 4 : 16), r.nextInt(v4 ? 33 : 129));
            routes.add(new Route(target, r.nextBoolean() ? InetEndpoint.NIL : InetEndpoint.of(bytes(r, v4 ? 4 : 16), 0), 0, 0));
        }
        List<IpPool> pools = new ArrayList<>();
        for (int k = r.nextInt(3); k > 0; k--) {
            int len = r.nextBoolean() ? 4 : 16;
            pools.add(new IpPool(InetEndpoint.of(bytes(r, len), 0), InetEndpoint.of(bytes(r, len), 0)));
        }
        List<CapabilityDefinition> caps = new ArrayList<>();
        for (int k = r.nextInt(3); k > 0; k--) {
            caps.add(new CapabilityDefinition(r.nextLong(1L << 32), r.nextBoolean(), randomRules(r)));
        }
        List<TagDefinition> tags = new ArrayList<>();
        for (int k = r.nextInt(3); k > 0; k--) {
            tags.add(new TagDefinition(r.nextLong(1L << 32), r.nextBoolean() ? OptionalLong.of(r.nextLong(1L << 32))
                    : OptionalLong.empty()));
        }
        Optional<Dns> dns = r.nextBoolean() ? Optional.empty()
                : Optional.of(Dns.of("d" + r.nextInt(1000) + ".example", List.of(InetEndpoint.of(bytes(r, 4), 0))));
        return NetworkRecord.builder(id, r.nextLong(1L << 41)).revision(r.nextLong(1000)).name("net-" + r.nextInt())
                .privateNetwork(r.nextBoolean()).enableBroadcast(r.nextBoolean()).multicastLimit(r.nextLong(1L << 32))
                .mtu(r.nextLong(20_000)).v4AssignZt(r.nextBoolean())
                .v6AssignMode(new V6AssignMode(r.nextBoolean(), r.nextBoolean(), r.nextBoolean()))
                .ipAssignmentPools(pools).routes(routes).rules(randomRules(r)).rulesSource(r.nextBoolean() ? "" : "accept;")
                .capabilities(caps).tags(tags).dns(dns)
                .remoteTraceTarget(r.nextBoolean() ? Address.NONE : A.address()).remoteTraceLevel(r.nextInt(31))
                .credentialTimeMaxDeltaMs(r.nextBoolean() ? OptionalLong.empty() : OptionalLong.of(r.nextLong(1L << 40)))
                .authTokens(r.nextBoolean() ? Map.of() : Map.of("t" + r.nextInt(), r.nextLong(1L << 41)))
                .build();
    }

    private static MemberRecord randomMember(SplittableRandom r, NetworkId nwid) {
        List<InetEndpoint> ips = new ArrayList<>();
        for (int k = r.nextInt(4); k > 0; k--) {
            ips.add(InetEndpoint.of(bytes(r, r.nextBoolean() ? 4 : 16), 0));
        }
        List<MemberTag> tags = new ArrayList<>();
        for (int k = r.nextInt(3); k > 0; k--) {
            tags.add(new MemberTag(r.nextLong(1L << 32), r.nextLong(1L << 32)));
        }
        return MemberRecord.builder(nwid, A.address(), r.nextLong(1L << 41)).revision(r.nextLong(100))
                .identity(r.nextBoolean() ? Optional.empty() : Optional.of(A)).authorized(r.nextBoolean())
                .lastAuthorizedTimeMs(r.nextLong(1L << 41)).lastDeauthorizedTimeMs(r.nextLong(1L << 41))
                .lastAuthorizedCredentialType(r.nextBoolean() ? Optional.empty() : Optional.of("token"))
                .lastAuthorizedCredential(r.nextBoolean() ? Optional.empty() : Optional.of("tok"))
                .activeBridge(r.nextBoolean()).noAutoAssignIps(r.nextBoolean()).ipAssignments(ips).tags(tags)
                .capabilities(List.of(r.nextLong(1L << 32))).remoteTraceTarget(r.nextBoolean() ? Address.NONE : A.address())
                .remoteTraceLevel(r.nextInt(31)).name(r.nextBoolean() ? Optional.empty() : Optional.of("pod-" + r.nextInt()))
                .clientVersion(r.nextBoolean() ? ClientVersion.UNKNOWN : new ClientVersion(1, 14, 1, 12))
                .build();
    }

    /** Rules whose JSON form reads back as the same entry (actions render without not/or). */
    private static List<RuleEntry> randomRules(SplittableRandom r) {
        List<RuleEntry> out = new ArrayList<>();
        for (int k = r.nextInt(4); k > 0; k--) {
            out.add(switch (r.nextInt(3)) {
                case 0 -> new RuleEntry.Action(r.nextBoolean() ? RuleType.ACTION_ACCEPT : RuleType.ACTION_DROP, false, false);
                case 1 -> new RuleEntry.ValueMatch(RuleType.MATCH_ETHERTYPE, r.nextBoolean(), r.nextBoolean(), r.nextInt(1 << 16));
                default -> new RuleEntry.TagMatch(RuleType.MATCH_TAGS_EQUAL, r.nextBoolean(), r.nextBoolean(),
                        r.nextLong(1L << 32), r.nextLong(1L << 32));
            });
        }
        return out;
    }

    private static byte[] bytes(SplittableRandom r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }
}
