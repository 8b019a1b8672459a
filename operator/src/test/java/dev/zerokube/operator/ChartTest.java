package dev.zerokube.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import dev.zerokube.operator.api.WellKnownNames;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Goal: the Helm chart helm/zerokube renders, lints and makes exactly the objects issue 6 and
 * KUBERNETES.md ask for. Method: helm-java (Helm's own Go code through JNI) lints the chart and
 * renders it with default and changed values; every rendered document is parsed by Fabric8 into
 * its typed model and checked: labels, Pod Security restricted fields, RBAC rules (no wildcards,
 * Secrets only by name), the UDP Service type; values.schema.json must refuse bad values.
 */
class ChartTest {
    private static final Path CHART = MockCluster.root().resolve("helm/zerokube");

    private static List<HasMetadata> render(UnaryOperator<TemplateCommand> values) {
        // The node agent's objects are NodeAgentChartTest's.
        return ChartRender.all(values).stream().filter(o -> !ChartRender.isNodeAgent(o)).toList();
    }

    private static <T extends HasMetadata> T only(List<HasMetadata> objects, Class<T> type) {
        return ChartRender.only(objects, type);
    }

    @Test
    void lintsClean() {
        LintResult result = new Helm(CHART).lint().strict().call();
        assertFalse(result.isFailed(), String.join("\n", result.getMessages()));
    }

    @Test
    void everyObjectParsesAndCarriesTheStandardLabels() {
        List<HasMetadata> objects = render(t -> t);
        Set<String> kinds = objects.stream().map(HasMetadata::getKind).collect(Collectors.toSet());
        assertEquals(Set.of("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Deployment",
                "Service", "PodDisruptionBudget", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"), kinds);
        for (HasMetadata o : objects) {
            Map<String, String> labels = o.getMetadata().getLabels();
            assertEquals("zerokube", labels.get("app.kubernetes.io/name"), o.getKind());
            assertEquals("zk", labels.get("app.kubernetes.io/instance"), o.getKind());
            assertEquals("operator", labels.get(WellKnownNames.COMPONENT_LABEL), o.getKind());
            assertEquals(WellKnownNames.PART_OF, labels.get(WellKnownNames.PART_OF_LABEL), o.getKind());
            assertEquals("Helm", labels.get(WellKnownNames.MANAGED_BY_LABEL), o.getKind());
            assertNotNull(labels.get("app.kubernetes.io/version"), o.getKind());
        }
    }

    @Test
    void deploymentIsHighlyAvailableAndPassesPodSecurityRestricted() {
        Deployment d = only(render(t -> t), Deployment.class);
        assertEquals(2, d.getSpec().getReplicas());
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        assertEquals(true, pod.getSecurityContext().getRunAsNonRoot());
        assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
        assertTrue(pod.getSecurityContext().getRunAsUser() > 0);
        assertTrue(pod.getVolumes().stream().noneMatch(v -> v.getHostPath() != null), "no hostPath");
        Container c = pod.getContainers().get(0);
        assertEquals(false, c.getSecurityContext().getAllowPrivilegeEscalation());
        assertEquals(true, c.getSecurityContext().getReadOnlyRootFilesystem());
        assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop());
        assertTrue(c.getSecurityContext().getCapabilities().getAdd() == null
                || c.getSecurityContext().getCapabilities().getAdd().isEmpty());
        assertNotNull(c.getResources().getRequests().get("memory"));
        assertNotNull(c.getResources().getLimits().get("memory"));
        assertEquals("/healthz", c.getLivenessProbe().getHttpGet().getPath());
        assertEquals("/readyz", c.getReadinessProbe().getHttpGet().getPath());
        assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/tmp")),
                "the JVM's only writable directory");
        Map<String, String> env = c.getEnv().stream().filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(e -> e.getName(), e -> e.getValue()));
        assertEquals("true", env.get("ZEROKUBE_LEADER_ELECTION"));
        // The settings the chart passes are ones OperatorMain accepts.
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("ZEROKUBE_NAMESPACE", "zerokube-system");
        all.put("POD_NAME", "zk-operator-0");
        OperatorConfig config = OperatorConfig.parse(all);
        assertEquals("zk-zerokube-operator", config.leaseName());
        assertEquals(10, config.leaseDuration().toSeconds());
        int udpPort = c.getPorts().stream().filter(p -> "controller".equals(p.getName())).findFirst().orElseThrow()
                .getContainerPort();
        assertEquals(udpPort, dev.zerokube.operator.controller.ControllerNode.Settings.fromEnv(all).orElseThrow().port(),
                "the controller's UDP node binds the port the Service targets");
        assertEquals(d.getSpec().getSelector().getMatchLabels(),
                only(render(t -> t), io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget.class)
                        .getSpec().getSelector().getMatchLabels());
    }

    @Test
    void rbacIsLeastPrivilege() {
        List<HasMetadata> objects = render(t -> t);
        List<PolicyRule> cluster = objects.stream().filter(ClusterRole.class::isInstance)
                .flatMap(o -> ((ClusterRole) o).getRules().stream()).toList();
        List<PolicyRule> local = objects.stream().filter(Role.class::isInstance)
                .flatMap(o -> ((Role) o).getRules().stream()).toList();
        for (PolicyRule r : concat(cluster, local)) {
            assertFalse(r.getVerbs().contains("*") || r.getResources().contains("*") || r.getApiGroups().contains("*"),
                    "no wildcards: " + r);
            assertFalse(r.getVerbs().contains("deletecollection"), "no deletecollection: " + r);
            if (r.getVerbs().contains("delete")) {
                // The join endpoint replaces a pod's Member when its sidecar restarts with a new identity.
                assertEquals(List.of("members"), r.getResources(), "the operator deletes only Members: " + r);
            }
        }
        assertEquals(Set.of("get", "list", "watch"), verbs(cluster, "zerotiernetworks"));
        assertEquals(Set.of("get", "update", "patch"), verbs(cluster, "zerotiernetworks/status"));
        assertEquals(Set.of("get", "list", "watch", "create", "update", "patch", "delete"), verbs(cluster, "members"));
        assertEquals(Set.of("create"), verbs(cluster, "tokenreviews"));
        assertEquals(Set.of("get"), verbs(cluster, "pods"), "pods are read one at a time, never listed or written");
        for (PolicyRule r : cluster) {
            if (r.getResources().contains("mutatingwebhookconfigurations")) {
                assertEquals(List.of("zk-zerokube"), r.getResourceNames(), "only our webhook configurations");
            }
        }
        assertEquals(Set.of("get", "update", "patch"), verbs(cluster, "members/status"));
        assertTrue(cluster.stream().noneMatch(r -> r.getResources().contains("secrets")), "no cluster-wide Secrets");
        for (PolicyRule r : local) {
            if (r.getResources().contains("secrets") && r.getVerbs().contains("get")) {
                assertTrue(List.of(List.of("zerokube-controller-identity"), List.of("zerokube-webhook-tls"))
                        .contains(r.getResourceNames()), "only its own Secrets: " + r);
            }
        }
        assertEquals(Set.of("get", "update", "patch", "create"), verbs(local, "leases"));
        assertTrue(verbs(local, "pods").containsAll(Set.of("get", "patch")), "the leader labels its own pod");
        assertTrue(cluster.stream().noneMatch(r -> r.getResources().contains("pods") && r.getVerbs().contains("patch")),
                "pods are patched only in the operator's namespace");
    }

    private static List<PolicyRule> concat(List<PolicyRule> a, List<PolicyRule> b) {
        List<PolicyRule> l = new ArrayList<>(a);
        l.addAll(b);
        return l;
    }

    private static Set<String> verbs(List<PolicyRule> rules, String resource) {
        return rules.stream().filter(r -> r.getResources().contains(resource)).flatMap(r -> r.getVerbs().stream())
                .collect(Collectors.toSet());
    }

    @Test
    void controllerServiceIsUdpWithTheChosenType() {
        Service lb = controllerService(render(t -> t));
        assertEquals("LoadBalancer", lb.getSpec().getType());
        assertEquals("UDP", lb.getSpec().getPorts().get(0).getProtocol());
        assertEquals(9993, lb.getSpec().getPorts().get(0).getPort());
        Service np = controllerService(render(t -> t.set("controllerService.type", "NodePort")
                .set("controllerService.nodePort", 31993)));
        assertEquals("NodePort", np.getSpec().getType());
        assertEquals(31993, np.getSpec().getPorts().get(0).getNodePort());
        Map<String, String> selector = new java.util.HashMap<>(
                only(render(t -> t), Deployment.class).getSpec().getSelector().getMatchLabels());
        selector.put(dev.zerokube.operator.controller.ActivePodLabel.LABEL, dev.zerokube.operator.controller.ActivePodLabel.ACTIVE);
        assertEquals(selector, np.getSpec().getSelector(), "only the pod whose controller port is bound");
    }

    private static Service controllerService(List<HasMetadata> objects) {
        return objects.stream().filter(Service.class::isInstance).map(Service.class::cast)
                .filter(s -> s.getMetadata().getName().endsWith("-controller")).findFirst().orElseThrow();
    }

    @Test
    void valuesOverridesReachThePod() {
        Deployment d = only(render(t -> t.set("replicaCount", 3).set("priorityClassName", "system-cluster-critical")
                .set("podLabels.team", "net").set("image.digest",
                        "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")), Deployment.class);
        assertEquals(3, d.getSpec().getReplicas());
        assertEquals("system-cluster-critical", d.getSpec().getTemplate().getSpec().getPriorityClassName());
        assertEquals("net", d.getSpec().getTemplate().getMetadata().getLabels().get("team"));
        assertTrue(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage().endsWith(
                "@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
    }

    @Test
    void aPrivatePlanetReachesTheControllerNode(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        // Earth's bytes stand in for a private planet: any planet file goes through the same way.
        byte[] planet = dev.zerokube.overlay.runtime.NodeHome.earth().toBytes();
        List<HasMetadata> objects = render(t -> t.set("planetBase64", java.util.Base64.getEncoder().encodeToString(planet)));
        io.fabric8.kubernetes.api.model.ConfigMap map = only(objects, io.fabric8.kubernetes.api.model.ConfigMap.class);
        byte[] mounted = java.util.Base64.getDecoder().decode(map.getBinaryData().get("planet"));
        assertTrue(java.util.Arrays.equals(planet, mounted), "the ConfigMap holds the planet's bytes");

        PodSpec pod = only(objects, Deployment.class).getSpec().getTemplate().getSpec();
        Container operator = pod.getContainers().get(0);
        String file = operator.getEnv().stream().filter(e -> e.getName().equals("ZEROKUBE_PLANET")).findFirst()
                .orElseThrow().getValue();
        var mount = operator.getVolumeMounts().stream().filter(m -> file.startsWith(m.getMountPath() + "/")).findFirst()
                .orElseThrow(() -> new AssertionError("no mount holds " + file));
        assertTrue(mount.getReadOnly());
        var volume = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow();
        assertEquals(map.getMetadata().getName(), volume.getConfigMap().getName());

        // The operator reads the mounted file as its controller node's planet.
        Path written = tmp.resolve(file.substring(mount.getMountPath().length() + 1));
        Files.write(written, mounted);
        var settings = dev.zerokube.operator.controller.ControllerNode.Settings.fromEnv(
                Map.of("ZEROKUBE_PLANET", written.toString())).orElseThrow();
        assertEquals(dev.zerokube.overlay.runtime.NodeHome.earth(), settings.planet());

        // Without the value: no ConfigMap, no variable (the node uses ZeroTier's public planet).
        List<HasMetadata> plain = render(t -> t);
        assertTrue(plain.stream().noneMatch(io.fabric8.kubernetes.api.model.ConfigMap.class::isInstance));
        assertTrue(only(plain, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()
                .stream().noneMatch(e -> e.getName().equals("ZEROKUBE_PLANET")));
    }

    @Test
    void schemaRefusesBadValues() {
        for (UnaryOperator<TemplateCommand> bad : List.<UnaryOperator<TemplateCommand>>of(
                t -> t.set("controllerService.type", "ClusterIP"),
                t -> t.set("replicaCount", 0),
                t -> t.set("controllerService.nodePort", 80),
                t -> t.set("leaderElection.leaseDurationSeconds", 1),
                t -> t.set("image.digest", "latest"),
                t -> t.set("pods.failurePolicy", "Sometimes"),
                t -> t.set("pods.sidecar.mode", "sidecar"),
                t -> t.set("pods.timeoutSeconds", 60),
                t -> t.set("planetBase64", "not base64!"),
                t -> t.set("noSuchValue", true))) {
            assertThrows(IllegalStateException.class, () -> render(bad), "refused");
        }
    }

    @Test
    void chartCrdsAreTheGeneratedOnes() throws IOException {
        for (Path crd : MockCluster.crdFiles()) {
            Path copy = CHART.resolve("crds").resolve(crd.getFileName());
            assertEquals(Files.readString(crd), Files.readString(copy),
                    "helm/zerokube/crds/ must equal crds/: cp crds/*.yml helm/zerokube/crds/");
        }
        try (var s = Files.list(CHART.resolve("crds"))) {
            assertEquals(MockCluster.crdFiles().size(), s.count(), "no stale CRD in the chart");
        }
    }

    @Test
    void webhooksAndTheJoinServiceMatchWhatTheOperatorServes() {
        List<HasMetadata> objects = render(t -> t);
        Deployment d = only(objects, Deployment.class);
        Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        Map<String, String> env = c.getEnv().stream().filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(e -> e.getName(), e -> e.getValue()));
        dev.zerokube.operator.webhook.PodWiring.Settings pods =
                dev.zerokube.operator.webhook.PodWiring.Settings.fromEnv(env, "zerokube-system");
        assertTrue(pods.enabled());
        assertEquals(8443, pods.httpsPort());
        assertEquals("ghcr.io/zerokube/zerokube:" + env.get("ZEROKUBE_SIDECAR_IMAGE").split(":")[1], pods.sidecarImage());
        assertEquals(null, pods.mode(), "auto: from the API server's version");
        assertEquals(dev.zerokube.operator.webhook.SidecarSettings.DEFAULT_JVM_OPTIONS, pods.sidecarJvmOptions(),
                "an empty value means the measured defaults");
        assertTrue(c.getPorts().stream().anyMatch(p -> p.getName().equals("https") && p.getContainerPort() == 8443));

        Service join = objects.stream().filter(Service.class::isInstance).map(Service.class::cast)
                .filter(s -> s.getMetadata().getName().equals(pods.joinService())).findFirst().orElseThrow();
        assertEquals("zk-zerokube-join", join.getMetadata().getName());
        assertEquals(WellKnownNames.JOIN_PORT, join.getSpec().getPorts().get(0).getPort());
        assertEquals("https", join.getSpec().getPorts().get(0).getTargetPort().getStrVal());
        assertEquals(d.getSpec().getSelector().getMatchLabels(), join.getSpec().getSelector());

        var mutating = only(objects, io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration.class);
        assertEquals(pods.mutatingWebhook(), mutating.getMetadata().getName());
        var m = mutating.getWebhooks().get(0);
        assertEquals("Fail", m.getFailurePolicy());
        assertEquals("None", m.getSideEffects());
        assertEquals("IfNeeded", m.getReinvocationPolicy());
        assertTrue(m.getTimeoutSeconds() <= 10);
        assertEquals(Map.of(WellKnownNames.INJECTION_LABEL, WellKnownNames.INJECTION_ENABLED),
                m.getNamespaceSelector().getMatchLabels());
        assertTrue(m.getNamespaceSelector().getMatchExpressions().get(0).getValues().containsAll(
                List.of("zerokube-system", "kube-system")), "never our namespace or kube-system");
        assertTrue(m.getObjectSelector().getMatchExpressions().stream().anyMatch(e -> e.getKey().equals(
                WellKnownNames.COMPONENT_LABEL) && e.getValues().contains("operator") && e.getValues().contains("node-agent")),
                "our own pods are skipped");
        assertTrue(m.getObjectSelector().getMatchExpressions().stream().anyMatch(e -> e.getKey().equals(WellKnownNames.INJECT)
                && e.getOperator().equals("NotIn") && e.getValues().equals(List.of("false"))), "the opt-out label");
        assertEquals(List.of("pods"), m.getRules().get(0).getResources());
        assertEquals(List.of("CREATE"), m.getRules().get(0).getOperations());
        assertEquals(dev.zerokube.operator.webhook.OperatorHttpsServer.MUTATE_PODS_PATH, m.getClientConfig().getService().getPath());
        assertEquals(join.getMetadata().getName(), m.getClientConfig().getService().getName());
        assertEquals(WellKnownNames.JOIN_PORT, m.getClientConfig().getService().getPort());
        assertNull(m.getClientConfig().getCaBundle(), "the operator writes caBundle");

        var validating = only(objects, io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration.class);
        assertEquals(pods.validatingWebhook(), validating.getMetadata().getName());
        var v = validating.getWebhooks().get(0);
        assertEquals(dev.zerokube.operator.webhook.ValidationWebhook.PATH, v.getClientConfig().getService().getPath());
        assertEquals(join.getMetadata().getName(), v.getClientConfig().getService().getName());
        assertEquals(Set.of("zerotiernetworks", "members"), Set.copyOf(v.getRules().get(0).getResources()));
        assertEquals(Set.of("CREATE", "UPDATE"), Set.copyOf(v.getRules().get(0).getOperations()));
        assertEquals("None", v.getSideEffects());

        List<HasMetadata> ignore = render(t -> t.set("pods.failurePolicy", "Ignore").set("pods.sidecar.mode", "classic")
                .set("pods.sidecar.jvmOptions", "none")
                .set("pods.sidecar.image.digest", "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
        assertEquals("Ignore", only(ignore, io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration.class)
                .getWebhooks().get(0).getFailurePolicy());
        Map<String, String> env2 = only(ignore, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0)
                .getEnv().stream().filter(e -> e.getValue() != null).collect(Collectors.toMap(e -> e.getName(), e -> e.getValue()));
        assertEquals("classic", env2.get("ZEROKUBE_SIDECAR_MODE"));
        assertEquals("", dev.zerokube.operator.webhook.PodWiring.Settings.fromEnv(env2, "zerokube-system").sidecarJvmOptions(),
                "none: the image's own flags");
        assertTrue(env2.get("ZEROKUBE_SIDECAR_IMAGE").endsWith("@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));

        List<HasMetadata> off = render(t -> t.set("pods.enabled", false));
        Set<String> kinds = off.stream().map(HasMetadata::getKind).collect(Collectors.toSet());
        assertFalse(kinds.contains("MutatingWebhookConfiguration") || kinds.contains("ValidatingWebhookConfiguration"));
        assertEquals(1, off.stream().filter(Service.class::isInstance).count(), "only the controller's Service");
        assertFalse(only(off, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .anyMatch(e -> e.getName().equals("ZEROKUBE_PODS_ENABLED")));
    }
}
