package dev.zerokube.operator.webhook;

import static dev.zerokube.operator.api.WellKnownNames.INJECT;
import static dev.zerokube.operator.api.WellKnownNames.NETWORKS_ANNOTATION;
import static dev.zerokube.operator.api.WellKnownNames.SIDECAR_CONTAINER;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zerokube.operator.api.SchemaPatterns;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Decides what happens to one pod at admission: a pure function of the pod, the sidecar settings,
 * the mode and the networks that exist. The checks run in a fixed order and the first that decides
 * wins:
 *
 * <ol>
 *   <li>the opt-out label and annotation are well formed and agree (else deny);
 *   <li>no {@code zerokube.dev/networks} annotation, or opted out: skip;
 *   <li>the annotation lists 1 to {@value #NETWORKS_MAX} well-formed, distinct network names whose
 *       Member names fit (else deny);
 *   <li>a {@code zerokube-node} container already there: skip if it is ours (reinvocation, or the
 *       pod was re-submitted), deny if it asks for anything our sidecar does not have;
 *   <li>our volume names are free; the pod is not on the host network (else deny);
 *   <li>in classic mode, the pod does not run to completion (Jobs; else deny);
 *   <li>every listed network exists (else deny);
 *   <li>patch: the sidecar, the token volume and /tmp.
 * </ol>
 *
 * Messages name the object and say what to change, since kubectl shows them verbatim.
 */
public final class PodInjector {

  /** At most this many networks per pod: each is a Member, a TAP and a config stream. */
  public static final int NETWORKS_MAX = 16;

  /** Member names are {@code <pod>-<network>} and must fit a Kubernetes object name. */
  static final int OBJECT_NAME_LENGTH_MAX = 253;

  private static final Pattern NETWORK_NAME = Pattern.compile(SchemaPatterns.DNS_SUBDOMAIN);
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final SidecarSettings settings;
  private final SidecarMode mode;
  private final NetworkLookup networks;
  private final ObjectMapper mapper;

  /** A decision maker for one configuration; {@code mapper} turns Fabric8 objects into patch JSON. */
  public PodInjector(SidecarSettings settings, SidecarMode mode, NetworkLookup networks, ObjectMapper mapper) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.mode = Objects.requireNonNull(mode, "mode");
    this.networks = Objects.requireNonNull(networks, "networks");
    this.mapper = Objects.requireNonNull(mapper, "mapper");
  }

  /** This injector with sidecars trusting {@code pem} for the join endpoint (itself when unchanged). */
  public PodInjector withJoinCaPem(String pem) {
    return pem.equals(settings.joinCaPem()) ? this : new PodInjector(settings.withJoinCaPem(pem), mode, networks, mapper);
  }

  /** The mode this injector patches for. */
  public SidecarMode mode() {
    return mode;
  }

  /**
   * The decision for {@code pod}, being created in {@code namespace} (the pod's own
   * metadata.namespace may still be empty at admission).
   */
  public InjectionDecision decide(Pod pod, String namespace) {
    Map<String, String> annotations = orEmpty(pod.getMetadata() == null ? null : pod.getMetadata().getAnnotations());
    Map<String, String> labels = orEmpty(pod.getMetadata() == null ? null : pod.getMetadata().getLabels());
    String podName = describe(pod, namespace);
    PodSpec spec = pod.getSpec() == null ? new PodSpec() : pod.getSpec();

    String injectAnnotation = annotations.get(INJECT);
    String injectLabel = labels.get(INJECT);
    for (String value : new String[] {injectAnnotation, injectLabel}) {
      if (value != null && !value.equals("true") && !value.equals("false")) {
        return new InjectionDecision.Deny(podName + ": " + INJECT + " must be \"true\" or \"false\", not \""
            + value + "\"");
      }
    }
    if (injectAnnotation != null && injectLabel != null && !injectAnnotation.equals(injectLabel)) {
      return new InjectionDecision.Deny(podName + ": conflicting opt-out: annotation " + INJECT + "=\""
          + injectAnnotation + "\" but label " + INJECT + "=\"" + injectLabel + "\"; make them agree or "
          + "remove one");
    }
    String networksText = annotations.get(NETWORKS_ANNOTATION);
    if (networksText == null) {
      return new InjectionDecision.Skip("no " + NETWORKS_ANNOTATION + " annotation", false);
    }
    if ("false".equals(injectAnnotation) || "false".equals(injectLabel)) {
      return new InjectionDecision.Skip("opted out with " + INJECT + "=false: the pod keeps its "
          + NETWORKS_ANNOTATION + " annotation but gets no sidecar and joins no network", true);
    }

    List<String> names = new ArrayList<>();
    Optional<String> problem = parseNetworks(networksText, names);
    if (problem.isEmpty()) {
      problem = memberNamesFit(pod, names);
    }
    if (problem.isPresent()) {
      return new InjectionDecision.Deny(podName + ": annotation " + NETWORKS_ANNOTATION + " " + problem.get());
    }

    // Ephemeral containers cannot be set when a pod is created, the only operation we handle.
    Optional<Container> existing = Stream.of(orEmpty(spec.getInitContainers()), orEmpty(spec.getContainers()))
        .flatMap(List::stream)
        .filter(c -> SIDECAR_CONTAINER.equals(c.getName())).findFirst();
    if (existing.isPresent()) {
      List<String> excess = excessOver(existing.get());
      if (excess.isEmpty()) {
        return new InjectionDecision.Skip("already injected", false);
      }
      return new InjectionDecision.Deny(podName + ": the container name " + SIDECAR_CONTAINER
          + " is reserved for the sidecar zerokube injects, and this pod's own " + SIDECAR_CONTAINER
          + " has " + String.join(", ", excess) + "; remove that container and let the webhook add it");
    }
    for (Volume volume : orEmpty(spec.getVolumes())) {
      if (SidecarTemplate.TOKEN_VOLUME.equals(volume.getName()) || SidecarTemplate.TMP_VOLUME.equals(volume.getName())) {
        return new InjectionDecision.Deny(podName + ": the volume name " + volume.getName()
            + " is reserved for the zerokube sidecar; rename the pod's volume");
      }
    }
    if (Boolean.TRUE.equals(spec.getHostNetwork())) {
      return new InjectionDecision.Deny(podName + ": hostNetwork pods cannot join a zerokube network: the "
          + "sidecar would put the node's own network on the overlay; use the node agent's host "
          + "membership instead, or drop hostNetwork");
    }
    if (mode == SidecarMode.CLASSIC) {
      Optional<String> completion = runsToCompletion(pod);
      if (completion.isPresent()) {
        return new InjectionDecision.Deny(podName + ": " + completion.get() + ". This API server is older "
            + "than 1." + SidecarMode.NATIVE_MINOR_MIN + ", so the sidecar can only be an ordinary container, "
            + "which never exits and would keep the pod running forever. Run it on Kubernetes 1."
            + SidecarMode.NATIVE_MINOR_MIN + " or later (native sidecars), or opt out with " + INJECT + "=false");
      }
    }
    List<String> unknown = names.stream().filter(n -> networks.find(n).isEmpty()).toList();
    if (!unknown.isEmpty()) {
      return new InjectionDecision.Deny(podName + ": " + (unknown.size() == 1
          ? "ZeroTierNetwork " + unknown.get(0) + " does not exist"
          : "ZeroTierNetworks " + String.join(", ", unknown) + " do not exist")
          + " (annotation " + NETWORKS_ANNOTATION + "; kubectl get ztnet lists the networks)");
    }
    return new InjectionDecision.Patch(patch(spec, names), names, mode);
  }

  private ArrayNode patch(PodSpec spec, List<String> names) {
    ArrayNode ops = JSON.arrayNode();
    ObjectNode container = mapper.valueToTree(SidecarTemplate.container(settings, names, mode));
    if (mode == SidecarMode.NATIVE) {
      // First, so it starts (and its startup probe passes) before the pod's other init containers,
      // which then have the network too.
      if (orEmpty(spec.getInitContainers()).isEmpty()) {
        ops.add(op("add", "/spec/initContainers", JSON.arrayNode().add(container)));
      } else {
        ops.add(op("add", "/spec/initContainers/0", container));
      }
    } else {
      // First, because the kubelet starts ordinary containers in order.
      if (orEmpty(spec.getContainers()).isEmpty()) {
        ops.add(op("add", "/spec/containers", JSON.arrayNode().add(container)));
      } else {
        ops.add(op("add", "/spec/containers/0", container));
      }
    }
    List<Volume> volumes = SidecarTemplate.volumes(settings);
    if (orEmpty(spec.getVolumes()).isEmpty()) {
      ArrayNode all = JSON.arrayNode();
      volumes.forEach(v -> all.add(mapper.<ObjectNode>valueToTree(v)));
      ops.add(op("add", "/spec/volumes", all));
    } else {
      volumes.forEach(v -> ops.add(op("add", "/spec/volumes/-", mapper.valueToTree(v))));
    }
    return ops;
  }

  private static ObjectNode op(String kind, String path, com.fasterxml.jackson.databind.JsonNode value) {
    ObjectNode op = JSON.objectNode();
    op.put("op", kind);
    op.put("path", path);
    op.set("value", value);
    return op;
  }

  /**
   * Splits the annotation into names, or says what is wrong with it. Spaces around names are
   * allowed; empty entries, malformed names, repeats and more than {@link #NETWORKS_MAX} are not.
   */
  static Optional<String> parseNetworks(String text, List<String> out) {
    if (text.isBlank()) {
      return Optional.of("lists no network; name at least one ZeroTierNetwork or remove the annotation");
    }
    Set<String> seen = new LinkedHashSet<>();
    for (String raw : text.split(",", -1)) {
      String name = raw.strip();
      if (name.isEmpty()) {
        return Optional.of("has an empty entry in \"" + text + "\"; separate names with single commas");
      }
      if (name.length() > OBJECT_NAME_LENGTH_MAX || !NETWORK_NAME.matcher(name).matches()) {
        return Optional.of("names \"" + name + "\", which is not a valid ZeroTierNetwork name (lowercase "
            + "letters, digits, '-' and '.', starting and ending with a letter or digit, at most "
            + OBJECT_NAME_LENGTH_MAX + " characters)");
      }
      if (!seen.add(name)) {
        return Optional.of("lists " + name + " twice");
      }
    }
    if (seen.size() > NETWORKS_MAX) {
      return Optional.of("lists " + seen.size() + " networks; at most " + NETWORKS_MAX + " per pod");
    }
    out.addAll(seen);
    return Optional.empty();
  }

  private static Optional<String> memberNamesFit(Pod pod, List<String> names) {
    String podName = pod.getMetadata() == null ? null : pod.getMetadata().getName();
    if (podName == null || podName.isEmpty()) {
      return Optional.empty(); // generateName: the final name is not known yet; the join endpoint checks
    }
    for (String network : names) {
      int length = podName.length() + 1 + network.length();
      if (length > OBJECT_NAME_LENGTH_MAX) {
        return Optional.of("lists " + network + ", but the pod's Member would be named " + podName + "-"
            + network + ", " + length + " characters, over Kubernetes' " + OBJECT_NAME_LENGTH_MAX);
      }
    }
    return Optional.empty();
  }

  /** What an existing zerokube-node container has beyond the sidecar we would inject. */
  private List<String> excessOver(Container container) {
    List<String> excess = new ArrayList<>();
    if (!settings.image().equals(container.getImage())) {
      excess.add("image " + container.getImage() + " instead of " + settings.image());
    }
    SecurityContext security = container.getSecurityContext();
    if (security == null) {
      excess.add("no securityContext (it would run with the image's user and default capabilities)");
      return excess;
    }
    if (Boolean.TRUE.equals(security.getPrivileged())) {
      excess.add("privileged: true");
    }
    if (!Boolean.FALSE.equals(security.getAllowPrivilegeEscalation())) {
      excess.add("allowPrivilegeEscalation not false");
    }
    if (security.getCapabilities() != null && !orEmpty(security.getCapabilities().getAdd()).isEmpty()) {
      excess.add("capabilities.add " + security.getCapabilities().getAdd());
    }
    if (security.getCapabilities() == null || !orEmpty(security.getCapabilities().getDrop()).contains("ALL")) {
      excess.add("capabilities not dropped (drop: [ALL])");
    }
    if (!Boolean.TRUE.equals(security.getRunAsNonRoot())
        || security.getRunAsUser() != null && security.getRunAsUser() == 0) {
      excess.add("no runAsNonRoot: true (it may run as root)");
    }
    if (!Boolean.TRUE.equals(security.getReadOnlyRootFilesystem())) {
      excess.add("a writable root filesystem");
    }
    return excess;
  }

  /** Why the pod runs to completion, if it does: owned by a Job, or restartPolicy other than Always. */
  private static Optional<String> runsToCompletion(Pod pod) {
    List<OwnerReference> owners = pod.getMetadata() == null ? List.of() : orEmpty(pod.getMetadata().getOwnerReferences());
    for (OwnerReference owner : owners) {
      if ("Job".equals(owner.getKind()) && owner.getApiVersion() != null && owner.getApiVersion().startsWith("batch/")) {
        return Optional.of("it belongs to Job " + owner.getName() + " (Jobs and CronJobs run to completion)");
      }
    }
    String restartPolicy = pod.getSpec() == null ? null : pod.getSpec().getRestartPolicy();
    if (restartPolicy != null && !restartPolicy.equals("Always")) {
      return Optional.of("it has restartPolicy " + restartPolicy + ", so it runs to completion");
    }
    return Optional.empty();
  }

  private static String describe(Pod pod, String namespace) {
    String name = pod.getMetadata() == null ? null : pod.getMetadata().getName();
    if (name == null || name.isEmpty()) {
      String generate = pod.getMetadata() == null ? null : pod.getMetadata().getGenerateName();
      name = generate == null ? "(unnamed)" : generate + "*";
    }
    return "pod " + namespace + "/" + name;
  }

  private static <K, V> Map<K, V> orEmpty(Map<K, V> map) {
    return map == null ? Map.of() : map;
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}
