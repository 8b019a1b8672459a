package dev.zerokube.operator.webhook;

import static dev.zerokube.operator.api.WellKnownNames.SIDECAR_CONTAINER;
import static dev.zerokube.operator.api.WellKnownNames.TOKEN_AUDIENCE;
import static dev.zerokube.operator.api.WellKnownNames.TUN_RESOURCE;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import java.util.List;
import java.util.Map;

/**
 * The sidecar container and the volumes it needs, as the webhook injects them: a pure function of
 * {@link SidecarSettings}, the networks and the {@link SidecarMode}.
 *
 * <p>Privilege: none. The container runs as a non-root UID with every capability dropped, no
 * privilege escalation, the RuntimeDefault seccomp profile and a read-only root filesystem (Pod
 * Security "restricted"). It gets {@code /dev/net/tun} through the {@code zerokube.dev/tun}
 * extended resource (the node agent's device plugin) and its TAP from the node agent, so it never
 * needs NET_ADMIN. Its identity lives in memory; the only writable place is an in-memory /tmp.
 */
public final class SidecarTemplate {

  /** Env: the networks to join, comma-separated, as the pod's annotation lists them. */
  public static final String ENV_NETWORKS = "ZEROKUBE_NETWORKS";
  /** Env: the join endpoint's HTTPS URL. */
  public static final String ENV_JOIN_ENDPOINT = "ZEROKUBE_JOIN_ENDPOINT";
  /** Env: PEM certificates to trust for the join endpoint. */
  public static final String ENV_JOIN_CA = "ZEROKUBE_JOIN_CA";
  /** Env: the file holding the projected token (audience zerokube.dev), refreshed by the kubelet. */
  public static final String ENV_TOKEN_FILE = "ZEROKUBE_TOKEN_FILE";
  /** Env: the port of /healthz, /readyz and /metrics on the pod IP. */
  public static final String ENV_HTTP_PORT = "ZEROKUBE_HTTP_PORT";
  /** Env: the pod's name, namespace, UID and IP (downward API), for logs and the join request. */
  public static final String ENV_POD_NAME = "POD_NAME";
  public static final String ENV_POD_NAMESPACE = "POD_NAMESPACE";
  public static final String ENV_POD_UID = "POD_UID";
  public static final String ENV_POD_IP = "POD_IP";
  /** Env: the JVM's flags ({@link SidecarSettings#jvmOptions}). */
  public static final String ENV_JAVA_TOOL_OPTIONS = "JAVA_TOOL_OPTIONS";
  /**
   * Env: glibc's malloc arenas. Its default (8 per core) costs a mostly idle JVM 10-30 MiB of
   * resident memory in arenas that threads touched once; two are plenty for the sidecar.
   */
  public static final String ENV_MALLOC_ARENA_MAX = "MALLOC_ARENA_MAX";

  /** The projected token volume. */
  public static final String TOKEN_VOLUME = "zerokube-token";
  /** The in-memory /tmp (the root filesystem is read-only; the JVM wants a temp dir). */
  public static final String TMP_VOLUME = "zerokube-tmp";
  /** Where the token volume is mounted; the token is the file {@link #TOKEN_FILE} in it. */
  public static final String TOKEN_DIRECTORY = "/var/run/secrets/zerokube.dev/serviceaccount";
  public static final String TOKEN_FILE = "token";
  /** Port name of the sidecar's HTTP server (at most 15 characters). */
  public static final String HTTP_PORT_NAME = "zerokube-http";
  /** Size limit of the in-memory /tmp. */
  static final String TMP_SIZE_LIMIT = "16Mi";

  private SidecarTemplate() {}

