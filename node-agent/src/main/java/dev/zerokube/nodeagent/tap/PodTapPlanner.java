package dev.zerokube.nodeagent.tap;

import dev.zerokube.operator.api.WellKnownNames;
import dev.zerokube.operator.api.member.Member;
import dev.zerokube.operator.api.network.ZeroTierNetwork;
import dev.zerokube.overlay.controller.RouteContainment;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.runtime.LocalApi;
import dev.zerokube.overlay.runtime.port.PortConfig;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.Mac;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import dev.zerokube.overlay.wire.netconf.Route;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Works out which TAPs a pod should have, from the pod, the Members it owns and their networks: a
 * pure function (no API calls, no devices), so every rule is a unit test.
 *
 * <p>A Member belongs to the pod when it is in the pod's namespace and names the pod as owner (the
 * join endpoint sets the owner reference) or in {@code status.pod}. It gets a TAP once its network
 * has a network id, its address is valid, it is not revoked and, on a private network, it is
 * authorized. The TAP: the member MAC ZeroTier derives from address and network id, the network's
 * MTU, each of {@code status.ipAssignments} with the netmask of the longest managed route that
 * contains it (as 1.14.1 does; a host prefix when none does), and the network's routes except
 * default routes (a sidecar does not take over the pod's default route, as zerotier-one without
 * allowDefault). A hostNetwork pod gets nothing: its namespace is the node's.
 */
public final class PodTapPlanner {
    private PodTapPlanner() {
    }

    /**
     * The plan for one pod.
     *
     * @param taps the TAPs it should have, one per network, ordered by network name
     * @param waiting why a Member of the pod gets no TAP yet (for logs), e.g. "web-1-prod: not authorized"
     * @param ownerUid the sidecar's UID from the pod spec (the TAP's owner), if the spec says
     */
    public record Plan(List<TapPlan> taps, List<String> waiting, Optional<Integer> ownerUid) {
        public Plan {
            taps = List.copyOf(taps);
            waiting = List.copyOf(waiting);
            Objects.requireNonNull(ownerUid, "ownerUid");
        }
    }

