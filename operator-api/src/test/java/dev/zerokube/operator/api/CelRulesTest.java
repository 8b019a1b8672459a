package dev.zerokube.operator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.zerokube.operator.api.member.Member;
import dev.zerokube.operator.api.network.ZeroTierNetwork;
import io.fabric8.kubernetes.client.CustomResource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

// Goal: the CEL rules (x-kubernetes-validations) in the committed CRDs compile, accept the
// examples and refuse what they are meant to refuse, although the test API server (1.20) drops
// them. Method: evaluate each rule with cel-java and its strings extension (split, as in
// Kubernetes' CEL library), with self typed from the schema (string, int, bool, map, list), on
// hand-written cases; every rule in the CRDs must have cases here, so a new rule without a test
// fails. What this does not prove: the API server's cost estimate (every string and list is
// bounded, see CrdSchemaTest) and Kubernetes-only functions (none are used).
class CelRulesTest {

  private static final String POOL_RULE =
      "int(self.start.split('.')[0]) * 16777216 + int(self.start.split('.')[1]) * 65536"
          + " + int(self.start.split('.')[2]) * 256 + int(self.start.split('.')[3])"
          + " <= int(self.end.split('.')[0]) * 16777216 + int(self.end.split('.')[1]) * 65536"
          + " + int(self.end.split('.')[2]) * 256 + int(self.end.split('.')[3])";

  /** Cases per rule: where it sits, the rule text, then (self, oldSelf or null, expected). */
  private static final List<Case> CASES = List.of(
      // spec.controller
      new Case(ZeroTierNetwork.class, ".spec.controller",
          "!has(self.mode) || self.mode != 'External' || has(self.networkId)",
          "{}", null, true,
          "{\"mode\": \"Embedded\"}", null, true,
          "{\"mode\": \"External\", \"networkId\": \"8056c2e21c000001\"}", null, true,
          "{\"mode\": \"External\"}", null, false,
          "{\"mode\": \"External\", \"joinEndpoint\": \"https://a.example/v1/join\"}", null, false),
      new Case(ZeroTierNetwork.class, ".spec.controller",
          "(has(self.mode) && self.mode == 'External') || (!has(self.networkId) && !has(self.joinEndpoint))",
          "{\"mode\": \"Embedded\"}", null, true,
          "{}", null, true,
          "{\"mode\": \"External\", \"networkId\": \"8056c2e21c000001\", \"joinEndpoint\": \"https://a/\"}", null, true,
          "{\"mode\": \"Embedded\", \"networkId\": \"8056c2e21c000001\"}", null, false,
          "{\"mode\": \"Embedded\", \"joinEndpoint\": \"https://a.example/v1/join\"}", null, false,
          "{\"networkId\": \"8056c2e21c000001\"}", null, false),
      new Case(ZeroTierNetwork.class, ".spec.controller.mode", "self == oldSelf",
          "\"Embedded\"", "\"Embedded\"", true,
          "\"External\"", "\"Embedded\"", false),
      new Case(ZeroTierNetwork.class, ".spec.controller.networkId", "self == oldSelf",
          "\"8056c2e21c000001\"", "\"8056c2e21c000001\"", true,
          "\"8056c2e21c000002\"", "\"8056c2e21c000001\"", false),
      // spec.ipAssignment.pools[]: numeric comparison, not text (9.x < 10.x, .2 < .10)
      new Case(ZeroTierNetwork.class, ".spec.ipAssignment.pools[]", POOL_RULE,
          "{\"start\": \"10.147.17.1\", \"end\": \"10.147.17.254\"}", null, true,
          "{\"start\": \"10.147.17.9\", \"end\": \"10.147.17.9\"}", null, true,
          "{\"start\": \"10.0.0.2\", \"end\": \"10.0.0.10\"}", null, true,
          "{\"start\": \"9.255.255.255\", \"end\": \"10.0.0.0\"}", null, true,
          "{\"start\": \"0.0.0.0\", \"end\": \"255.255.255.255\"}", null, true,
          "{\"start\": \"10.147.17.254\", \"end\": \"10.147.17.1\"}", null, false,
          "{\"start\": \"10.0.1.0\", \"end\": \"10.0.0.255\"}", null, false,
          "{\"start\": \"11.0.0.0\", \"end\": \"10.255.255.255\"}", null, false),
      new Case(ZeroTierNetwork.class, ".spec.routes[]",
          "!has(self.via) || self.target.contains(':') == self.via.contains(':')",
          "{\"target\": \"10.147.17.0/24\"}", null, true,
          "{\"target\": \"10.0.0.0/8\", \"via\": \"10.147.17.1\"}", null, true,
          "{\"target\": \"fd00::/8\", \"via\": \"fd00::1\"}", null, true,
          "{\"target\": \"10.0.0.0/8\", \"via\": \"fd00::1\"}", null, false,
          "{\"target\": \"fd00::/8\", \"via\": \"10.147.17.1\"}", null, false),
      // status
      new Case(ZeroTierNetwork.class, ".status", "!has(oldSelf.networkId) || has(self.networkId)",
          "{}", "{}", true,
          "{\"networkId\": \"a1b2c3d4e5000001\"}", "{}", true,
          "{\"networkId\": \"a1b2c3d4e5000001\"}", "{\"networkId\": \"a1b2c3d4e5000001\"}", true,
          "{}", "{\"networkId\": \"a1b2c3d4e5000001\"}", false),
      new Case(ZeroTierNetwork.class, ".status",
          "!has(self.networkId) || !has(self.controllerAddress) || self.networkId.startsWith(self.controllerAddress)",
          "{}", null, true,
          "{\"networkId\": \"a1b2c3d4e5000001\", \"controllerAddress\": \"a1b2c3d4e5\"}", null, true,
          "{\"networkId\": \"a1b2c3d4e5000001\"}", null, true,
          "{\"networkId\": \"a1b2c3d4e5000001\", \"controllerAddress\": \"89e92ceee5\"}", null, false),
      new Case(ZeroTierNetwork.class, ".status.networkId", "self == oldSelf",
          "\"a1b2c3d4e5000001\"", "\"a1b2c3d4e5000001\"", true,
          "\"a1b2c3d4e5000002\"", "\"a1b2c3d4e5000001\"", false),
      // Member
      new Case(Member.class, ".spec.address", "self != '0000000000' && !self.startsWith('ff')",
          "\"89e92ceee5\"", null, true,
          "\"0000000001\"", null, true,
          "\"fe00000000\"", null, true,
          "\"0000000000\"", null, false,
          "\"ff00000001\"", null, false),
      new Case(Member.class, ".spec.address", "self == oldSelf",
          "\"89e92ceee5\"", "\"89e92ceee5\"", true,
          "\"89e92ceee6\"", "\"89e92ceee5\"", false),
      new Case(Member.class, ".spec.network", "self == oldSelf",
          "\"prod-mesh\"", "\"prod-mesh\"", true,
          "\"other\"", "\"prod-mesh\"", false));

