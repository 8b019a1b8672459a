package dev.zerokube.operator.controller;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marks the operator pod whose {@link ControllerNode} is bound with the label {@value #LABEL}=
 * {@value #ACTIVE}, which the chart's controller Service selects: only the leader binds the UDP
 * port, so only the leader may receive the Service's traffic (a standby would drop it). The label
 * is set after the port is bound, removed when the node closes, and removed at start in case a
 * restarted container left it behind. Outside a pod (tests, a developer's machine) the pod does not
 * exist and nothing is done.
 */
public final class ActivePodLabel {
    private static final Logger LOG = LoggerFactory.getLogger(ActivePodLabel.class);
    /** The label the controller Service selects. */
    public static final String LABEL = "zerokube.dev/controller";
    /** Its value on the pod that serves config requests. */
    public static final String ACTIVE = "active";

    private final KubernetesClient client;
    private final String namespace;
    private final String pod;

    /** @param pod this replica's pod name (POD_NAME) in {@code namespace} */
    public ActivePodLabel(KubernetesClient client, String namespace, String pod) {
        this.client = Objects.requireNonNull(client, "client");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.pod = Objects.requireNonNull(pod, "pod");
    }

    /** Sets or removes the label (a JSON merge patch of the pod's labels); returns whether the pod was patched. */
    public boolean set(boolean active) {
        String value = active ? "\"" + ACTIVE + "\"" : "null";
        try {
            client.pods().inNamespace(namespace).withName(pod).patch(PatchContext.of(PatchType.JSON_MERGE),
                    "{\"metadata\":{\"labels\":{\"" + LABEL + "\":" + value + "}}}");
            LOG.info("pod {}/{}: {} {}", namespace, pod, LABEL, active ? "set" : "removed");
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                LOG.debug("pod {}/{} not found: not running in a pod, no Service label", namespace, pod);
            } else {
                LOG.warn("cannot {} label {} on pod {}/{}: {}", active ? "set" : "remove", LABEL, namespace, pod,
                        e.getMessage());
            }
            return false;
        }
    }
}
