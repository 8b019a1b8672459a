package dev.zerokube.e2e.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.zerokube.operator.OperatorConfig;
import dev.zerokube.operator.ZerokubeOperator;
import dev.zerokube.operator.api.Condition;
import dev.zerokube.operator.api.ConditionStatus;
import dev.zerokube.operator.api.WellKnownNames;
import dev.zerokube.operator.api.member.Member;
import dev.zerokube.operator.api.member.MemberSpec;
import dev.zerokube.operator.api.network.ZeroTierNetwork;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.NetworkId;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/*
 * Goal: the operator does against a real API server (v1.20.2) what the mock server cannot show:
 * objects applied with server-side apply (as Argo CD and Flux apply them) are reconciled and their
 * status, written by status-subresource patches, converges without taking any field away from the
 * applier (a re-apply without force succeeds); a Member owned by a Pod is garbage-collected by
 * kube-controller-manager when the Pod goes, and the operator's finalizer revokes it on the way out.
 * Method: kube-apiserver + etcd + kube-controller-manager (garbage collector only) from the
 * offline-built cache, one operator replica in this JVM (no leader election: that is
 * LeaderElectionOnRealApiServerTest), every step awaited with a bound.
 */
class OperatorOnRealApiServerTest {
    static final String NAMESPACE = "zerokube-system";
    static final String PENDING = "zerokube-pending";
    private static final Duration CONVERGE = Duration.ofSeconds(60);
    private static final String APPLIER = "gitops";

    private static RealApiServer server;
    private static KubernetesClient client;
    private static KubernetesClient operatorClient;
    private static ZerokubeOperator operator;

