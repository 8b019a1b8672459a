package dev.zerokube.operator.join;

// Goal: each admission check refuses exactly its case, with its reason, and the chain's order
// decides which refusal a request with several faults gets. Method: a table of one base input
// (admitted) and single-fault mutations; then a model comparison of LabelSelectors against the
// selector rules written out longhand.

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.operator.api.WellKnownNames;
import dev.zerokube.operator.api.network.Admission;
import dev.zerokube.operator.api.network.ControllerMode;
import dev.zerokube.operator.api.network.ControllerSpec;
import dev.zerokube.operator.api.network.ZeroTierNetwork;
import dev.zerokube.operator.api.network.ZeroTierNetworkSpec;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JoinPolicyTest {

  /** A mutable copy of the admitted base case. */
  static final class Case {
    PodToken token = new PodToken("payments", "web", "web-1", "uid-1");
    Pod pod = new PodBuilder().withNewMetadata().withName("web-1").withNamespace("payments").withUid("uid-1")
        .addToLabels("tier", "frontend").addToAnnotations(WellKnownNames.NETWORKS_ANNOTATION, "other, prod-mesh")
        .endMetadata().withNewSpec().withServiceAccountName("web").endSpec()
        .withNewStatus().withPodIP("10.0.0.1").addNewPodIP("10.0.0.1").addNewPodIP("fd00::1").endStatus().build();
    ZeroTierNetwork network = network();
    Map<String, String> namespaceLabels = Map.of("team", "payments");
    String remote = "10.0.0.1";
    boolean requireIp = true;

    JoinPolicy.Input input() {
      return new JoinPolicy.Input(token, pod, network, namespaceLabels, remote, requireIp);
    }

    static ZeroTierNetwork network() {
      ZeroTierNetwork n = new ZeroTierNetwork();
      n.setMetadata(new ObjectMetaBuilder().withName("prod-mesh").build());
      ZeroTierNetworkSpec spec = new ZeroTierNetworkSpec();
      Admission a = new Admission();
      a.setNamespaceSelector(new LabelSelectorBuilder().addToMatchLabels("team", "payments").build());
      a.setPodSelector(new LabelSelectorBuilder().addNewMatchExpression().withKey("tier").withOperator("In")
          .withValues("frontend", "api").endMatchExpression().build());
      spec.setAdmission(a);
      n.setSpec(spec);
      return n;
    }
  }

  static Stream<Arguments> faults() {
    return Stream.of(
        fault("another pod's UID", c -> c.token = new PodToken("payments", "web", "web-1", "uid-0"), "TokenOfAnotherPod"),
        fault("another service account", c -> c.pod.getSpec().setServiceAccountName("admin"), "TokenOfAnotherPod"),
        fault("default service account", c -> c.pod.getSpec().setServiceAccountName(null), "TokenOfAnotherPod"),
        fault("terminating", c -> c.pod.getMetadata().setDeletionTimestamp("2026-11-30T12:00:00Z"), "PodTerminating"),
        fault("request from elsewhere", c -> c.remote = "10.0.0.9", "TokenOfAnotherPod"),
        fault("pod without IP", c -> c.pod.setStatus(null), "TokenOfAnotherPod"),
        fault("external controller", c -> {
          ControllerSpec controller = new ControllerSpec();
          controller.setMode(ControllerMode.External);
          c.network.getSpec().setController(controller);
        }, "NetworkExternal"),
        fault("no admission", c -> c.network.getSpec().setAdmission(null), "NetworkClosed"),
        fault("no namespace selector", c -> c.network.getSpec().getAdmission().setNamespaceSelector(null), "NetworkClosed"),
        fault("namespace not labelled", c -> c.namespaceLabels = Map.of("team", "search"), "NamespaceNotAdmitted"),
        fault("pod not selected", c -> c.pod.getMetadata().setLabels(Map.of("tier", "batch")), "PodNotSelected"),
        fault("pod without labels", c -> c.pod.getMetadata().setLabels(null), "PodNotSelected"),
        fault("pod did not ask", c -> c.pod.getMetadata().getAnnotations().put(WellKnownNames.NETWORKS_ANNOTATION, "other"), "PodDidNotAsk"),
        fault("pod asked a prefix", c -> c.pod.getMetadata().getAnnotations().put(WellKnownNames.NETWORKS_ANNOTATION, "prod-mesh-2"), "PodDidNotAsk"),
        fault("pod without annotations", c -> c.pod.getMetadata().setAnnotations(null), "PodDidNotAsk"));
  }

  static Arguments fault(String name, Consumer<Case> mutation, String reason) {
    return Arguments.of(name, mutation, reason);
  }

  @Test
  void theBaseCaseIsAdmitted() {
    assertEquals(Optional.empty(), JoinPolicy.check(new Case().input()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("faults")
  void eachFaultIsRefusedWithItsReason(String name, Consumer<Case> mutation, String reason) {
    Case c = new Case();
    mutation.accept(c);
    JoinPolicy.Refusal refusal = JoinPolicy.check(c.input()).orElseThrow(() -> new AssertionError(name + " admitted"));
    assertEquals(reason, refusal.reason(), refusal.message());
    assertEquals(JoinException.FORBIDDEN, refusal.status());
    assertTrue(refusal.message().length() > 20, refusal.message());
  }

  @Test
  void theSourceCheckCanBeTurnedOffAndAcceptsAnyOfThePodsIps() {
    Case c = new Case();
    c.remote = "fd00::1";
    assertEquals(Optional.empty(), JoinPolicy.check(c.input()));
    c.remote = "192.0.2.1";
    c.requireIp = false;
    assertEquals(Optional.empty(), JoinPolicy.check(c.input()));
  }

  @Test
  void identityOfThePodIsCheckedBeforeTheNetworksPolicy() {
    Case c = new Case();
    c.token = new PodToken("payments", "web", "web-1", "uid-0");
    c.network.getSpec().setAdmission(null);
    assertEquals("TokenOfAnotherPod", JoinPolicy.check(c.input()).orElseThrow().reason());
  }

  @Test
  void autoAuthorizeDefaultsToTrue() {
    ZeroTierNetwork n = Case.network();
    assertTrue(JoinPolicy.autoAuthorize(n));
    n.getSpec().getAdmission().setAutoAuthorizePods(false);
    assertFalse(JoinPolicy.autoAuthorize(n));
  }

  /** The selector rules written out longhand, for one requirement. */
  static boolean model(String op, List<String> values, Map<String, String> labels, String key) {
    boolean has = labels.containsKey(key);
    if (op.equals("In")) {
      return !values.isEmpty() && has && values.contains(labels.get(key));
    }
    if (op.equals("NotIn")) {
      return !values.isEmpty() && !(has && values.contains(labels.get(key)));
    }
    if (op.equals("Exists")) {
      return values.isEmpty() && has;
    }
    if (op.equals("DoesNotExist")) {
      return values.isEmpty() && !has;
    }
    return false;
  }

  @Test
  void labelSelectorsAgreeWithTheModelOnRandomCases() {
    String[] keys = {"a", "b", "c"};
    String[] vals = {"x", "y", "z"};
    String[] ops = {"In", "NotIn", "Exists", "DoesNotExist", "Bogus"};
    for (long seed = 1; seed <= 2000; seed++) {
      SplittableRandom r = new SplittableRandom(seed);
      Map<String, String> labels = new java.util.HashMap<>();
      for (String k : keys) {
        if (r.nextBoolean()) {
          labels.put(k, vals[r.nextInt(vals.length)]);
        }
      }
      LabelSelectorBuilder b = new LabelSelectorBuilder();
      boolean expected = true;
      Map<String, String> matchLabels = new java.util.HashMap<>();
      for (String k : keys) {
        if (r.nextInt(4) == 0) {
          String v = vals[r.nextInt(vals.length)];
          matchLabels.put(k, v);
          expected &= v.equals(labels.get(k));
        }
      }
      b.withMatchLabels(matchLabels.isEmpty() ? null : matchLabels);
      int n = r.nextInt(3);
      for (int i = 0; i < n; i++) {
        String op = ops[r.nextInt(ops.length)];
        String key = keys[r.nextInt(keys.length)];
        List<String> values = Stream.of(vals).filter(v -> r.nextBoolean()).toList();
        b.addNewMatchExpression().withKey(key).withOperator(op).withValues(values).endMatchExpression();
        expected &= model(op, values, labels, key);
      }
      LabelSelector selector = b.build();
      assertEquals(expected, LabelSelectors.matches(selector, labels), "seed " + seed + ": " + selector + " on " + labels);
    }
    assertTrue(LabelSelectors.matches(new LabelSelector(), null), "{} selects everything");
  }
}
