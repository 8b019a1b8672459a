package dev.zerokube.nodeagent.tap;

import dev.zerokube.operator.api.WellKnownNames;
import dev.zerokube.operator.api.member.Member;
import dev.zerokube.operator.api.member.MemberSpec;
import dev.zerokube.operator.api.member.MemberStatus;
import dev.zerokube.operator.api.network.Route;
import dev.zerokube.operator.api.network.ZeroTierNetwork;
import dev.zerokube.operator.api.network.ZeroTierNetworkSpec;
import dev.zerokube.operator.api.network.ZeroTierNetworkStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import java.util.Map;

/** Pods, Members and networks as the operator and the webhook make them (test data only). */
final class Fixtures {
    private Fixtures() {
    }

    static Pod pod(String namespace, String name, String uid, String node, String networks, Long sidecarUid) {
        return new PodBuilder()
                .withMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).withUid(uid)
                        .withAnnotations(Map.of(WellKnownNames.NETWORKS_ANNOTATION, networks)).build())
                .withNewSpec().withNodeName(node)
                    .addNewInitContainer().withName(WellKnownNames.SIDECAR_CONTAINER).withImage("zerokube")
                        .withRestartPolicy("Always")
                        .withNewSecurityContext().withRunAsUser(sidecarUid).endSecurityContext()
                    .endInitContainer()
                    .addNewContainer().withName("app").withImage("app").endContainer()
                .endSpec()
                .withNewStatus().withPhase("Running").endStatus()
                .build();
    }

    static ZeroTierNetwork network(String name, String networkId, Integer mtu, boolean isPrivate, String... routes) {
        ZeroTierNetwork n = new ZeroTierNetwork();
        n.setMetadata(new ObjectMetaBuilder().withName(name).build());
        ZeroTierNetworkSpec spec = new ZeroTierNetworkSpec();
        spec.setMtu(mtu);
        spec.setPrivate(isPrivate);
        spec.setRoutes(java.util.Arrays.stream(routes).map(r -> {
            Route route = new Route();
            int at = r.indexOf('@');
            route.setTarget(at < 0 ? r : r.substring(0, at));
            route.setVia(at < 0 ? null : r.substring(at + 1));
            return route;
        }).toList());
        n.setSpec(spec);
        if (networkId != null) {
            ZeroTierNetworkStatus status = new ZeroTierNetworkStatus();
            status.setNetworkId(networkId);
            n.setStatus(status);
        }
        return n;
    }

    static Member member(Pod pod, String network, String address, boolean authorized, List<String> ips) {
        Member m = new Member();
        m.setMetadata(new ObjectMetaBuilder().withNamespace(pod.getMetadata().getNamespace())
                .withName(pod.getMetadata().getName() + "-" + network)
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("v1").withKind("Pod")
                        .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid()).build())
                .build());
        MemberSpec spec = new MemberSpec();
        spec.setNetwork(network);
        spec.setAddress(address);
        spec.setAuthorized(authorized);
        m.setSpec(spec);
        MemberStatus status = new MemberStatus();
        status.setIpAssignments(ips);
        m.setStatus(status);
        return m;
    }
}