    /** The networks the pod's annotation lists (what the hand-off waits for). */
    public static List<String> annotatedNetworks(Pod pod) {
        Map<String, String> a = pod.getMetadata().getAnnotations();
        String v = a == null ? null : a.get(WellKnownNames.NETWORKS_ANNOTATION);
        if (v == null) {
            return List.of();
        }
        return Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).distinct().toList();
    }

    /** Whether {@code member} is one of {@code pod}'s (owner reference or status.pod, same namespace). */
    public static boolean belongsTo(Member member, Pod pod) {
        String uid = pod.getMetadata().getUid();
        if (uid == null || !Objects.equals(member.getMetadata().getNamespace(), pod.getMetadata().getNamespace())) {
            return false;
        }
        List<OwnerReference> owners = member.getMetadata().getOwnerReferences();
        if (owners != null) {
            for (OwnerReference o : owners) {
                if ("Pod".equals(o.getKind()) && uid.equals(o.getUid())) {
                    return true;
                }
            }
        }
        return member.getStatus() != null && member.getStatus().getPod() != null
                && uid.equals(member.getStatus().getPod().getUid());
    }

    /** The pod's UID that {@code member} belongs to, if it names one. */
    public static Optional<String> podUidOf(Member member) {
        List<OwnerReference> owners = member.getMetadata().getOwnerReferences();
        if (owners != null) {
            for (OwnerReference o : owners) {
                if ("Pod".equals(o.getKind()) && o.getUid() != null) {
                    return Optional.of(o.getUid());
                }
            }
        }
        if (member.getStatus() != null && member.getStatus().getPod() != null) {
            return Optional.ofNullable(member.getStatus().getPod().getUid());
        }
        return Optional.empty();
    }

    /** The plan for {@code pod}, given candidate Members (others are ignored) and networks by name. */
    public static Plan plan(Pod pod, Collection<Member> members, Map<String, ZeroTierNetwork> networks) {
        List<TapPlan> taps = new ArrayList<>();
        List<String> waiting = new ArrayList<>();
        Optional<Integer> owner = sidecarUid(pod);
        if (pod.getSpec() != null && Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
            boolean any = members.stream().anyMatch(m -> belongsTo(m, pod));
            return new Plan(List.of(), any ? List.of("pod uses the host network: no TAP in the node's namespace") : List.of(), owner);
        }
        List<Member> mine = members.stream().filter(m -> belongsTo(m, pod))
                .sorted((a, b) -> String.valueOf(a.getSpec() == null ? null : a.getSpec().getNetwork())
                        .compareTo(String.valueOf(b.getSpec() == null ? null : b.getSpec().getNetwork())))
                .toList();
        List<String> seen = new ArrayList<>();
        for (Member m : mine) {
            String name = m.getMetadata().getName();
            String why = refusal(m, networks);
            if (why != null) {
                waiting.add(name + ": " + why);
                continue;
            }
            String network = m.getSpec().getNetwork();
            if (seen.contains(network)) {
                waiting.add(name + ": another Member of this pod is on network " + network);
                continue;
            }
            ZeroTierNetwork n = networks.get(network);
            NetworkId id = NetworkId.parse(n.getStatus().getNetworkId());
            try {
                PortConfig config = portConfig(m, n, id);
                taps.add(new TapPlan(network, id, LocalApi.deviceName(id), m.getMetadata().getNamespace() + "/" + name, config));
                seen.add(network);
            } catch (IllegalArgumentException e) {
                waiting.add(name + ": " + e.getMessage());
            }
        }
        return new Plan(taps, waiting, owner);
    }

    // Why a Member gets no TAP yet, or null.
    private static String refusal(Member m, Map<String, ZeroTierNetwork> networks) {
        if (m.getSpec() == null || m.getSpec().getNetwork() == null) {
            return "no network in spec";
        }
        if (m.getMetadata().getDeletionTimestamp() != null) {
            return "being deleted";
        }
        ZeroTierNetwork n = networks.get(m.getSpec().getNetwork());
        if (n == null) {
            return "unknown network " + m.getSpec().getNetwork();
        }
        if (n.getStatus() == null || n.getStatus().getNetworkId() == null) {
            return "network " + m.getSpec().getNetwork() + " has no network id yet";
        }
        String address = m.getSpec().getAddress();
        if (address == null || !address.matches("[0-9a-f]{10}")) {
            return "no valid address";
        }
        if (m.getStatus() != null && Boolean.TRUE.equals(m.getStatus().getRevoked())) {
            return "revoked";
        }
        boolean isPrivate = n.getSpec() == null || !Boolean.FALSE.equals(n.getSpec().getPrivate());
        if (isPrivate && !Boolean.TRUE.equals(m.getSpec().getAuthorized())) {
            return "not authorized";
        }
        return null;
    }

    static PortConfig portConfig(Member m, ZeroTierNetwork n, NetworkId id) {
        Mac mac = Mac.fromAddress(Address.parse(m.getSpec().getAddress()), id);
        int mtu = n.getSpec() != null && n.getSpec().getMtu() != null ? n.getSpec().getMtu() : NetworkConfig.MTU_DEFAULT;
        List<Route> routes = new ArrayList<>();
        List<Route> managed = new ArrayList<>();
        if (n.getSpec() != null && n.getSpec().getRoutes() != null) {
            for (dev.zerokube.operator.api.network.Route r : n.getSpec().getRoutes()) {
                InetEndpoint target = cidr(r.getTarget());
                InetEndpoint via = r.getVia() == null || r.getVia().isEmpty()
                        ? InetEndpoint.NIL : InetEndpoint.of(InetEndpoint.parseIp(r.getVia()), 0);
                Route route = new Route(target, via, 0, 0);
                managed.add(route);
                if (target.port() != 0) {
                    routes.add(route);
                }
            }
        }
        List<InetEndpoint> addresses = new ArrayList<>();
        List<String> ips = m.getStatus() == null || m.getStatus().getIpAssignments() == null
                ? List.of() : m.getStatus().getIpAssignments();
        for (String ip : ips) {
            InetEndpoint plain = InetEndpoint.of(InetEndpoint.parseIp(ip), 0);
            int bits = RouteContainment.longestContainingPrefix(managed, plain);
            addresses.add(InetEndpoint.of(plain.ip(), bits >= 0 ? bits : (plain.isIpv4() ? 32 : 128)));
        }
        return new PortConfig(mtu, mac, addresses, routes);
    }

    private static InetEndpoint cidr(String text) {
        if (text == null || text.indexOf('/') < 0) {
            throw new IllegalArgumentException("route target is not a CIDR: " + text);
        }
        InetEndpoint e = InetEndpoint.parse(text);
        if (e.port() > (e.isIpv4() ? 32 : 128)) {
            throw new IllegalArgumentException("route target prefix too long: " + text);
        }
        return e;
    }

    // The sidecar container's runAsUser, else the pod's.
    private static Optional<Integer> sidecarUid(Pod pod) {
        if (pod.getSpec() == null) {
            return Optional.empty();
        }
        List<Container> all = Stream.concat(
                pod.getSpec().getInitContainers() == null ? Stream.<Container>empty() : pod.getSpec().getInitContainers().stream(),
                pod.getSpec().getContainers() == null ? Stream.<Container>empty() : pod.getSpec().getContainers().stream()).toList();
        for (Container c : all) {
            if (WellKnownNames.SIDECAR_CONTAINER.equals(c.getName()) && c.getSecurityContext() != null
                    && c.getSecurityContext().getRunAsUser() != null) {
                return Optional.of(c.getSecurityContext().getRunAsUser().intValue());
            }
        }
        if (pod.getSpec().getSecurityContext() != null && pod.getSpec().getSecurityContext().getRunAsUser() != null) {
            return Optional.of(pod.getSpec().getSecurityContext().getRunAsUser().intValue());
        }
        return Optional.empty();
    }
}
