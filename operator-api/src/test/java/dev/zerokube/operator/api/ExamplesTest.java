package dev.zerokube.operator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zerokube.operator.api.member.Member;
import dev.zerokube.operator.api.network.ZeroTierNetwork;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

// Goal: every resource in examples/ is one the API server accepts and the model reads without
// loss. Method: per document, (1) validate it against the committed CRD's OpenAPI schema with
// StructuralSchema (types, required, enums, patterns, bounds, list types, unknown fields; not
// the CEL rules, which CelRulesTest evaluates, and not metadata); (2) read it with Fabric8's
// KubernetesSerialization into the model class registered for its kind; (3) write the model back
// and require the same tree, so no field of the example is ignored by the model. Then make
// mutated copies of the examples that break one schema constraint each and require the
// validator to name the offending path, so the validator itself is shown to catch them.
class ExamplesTest {

  private static final List<Class<? extends CustomResource<?, ?>>> KINDS = GenerateCrds.RESOURCES;

  @TestFactory
  Stream<DynamicTest> everyExampleIsValidAndReadsIntoTheModel() throws IOException {
    List<Path> files = exampleFiles();
    assertFalse(files.isEmpty(), "no examples found");
    List<DynamicTest> tests = new ArrayList<>();
    for (Path file : files) {
      List<JsonNode> documents = documents(file);
      for (int i = 0; i < documents.size(); i++) {
        JsonNode document = documents.get(i);
        tests.add(DynamicTest.dynamicTest(file.getFileName() + " #" + i, () -> checkExample(document)));
      }
    }
    return tests.stream();
  }

  @Test
  void examplesCoverBothKinds() throws IOException {
    List<String> kinds = new ArrayList<>();
    for (Path file : exampleFiles()) {
      documents(file).forEach(d -> kinds.add(d.path("kind").asText()));
    }
    assertTrue(kinds.contains("ZeroTierNetwork"), kinds.toString());
    assertTrue(kinds.contains("Member"), kinds.toString());
  }

  @Test
  void typedReadingUsesTheRegisteredKinds() throws IOException {
    // META-INF/services registers both classes, so Fabric8 picks them by apiVersion and kind.
    try (InputStream in = Files.newInputStream(Crds.root().resolve("examples/network.yaml"))) {
      assertInstanceOf(ZeroTierNetwork.class, Crds.SERIALIZATION.unmarshal(in));
    }
    try (InputStream in = Files.newInputStream(Crds.root().resolve("examples/members.yaml"))) {
      Member member = assertInstanceOf(Member.class, Crds.SERIALIZATION.unmarshal(in));
      assertEquals("89e92ceee5", member.getSpec().getAddress());
      assertEquals(1L, member.getSpec().getTags().get("1000"));
    }
  }

  @TestFactory
  Stream<DynamicTest> schemaViolationsAreCaught() throws IOException {
    JsonNode network = documents(Crds.root().resolve("examples/network.yaml")).get(0);
    JsonNode member = documents(Crds.root().resolve("examples/members.yaml")).get(0);
    return Stream.of(
        broken("mtu above 10000", network, ".spec.mtu", n -> spec(n).put("mtu", 10001)),
        broken("mtu below 1280", network, ".spec.mtu", n -> spec(n).put("mtu", 1279)),
        broken("mtu not an integer", network, ".spec.mtu", n -> spec(n).put("mtu", 2800.5)),
        broken("negative multicastLimit", network, ".spec.multicastLimit",
            n -> spec(n).put("multicastLimit", -1)),
        broken("unknown controller mode", network, ".spec.controller.mode",
            n -> ((ObjectNode) spec(n).get("controller")).put("mode", "Hosted")),
        broken("network ID of 15 digits", network, ".spec.controller.networkId",
            n -> ((ObjectNode) spec(n).get("controller")).put("networkId", "8056c2e21c00001")),
        broken("pool start not IPv4", network, ".spec.ipAssignment.pools[0].start",
            n -> pool(n).put("start", "10.147.17.256")),
        broken("pool without end", network, ".spec.ipAssignment.pools[0]", n -> pool(n).remove("end")),
        broken("route prefix /33", network, ".spec.routes[0].target",
            n -> ((ObjectNode) spec(n).withArray("routes").get(0)).put("target", "10.147.17.0/33")),
        broken("route without prefix", network, ".spec.routes[0].target",
            n -> ((ObjectNode) spec(n).withArray("routes").get(0)).put("target", "10.147.17.0")),
        broken("five DNS servers", network, ".spec.dns.servers",
            n -> ((ObjectNode) spec(n).get("dns")).set("servers", strings("10.0.0.1", "10.0.0.2",
                "10.0.0.3", "10.0.0.4", "10.0.0.5"))),
        broken("duplicate DNS server", network, ".spec.dns.servers",
            n -> ((ObjectNode) spec(n).get("dns")).set("servers", strings("10.0.0.1", "10.0.0.1"))),
        broken("misspelt field", network, ".spec.enableBroadcasts",
            n -> spec(n).put("enableBroadcasts", true)),
        broken("bad selector operator", network,
            ".spec.admission.namespaceSelector.matchExpressions[0].operator",
            n -> ((ObjectNode) spec(n).get("admission").get("namespaceSelector"))
                .set("matchExpressions", JsonNodeFactory.instance.arrayNode()
                    .add(JsonNodeFactory.instance.objectNode().put("key", "team").put("operator", "Equals")))),
        broken("private as a string", network, ".spec.private", n -> spec(n).put("private", "yes")),
        broken("address in upper case", member, ".spec.address",
            n -> spec(n).put("address", "89E92CEEE5")),
        broken("address of 9 digits", member, ".spec.address", n -> spec(n).put("address", "89e92ceee")),
        broken("no network", member, ".spec", n -> spec(n).remove("network")),
        broken("network name not DNS-1123", member, ".spec.network",
            n -> spec(n).put("network", "Prod_Mesh")),
        broken("IP with a prefix length", member, ".spec.ipAssignments[0]",
            n -> spec(n).set("ipAssignments", strings("10.147.17.5/24"))),
        broken("duplicate IP", member, ".spec.ipAssignments",
            n -> spec(n).set("ipAssignments", strings("10.147.17.5", "10.147.17.5"))),
        broken("tag value above 32 bits", member, ".spec.tags.1000",
            n -> ((ObjectNode) spec(n).get("tags")).put("1000", 4294967296L)),
        broken("negative capability", member, ".spec.capabilities[0]",
            n -> spec(n).set("capabilities", JsonNodeFactory.instance.arrayNode().add(-1))),
        broken("condition status not True/False/Unknown", member, ".status.conditions[0].status",
            n -> ((ObjectNode) n).set("status", condition("Ready", "Yes"))),
        broken("two Ready conditions", member, ".status.conditions",
            n -> {
              ObjectNode status = condition("Ready", "True");
              ((ArrayNode) status.get("conditions")).add(status.get("conditions").get(0).deepCopy());
              ((ObjectNode) n).set("status", status);
            }),
        broken("lastSeen not a date-time", member, ".status.lastSeen",
            n -> ((ObjectNode) n).set("status",
                JsonNodeFactory.instance.objectNode().put("lastSeen", "yesterday"))));
  }

