package dev.zerokube.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.operator.api.member.Member;
import dev.zerokube.operator.api.network.ZeroTierNetwork;
import dev.zerokube.operator.controller.NetworkSpecReader;
import dev.zerokube.overlay.wire.NetworkId;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Goal: the GitOps layout in examples/gitops works as its README says. Method: every resource the
 * kustomization lists is read into the zerokube model; each network's spec is accepted by
 * {@link NetworkSpecReader} (what the operator serves); each Member names a network of the same
 * directory; the Argo CD Application and the Flux Kustomization point at that directory.
 */
class GitOpsExamplesTest {
    private static final Path GITOPS = MockCluster.root().resolve("examples/gitops");
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private static List<HasMetadata> read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            Object parsed = SERIALIZATION.unmarshal(in);
            List<HasMetadata> out = new ArrayList<>();
            if (parsed instanceof List<?> l) {
                l.forEach(o -> out.add((HasMetadata) o));
            } else {
                out.add((HasMetadata) parsed);
            }
            return out;
        }
    }

    @SuppressWarnings("unchecked")
    @Test
    void networksDirectoryIsAcceptedByTheOperator() throws IOException {
        Map<String, Object> kustomization;
        try (InputStream in = Files.newInputStream(GITOPS.resolve("networks/kustomization.yaml"))) {
            kustomization = SERIALIZATION.unmarshal(in, Map.class);
        }
        List<String> resources = (List<String>) kustomization.get("resources");
        assertFalse(resources.isEmpty());
        List<ZeroTierNetwork> networks = new ArrayList<>();
        List<Member> members = new ArrayList<>();
        for (String r : resources) {
            for (HasMetadata o : read(GITOPS.resolve("networks").resolve(r))) {
                switch (o) {
                    case ZeroTierNetwork n -> networks.add(n);
                    case Member m -> members.add(m);
                    default -> throw new AssertionError("unexpected " + o.getKind() + " in " + r);
                }
            }
        }
        assertFalse(networks.isEmpty());
        assertFalse(members.isEmpty());
        for (ZeroTierNetwork n : networks) {
            assertInstanceOf(NetworkSpecReader.Reading.Valid.class,
                    NetworkSpecReader.read(n, NetworkId.parse("0f3a5c7e91000001")), n.getMetadata().getName());
        }
        Set<String> names = networks.stream().map(n -> n.getMetadata().getName()).collect(Collectors.toSet());
        for (Member m : members) {
            assertTrue(names.contains(m.getSpec().getNetwork()), m.getMetadata().getName() + " names a network here");
            assertTrue(m.getSpec().getAddress().matches("[0-9a-f]{10}") && !m.getSpec().getAddress().startsWith("ff"));
        }
    }

    @Test
    void argoCdAndFluxPointAtTheNetworksDirectory() throws IOException {
        GenericKubernetesResource app = (GenericKubernetesResource) read(GITOPS.resolve("argocd-application.yaml")).get(0);
        assertEquals("Application", app.getKind());
        assertEquals("examples/gitops/networks", ((Map<?, ?>) ((Map<?, ?>) app.getAdditionalProperties().get("spec"))
                .get("source")).get("path"));
        List<HasMetadata> flux = read(GITOPS.resolve("flux-kustomization.yaml"));
        GenericKubernetesResource kustomization = flux.stream().filter(o -> o.getKind().equals("Kustomization"))
                .map(GenericKubernetesResource.class::cast).findFirst().orElseThrow();
        assertEquals("./examples/gitops/networks",
                ((Map<?, ?>) kustomization.getAdditionalProperties().get("spec")).get("path"));
        assertTrue(flux.stream().anyMatch(o -> o.getKind().equals("GitRepository")));
        assertTrue(Files.isDirectory(GITOPS.resolve("networks")));
    }
}
