package dev.zerokube.operator.webhook;

// Goal: what the golden files cannot show at a glance: the patch applies to the pod it was made
// for, the patched pod passes Pod Security "restricted" for our container and is left alone on
// reinvocation (idempotent), and the small rules (modes by version, annotation parsing) hold.
// Method: apply each case's patch with zjsonpatch (the JSON Patch implementation Fabric8 ships),
// read the result back as a Fabric8 Pod, and review it again.

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zerokube.operator.api.WellKnownNames;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class PodInjectorTest {

  private static final List<String> PATCHED_CASES =
      List.of("inject-basic", "inject-init-containers-and-volumes", "inject-v1beta1");

  @ParameterizedTest
  @EnumSource(SidecarMode.class)
  void patchAppliesAndReinvocationChangesNothing(SidecarMode mode) throws IOException {
    for (String name : PATCHED_CASES) {
      Path dir = WebhookFixtures.GOLDEN.resolve(name);
      ObjectNode review = (ObjectNode) WebhookFixtures.MAPPER.readTree(WebhookFixtures.read(dir.resolve("request.json")));
      JsonNode podBefore = review.at("/request/object");
      JsonNode response = WebhookFixtures.MAPPER.readTree(WebhookFixtures.webhook(mode).review(review.toString())).get("response");
      JsonNode patch = WebhookFixtures.MAPPER.readTree(InjectionWebhook.decodePatch(response.get("patch").asText()));
      JsonNode podAfter = JsonPatch.apply(patch, podBefore);
      Pod pod = WebhookFixtures.MAPPER.treeToValue(podAfter, Pod.class);

      List<Container> list = mode == SidecarMode.NATIVE ? pod.getSpec().getInitContainers() : pod.getSpec().getContainers();
      Container sidecar = list.get(0);
      assertEquals(WellKnownNames.SIDECAR_CONTAINER, sidecar.getName(), name);
      assertEquals(mode == SidecarMode.NATIVE ? "Always" : null, sidecar.getRestartPolicy(), name);
      assertRestricted(sidecar);
      Pod podBeforeModel = WebhookFixtures.MAPPER.treeToValue(podBefore, Pod.class);
      // Nothing of the pod's own is lost or reordered behind our container.
      List<Container> own = mode == SidecarMode.NATIVE ? podBeforeModel.getSpec().getInitContainers() : podBeforeModel.getSpec().getContainers();
      assertEquals(own == null ? List.of() : own, list.subList(1, list.size()), name);
      List<String> volumes = pod.getSpec().getVolumes().stream().map(Volume::getName).toList();
      assertTrue(volumes.containsAll(List.of(SidecarTemplate.TOKEN_VOLUME, SidecarTemplate.TMP_VOLUME)), name);
      Volume token = pod.getSpec().getVolumes().stream().filter(v -> v.getName().equals(SidecarTemplate.TOKEN_VOLUME)).findFirst().orElseThrow();
      assertEquals(WellKnownNames.TOKEN_AUDIENCE, token.getProjected().getSources().get(0).getServiceAccountToken().getAudience());

      // Reinvocation (reinvocationPolicy: IfNeeded) and re-submission: no second sidecar.
      review.with("request").set("object", podAfter);
      JsonNode again = WebhookFixtures.MAPPER.readTree(WebhookFixtures.webhook(mode).review(review.toString())).get("response");
      assertTrue(again.get("allowed").asBoolean(), name);
      assertFalse(again.has("patch"), name + ": " + again);
      assertEquals("skipped: already injected", again.at("/auditAnnotations/injection").asText());
    }
  }

  private static void assertRestricted(Container c) {
    var s = c.getSecurityContext();
    assertEquals(Boolean.TRUE, s.getRunAsNonRoot());
    assertTrue(s.getRunAsUser() > 0);
    assertEquals(Boolean.FALSE, s.getAllowPrivilegeEscalation());
    assertEquals(List.of("ALL"), s.getCapabilities().getDrop());
    assertTrue(s.getCapabilities().getAdd() == null || s.getCapabilities().getAdd().isEmpty());
    assertEquals("RuntimeDefault", s.getSeccompProfile().getType());
    assertEquals(Boolean.TRUE, s.getReadOnlyRootFilesystem());
    assertEquals("1", c.getResources().getLimits().get(WellKnownNames.TUN_RESOURCE).getAmount());
    assertEquals("1", c.getResources().getRequests().get(WellKnownNames.TUN_RESOURCE).getAmount());
    assertEquals("/readyz", c.getStartupProbe().getHttpGet().getPath());
  }

  @Test
  void aCopyOfOurSidecarWithOneMorePrivilegeIsRefused() throws IOException {
    // Each privilege separately, on an otherwise exact copy of the injected container.
    String[][] edits = {
        {"privileged", "true"}, {"allowPrivilegeEscalation", "true"}, {"runAsUser", "0"},
        {"readOnlyRootFilesystem", "false"}, {"runAsNonRoot", "false"}};
    for (String[] edit : edits) {
      Container c = SidecarTemplate.container(WebhookFixtures.SETTINGS, List.of("prod-mesh"), SidecarMode.NATIVE);
      ObjectNode tree = WebhookFixtures.MAPPER.valueToTree(c);
      tree.with("securityContext").set(edit[0], WebhookFixtures.MAPPER.readTree(edit[1]));
      Pod pod = podWith(WebhookFixtures.MAPPER.treeToValue(tree, Container.class));
      var decision = new PodInjector(WebhookFixtures.SETTINGS, SidecarMode.NATIVE, WebhookFixtures.NETWORKS, WebhookFixtures.MAPPER)
          .decide(pod, "payments");
      var deny = assertInstanceOf(InjectionDecision.Deny.class, decision, edit[0]);
      assertTrue(deny.message().contains("reserved for the sidecar"), deny.message());
    }
    Container added = SidecarTemplate.container(WebhookFixtures.SETTINGS, List.of("prod-mesh"), SidecarMode.NATIVE);
    added.getSecurityContext().getCapabilities().setAdd(List.of("NET_ADMIN"));
    var deny = assertInstanceOf(InjectionDecision.Deny.class, new PodInjector(WebhookFixtures.SETTINGS,
        SidecarMode.NATIVE, WebhookFixtures.NETWORKS, WebhookFixtures.MAPPER).decide(podWith(added), "payments"));
    assertTrue(deny.message().contains("capabilities.add [NET_ADMIN]"), deny.message());
  }

  private static Pod podWith(Container sidecar) {
    Pod pod = new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("web")
        .addToAnnotations(WellKnownNames.NETWORKS_ANNOTATION, "prod-mesh").endMetadata()
        .withNewSpec().addNewContainer().withName("web").withImage("nginx").endContainer()
        .addToInitContainers(sidecar).endSpec().build();
    return pod;
  }

  @ParameterizedTest
  @CsvSource({"1,20,CLASSIC", "1,28,CLASSIC", "1,28+,CLASSIC", "1,29,NATIVE", "1,33+,NATIVE", "2,0,NATIVE"})
  void modeFollowsTheApiServerVersion(String major, String minor, SidecarMode expected) {
    assertEquals(expected, SidecarMode.forServerVersion(major, minor));
  }

  @Test
  void theSidecarJvmGetsItsFlagsUnlessTheyAreTurnedOff() {
    Container tuned = SidecarTemplate.container(WebhookFixtures.SETTINGS, List.of("a"), SidecarMode.NATIVE);
    assertEquals(SidecarSettings.DEFAULT_JVM_OPTIONS, env(tuned, SidecarTemplate.ENV_JAVA_TOOL_OPTIONS));
    assertEquals("2", env(tuned, SidecarTemplate.ENV_MALLOC_ARENA_MAX));
    // The heap and direct-memory caps together stay well inside the container's memory limit.
    long limitMiB = io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(
        tuned.getResources().getLimits().get("memory")).longValueExact() >> 20;
    long capsMiB = java.util.regex.Pattern.compile("-X(?:mx|X:MaxDirectMemorySize=)(\\d+)m")
        .matcher(SidecarSettings.DEFAULT_JVM_OPTIONS).results().mapToLong(r -> Long.parseLong(r.group(1))).sum();
    assertEquals(64, capsMiB);
    assertTrue(capsMiB <= limitMiB / 3, capsMiB + " of " + limitMiB);

    Container plain = SidecarTemplate.container(WebhookFixtures.SETTINGS.withJvmOptions(""), List.of("a"),
        SidecarMode.NATIVE);
    assertEquals(null, env(plain, SidecarTemplate.ENV_JAVA_TOOL_OPTIONS), "no flags: the image's own");
    assertThrows(IllegalArgumentException.class, () -> WebhookFixtures.SETTINGS.withJvmOptions("-Xmx1g\n-Xms1g"));
  }

  private static String env(Container c, String name) {
    return c.getEnv().stream().filter(e -> e.getName().equals(name)).map(e -> e.getValue()).findFirst().orElse(null);
  }

  @Test
  void unreadableVersionsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> SidecarMode.forServerVersion("1", "+"));
    assertThrows(NumberFormatException.class, () -> SidecarMode.forServerVersion("x", "29"));
  }

  @Test
  void networkListParsing() {
    List<String> out = new ArrayList<>();
    assertEquals(Optional.empty(), PodInjector.parseNetworks(" a , b.c,d-e ", out));
    assertEquals(List.of("a", "b.c", "d-e"), out);
    for (String bad : new String[] {"", " ", "a,", ",a", "a,,b", "A", "a_b", "-a", "a-", "a,a", "x".repeat(254)}) {
      assertTrue(PodInjector.parseNetworks(bad, new ArrayList<>()).isPresent(), "'" + bad + "'");
    }
    String seventeen = String.join(",", java.util.stream.IntStream.range(0, PodInjector.NETWORKS_MAX + 1).mapToObj(i -> "n" + i).toList());
    assertTrue(PodInjector.parseNetworks(seventeen, new ArrayList<>()).orElseThrow().contains("at most 16"));
    String sixteen = String.join(",", java.util.stream.IntStream.range(0, PodInjector.NETWORKS_MAX).mapToObj(i -> "n" + i).toList());
    assertEquals(Optional.empty(), PodInjector.parseNetworks(sixteen, new ArrayList<>()));
  }

  @Test
  void malformedReviewsAreRefusedNotAnswered() {
    InjectionWebhook webhook = WebhookFixtures.webhook(SidecarMode.NATIVE);
    for (String bad : new String[] {"", "[]", "{}", "{\"kind\":\"AdmissionReview\"}",
        "{\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"\"}}", "{\"kind\":"}) {
      assertThrows(IllegalArgumentException.class, () -> webhook.review(bad), bad);
    }
  }
}