  @Test
  void aWellFormedStatusPasses() throws IOException {
    ObjectNode member = (ObjectNode) documents(Crds.root().resolve("examples/members.yaml")).get(0);
    ObjectNode status = condition("Ready", "True");
    status.set("ipAssignments", strings("10.147.17.5"));
    status.put("online", true).put("lastSeen", "2026-11-24T10:00:00Z")
        .put("physicalAddress", "203.0.113.7/9993").put("clientVersion", "1.14.1")
        .put("revoked", false).put("observedGeneration", 3);
    status.putObject("pod").put("name", "web-7d9f").put("uid", "0f3c7a52-8d1e-4a8e-9d7e-1c2b3a4d5e6f");
    member.set("status", status);
    assertEquals(List.of(), StructuralSchema.validate(Crds.schema(Member.class), member));
    checkExample(member);
  }

  private static void checkExample(JsonNode document) {
    Class<? extends CustomResource<?, ?>> type = KINDS.stream()
        .filter(k -> HasMetadata.getKind(k).equals(document.path("kind").asText()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("example of unknown kind " + document.path("kind")));
    assertEquals(HasMetadata.getApiVersion(type), document.path("apiVersion").asText());
    assertEquals(List.of(), StructuralSchema.validate(Crds.schema(type), document),
        "schema violations in " + document.path("metadata").path("name"));
    CustomResource<?, ?> typed = Crds.SERIALIZATION.convertValue(document, type);
    JsonNode written = Crds.SERIALIZATION.convertValue(typed, JsonNode.class);
    assertTrue(document.equals(NUMERIC_VALUE, written),
        "the model drops or changes fields:\n  example: " + document + "\n  model:   " + written);
  }

  private static DynamicTest broken(String what, JsonNode example, String path, Consumer<JsonNode> change) {
    return DynamicTest.dynamicTest(what, () -> {
      JsonNode copy = example.deepCopy();
      change.accept(copy);
      Class<? extends CustomResource<?, ?>> type =
          copy.path("kind").asText().equals("Member") ? Member.class : ZeroTierNetwork.class;
      List<String> errors = StructuralSchema.validate(Crds.schema(type), copy);
      assertTrue(errors.stream().anyMatch(e -> e.startsWith(path + ":")),
          "expected an error at " + path + ", got " + errors);
    });
  }

  private static ObjectNode spec(JsonNode resource) {
    return (ObjectNode) resource.get("spec");
  }

  private static ObjectNode pool(JsonNode network) {
    return (ObjectNode) network.get("spec").get("ipAssignment").get("pools").get(0);
  }

  private static ArrayNode strings(String... values) {
    ArrayNode array = JsonNodeFactory.instance.arrayNode();
    for (String v : values) {
      array.add(v);
    }
    return array;
  }

  private static ObjectNode condition(String type, String status) {
    ObjectNode result = JsonNodeFactory.instance.objectNode();
    result.putArray("conditions").addObject()
        .put("type", type).put("status", status).put("reason", "Online")
        .put("message", "").put("lastTransitionTime", "2026-11-24T10:00:00Z");
    return result;
  }

  /** Numbers compare by value (YAML gives ints where the model has longs); all else by equals. */
  private static final Comparator<JsonNode> NUMERIC_VALUE = (a, b) -> {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue());
    }
    return a.equals(b) ? 0 : 1;
  };

  static List<Path> exampleFiles() throws IOException {
    try (Stream<Path> list = Files.list(Crds.root().resolve("examples"))) {
      return list.filter(f -> f.getFileName().toString().endsWith(".yaml")).sorted().toList();
    }
  }

  /** The documents of a YAML file, as trees, exactly as written. */
  static List<JsonNode> documents(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      Object parsed = Crds.SERIALIZATION.unmarshal(in, new TypeReference<GenericKubernetesResource>() {});
      List<?> all = parsed instanceof List<?> list ? list : List.of(parsed);
      List<JsonNode> trees = new ArrayList<>();
      for (Object resource : all) {
        trees.add(Crds.SERIALIZATION.convertValue(resource, JsonNode.class));
      }
      return trees;
    }
  }
}
