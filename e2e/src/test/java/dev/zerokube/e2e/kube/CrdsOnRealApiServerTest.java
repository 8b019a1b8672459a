package dev.zerokube.e2e.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.e2e.netns.Command;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/*
 * Goal: the committed CRDs (crds/) install on a real API server (v1.20.2, the oldest we support)
 * and do there what the mock server cannot: the OpenAPI schema rejects bad specs with 422 and a
 * message naming the field, the examples are accepted, and `kubectl get` shows our printer
 * columns. (1.20 drops CEL rules silently; those are checked by CelRulesTest and the webhook.)
 * Method: start kube-apiserver + etcd from the offline-built cache, apply crds/*.yml, create
 * resources through Fabric8 and read them back with the server's own kubectl.
 */
class CrdsOnRealApiServerTest {
    private static RealApiServer server;
    private static KubernetesClient client;

    @BeforeAll
    static void installCrds() {
        server = RealApiServer.startOrSkip();
        client = server.client();
        server.installCrds();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void examplesAreAccepted() throws IOException {
        client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata().withName("payments").endMetadata().build()).createOr(n -> n.update());
        for (String file : List.of("network.yaml", "members.yaml")) {
            try (InputStream in = Files.newInputStream(repositoryFile("examples", file))) {
                for (HasMetadata item : client.load(in).items()) {
                    if (item.getMetadata().getNamespace() == null && item.getKind().equals("Member")) {
                        item.getMetadata().setNamespace("payments");
                    }
                    client.resource(item).create();
                }
            }
        }
        assertEquals(1, client.genericKubernetesResources("zerokube.dev/v1alpha1", "ZeroTierNetwork").list().getItems().size());
    }

    @Test
    void badSpecsAreRejectedWith422NamingTheField() {
        GenericKubernetesResource bad = network("bad-mtu", Map.of("mtu", 70000));
        KubernetesClientException e = assertThrows(KubernetesClientException.class, () -> client.resource(bad).create());
        assertEquals(422, e.getCode());
        assertTrue(e.getMessage().contains("spec.mtu"), e.getMessage());

        GenericKubernetesResource badRoute = network("bad-route", Map.of("routes", List.of(Map.of("target", "10.0.0.0/33"))));
        KubernetesClientException e2 = assertThrows(KubernetesClientException.class, () -> client.resource(badRoute).create());
        assertEquals(422, e2.getCode());
        assertTrue(e2.getMessage().contains("spec.routes"), e2.getMessage());
    }

    @Test
    void kubectlShowsThePrinterColumns() {
        client.resource(network("columns", Map.of("private", true))).createOr(r -> r.update());
        // The API server publishes a new CRD's short name in discovery a moment after it is
        // Established; kubectl caches discovery, so give it its own cache and a few tries.
        Command.Result r = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            r = Command.attempt(20_000, server.kubectl().toString(), "--kubeconfig", server.kubeconfig().toString(),
                    "--cache-dir", server.kubeconfig().resolveSibling("kubectl-cache-" + attempt).toString(),
                    "get", "ztnet", "columns");
            if (r.ok()) {
                break;
            }
            sleep(500);
        }
        assertTrue(r.ok(), r.stderr());
        String table = r.stdout();
        String header = table.lines().findFirst().orElse("");
        for (String column : List.of("NAME", "READY", "NETWORK ID", "AGE")) {
            assertTrue(header.contains(column), "column " + column + " in: " + header);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static GenericKubernetesResource network(String name, Map<String, Object> spec) {
        GenericKubernetesResource r = new GenericKubernetesResource();
        r.setApiVersion("zerokube.dev/v1alpha1");
        r.setKind("ZeroTierNetwork");
        r.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).build());
        r.setAdditionalProperty("spec", spec);
        return r;
    }

    /** A file of the repository. */
    static Path repositoryFile(String... parts) {
        return RealApiServer.repositoryRoot().resolve(Path.of("", parts));
    }
}
