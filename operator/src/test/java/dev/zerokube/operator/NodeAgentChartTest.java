package dev.zerokube.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.TemplateCommand;
import dev.zerokube.operator.api.WellKnownNames;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Goal: the chart's node agent (DaemonSet, ServiceAccount, read-only RBAC) is what
 * docs/node-agent.md describes: hostPID, only NET_ADMIN, SYS_ADMIN and SYS_PTRACE (or privileged
 * when asked), hostPaths for the kubelet's device plugin directory, the hand-off directory and
 * /dev/net/tun and nothing else, the settings the agent's Main reads, RBAC that only reads Pods,
 * Members and ZeroTierNetworks. Method: helm-java renders the chart with default and changed
 * values; the node agent's documents (component node-agent) are parsed into Fabric8's model.
 */
class NodeAgentChartTest {

    private static List<HasMetadata> render(UnaryOperator<TemplateCommand> values) {
        // Only the node agent's objects; ChartTest covers the rest.
        return ChartRender.all(values).stream().filter(o -> ChartRender.isNodeAgent(o)).toList();
    }

    private static <T extends HasMetadata> T only(List<HasMetadata> objects, Class<T> type) {
        return ChartRender.only(objects, type);
    }

    @Test
    void theAgentsObjectsCarryTheStandardLabels() {
        List<HasMetadata> objects = render(t -> t);
        assertEquals(Set.of("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "DaemonSet"),
                objects.stream().map(HasMetadata::getKind).collect(Collectors.toSet()));
        for (HasMetadata o : objects) {
            Map<String, String> labels = o.getMetadata().getLabels();
            assertEquals("zerokube", labels.get("app.kubernetes.io/name"), o.getKind());
            assertEquals("zk", labels.get("app.kubernetes.io/instance"), o.getKind());
            assertEquals(WellKnownNames.PART_OF, labels.get(WellKnownNames.PART_OF_LABEL), o.getKind());
            assertEquals("Helm", labels.get(WellKnownNames.MANAGED_BY_LABEL), o.getKind());
            assertNotNull(labels.get("app.kubernetes.io/version"), o.getKind());
        }
        assertEquals(List.of(), render(t -> t.set("nodeAgent.enabled", false)));
    }

    @Test
    void theDaemonSetHasOnlyThePrivilegesItNeeds() {
        DaemonSet ds = only(render(t -> t), DaemonSet.class);
        assertEquals("zerokube-system", ds.getMetadata().getNamespace());
        PodSpec pod = ds.getSpec().getTemplate().getSpec();
        assertEquals(ds.getSpec().getSelector().getMatchLabels().get(WellKnownNames.COMPONENT_LABEL), "node-agent");
        assertEquals(true, pod.getHostPID(), "finds pods' namespaces and hand-off peers in /proc");
        assertNull(pod.getHostNetwork(), "no host network: the agent needs none");
        assertEquals("zk-zerokube-node-agent", pod.getServiceAccountName());
        assertEquals("system-node-critical", pod.getPriorityClassName());
        assertTrue(pod.getTolerations().stream().anyMatch(t -> "Exists".equals(t.getOperator()) && t.getKey() == null),
                "runs on every node");
        Container c = pod.getContainers().get(0);
        var sc = c.getSecurityContext();
        assertNull(sc.getPrivileged());
        assertEquals(false, sc.getAllowPrivilegeEscalation());
        assertEquals(true, sc.getReadOnlyRootFilesystem());
        assertEquals("RuntimeDefault", sc.getSeccompProfile().getType());
        assertEquals(List.of("ALL"), sc.getCapabilities().getDrop());
        assertEquals(List.of("NET_ADMIN", "SYS_ADMIN", "SYS_PTRACE"), sc.getCapabilities().getAdd());

        Map<String, String> hostPaths = pod.getVolumes().stream().filter(v -> v.getHostPath() != null)
                .collect(Collectors.toMap(Volume::getName, v -> v.getHostPath().getPath()));
        assertEquals(Map.of("device-plugins", "/var/lib/kubelet/device-plugins", "handoff", "/var/run/zerokube/node-agent",
                "dev-tun", "/dev/net/tun"), hostPaths);
        assertEquals("CharDevice", pod.getVolumes().stream().filter(v -> v.getName().equals("dev-tun")).findFirst()
                .orElseThrow().getHostPath().getType());
        Map<String, String> mounts = c.getVolumeMounts().stream()
                .collect(Collectors.toMap(m -> m.getName(), m -> m.getMountPath()));
        assertEquals("/var/lib/kubelet/device-plugins", mounts.get("device-plugins"));
        assertEquals("/var/run/zerokube/node-agent", mounts.get("handoff"), "same path inside and out: the device"
                + " plugin names the host path to the kubelet and the socket path to the sidecar");
        assertEquals("/tmp", mounts.get("tmp"));

        Map<String, String> env = c.getEnv().stream().filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(e -> e.getName(), e -> e.getValue()));
        assertEquals("spec.nodeName", c.getEnv().stream().filter(e -> e.getName().equals("NODE_NAME")).findFirst()
                .orElseThrow().getValueFrom().getFieldRef().getFieldPath());
        assertEquals("/var/lib/kubelet/device-plugins", env.get("ZEROKUBE_PLUGIN_DIR"));
        assertEquals("110", env.get("ZEROKUBE_TUN_DEVICES"));
        assertEquals("/var/run/zerokube/node-agent", env.get("ZEROKUBE_HANDOFF_DIR"));
        assertEquals("60000", env.get("ZEROKUBE_HANDOFF_WAIT_MS"));
        assertTrue(env.get("JAVA_TOOL_OPTIONS").contains("--enable-native-access=ALL-UNNAMED"), "TAPs are made through FFM");
        assertNotNull(c.getResources().getLimits().get("memory"));
    }

