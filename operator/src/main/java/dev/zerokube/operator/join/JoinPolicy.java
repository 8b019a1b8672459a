package dev.zerokube.operator.join;

import dev.zerokube.operator.api.WellKnownNames;
import dev.zerokube.operator.api.network.Admission;
import dev.zerokube.operator.api.network.ControllerMode;
import dev.zerokube.operator.api.network.ZeroTierNetwork;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Whether a pod, proven by its token, may join a network: an ordered chain of pure checks, each
 * passing or refusing with a status, a CamelCase reason (for events) and a message (for the
 * sidecar). The first refusal wins; the order puts "is this really that pod" before "does the
 * network want it".
 */
public final class JoinPolicy {

  /** One refusal. */
  public record Refusal(int status, String reason, String message) {
    /** As the exception the endpoint answers with. */
    public JoinException toException() {
      return new JoinException(status, message);
    }
  }

  /**
   * Everything a decision looks at.
   *
   * @param token who the token speaks for
   * @param pod the pod named by the token, as the API server has it now
   * @param network the network asked for
   * @param namespaceLabels the pod's namespace's labels
   * @param remoteAddress the IP the request came from
   * @param requireSourcePodIp whether the request must come from the pod's own IP
   */
  public record Input(PodToken token, Pod pod, ZeroTierNetwork network, Map<String, String> namespaceLabels,
      String remoteAddress, boolean requireSourcePodIp) {}

  /** A named check: empty when it passes. */
  private record Check(String name, Function<Input, Optional<Refusal>> rule) {}

  private static final List<Check> CHECKS = List.of(
      new Check("same pod", JoinPolicy::samePod),
      new Check("same service account", JoinPolicy::sameServiceAccount),
      new Check("pod alive", JoinPolicy::podAlive),
      new Check("source is the pod", JoinPolicy::sourceIsPod),
      new Check("embedded controller", JoinPolicy::embedded),
      new Check("network open", JoinPolicy::open),
      new Check("namespace admitted", JoinPolicy::namespaceAdmitted),
      new Check("pod selected", JoinPolicy::podSelected),
      new Check("pod asked", JoinPolicy::podAsked));

  private JoinPolicy() {}

  /** The first refusal, or empty when the pod may join. */
  public static Optional<Refusal> check(Input input) {
    for (Check check : CHECKS) {
      Optional<Refusal> refusal = check.rule().apply(input);
      if (refusal.isPresent()) {
        return refusal;
      }
    }
    return Optional.empty();
  }

  /** Whether admitted pods' Members are authorized at once (spec.admission.autoAuthorizePods, default true). */
  public static boolean autoAuthorize(ZeroTierNetwork network) {
    Admission admission = network.getSpec() == null ? null : network.getSpec().getAdmission();
    return admission == null || !Boolean.FALSE.equals(admission.getAutoAuthorizePods());
  }

  private static String podName(Input in) {
    return in.token().namespace() + "/" + in.token().podName();
  }

  private static Optional<Refusal> samePod(Input in) {
    String uid = in.pod().getMetadata().getUid();
    if (!in.token().podUid().equals(uid)) {
      return refuse(JoinException.FORBIDDEN, "TokenOfAnotherPod", "the token was issued to another pod: it names "
          + podName(in) + " with UID " + in.token().podUid() + ", but that pod now has UID " + uid);
    }
    return Optional.empty();
  }

  private static Optional<Refusal> sameServiceAccount(Input in) {
    String account = in.pod().getSpec() == null ? null : in.pod().getSpec().getServiceAccountName();
    if (!in.token().serviceAccount().equals(account == null ? "default" : account)) {
      return refuse(JoinException.FORBIDDEN, "TokenOfAnotherPod", "the token's service account "
          + in.token().serviceAccount() + " is not pod " + podName(in) + "'s (" + account + ")");
    }
    return Optional.empty();
  }

