package dev.zerokube.operator.webhook;

// Goal: the webhook's whole contract, AdmissionReview in and out, for every kind of pod it can meet
// (inject, skip, deny), in both sidecar forms. Method: one directory per case under
// src/test/resources/webhook with request.json and the expected response.native.json and
// response.classic.json; the response's base64 patch is decoded in place so the golden files show
// the patch itself. -Dzerokube.golden.update=true rewrites the golden files (review the diff).

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class InjectionWebhookGoldenTest {

  private static final boolean UPDATE = Boolean.getBoolean("zerokube.golden.update");

  static List<Path> cases() throws IOException {
    try (Stream<Path> dirs = Files.list(WebhookFixtures.GOLDEN)) {
      return dirs.filter(Files::isDirectory).sorted().toList();
    }
  }

  @TestFactory
  Stream<DynamicTest> everyCaseInBothModes() throws IOException {
    return cases().stream().flatMap(dir -> Stream.of(SidecarMode.values()).map(mode ->
        DynamicTest.dynamicTest(dir.getFileName() + " " + mode, () -> check(dir, mode))));
  }

  @Test
  void theCasesCoverInjectSkipAndDenyInBothModes() throws IOException {
    // Guards against a golden directory being emptied or renamed away.
    List<String> names = cases().stream().map(p -> p.getFileName().toString()).toList();
    assertTrue(names.size() >= 20, names.toString());
    for (SidecarMode mode : SidecarMode.values()) {
      long patched = 0;
      long denied = 0;
      long skipped = 0;
      for (Path dir : cases()) {
        JsonNode response = WebhookFixtures.MAPPER.readTree(actual(dir, mode)).get("response");
        if (response.has("patch")) {
          patched++;
        } else if (response.get("allowed").asBoolean()) {
          skipped++;
        } else {
          denied++;
        }
      }
      assertTrue(patched >= 3 && denied >= 10 && skipped >= 4, mode + ": " + patched + "/" + denied + "/" + skipped);
    }
  }

  private static void check(Path dir, SidecarMode mode) throws IOException {
    Path golden = dir.resolve("response." + mode.name().toLowerCase(Locale.ROOT) + ".json");
    String actual = actual(dir, mode);
    if (UPDATE) {
      Files.writeString(golden, actual);
    }
    assertTrue(Files.exists(golden), "missing " + golden + " (run with -Dzerokube.golden.update=true)");
    assertEquals(Files.readString(golden), actual, golden.toString());
  }

  /** The webhook's answer with the patch decoded, pretty-printed, ending in a newline. */
  static String actual(Path dir, SidecarMode mode) throws IOException {
    String request = WebhookFixtures.read(dir.resolve("request.json"));
    ObjectNode review = (ObjectNode) WebhookFixtures.MAPPER.readTree(WebhookFixtures.webhook(mode).review(request));
    ObjectNode response = (ObjectNode) review.get("response");
    if (response.has("patch")) {
      response.set("patch", WebhookFixtures.MAPPER.readTree(InjectionWebhook.decodePatch(response.get("patch").asText())));
    }
    return WebhookFixtures.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(review) + "\n";
  }
}