  @Test
  void everyRuleInTheCrdsHasCasesHere() {
    Set<String> inCrds = new TreeSet<>();
    for (Class<? extends CustomResource<?, ?>> kind : GenerateCrds.RESOURCES) {
      rules(kind).forEach(r -> inCrds.add(r.key()));
    }
    Set<String> tested = new TreeSet<>();
    CASES.forEach(c -> tested.add(c.key()));
    assertEquals(inCrds, tested, "CEL rules in crds/ and the cases in this test");
  }

  @TestFactory
  Stream<DynamicTest> everyRuleDecidesItsCases() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Case c : CASES) {
      Rule rule = rules(c.kind).stream().filter(r -> r.key().equals(c.key())).findFirst()
          .orElseThrow(() -> new AssertionError("not in the CRD: " + c.key()));
      for (int i = 0; i < c.values.length; i += 3) {
        String self = (String) c.values[i];
        String old = (String) c.values[i + 1];
        boolean expected = (Boolean) c.values[i + 2];
        tests.add(DynamicTest.dynamicTest(c.path + " " + self + (old == null ? "" : " was " + old),
            () -> assertEquals(expected, rule.evaluate(json(self), old == null ? null : json(old)),
                rule.rule)));
      }
    }
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> examplesPassEveryRule() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (Path file : ExamplesTest.exampleFiles()) {
      for (JsonNode document : ExamplesTest.documents(file)) {
        Class<? extends CustomResource<?, ?>> kind =
            document.path("kind").asText().equals("Member") ? Member.class : ZeroTierNetwork.class;
        tests.add(DynamicTest.dynamicTest(file.getFileName() + " " + document.path("metadata").path("name"), () -> {
          List<String> checked = new ArrayList<>();
          for (Rule rule : rules(kind)) {
            for (JsonNode self : rule.valuesIn(document)) {
              // On create the API server skips transition rules; on an unchanged update they hold.
              assertEquals(true, rule.evaluate(self, rule.rule.contains("oldSelf") ? self : null), rule.key());
              checked.add(rule.key());
            }
          }
          assertFalse(checked.isEmpty(), "no rule applied to the example");
        }));
      }
    }
    return tests.stream();
  }

  /** One x-kubernetes-validations entry and the schema node it sits on. */
  record Rule(String path, String rule, JsonNode schema) {
    String key() {
      return path + " :: " + rule;
    }

    boolean evaluate(JsonNode self, JsonNode oldSelf) throws CelValidationException, CelEvaluationException {
      Cel cel = CelFactory.standardCelBuilder()
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addVar("self", celType(schema))
          .addVar("oldSelf", celType(schema))
          .addCompilerLibraries(CelExtensions.strings())
          .addRuntimeLibraries(CelExtensions.strings())
          .build();
      CelAbstractSyntaxTree ast = cel.compile(rule).getAst();
      Map<String, Object> input = new HashMap<>();
      input.put("self", celValue(self));
      if (oldSelf != null) {
        input.put("oldSelf", celValue(oldSelf));
      } else if (rule.contains("oldSelf")) {
        fail("a transition rule needs oldSelf: " + rule);
      }
      Object result = cel.createProgram(ast).eval(input);
      if (!(result instanceof Boolean b)) {
        throw new AssertionError(rule + " gave " + result);
      }
      return b;
    }

    /** The values of a document this rule applies to (list items expand). */
    List<JsonNode> valuesIn(JsonNode document) {
      List<JsonNode> values = new ArrayList<>();
      collect(document, path, values);
      return values;
    }

    private static void collect(JsonNode node, String rest, List<JsonNode> out) {
      if (node == null || node.isMissingNode() || node.isNull()) {
        return;
      }
      if (rest.isEmpty()) {
        out.add(node);
      } else if (rest.startsWith("[]")) {
        node.forEach(item -> collect(item, rest.substring(2), out));
      } else {
        String tail = rest.substring(1);
        int end = tail.length();
        for (int i = 0; i < tail.length(); i++) {
          if (tail.charAt(i) == '.' || tail.charAt(i) == '[') {
            end = i;
            break;
          }
        }
        collect(node.get(tail.substring(0, end)), tail.substring(end), out);
      }
    }
  }

  private static List<Rule> rules(Class<? extends CustomResource<?, ?>> kind) {
    List<Rule> rules = new ArrayList<>();
    JsonNode root = Crds.schema(kind);
    root.path("x-kubernetes-validations").forEach(r -> rules.add(new Rule("", r.path("rule").asText(), root)));
    CrdSchemaTest.walk(root, "", (path, schema) ->
        schema.path("x-kubernetes-validations").forEach(r -> rules.add(new Rule(path, r.path("rule").asText(), schema))));
    return rules;
  }

  private static CelType celType(JsonNode schema) {
    return switch (schema.path("type").asText()) {
      case "string" -> SimpleType.STRING;
      case "integer" -> SimpleType.INT;
      case "number" -> SimpleType.DOUBLE;
      case "boolean" -> SimpleType.BOOL;
      case "array" -> ListType.create(celType(schema.get("items")));
      case "object" -> MapType.create(SimpleType.STRING, SimpleType.DYN);
      default -> SimpleType.DYN;
    };
  }

  private static Object celValue(JsonNode node) {
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        map.put(e.getKey(), celValue(e.getValue()));
      }
      return map;
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>();
      node.forEach(n -> list.add(celValue(n)));
      return list;
    }
    if (node.isIntegralNumber()) {
      return node.asLong();
    }
    if (node.isNumber()) {
      return node.asDouble();
    }
    if (node.isBoolean()) {
      return node.asBoolean();
    }
    return node.asText();
  }

  private static JsonNode json(String text) {
    return Crds.SERIALIZATION.unmarshal(text, JsonNode.class);
  }

  /** The cases of one rule: kind, schema path, rule text, then triples (self, oldSelf, expected). */
  private record Case(Class<? extends CustomResource<?, ?>> kind, String path, String rule, Object... values) {
    String key() {
      return path + " :: " + rule;
    }
  }
}