    @BeforeAll
    static void start() {
        server = RealApiServer.startOrSkip();
        client = server.client();
        server.installCrds();
        server.startControllerManager();
        for (String ns : List.of(NAMESPACE, PENDING, "payments")) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                    .create();
        }
        operatorClient = new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                .withConfig(io.fabric8.kubernetes.client.Config.fromKubeconfig(read(server.kubeconfig()))).build();
        OperatorConfig config = OperatorConfig.parse(Map.of(), "--namespace=" + NAMESPACE,
                "--pending-namespace=" + PENDING, "--instance=replica-a", "--leader-election=false",
                "--health-port=0").withoutExitOnStopLeading();
        operator = new ZerokubeOperator(operatorClient, config, Clock.systemUTC(), new SplittableRandom(7));
        operator.start();
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.close();
        }
        if (operatorClient != null) {
            operatorClient.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void serverSideAppliedObjectsAreReconciledAndTheirStatusConverges() throws IOException {
        ZeroTierNetwork applied = exampleNetwork(client);
        client.resource(applied).fieldManager(APPLIER).serverSideApply();
        await("network Ready", () -> isTrue(network().getStatus().getConditions(), "Ready"));
        ZeroTierNetwork n = network();
        String id = n.getStatus().getNetworkId();
        assertEquals(operator.identity().address().toString(), n.getStatus().getControllerAddress());
        assertTrue(id.startsWith(n.getStatus().getControllerAddress()), id);
        assertEquals(n.getMetadata().getGeneration(), n.getStatus().getObservedGeneration());
        assertStatusNotOwnedByApplier(n.getMetadata().getManagedFields());

        // The applier changes the spec and applies again, without force: no conflict with the
        // operator's status writes, the status follows, the ID stays.
        applied.getSpec().setMtu(1400);
        client.resource(applied).fieldManager(APPLIER).serverSideApply();
        long generation = network().getMetadata().getGeneration();
        await("observedGeneration follows the re-apply", () -> network().getStatus().getObservedGeneration() == generation);
        assertEquals(id, network().getStatus().getNetworkId(), "a spec change never changes the ID");
        assertEquals(1400, operator.store().network(NetworkId.parse(id)).orElseThrow().mtu());

        Member m = member("laptop-alice", "89e92ceee5", true, null);
        client.resource(m).fieldManager(APPLIER).serverSideApply();
        await("the applied Member gets an address and Authorized", () -> {
            Member x = memberNamed("laptop-alice");
            return x.getStatus() != null && x.getStatus().getIpAssignments() != null
                    && isTrue(x.getStatus().getConditions(), "Authorized");
        });
        assertTrue(memberNamed("laptop-alice").getMetadata().getFinalizers().contains(WellKnownNames.REVOKE_FINALIZER));
        assertStatusNotOwnedByApplier(memberNamed("laptop-alice").getMetadata().getManagedFields());
        await("network counts the member", () -> network().getStatus().getMembers().getTotal() == 1
                && network().getStatus().getMembers().getAuthorized() == 1);

        m.getSpec().setAuthorized(false);
        client.resource(m).fieldManager(APPLIER).serverSideApply();
        await("the deauthorized Member is Revoked", () -> {
            Member x = memberNamed("laptop-alice");
            return x.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Authorized")
                    && c.getStatus() == ConditionStatus.False && "Revoked".equals(c.getReason()));
        });
        assertTrue(operator.controller().revokedAtMs(NetworkId.parse(id), Address.parse("89e92ceee5")).isPresent());
        // Events are accepted by a real server (events.k8s.io/v1 MicroTime), one per change.
        await("Authorized and Revoked events", () -> events("laptop-alice", "Authorized") == 1
                && events("laptop-alice", "Revoked") == 1);
    }

    private static long events(String regarding, String reason) {
        return client.resources(io.fabric8.kubernetes.api.model.events.v1.Event.class).inNamespace("payments").list()
                .getItems().stream().filter(e -> reason.equals(e.getReason()) && e.getRegarding() != null
                        && regarding.equals(e.getRegarding().getName())).count();
    }

    @Test
    void memberOfADeletedPodIsGarbageCollectedAndRevoked() throws IOException {
        if (client.resources(ZeroTierNetwork.class).withName("prod-mesh").get() == null) {
            client.resource(exampleNetwork(client)).fieldManager(APPLIER).serverSideApply();
        }
        await("network Ready", () -> isTrue(network().getStatus().getConditions(), "Ready"));
        NetworkId nwid = NetworkId.parse(network().getStatus().getNetworkId());
        Pod pod = client.resource(new PodBuilder().withNewMetadata().withName("web-1").withNamespace("payments").endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("registry.invalid/web:1").endContainer()
                .endSpec().build()).create();
        Member m = member("web-1-prod-mesh", "1122334455", true, pod);
        client.resource(m).create();
        await("the operator holds the Member with its finalizer and an address", () -> {
            Member x = memberNamed("web-1-prod-mesh");
            return x.getMetadata().getFinalizers().contains(WellKnownNames.REVOKE_FINALIZER)
                    && x.getStatus() != null && x.getStatus().getIpAssignments() != null;
        });

        client.resource(pod).delete();
        await("the Pod's Member is garbage-collected", () -> memberNamed("web-1-prod-mesh") == null);
        assertTrue(operator.controller().revokedAtMs(nwid, Address.parse("1122334455")).isPresent(),
                "the finalizer let it go only after the controller revoked it");
        assertNull(client.pods().inNamespace("payments").withName("web-1").get());
    }

    // ------------------------------------------------------------------ helpers

    private static void assertStatusNotOwnedByApplier(List<ManagedFieldsEntry> entries) {
        assertNotNull(entries);
        Optional<ManagedFieldsEntry> applier = entries.stream().filter(e -> APPLIER.equals(e.getManager())).findFirst();
        assertTrue(applier.isPresent(), "the applier's fields are recorded: " + entries);
        assertEquals("Apply", applier.get().getOperation());
        assertFalse(applier.get().getFieldsV1().getAdditionalProperties().containsKey("f:status"),
                "the applier owns no status field");
        assertTrue(entries.stream().anyMatch(e -> !APPLIER.equals(e.getManager())
                && e.getFieldsV1().getAdditionalProperties().containsKey("f:status")), "the operator wrote the status");
    }

    /** The network of examples/network.yaml (prod-mesh), parsed by {@code client}'s serialization. */
    static ZeroTierNetwork exampleNetwork(KubernetesClient client) throws IOException {
        try (InputStream in = Files.newInputStream(RealApiServer.repositoryRoot().resolve("examples/network.yaml"))) {
            return client.getKubernetesSerialization().unmarshal(in, ZeroTierNetwork.class);
        }
    }

    private static Member member(String name, String address, boolean authorized, Pod owner) {
        Member m = new Member();
        ObjectMetaBuilder meta = new ObjectMetaBuilder().withName(name).withNamespace("payments");
        if (owner != null) {
            meta.withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("v1").withKind("Pod")
                    .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid()).build());
        }
        m.setMetadata(meta.build());
        MemberSpec spec = new MemberSpec();
        spec.setNetwork("prod-mesh");
        spec.setAddress(address);
        spec.setAuthorized(authorized);
        m.setSpec(spec);
        return m;
    }

    private static ZeroTierNetwork network() {
        return client.resources(ZeroTierNetwork.class).withName("prod-mesh").get();
    }

    private static Member memberNamed(String name) {
        return client.resources(Member.class).inNamespace("payments").withName(name).get();
    }

    static boolean isTrue(List<Condition> conditions, String type) {
        return conditions != null && conditions.stream()
                .anyMatch(c -> type.equals(c.getType()) && c.getStatus() == ConditionStatus.True);
    }

    static void await(String what, BooleanSupplier condition) {
        await(what, CONVERGE, condition);
    }

    static Duration await(String what, Duration timeout, BooleanSupplier condition) {
        long start = System.nanoTime();
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return Duration.ofNanos(System.nanoTime() - start);
                }
            } catch (RuntimeException e) {
                // not there yet
            }
            if (System.nanoTime() - start > timeout.toNanos()) {
                fail("timed out after " + timeout + " waiting for " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
    }

    static String read(java.nio.file.Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
