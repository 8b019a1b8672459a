package dev.zerokube.nodeagent.tap;

import static dev.zerokube.nodeagent.tap.Fixtures.member;
import static dev.zerokube.nodeagent.tap.Fixtures.network;
import static dev.zerokube.nodeagent.tap.Fixtures.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.operator.api.member.Member;
import dev.zerokube.operator.api.member.PodReference;
import dev.zerokube.operator.api.network.ZeroTierNetwork;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.runtime.LocalApi;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.Mac;
import dev.zerokube.overlay.wire.NetworkId;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Goal: the planner gives a pod exactly the TAPs its Members allow, configured as the sidecar's
 * network config would configure them, and says why a Member waits. Method: pods, Members and
 * networks built as the operator makes them; every expected value (MAC, netmask, routes) worked
 * out independently of the planner's code path (Mac.fromAddress, the prefix written in the route).
 */
class PodTapPlannerTest {
    private static final String NWID = "a1b2c3d4e5000001";
    private final Pod pod = pod("payments", "web-1", "0b0c6f3e-1111-4222-8333-944455556666", "node-a", "prod, lab", 1000L);

    private Map<String, ZeroTierNetwork> networks(ZeroTierNetwork... ns) {
        java.util.Map<String, ZeroTierNetwork> m = new java.util.HashMap<>();
        for (ZeroTierNetwork n : ns) {
            m.put(n.getMetadata().getName(), n);
        }
        return m;
    }

    @Test
    void aMemberWithIpsGetsItsTap() {
        Member m = member(pod, "prod", "89e92ceee5", true, List.of("10.147.17.20", "fd00:1::5"));
        var plan = PodTapPlanner.plan(pod, List.of(m), networks(
                network("prod", NWID, 2800, true, "10.147.17.0/24", "10.147.0.0/16", "192.168.9.0/24@10.147.17.1",
                        "0.0.0.0/0@10.147.17.1", "fd00:1::/64")));
        assertEquals(List.of(), plan.waiting());
        assertEquals(Optional.of(1000), plan.ownerUid());
        assertEquals(1, plan.taps().size());
        TapPlan t = plan.taps().get(0);
        assertEquals("prod", t.network());
        assertEquals(NetworkId.parse(NWID), t.networkId());
        assertEquals(LocalApi.deviceName(NetworkId.parse(NWID)), t.deviceName());
        assertEquals("payments/web-1-prod", t.member());
        assertEquals(2800, t.config().mtu());
        assertEquals(Mac.fromAddress(Address.parse("89e92ceee5"), NetworkId.parse(NWID)), t.config().mac());
        // The longest route containing the address gives the netmask (/24 over /16).
        assertEquals(List.of(InetEndpoint.parse("10.147.17.20/24"), InetEndpoint.parse("fd00:1::5/64")), t.config().addresses());
        // Default routes stay out; gateways are kept.
        assertEquals(List.of("10.147.17.0/24", "10.147.0.0/16", "192.168.9.0/24", "fd00:1::/64"),
                t.config().routes().stream().map(r -> r.target().toString()).toList());
        assertEquals("10.147.17.1/0", t.config().routes().get(2).via().toString());
    }

    @Test
    void anAddressOutsideEveryRouteIsAHostAddress() {
        Member m = member(pod, "prod", "89e92ceee5", true, List.of("172.16.5.5"));
        TapPlan t = PodTapPlanner.plan(pod, List.of(m), networks(network("prod", NWID, null, true, "10.147.17.0/24")))
                .taps().get(0);
        assertEquals(List.of(InetEndpoint.parse("172.16.5.5/32")), t.config().addresses());
        assertEquals(2800, t.config().mtu(), "the network MTU defaults to ZeroTier's");
    }

