package dev.zerokube.overlay.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.controller.MemberRecord;
import dev.zerokube.overlay.controller.TagDefinition;
import dev.zerokube.overlay.node.sim.SimConditions;
import dev.zerokube.overlay.node.sim.SimNode;
import dev.zerokube.overlay.node.sim.Simulation;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.Mac;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/*
 * Goal: virtual network membership end to end, in the deterministic simulator: members join a
 * private network whose controller is another node (itself a member, served locally), get their
 * configs with IPs from the pool, and status OK; an unauthorized member is refused (ACCESS_DENIED)
 * and becomes a pending member record; authorizing it lets it in at its next request; a network
 * change is pushed; credentials pushed before frames make every pair pass each other's gate;
 * deauthorizing a member sends a revocation that closes every other member's gate to it; a config
 * too big for one chunk arrives in several; all of it also with 5% loss, duplication and
 * reordering. Method: NetworkLab (a Star whose leaf 1 hosts ControllerAttachment over an
 * InMemoryPolicyStore); bounds are multiples of the protocol's periods (5 s request cycle, 60 s
 * refresh), and every seed is replayable with -Dsim.seed.
 */
class NetworkMembershipSimTest {
    static LongStream seeds() {
        return Simulation.seeds(21, 22, 23);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void authorizedMembersGetConfigsAndUnauthorizedOnesAreDenied(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            NetworkLab lab = new NetworkLab(sim, 4, b -> b);
            assertTrue(sim.runUntil(lab.star::online, 60_000), "leaves online");
            List<SimNode> authorized = lab.members.subList(0, 3);
            SimNode stranger = lab.members.get(3);
            authorized.forEach(m -> lab.authorize(m, true));
            lab.members.forEach(lab::join);
            assertTrue(lab.members.stream().allMatch(m -> lab.hasStatus(m, NetworkStatus.Status.REQUESTING_CONFIGURATION)));

            assertTrue(sim.runUntil(() -> authorized.stream().allMatch(m -> lab.hasStatus(m, NetworkStatus.Status.OK))
                    && lab.hasStatus(stranger, NetworkStatus.Status.ACCESS_DENIED), 10_000),
                    "configs within one request cycle: " + lab.members.stream().map(lab::status).toList());

            Set<InetEndpoint> ips = new HashSet<>();
            for (SimNode m : authorized) {
                NetworkStatus s = lab.status(m).orElseThrow();
                NetworkConfig c = s.config().orElseThrow();
                assertEquals(m.address(), c.issuedTo());
                assertEquals(lab.nwid, c.networkId());
                assertEquals(Mac.fromAddress(m.address(), lab.nwid), s.mac());
                assertEquals(1, s.assignedAddresses().size(), "one IPv4 from the pool: " + s);
                InetEndpoint ip = s.assignedAddresses().getFirst();
                assertEquals(24, ip.port(), "prefix of the route");
                long v = ip.ipv4Value();
                assertTrue(v >= NetworkLab.POOL_START.ipv4Value() && v <= NetworkLab.POOL_END.ipv4Value(), ip.toString());
                assertTrue(ips.add(InetEndpoint.of(ip.ip(), 0)), "distinct addresses");
                assertTrue(m.events(NodeEvent.NetworkUpdated.class,
                        e -> e.status().status() == NetworkStatus.Status.OK).size() >= 1, "reported");
            }
            assertTrue(lab.status(stranger).orElseThrow().config().isEmpty());
            MemberRecord pending = lab.store.member(lab.nwid, stranger.address()).orElseThrow();
            assertFalse(pending.authorized(), "the stranger is a pending member");

            lab.authorize(stranger, true);
            assertTrue(sim.runUntil(() -> lab.hasStatus(stranger, NetworkStatus.Status.OK), 6_000),
                    "authorized: in at its next request (every 5 s while it has no config)");
        });
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void networkChangesArePushedAndDeauthorizationRevokes(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            NetworkLab lab = new NetworkLab(sim, 4, b -> b);
            assertTrue(sim.runUntil(lab.star::online, 60_000), "leaves online");
            lab.members.forEach(m -> lab.authorize(m, true));
            lab.members.forEach(lab::join);
            assertTrue(sim.runUntil(() -> lab.members.stream().allMatch(m -> lab.hasStatus(m, NetworkStatus.Status.OK)),
                    10_000), "all configured");

            // a change of the network reaches every online member as a push, long before its next request
            lab.store.putNetwork(lab.store.network(lab.nwid).orElseThrow().toBuilder().name("renamed").build())
                    .ifPresent(lab::changed);
            assertTrue(sim.runUntil(() -> lab.members.stream().allMatch(
                    m -> lab.status(m).orElseThrow().config().orElseThrow().name().equals("renamed")), 1_000),
                    "pushed within a second");

            lab.pushAll(lab.members);
            assertTrue(sim.runUntil(() -> lab.allGated(lab.members), 2_000), "credentials exchanged");

            SimNode revoked = lab.members.get(2);
            List<SimNode> others = new ArrayList<>(lab.members);
            others.remove(revoked);
            lab.authorize(revoked, false);
            assertTrue(sim.runUntil(() -> others.stream().noneMatch(o -> lab.gate(o, revoked)), 2_000),
                    "every other member drops the revoked one");
            assertTrue(lab.allGated(others), "the others still accept each other");
            // the revoked member keeps its config but is refused from its next request on (Q14)
            assertTrue(sim.runUntil(() -> lab.hasStatus(revoked, NetworkStatus.Status.ACCESS_DENIED), 70_000));
            assertTrue(lab.status(revoked).orElseThrow().config().isPresent());
        });
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aConfigLargerThanOneChunkIsReassembled(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            List<TagDefinition> tags = new ArrayList<>();
            for (int i = 0; i < NetworkConfig.TAGS_MAX; i++) {
                tags.add(new TagDefinition(1000 + i, OptionalLong.of(i)));
            }
            NetworkLab lab = new NetworkLab(sim, 2, b -> b.tags(tags));
            assertTrue(sim.runUntil(lab.star::online, 60_000), "leaves online");
            SimNode member = lab.members.get(1);
            lab.authorize(member, true);
            lab.join(member);
            assertTrue(sim.runUntil(() -> lab.hasStatus(member, NetworkStatus.Status.OK), 10_000));
            NetworkConfig c = lab.status(member).orElseThrow().config().orElseThrow();
            assertEquals(NetworkConfig.TAGS_MAX, c.tags().size());
            assertTrue(c.encode().length > 2 * dev.zerokube.overlay.controller.ConfigChunker.CHUNK_LENGTH_MAX,
                    "three chunks or more: " + c.encode().length);
        });
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void configsAndCredentialsConvergeOnALossyUnderlay(long seed) {
        Simulation.replay(seed, SimConditions.lossy(0.05), sim -> {
            List<TagDefinition> tags = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                tags.add(new TagDefinition(2000 + i, OptionalLong.of(i)));
            }
            NetworkLab lab = new NetworkLab(sim, 4, b -> b.tags(tags));
            assertTrue(sim.runUntil(lab.star::online, 60_000), "leaves online");
            lab.members.forEach(m -> lab.authorize(m, true));
            lab.members.forEach(lab::join);
            assertTrue(sim.runUntil(() -> lab.members.stream().allMatch(m -> lab.hasStatus(m, NetworkStatus.Status.OK)),
                    60_000), "all configured within a minute: " + lab.members.stream().map(lab::status).toList());
            // frames flow every 5 s; credentials go out before frames after each config refresh
            long end = sim.nowMs() + 300_000;
            while (!lab.allGated(lab.members) && sim.nowMs() < end) {
                lab.pushAll(lab.members);
                sim.runFor(5_000);
            }
            assertTrue(lab.allGated(lab.members), "credentials converge within 5 minutes: " + lab.refusals(lab.members));

            SimNode revoked = lab.members.get(3);
            List<SimNode> others = lab.members.subList(0, 3);
            lab.authorize(revoked, false);
            assertTrue(sim.runUntil(() -> others.stream().noneMatch(o -> lab.gate(o, revoked)), 10_000),
                    "revocation (with fast propagation) reaches every member");
            assertTrue(sim.network().lostCount() > 0, "the underlay did lose datagrams");
        });
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void membersRequestAMinuteApartAndRefusedOnesEveryFiveSeconds(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            NetworkLab lab = new NetworkLab(sim, 3, b -> b);
            assertTrue(sim.runUntil(lab.star::online, 60_000), "leaves online");
            SimNode member = lab.members.get(1);
            SimNode denied = lab.members.get(2);
            List<long[]> requests = new ArrayList<>();
            lab.controllerNode.act(n -> n.setConfigMaster((id, requester, requestId, metadata, from, nowMs) -> {
                requests.add(new long[] {requester.address().value(), nowMs, id.value()});
                lab.controller.onConfigRequest(id, requester, requestId, metadata, from, nowMs);
            }));
            lab.authorize(member, true);
            lab.join(member);
            lab.join(denied);
            NetworkId missing = new NetworkId(lab.nwid.value() + 1);
            member.act(n -> n.join(missing, sim.nowMs()));
            NetworkId noController = new NetworkId(denied.address().value() << 24 | 5);
            member.act(n -> n.join(noController, sim.nowMs()));
            long start = sim.nowMs();
            sim.runFor(185_000);

            assertEquals(NetworkStatus.Status.OK, lab.status(member).orElseThrow().status());
            assertEquals(NetworkStatus.Status.ACCESS_DENIED, lab.status(denied).orElseThrow().status());
            assertEquals(NetworkStatus.Status.NOT_FOUND, member.node().network(missing).orElseThrow().status(),
                    "OBJ_NOT_FOUND from the controller");
            assertEquals(NetworkStatus.Status.NOT_FOUND, member.node().network(noController).orElseThrow().status(),
                    "UNSUPPORTED_OPERATION from a node that runs no controller");

            List<Long> memberTimes = requests.stream()
                    .filter(r -> r[0] == member.address().value() && r[2] == lab.nwid.value()).map(r -> r[1] - start).toList();
            // a config is a minute old between two 5 s contact rounds, so refreshes come 60..65 s apart
            assertEquals(3, memberTimes.size(), "at join, then about every 65 s: " + memberTimes);
            for (int i = 1; i < memberTimes.size(); i++) {
                long gap = memberTimes.get(i) - memberTimes.get(i - 1);
                assertTrue(gap >= Timing.NETWORK_AUTOCONF_DELAY_MS && gap <= Timing.NETWORK_AUTOCONF_DELAY_MS
                        + Timing.PING_CHECK_INTERVAL_MS + 100, "refresh gap (as received, so with latency) " + gap);
            }
            long deniedCount = requests.stream().filter(r -> r[0] == denied.address().value()).count();
            assertTrue(deniedCount >= 185_000 / Timing.PING_CHECK_INTERVAL_MS - 1, "every contact round: " + deniedCount);
            assertTrue(memberTimes.getFirst() < 1_000, "the first request right after joining");
        });
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aPublicNetworkTakesEveryoneWithoutCredentials(long seed) {
        Simulation.replay(seed, SimConditions.clean(), sim -> {
            NetworkLab lab = new NetworkLab(sim, 3, b -> b.privateNetwork(false));
            assertTrue(sim.runUntil(lab.star::online, 60_000), "leaves online");
            lab.members.forEach(lab::join);
            assertTrue(sim.runUntil(() -> lab.members.stream().allMatch(m -> lab.hasStatus(m, NetworkStatus.Status.OK)),
                    10_000), "no authorization needed");
            assertTrue(lab.allGated(lab.members), "and no credentials");
            assertTrue(lab.members.stream().allMatch(m -> lab.store.member(lab.nwid, m.address()).orElseThrow().authorized()),
                    "recorded as authorized members");
        });
    }
}
