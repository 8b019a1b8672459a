package dev.zerokube.e2e.k3s;

import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.TemplateCommand;
import dev.zerokube.overlay.crypto.C25519;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.root.RootWorlds;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.World;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The values {@link K3sClusterTest} installs helm/zerokube with, in one place so that
 * {@link K3sChartValuesTest} renders exactly what the cluster gets: the locally built operator image
 * (never pulled), one replica, the controller's UDP Service as a fixed NodePort, a pending
 * namespace of its own, a private planet, and no node agent (its image is not built here and no
 * pod joins in this test).
 *
 * @param imageRepository the operator image's repository, as loaded into k3s's containerd
 * @param imageTag its tag
 * @param nodePort the controller Service's NodePort (UDP), published by the k3s container
 * @param pendingNamespace where devices without a Member show up as pending Members
 * @param planet the planet file the controller's UDP node holds (chart value planetBase64)
 */
record K3sChartValues(String imageRepository, String imageTag, int nodePort, String pendingNamespace, World planet) {
    /** The release the test installs, and its namespace (the controller identity Secret lives there). */
    static final String RELEASE = "zerokube";
    static final String NAMESPACE = "zerokube-system";
    /** The chart's default Secret name for the controller identity (values: identitySecret). */
    static final String IDENTITY_SECRET = "zerokube-controller-identity";

    K3sChartValues {
        Objects.requireNonNull(imageRepository, "imageRepository");
        Objects.requireNonNull(imageTag, "imageTag");
        Objects.requireNonNull(pendingNamespace, "pendingNamespace");
        Objects.requireNonNull(planet, "planet");
        if (nodePort < 30000 || nodePort > 32767) {
            throw new IllegalArgumentException("NodePort outside 30000-32767: " + nodePort);
        }
    }

    /**
     * A planet whose only root is the controller itself, at {@code reachableAt} (where devices
     * outside the cluster reach the controller Service): holding it makes the controller's node a
     * root, so devices need no other peer, and nothing ever contacts ZeroTier's public roots.
     */
    static World planetWithControllerAsRoot(Identity controller, InetEndpoint reachableAt) {
        return RootWorlds.first(World.Type.PLANET, 0x6b3500e2eL, 1_000L,
                List.of(RootWorlds.root(controller, List.of(reachableAt))), C25519.generate(new SplittableRandom(0x6b3)));
    }

    /** The values as {@code --set} pairs, in a stable order. */
    Map<String, Object> asSetValues() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("replicaCount", 1);
        v.put("image.repository", imageRepository);
        v.put("image.tag", imageTag);
        v.put("image.pullPolicy", "Never");
        v.put("controllerService.type", "NodePort");
        v.put("controllerService.nodePort", nodePort);
        v.put("pendingNamespace", pendingNamespace);
        v.put("planetBase64", Base64.getEncoder().encodeToString(planet.toBytes()));
        v.put("nodeAgent.enabled", false);
        return v;
    }

    TemplateCommand applyTo(TemplateCommand t) {
        TemplateCommand out = t;
        for (var e : asSetValues().entrySet()) {
            out = out.set(e.getKey(), e.getValue());
        }
        return out;
    }

    InstallCommand applyTo(InstallCommand t) {
        InstallCommand out = t;
        for (var e : asSetValues().entrySet()) {
            out = out.set(e.getKey(), e.getValue());
        }
        return out;
    }
}