    @Test
    void membersThatMayNotHaveATapWaitWithAReason() {
        Pod p = pod;
        List<Member> ms = List.of(
                member(p, "closed", "89e92ceee5", false, List.of()),
                member(p, "nowhere", "89e92ceee5", true, List.of()),
                member(p, "young", "89e92ceee5", true, List.of()),
                member(p, "bad", "zz", true, List.of()),
                member(p, "gone", "89e92ceee5", true, List.of()));
        ms.get(4).getStatus().setRevoked(true);
        var plan = PodTapPlanner.plan(p, ms, networks(network("closed", NWID, 2800, true), network("young", null, 2800, true),
                network("bad", NWID, 2800, true), network("gone", NWID, 2800, true)));
        assertEquals(List.of(), plan.taps());
        assertEquals(List.of("web-1-bad: no valid address", "web-1-closed: not authorized", "web-1-gone: revoked",
                "web-1-nowhere: unknown network nowhere", "web-1-young: network young has no network id yet"), plan.waiting());
    }

    @Test
    void aPublicNetworkNeedsNoAuthorization() {
        Member m = member(pod, "open", "89e92ceee5", false, List.of());
        var plan = PodTapPlanner.plan(pod, List.of(m), networks(network("open", NWID, 1500, false)));
        assertEquals(1, plan.taps().size());
        assertEquals(List.of(), plan.taps().get(0).config().addresses());
        assertEquals(1500, plan.taps().get(0).config().mtu());
    }

    @Test
    void onlyThePodsOwnMembersCount() {
        Pod other = pod("payments", "web-2", "0b0c6f3e-2222-4222-8333-944455556666", "node-a", "prod", 1000L);
        Pod elsewhere = pod("shop", "web-1", pod.getMetadata().getUid(), "node-a", "prod", 1000L);
        Member theirs = member(other, "prod", "89e92ceee5", true, List.of());
        Member sameUidOtherNamespace = member(elsewhere, "prod", "89e92ceee5", true, List.of());
        assertFalse(PodTapPlanner.belongsTo(theirs, pod));
        assertFalse(PodTapPlanner.belongsTo(sameUidOtherNamespace, pod));
        assertEquals(List.of(), PodTapPlanner.plan(pod, List.of(theirs, sameUidOtherNamespace),
                networks(network("prod", NWID, 2800, true))).taps());

        // A Member that names the pod only in its status (no owner reference) is the pod's too.
        Member byStatus = member(pod, "prod", "89e92ceee5", true, List.of());
        byStatus.getMetadata().setOwnerReferences(List.of());
        assertFalse(PodTapPlanner.belongsTo(byStatus, pod));
        PodReference ref = new PodReference();
        ref.setName("web-1");
        ref.setUid(pod.getMetadata().getUid());
        byStatus.getStatus().setPod(ref);
        assertTrue(PodTapPlanner.belongsTo(byStatus, pod));
        assertEquals(Optional.of(pod.getMetadata().getUid()), PodTapPlanner.podUidOf(byStatus));
    }

    @Test
    void aHostNetworkPodGetsNothing() {
        Pod host = pod("payments", "web-1", pod.getMetadata().getUid(), "node-a", "prod", 1000L);
        host.getSpec().setHostNetwork(true);
        var plan = PodTapPlanner.plan(host, List.of(member(host, "prod", "89e92ceee5", true, List.of())),
                networks(network("prod", NWID, 2800, true)));
        assertEquals(List.of(), plan.taps());
        assertEquals(1, plan.waiting().size());
    }

    @Test
    void theAnnotationListsTheNetworksAndThePodSecurityContextGivesTheOwner() {
        assertEquals(List.of("prod", "lab"), PodTapPlanner.annotatedNetworks(pod));
        Pod p = pod("payments", "web-1", pod.getMetadata().getUid(), "node-a", "prod", null);
        assertEquals(Optional.empty(), PodTapPlanner.plan(p, List.of(), Map.of()).ownerUid());
        p.getSpec().setSecurityContext(new io.fabric8.kubernetes.api.model.PodSecurityContextBuilder().withRunAsUser(4242L).build());
        assertEquals(Optional.of(4242), PodTapPlanner.plan(p, List.of(), Map.of()).ownerUid());
    }
}
