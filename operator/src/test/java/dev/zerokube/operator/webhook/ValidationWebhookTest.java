package dev.zerokube.operator.webhook;

// Goal: the validating webhook refuses exactly what the CRD schema cannot catch (other objects,
// no CEL on 1.20) with messages that say what to fix, and never refuses what it must let through
// (objects being deleted, other kinds, unchanged fields of existing objects).
// Method: AdmissionReview JSON in, as the API server sends it (v1 and v1beta1), AdmissionReview out;
// networks and Members from fixed lookups; every refusal checked for allowed=false, code 422 and
// the words of its message.

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zerokube.operator.api.member.Member;
import dev.zerokube.operator.api.network.ZeroTierNetwork;
import dev.zerokube.overlay.identity.Identity;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ValidationWebhookTest {
  static final ObjectMapper MAPPER = new ObjectMapper();
  static final String TAKEN = "89e92ceee5";

  final ValidationWebhook webhook;

  ValidationWebhookTest() {
    ZeroTierNetwork prod = new ZeroTierNetwork();
    prod.setMetadata(new ObjectMetaBuilder().withName("prod-mesh").build());
    Member laptop = new Member();
    laptop.setMetadata(new ObjectMetaBuilder().withName("laptop-alice").withNamespace("payments").build());
    webhook = new ValidationWebhook(NetworkLookup.of(Map.of("prod-mesh", prod)),
        (network, address) -> network.equals("prod-mesh") && address.equals(TAKEN) ? List.of(laptop) : List.of(), MAPPER);
  }

  static String review(String apiVersion, String kind, String operation, String object, String oldObject) {
    return """
        {"apiVersion": "%s", "kind": "AdmissionReview",
         "request": {"uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
                     "kind": {"group": "zerokube.dev", "version": "v1alpha1", "kind": "%s"},
                     "resource": {"group": "zerokube.dev", "version": "v1alpha1", "resource": "x"},
                     %s"operation": "%s",
                     "object": %s, "oldObject": %s}}
        """.formatted(apiVersion, kind, kind.equals("Member") ? "\"namespace\": \"payments\", " : "", operation, object,
        oldObject);
  }

  static String member(String spec) {
    return member(spec, "");
  }

  static String member(String spec, String metadataExtra) {
    return """
        {"apiVersion": "zerokube.dev/v1alpha1", "kind": "Member",
         "metadata": {"name": "laptop-bob", "namespace": "payments"%s}, "spec": %s}
        """.formatted(metadataExtra, spec);
  }

  static String network(String spec) {
    return """
        {"apiVersion": "zerokube.dev/v1alpha1", "kind": "ZeroTierNetwork", "metadata": {"name": "n1"}, "spec": %s}
        """.formatted(spec);
  }

  JsonNode answer(String review) throws Exception {
    ObjectNode out = webhook.review(MAPPER.readTree(review));
    assertEquals("AdmissionReview", out.get("kind").asText());
    assertEquals("705ab4f5-6393-11e8-b7cc-42010a800002", out.at("/response/uid").asText());
    return out;
  }

  void allowed(String review) throws Exception {
    JsonNode out = answer(review);
    assertTrue(out.at("/response/allowed").asBoolean(), out.toString());
    assertEquals("valid", out.at("/response/auditAnnotations/validation").asText());
  }

  /** Refused, with every one of {@code words} in the message. */
  String refused(String review, String... words) throws Exception {
    JsonNode out = answer(review);
    assertFalse(out.at("/response/allowed").asBoolean(), out.toString());
    assertEquals(422, out.at("/response/status/code").asInt());
    assertEquals("Invalid", out.at("/response/status/reason").asText());
    String message = out.at("/response/status/message").asText();
    for (String w : words) {
      assertTrue(message.contains(w), "'" + w + "' in: " + message);
    }
    return message;
  }

  @Test
  void aGoodMemberIsAllowedInEitherApiVersion() throws Exception {
    String ok = member("{\"network\": \"prod-mesh\", \"address\": \"0123456789\", \"ipAssignments\": [\"10.147.17.20\", \"fd00::1\"],"
        + " \"tags\": {\"1000\": 1}}");
    allowed(review("admission.k8s.io/v1", "Member", "CREATE", ok, "null"));
    JsonNode out = answer(review("admission.k8s.io/v1beta1", "Member", "CREATE", ok, "null"));
    assertEquals("admission.k8s.io/v1beta1", out.get("apiVersion").asText());
  }

  @Test
  void aMemberOfAnUnknownNetworkWithAMalformedAddressGetsBothReasons() throws Exception {
    String message = refused(review("admission.k8s.io/v1", "Member", "CREATE",
        member("{\"network\": \"nope\", \"address\": \"89E92CEEE5\"}"), "null"),
        "Member payments/laptop-bob", "ZeroTierNetwork nope does not exist", "spec.address '89E92CEEE5' must be 10 lowercase hex digits");
    assertFalse(message.contains("Exception"), message);
    refused(review("admission.k8s.io/v1", "Member", "CREATE", member("{\"network\": \"Prod_Mesh\", \"address\": \"0123456789\"}"), "null"),
        "spec.network 'Prod_Mesh' is not a ZeroTierNetwork name");
    refused(review("admission.k8s.io/v1", "Member", "CREATE", member("{\"address\": \"0123456789\"}"), "null"),
        "spec.network 'null'");
  }

  @Test
  void reservedAddressesAreRefused() throws Exception {
    for (String reserved : List.of("ff00000001", "0000000000")) {
      refused(review("admission.k8s.io/v1", "Member", "CREATE",
          member("{\"network\": \"prod-mesh\", \"address\": \"" + reserved + "\"}"), "null"), "reserved");
    }
  }

  @Test
  void anAddressTakenByAnotherMemberIsRefusedButTheMemberItselfMayBeUpdated() throws Exception {
    refused(review("admission.k8s.io/v1", "Member", "CREATE",
        member("{\"network\": \"prod-mesh\", \"address\": \"" + TAKEN + "\"}"), "null"),
        "address 89e92ceee5 is already Member payments/laptop-alice of network prod-mesh");
    String self = member("{\"network\": \"prod-mesh\", \"address\": \"" + TAKEN + "\"}").replace("laptop-bob", "laptop-alice");
    allowed(review("admission.k8s.io/v1", "Member", "CREATE", self, "null"));
  }

  @Test
  void networkAndAddressNeverChangeButOtherFieldsMayEvenWhenTheNetworkIsGone() throws Exception {
    String before = member("{\"network\": \"prod-mesh\", \"address\": \"0123456789\"}");
    refused(review("admission.k8s.io/v1", "Member", "UPDATE",
        member("{\"network\": \"prod-mesh\", \"address\": \"0123456788\"}"), before), "spec.address cannot change (was 0123456789)");
    refused(review("admission.k8s.io/v1", "Member", "UPDATE",
        member("{\"network\": \"other\", \"address\": \"0123456789\"}"), before), "spec.network cannot change (was prod-mesh)");
    // An existing Member of a network deleted since: deauthorizing it must still work.
    String gone = member("{\"network\": \"deleted-net\", \"address\": \"0123456789\"}");
    allowed(review("admission.k8s.io/v1", "Member", "UPDATE",
        member("{\"network\": \"deleted-net\", \"address\": \"0123456789\", \"authorized\": false}"), gone));
  }

  @Test
  void objectsBeingDeletedAndOtherKindsAndOperationsPass() throws Exception {
    String broken = member("{\"network\": \"nope\", \"address\": \"bad\"}", ", \"deletionTimestamp\": \"2026-12-01T00:00:00Z\"");
    allowed(review("admission.k8s.io/v1", "Member", "UPDATE", broken, broken));
    allowed(review("admission.k8s.io/v1", "Member", "DELETE", "null", member("{\"network\": \"nope\", \"address\": \"bad\"}")));
    allowed(review("admission.k8s.io/v1", "Member", "CREATE", member("{\"network\": \"nope\"}"), "null")
        .replace("\"group\": \"zerokube.dev\", \"version\": \"v1alpha1\", \"kind\": \"Member\"",
            "\"group\": \"\", \"version\": \"v1\", \"kind\": \"ConfigMap\""));
  }

  @Test
  void ipAssignmentsTagsAndTheIdentityAnnotationAreChecked() throws Exception {
    refused(review("admission.k8s.io/v1", "Member", "CREATE", member("{\"network\": \"prod-mesh\", \"address\": \"0123456789\","
        + " \"ipAssignments\": [\"10.147.17.0/24\", \"10.147.17.5\", \"10.147.17.5\", \"300.1.1.1\"]}"), "null"),
        "spec.ipAssignments[0] '10.147.17.0/24' is not an IPv4 or IPv6 address", "spec.ipAssignments[2] 10.147.17.5 is listed twice",
        "spec.ipAssignments[3] '300.1.1.1'");
    refused(review("admission.k8s.io/v1", "Member", "CREATE", member("{\"network\": \"prod-mesh\", \"address\": \"0123456789\","
        + " \"tags\": {\"department\": 1, \"99999999999\": 2}}"), "null"),
        "key 'department' is not a tag ID", "key '99999999999' is not a tag ID");
    Identity alice = Identity.generate(new SplittableRandom(21));
    String mismatched = member("{\"network\": \"prod-mesh\", \"address\": \"0123456789\"}",
        ", \"annotations\": {\"zerokube.dev/identity\": \"" + alice.publicOnly() + "\"}");
    refused(review("admission.k8s.io/v1", "Member", "CREATE", mismatched, "null"),
        "is the identity of " + alice.address() + ", not of spec.address 0123456789");
    String leaked = member("{\"network\": \"prod-mesh\", \"address\": \"" + alice.address() + "\"}",
        ", \"annotations\": {\"zerokube.dev/identity\": \"" + alice.toString(true) + "\"}");
    refused(review("admission.k8s.io/v1", "Member", "CREATE", leaked, "null"), "holds a private key", "treat that key as leaked");
    String matching = member("{\"network\": \"prod-mesh\", \"address\": \"" + alice.address() + "\"}",
        ", \"annotations\": {\"zerokube.dev/identity\": \"" + alice.publicOnly() + "\"}");
    allowed(review("admission.k8s.io/v1", "Member", "CREATE", matching, "null"));
  }

  @Test
  void networksWithBadPoolsRoutesRulesOrSelectorsAreRefused() throws Exception {
    allowed(review("admission.k8s.io/v1", "ZeroTierNetwork", "CREATE", network("""
        {"ipAssignment": {"pools": [{"start": "10.0.0.1", "end": "10.0.0.9"}, {"start": "10.0.0.10", "end": "10.0.0.20"}]},
         "routes": [{"target": "10.0.0.0/24"}], "rules": "accept;",
         "admission": {"namespaceSelector": {"matchExpressions": [{"key": "team", "operator": "In", "values": ["a"]}]}}}
        """), "null"));
    refused(review("admission.k8s.io/v1", "ZeroTierNetwork", "CREATE", network("""
        {"ipAssignment": {"pools": [{"start": "10.0.0.1", "end": "10.0.0.9"}, {"start": "10.0.0.5", "end": "10.0.0.20"}]}}
        """), "null"), "ZeroTierNetwork n1", "spec.ipAssignment.pools[1] overlaps spec.ipAssignment.pools[0]");
    refused(review("admission.k8s.io/v1", "ZeroTierNetwork", "UPDATE", network("""
        {"ipAssignment": {"pools": [{"start": "10.0.0.9", "end": "10.0.0.1"}]}}
        """), network("{}")), "start 10.0.0.9 is after end 10.0.0.1");
    refused(review("admission.k8s.io/v1", "ZeroTierNetwork", "CREATE", network("""
        {"routes": [{"target": "10.0.0.0/33"}]}
        """), "null"), "spec.routes[0].target '10.0.0.0/33' is not an IPv4 or IPv6 CIDR");
    refused(review("admission.k8s.io/v1", "ZeroTierNetwork", "CREATE", network("""
        {"rules": "drop not ethertype;"}
        """), "null"), "spec.rules");
    refused(review("admission.k8s.io/v1", "ZeroTierNetwork", "CREATE", network("""
        {"admission": {"podSelector": {"matchExpressions": [{"key": "app", "operator": "Equals", "values": ["a"]},
                                                            {"key": "tier", "operator": "Exists", "values": ["x"]}]}}}
        """), "null"), "matchExpressions[0]: operator must be In, NotIn, Exists or DoesNotExist, not 'Equals'",
        "matchExpressions[1]: operator Exists takes no values");
  }

  @Test
  void somethingThatIsNotAnAdmissionReviewIsABadRequest() {
    assertThrows(IllegalArgumentException.class, () -> webhook.review(MAPPER.readTree("{\"kind\": \"Pod\"}")));
    assertThrows(IllegalArgumentException.class, () -> webhook.review(MAPPER.readTree(
        "{\"kind\": \"AdmissionReview\", \"request\": {}}")));
  }
}
