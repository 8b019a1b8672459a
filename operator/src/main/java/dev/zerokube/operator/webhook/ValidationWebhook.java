package dev.zerokube.operator.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zerokube.operator.api.SchemaPatterns;
import dev.zerokube.operator.api.WellKnownNames;
import dev.zerokube.operator.api.ZerokubeApi;
import dev.zerokube.operator.api.member.Member;
import dev.zerokube.operator.api.member.MemberSpec;
import dev.zerokube.operator.api.network.ZeroTierNetwork;
import dev.zerokube.operator.controller.NetworkSpecReader;
import dev.zerokube.operator.join.MemberIndex;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.identity.InvalidIdentityException;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The validating admission webhook for zerokube's own objects ({@value #PATH}): what the CRD schema
 * cannot check, because it needs other objects or because the API server has no CEL (1.20 drops
 * the schema's CEL rules). A pure function of the AdmissionReview and two cache lookups.
 *
 * <p>ZeroTierNetwork (CREATE, UPDATE): the spec must be one the controller can serve —
 * {@link NetworkSpecReader} decides, so the webhook, the reconciler's Valid condition and the
 * served config always agree (malformed or overlapping pools, route CIDRs, DNS, MTU, rules that do
 * not compile) — and the admission selectors must be well formed.
 *
 * <p>Member (CREATE, UPDATE): {@code spec.network} names an existing ZeroTierNetwork (CREATE, or
 * UPDATE that changes it); {@code spec.address} is ten hex digits and not reserved; network and
 * address never change; no other Member of the network holds the address; {@code ipAssignments}
 * are distinct IP literals; tag IDs are numbers; an identity annotation matches the address.
 *
 * <p>Objects being deleted are always admitted: removing the revoke finalizer must never be
 * refused.
 */
public final class ValidationWebhook {

  /** The webhook's path, as the ValidatingWebhookConfiguration names it. */
  public static final String PATH = "/validate";

  /** The audit annotation key. */
  public static final String AUDIT_KEY = "validation";

  private static final Pattern NAME = Pattern.compile(SchemaPatterns.DNS_SUBDOMAIN);
  private static final Pattern ADDRESS = Pattern.compile("[0-9a-f]{10}");
  /** Any ID will do for reading a spec: the webhook checks the spec, not the ID. */
  private static final NetworkId PLACEHOLDER_ID = NetworkId.parse("0000000001000000");

  private final NetworkLookup networks;
  private final MemberIndex members;
  private final ObjectMapper mapper;

  public ValidationWebhook(NetworkLookup networks, MemberIndex members, ObjectMapper mapper) {
    this.networks = Objects.requireNonNull(networks, "networks");
    this.members = Objects.requireNonNull(members, "members");
    this.mapper = Objects.requireNonNull(mapper, "mapper");
  }

  /** This webhook as a route of {@link OperatorHttpsServer}. */
  public OperatorHttpsServer.JsonHandler handler() {
    return request -> {
      JsonNode review;
      try {
        review = mapper.readTree(request.body());
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
      }
      return new OperatorHttpsServer.Response(200, review(review).toString());
    };
  }

  /**
   * Answers one AdmissionReview, in the apiVersion it came in.
   *
   * @throws IllegalArgumentException if it is not an AdmissionReview with a request uid
   */
  public ObjectNode review(JsonNode review) {
    if (review == null || !review.isObject() || !"AdmissionReview".equals(review.path("kind").asText())) {
      throw new IllegalArgumentException("not an AdmissionReview");
    }
    JsonNode request = review.path("request");
    String uid = request.path("uid").asText("");
    if (!request.isObject() || uid.isEmpty()) {
      throw new IllegalArgumentException("AdmissionReview without request.uid");
    }
    List<String> problems = problems(request);
    ObjectNode response = mapper.createObjectNode();
    response.put("uid", uid);
    response.put("allowed", problems.isEmpty());
    if (!problems.isEmpty()) {
      ObjectNode status = response.putObject("status");
      status.put("status", "Failure");
      status.put("message", describe(request) + ": " + String.join("; ", problems));
      status.put("reason", "Invalid");
      status.put("code", 422);
    }
    response.putObject("auditAnnotations").put(AUDIT_KEY, problems.isEmpty() ? "valid" : "invalid");
    ObjectNode out = mapper.createObjectNode();
    out.put("apiVersion", review.path("apiVersion").asText("admission.k8s.io/v1"));
    out.put("kind", "AdmissionReview");
    out.set("response", response);
    return out;
  }

  private static String describe(JsonNode request) {
    String kind = request.path("kind").path("kind").asText("object");
    String namespace = request.path("namespace").asText("");
    String name = request.path("name").asText(request.path("object").path("metadata").path("name").asText(""));
    return kind + " " + (namespace.isEmpty() ? "" : namespace + "/") + name;
  }

  private List<String> problems(JsonNode request) {
    String operation = request.path("operation").asText();
    JsonNode object = request.path("object");
    boolean ours = ZerokubeApi.GROUP.equals(request.path("kind").path("group").asText());
    if (!ours || !(operation.equals("CREATE") || operation.equals("UPDATE")) || !object.isObject()
        || !object.path("metadata").path("deletionTimestamp").isMissingNode()
            && !object.path("metadata").path("deletionTimestamp").isNull()) {
      return List.of();
    }
    JsonNode old = request.path("oldObject");
    try {
      return switch (request.path("kind").path("kind").asText()) {
        case "ZeroTierNetwork" -> network(mapper.treeToValue(object, ZeroTierNetwork.class));
        case "Member" -> member(mapper.treeToValue(object, Member.class),
            old.isObject() ? mapper.treeToValue(old, Member.class) : null, request.path("namespace").asText(""));
        default -> List.of();
      };
    } catch (JsonProcessingException | IllegalArgumentException e) {
      return List.of("the object cannot be read: " + e.getMessage());
    }
  }

  /** What is wrong with a ZeroTierNetwork, empty when nothing. */
  List<String> network(ZeroTierNetwork network) {
    List<String> problems = new ArrayList<>();
    if (network.getSpec() == null) {
      return List.of("spec is missing");
    }
    switch (NetworkSpecReader.read(network, PLACEHOLDER_ID)) {
      case NetworkSpecReader.Reading.Invalid invalid -> problems.add(invalid.message());
      case NetworkSpecReader.Reading.Valid valid -> {
        // served as it is
      }
    }
    var admission = network.getSpec().getAdmission();
    if (admission != null) {
      selector("spec.admission.namespaceSelector", admission.getNamespaceSelector(), problems);
      selector("spec.admission.podSelector", admission.getPodSelector(), problems);
    }
    return problems;
  }

  private static void selector(String where, LabelSelector selector, List<String> problems) {
    if (selector == null || selector.getMatchExpressions() == null) {
      return;
    }
    for (int i = 0; i < selector.getMatchExpressions().size(); i++) {
      LabelSelectorRequirement r = selector.getMatchExpressions().get(i);
      String at = where + ".matchExpressions[" + i + "]";
      int values = r.getValues() == null ? 0 : r.getValues().size();
      String operator = r.getOperator() == null ? "" : r.getOperator();
      switch (operator) {
        case "In", "NotIn" -> {
          if (values == 0) {
            problems.add(at + ": operator " + operator + " needs values");
          }
        }
        case "Exists", "DoesNotExist" -> {
          if (values != 0) {
            problems.add(at + ": operator " + operator + " takes no values");
          }
        }
        default -> problems.add(at + ": operator must be In, NotIn, Exists or DoesNotExist, not '" + operator + "'");
      }
      if (r.getKey() == null || r.getKey().isEmpty()) {
        problems.add(at + ": key is missing");
      }
    }
  }

  /** What is wrong with a Member (and its change from {@code old}), empty when nothing. */
  List<String> member(Member member, Member old, String requestNamespace) {
    MemberSpec spec = member.getSpec();
    if (spec == null) {
      return List.of("spec is missing");
    }
    List<String> problems = new ArrayList<>();
    MemberSpec before = old == null ? null : old.getSpec();
    String network = spec.getNetwork();
    if (network == null || network.isEmpty() || network.length() > 253 || !NAME.matcher(network).matches()) {
      problems.add("spec.network '" + network + "' is not a ZeroTierNetwork name");
    } else if (before != null && before.getNetwork() != null && !network.equals(before.getNetwork())) {
      problems.add("spec.network cannot change (was " + before.getNetwork() + "); create another Member instead");
    } else if ((before == null || before.getNetwork() == null) && networks.find(network).isEmpty()) {
      problems.add("spec.network: ZeroTierNetwork " + network + " does not exist; create it first or fix the name");
    }
    String address = spec.getAddress();
    Optional<Address> parsed = Optional.empty();
    if (address == null || !ADDRESS.matcher(address).matches()) {
      problems.add("spec.address '" + address + "' must be 10 lowercase hex digits, the node's ZeroTier address");
    } else {
      try {
        parsed = Optional.of(Address.parse(address));
      } catch (IllegalArgumentException e) {
        problems.add("spec.address: " + e.getMessage());
      }
    }
    if (before != null && before.getAddress() != null && !before.getAddress().equals(address)) {
      problems.add("spec.address cannot change (was " + before.getAddress() + "): an address is an identity; "
          + "create another Member instead");
    }
    if (parsed.isPresent() && network != null && before == null) {
      String namespace = member.getMetadata().getNamespace() != null ? member.getMetadata().getNamespace()
          : requestNamespace;
      for (Member other : members.withAddress(network, address)) {
        boolean self = other.getMetadata().getName().equals(member.getMetadata().getName())
            && Objects.equals(other.getMetadata().getNamespace(), namespace);
        if (!self) {
          problems.add("address " + address + " is already Member " + other.getMetadata().getNamespace() + "/"
              + other.getMetadata().getName() + " of network " + network);
        }
      }
    }
    if (spec.getIpAssignments() != null) {
      Set<InetEndpoint> seen = new HashSet<>();
      for (int i = 0; i < spec.getIpAssignments().size(); i++) {
        String ip = spec.getIpAssignments().get(i);
        Optional<InetEndpoint> e = NetworkSpecReader.ip(ip);
        if (e.isEmpty()) {
          problems.add("spec.ipAssignments[" + i + "] '" + ip + "' is not an IPv4 or IPv6 address (no prefix)");
        } else if (!seen.add(e.get())) {
          problems.add("spec.ipAssignments[" + i + "] " + ip + " is listed twice");
        }
      }
    }
    if (spec.getTags() != null) {
      for (Map.Entry<String, Long> tag : spec.getTags().entrySet()) {
        if (!tag.getKey().matches("[0-9]{1,10}") || Long.parseLong(tag.getKey()) > 0xffff_ffffL) {
          problems.add("spec.tags: key '" + tag.getKey() + "' is not a tag ID (0..4294967295)");
        }
        if (tag.getValue() == null || tag.getValue() < 0 || tag.getValue() > 0xffff_ffffL) {
          problems.add("spec.tags[" + tag.getKey() + "]: value must be 0..4294967295");
        }
      }
    }
    Map<String, String> annotations = member.getMetadata().getAnnotations();
    String identity = annotations == null ? null : annotations.get(WellKnownNames.IDENTITY_ANNOTATION);
    if (identity != null) {
      try {
        Identity i = Identity.parse(identity);
        if (i.hasPrivate()) {
          problems.add("annotation " + WellKnownNames.IDENTITY_ANNOTATION + " holds a private key; keep only the "
              + "public form (address:0:public-key) and treat that key as leaked");
        } else if (parsed.isPresent() && !i.address().equals(parsed.get())) {
          problems.add("annotation " + WellKnownNames.IDENTITY_ANNOTATION + " is the identity of " + i.address()
              + ", not of spec.address " + address);
        }
      } catch (InvalidIdentityException e) {
        problems.add("annotation " + WellKnownNames.IDENTITY_ANNOTATION + ": " + e.getMessage());
      }
    }
    return problems;
  }
}