  /** The {@code zerokube-node} container for these networks. */
  public static Container container(SidecarSettings settings, List<String> networks, SidecarMode mode) {
    Map<String, Quantity> requests = Map.of(
        "cpu", new Quantity(settings.cpuRequest()),
        "memory", new Quantity(settings.memoryRequest()),
        TUN_RESOURCE, new Quantity("1"));
    // Extended resources must be requested and limited alike; there is no CPU limit, so a busy
    // overlay is throttled by nothing but its fair share.
    Map<String, Quantity> limits = Map.of(
        "memory", new Quantity(settings.memoryLimit()),
        TUN_RESOURCE, new Quantity("1"));
    ContainerBuilder builder = new ContainerBuilder()
        .withName(SIDECAR_CONTAINER)
        .withImage(settings.image())
        .withImagePullPolicy(settings.imagePullPolicy())
        .withArgs("node", "--pod")
        .withEnv(env(settings, networks))
        .addNewPort()
            .withName(HTTP_PORT_NAME).withContainerPort(settings.httpPort()).withProtocol("TCP")
        .endPort()
        .withNewResources().withRequests(new java.util.TreeMap<>(requests))
            .withLimits(new java.util.TreeMap<>(limits)).endResources()
        .withStartupProbe(probe("/readyz", settings.httpPort(), 1, 120))
        .withLivenessProbe(probe("/healthz", settings.httpPort(), 10, 3))
        .withNewSecurityContext()
            .withRunAsNonRoot(true)
            .withRunAsUser(settings.runAsUser())
            .withRunAsGroup(settings.runAsUser())
            .withAllowPrivilegeEscalation(false)
            .withPrivileged(false)
            .withReadOnlyRootFilesystem(true)
            .withNewCapabilities().withDrop("ALL").endCapabilities()
            .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
        .endSecurityContext()
        .addNewVolumeMount().withName(TOKEN_VOLUME).withMountPath(TOKEN_DIRECTORY).withReadOnly(true)
            .endVolumeMount()
        .addNewVolumeMount().withName(TMP_VOLUME).withMountPath("/tmp").endVolumeMount();
    if (mode == SidecarMode.NATIVE) {
      builder.withRestartPolicy("Always");
    }
    return builder.build();
  }

  /** The projected token volume (audience zerokube.dev) and the in-memory /tmp. */
  public static List<Volume> volumes(SidecarSettings settings) {
    Volume token = new VolumeBuilder().withName(TOKEN_VOLUME)
        .withNewProjected().withDefaultMode(0444)
            .addNewSource().withNewServiceAccountToken()
                .withAudience(TOKEN_AUDIENCE)
                .withExpirationSeconds(settings.tokenExpirationSeconds())
                .withPath(TOKEN_FILE)
            .endServiceAccountToken().endSource()
        .endProjected().build();
    Volume tmp = new VolumeBuilder().withName(TMP_VOLUME)
        .withNewEmptyDir().withMedium("Memory").withSizeLimit(new Quantity(TMP_SIZE_LIMIT)).endEmptyDir()
        .build();
    return List.of(token, tmp);
  }

  private static List<EnvVar> env(SidecarSettings settings, List<String> networks) {
    List<EnvVar> env = new java.util.ArrayList<>(List.of(
        new EnvVarBuilder().withName(ENV_NETWORKS).withValue(String.join(",", networks)).build(),
        new EnvVarBuilder().withName(ENV_JOIN_ENDPOINT).withValue(settings.joinEndpoint().toString()).build(),
        new EnvVarBuilder().withName(ENV_JOIN_CA).withValue(settings.joinCaPem()).build(),
        new EnvVarBuilder().withName(ENV_TOKEN_FILE).withValue(TOKEN_DIRECTORY + "/" + TOKEN_FILE).build(),
        new EnvVarBuilder().withName(ENV_HTTP_PORT).withValue(Integer.toString(settings.httpPort())).build(),
        fieldRef(ENV_POD_NAME, "metadata.name"),
        fieldRef(ENV_POD_NAMESPACE, "metadata.namespace"),
        fieldRef(ENV_POD_UID, "metadata.uid"),
        fieldRef(ENV_POD_IP, "status.podIP"),
        new EnvVarBuilder().withName(ENV_MALLOC_ARENA_MAX).withValue("2").build()));
    if (!settings.jvmOptions().isBlank()) {
      env.add(new EnvVarBuilder().withName(ENV_JAVA_TOOL_OPTIONS).withValue(settings.jvmOptions()).build());
    }
    return List.copyOf(env);
  }

  private static EnvVar fieldRef(String name, String path) {
    return new EnvVarBuilder().withName(name).withNewValueFrom().withNewFieldRef()
        .withApiVersion("v1").withFieldPath(path).endFieldRef().endValueFrom().build();
  }

  private static Probe probe(String path, int port, int periodSeconds, int failureThreshold) {
    return new ProbeBuilder().withNewHttpGet().withPath(path).withNewPort(port).endHttpGet()
        .withPeriodSeconds(periodSeconds).withFailureThreshold(failureThreshold).withTimeoutSeconds(1)
        .build();
  }
}