    @Test
    void privilegedIsAnOptInThatReplacesTheCapabilities() {
        Container c = only(render(t -> t.set("nodeAgent.privileged", true)), DaemonSet.class)
                .getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals(true, c.getSecurityContext().getPrivileged());
        assertNull(c.getSecurityContext().getAllowPrivilegeEscalation(), "the API refuses privileged without escalation");
        assertNull(c.getSecurityContext().getCapabilities());
    }

    @Test
    void rbacOnlyReads() {
        List<HasMetadata> objects = render(t -> t);
        List<PolicyRule> rules = only(objects, ClusterRole.class).getRules();
        Map<String, Set<String>> verbs = new java.util.TreeMap<>();
        for (PolicyRule r : rules) {
            assertFalse(r.getApiGroups().contains("*") || r.getResources().contains("*") || r.getVerbs().contains("*"), r.toString());
            for (String res : r.getResources()) {
                verbs.computeIfAbsent(res, k -> new java.util.TreeSet<>()).addAll(r.getVerbs());
            }
        }
        assertEquals(Map.of("pods", Set.of("get", "list", "watch"), "members", Set.of("get", "list", "watch"),
                "zerotiernetworks", Set.of("get", "list", "watch")), verbs);
        ClusterRoleBinding b = only(objects, ClusterRoleBinding.class);
        ServiceAccount sa = only(objects, ServiceAccount.class);
        assertEquals(sa.getMetadata().getName(), b.getSubjects().get(0).getName());
        assertEquals(sa.getMetadata().getNamespace(), b.getSubjects().get(0).getNamespace());
        assertEquals(only(objects, ClusterRole.class).getMetadata().getName(), b.getRoleRef().getName());
    }

    @Test
    void valuesReachTheDaemonSet() {
        List<HasMetadata> objects = render(t -> t.set("nodeAgent.namespace", "zerokube-node")
                .set("nodeAgent.handoffDir", "/run/zk").set("nodeAgent.tunDevices", 250)
                .set("nodeAgent.image.digest", "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
                .set("nodeAgent.podLabels.team", "net"));
        DaemonSet ds = only(objects, DaemonSet.class);
        assertEquals("zerokube-node", ds.getMetadata().getNamespace());
        assertEquals("zerokube-node", only(objects, ServiceAccount.class).getMetadata().getNamespace());
        assertEquals("zerokube-node", only(objects, ClusterRoleBinding.class).getSubjects().get(0).getNamespace());
        PodSpec pod = ds.getSpec().getTemplate().getSpec();
        Container c = pod.getContainers().get(0);
        assertTrue(c.getImage().endsWith("node-agent@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
        assertEquals("net", ds.getSpec().getTemplate().getMetadata().getLabels().get("team"));
        assertTrue(c.getEnv().stream().anyMatch(e -> e.getName().equals("ZEROKUBE_TUN_DEVICES") && e.getValue().equals("250")));
        assertTrue(c.getEnv().stream().anyMatch(e -> e.getName().equals("ZEROKUBE_HANDOFF_DIR") && e.getValue().equals("/run/zk")));
        assertTrue(pod.getVolumes().stream().anyMatch(v -> v.getHostPath() != null && v.getHostPath().getPath().equals("/run/zk")));
    }

    @Test
    void schemaRefusesBadValues() {
        for (UnaryOperator<TemplateCommand> bad : List.<UnaryOperator<TemplateCommand>>of(
                t -> t.set("nodeAgent.tunDevices", 0),
                t -> t.set("nodeAgent.handoffDir", "relative/dir"),
                t -> t.set("nodeAgent.handoffWaitMs", 10),
                t -> t.set("nodeAgent.namespace", "Not_A_Namespace"),
                t -> t.set("nodeAgent.noSuchValue", true))) {
            assertThrows(IllegalStateException.class, () -> render(bad), "refused");
        }
    }
}