  private static Optional<Refusal> podAlive(Input in) {
    if (in.pod().getMetadata().getDeletionTimestamp() != null) {
      return refuse(JoinException.FORBIDDEN, "PodTerminating", "pod " + podName(in) + " is being deleted");
    }
    return Optional.empty();
  }

  private static Optional<Refusal> sourceIsPod(Input in) {
    if (!in.requireSourcePodIp()) {
      return Optional.empty();
    }
    var status = in.pod().getStatus();
    List<String> ips = status == null ? List.of() : status.getPodIPs() == null || status.getPodIPs().isEmpty()
        ? (status.getPodIP() == null ? List.of() : List.of(status.getPodIP()))
        : status.getPodIPs().stream().map(PodIP::getIp).filter(Objects::nonNull).toList();
    if (!ips.contains(in.remoteAddress())) {
      return refuse(JoinException.FORBIDDEN, "TokenOfAnotherPod", "the request comes from " + in.remoteAddress()
          + ", not from pod " + podName(in) + " (" + (ips.isEmpty() ? "no IP yet" : String.join(", ", ips))
          + "): a pod's token may only be used by that pod");
    }
    return Optional.empty();
  }

  private static Optional<Refusal> embedded(Input in) {
    var controller = in.network().getSpec() == null ? null : in.network().getSpec().getController();
    if (controller != null && controller.getMode() == ControllerMode.External) {
      return refuse(JoinException.FORBIDDEN, "NetworkExternal", "network " + name(in) + " is controlled elsewhere "
          + "(spec.controller.mode External); join through that controller's endpoint (spec.controller.joinEndpoint)");
    }
    return Optional.empty();
  }

  private static Optional<Refusal> open(Input in) {
    Admission admission = in.network().getSpec() == null ? null : in.network().getSpec().getAdmission();
    if (admission == null || admission.getNamespaceSelector() == null) {
      return refuse(JoinException.FORBIDDEN, "NetworkClosed", "network " + name(in) + " admits no pods "
          + "(spec.admission.namespaceSelector is not set)");
    }
    return Optional.empty();
  }

  private static Optional<Refusal> namespaceAdmitted(Input in) {
    Admission admission = in.network().getSpec().getAdmission();
    if (!LabelSelectors.matches(admission.getNamespaceSelector(), in.namespaceLabels())) {
      return refuse(JoinException.FORBIDDEN, "NamespaceNotAdmitted", "namespace " + in.token().namespace()
          + " is not admitted by network " + name(in) + " (spec.admission.namespaceSelector)");
    }
    return Optional.empty();
  }

  private static Optional<Refusal> podSelected(Input in) {
    Admission admission = in.network().getSpec().getAdmission();
    if (admission.getPodSelector() != null
        && !LabelSelectors.matches(admission.getPodSelector(), in.pod().getMetadata().getLabels())) {
      return refuse(JoinException.FORBIDDEN, "PodNotSelected", "pod " + podName(in) + " is not selected by network "
          + name(in) + " (spec.admission.podSelector)");
    }
    return Optional.empty();
  }

  private static Optional<Refusal> podAsked(Input in) {
    Map<String, String> annotations = in.pod().getMetadata().getAnnotations();
    String listed = annotations == null ? null : annotations.get(WellKnownNames.NETWORKS_ANNOTATION);
    boolean asked = listed != null && Arrays.stream(listed.split(",")).map(String::strip).anyMatch(name(in)::equals);
    if (!asked) {
      return refuse(JoinException.FORBIDDEN, "PodDidNotAsk", "pod " + podName(in) + " does not list network "
          + name(in) + " in its " + WellKnownNames.NETWORKS_ANNOTATION + " annotation");
    }
    return Optional.empty();
  }

  private static String name(Input in) {
    return in.network().getMetadata().getName();
  }

  private static Optional<Refusal> refuse(int status, String reason, String message) {
    return Optional.of(new Refusal(status, reason, message));
  }
}
