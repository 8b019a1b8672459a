package dev.zerokube.e2e.k3s;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.operator.ChartRender;
import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.World;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/*
 * Goal: what K3sClusterTest installs is right without a Docker engine: the values it passes render
 * through helm/zerokube (and its values.schema.json) into an operator Deployment that runs the
 * locally built image without pulling it, reads the test planet (controller as its only root) from
 * the mounted ConfigMap, creates pending Members where the test looks for them and keeps its
 * identity in the Secret the test creates first; a UDP NodePort Service on the port the k3s
 * container publishes; no node agent; and docker/operator/Dockerfile runs as the user the chart
 * asks for. Method: helm-java renders the chart with K3sChartValues (ChartRender, the operator's
 * chart tests' renderer); Fabric8 parses every object.
 */
class K3sChartValuesTest {
    @Test
    void theClusterTestsValuesRenderTheObjectsItReliesOn() throws Exception {
        Identity controller = Identity.generate(new SplittableRandom(7));
        World planet = K3sChartValues.planetWithControllerAsRoot(controller,
                InetEndpoint.of(InetEndpoint.parseIp("127.0.0.1"), 40123));
        K3sChartValues values = new K3sChartValues("zerokube/operator", "k3s-e2e", 30993, "zerokube-devices", planet);
        List<HasMetadata> objects = render(values);

        Deployment d = only(objects, Deployment.class);
        assertEquals(1, d.getSpec().getReplicas());
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        Container operator = pod.getContainers().getFirst();
        assertEquals("zerokube/operator:k3s-e2e", operator.getImage());
        assertEquals("Never", operator.getImagePullPolicy(), "the image is loaded into k3s, never pulled");
        assertEquals("zerokube-devices", env(operator, "ZEROKUBE_PENDING_NAMESPACE"));
        assertEquals(K3sChartValues.IDENTITY_SECRET, env(operator, "ZEROKUBE_IDENTITY_SECRET"));
        ContainerPort udp = operator.getPorts().stream().filter(p -> p.getName().equals("controller")).findFirst().orElseThrow();
        assertEquals("UDP", udp.getProtocol());
        assertEquals(9993, udp.getContainerPort());

        // The planet reaches the controller's node: ConfigMap -> read-only mount -> ZEROKUBE_PLANET.
        ConfigMap map = only(objects, ConfigMap.class);
        byte[] mounted = Base64.getDecoder().decode(map.getBinaryData().get("planet"));
        assertArrayEquals(planet.toBytes(), mounted);
        World decoded = World.decode(new ByteReader(mounted, "planet"));
        assertEquals(1, decoded.roots().size());
        assertEquals(controller.address(), decoded.roots().getFirst().identity().address());
        String file = env(operator, "ZEROKUBE_PLANET");
        var mount = operator.getVolumeMounts().stream().filter(m -> file.startsWith(m.getMountPath() + "/"))
                .findFirst().orElseThrow(() -> new AssertionError("no mount holds " + file));
        assertTrue(mount.getReadOnly());
        assertEquals(map.getMetadata().getName(), pod.getVolumes().stream()
                .filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow().getConfigMap().getName());

        // The controller Service: UDP on the fixed NodePort, to the container's controller port.
        Service controllerService = objects.stream().filter(Service.class::isInstance).map(Service.class::cast)
                .filter(s -> s.getSpec().getPorts().stream().anyMatch(p -> "UDP".equals(p.getProtocol())))
                .collect(Collectors.collectingAndThen(Collectors.toList(), l -> {
                    assertEquals(1, l.size(), "one UDP Service");
                    return l.getFirst();
                }));
        assertEquals("NodePort", controllerService.getSpec().getType());
        ServicePort port = controllerService.getSpec().getPorts().getFirst();
        assertEquals(30993, port.getNodePort());
        assertEquals("controller", port.getTargetPort().getStrVal());
        assertEquals("active", controllerService.getSpec().getSelector().get("zerokube.dev/controller"),
                "the Service reaches only the pod whose controller port is bound");

        // The operator may read the Secret the test creates before installing.
        assertTrue(objects.stream().filter(Role.class::isInstance).map(Role.class::cast)
                .flatMap(r -> r.getRules().stream())
                .anyMatch(r -> r.getResources().contains("secrets") && r.getVerbs().contains("get")
                        && r.getResourceNames().contains(K3sChartValues.IDENTITY_SECRET)));

        // No node agent: its image is not built by the test.
        assertFalse(objects.stream().anyMatch(o -> o.getKind().equals("DaemonSet")));
    }

    @Test
    void theDockerfileRunsAsTheUserTheChartAsksFor() throws IOException {
        Deployment d = only(render(new K3sChartValues("zerokube/operator", "k3s-e2e", 30993, "zerokube-devices",
                K3sChartValues.planetWithControllerAsRoot(Identity.generate(new SplittableRandom(8)),
                        InetEndpoint.of(InetEndpoint.parseIp("127.0.0.1"), 40123)))), Deployment.class);
        var security = d.getSpec().getTemplate().getSpec().getSecurityContext();
        List<String> dockerfile = Files.readAllLines(OperatorImage.dockerfile());
        assertTrue(dockerfile.contains("USER " + security.getRunAsUser() + ":" + security.getRunAsGroup()), dockerfile.toString());
        // Every file the Dockerfile copies is one the test sends as the build context.
        List<String> copied = dockerfile.stream().filter(l -> l.startsWith("COPY ")).map(l -> l.split("\\s+")[1]).toList();
        assertEquals(List.of(OperatorImage.CONTEXT_LIB, OperatorImage.CONTEXT_JAR), copied);
    }

    @Test
    void nodePortOutsideTheServiceRangeIsRefused() {
        World planet = K3sChartValues.planetWithControllerAsRoot(Identity.generate(new SplittableRandom(9)),
                InetEndpoint.of(InetEndpoint.parseIp("127.0.0.1"), 1));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new K3sChartValues("r", "t", 9993, "p", planet));
    }

    /** The chart as helm-java renders it with the k3s test's values (release "zk", like the operator's chart tests). */
    private static List<HasMetadata> render(K3sChartValues values) {
        return ChartRender.all(values::applyTo);
    }

    private static <T extends HasMetadata> T only(List<HasMetadata> objects, Class<T> type) {
        return ChartRender.only(objects, type);
    }

    private static String env(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name));
    }
}
