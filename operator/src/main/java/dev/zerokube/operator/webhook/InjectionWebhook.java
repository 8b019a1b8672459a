package dev.zerokube.operator.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The webhook as a pure function: an AdmissionReview (JSON) in, an AdmissionReview with the
 * response out, in the same apiVersion ({@code admission.k8s.io/v1}, or {@code v1beta1} which has
 * the same shape). Anything that is not a pod being created is admitted unchanged; a pod goes
 * through {@link PodInjector}.
 *
 * <p>The response carries an audit annotation {@code injection} (the decision, for the API server's
 * audit log) and, for pods that asked for networks but opted out, a warning kubectl prints.
 */
public final class InjectionWebhook {

  /** The audit annotation key (the API server prefixes it with the webhook's name). */
  public static final String AUDIT_KEY = "injection";

  private final Supplier<PodInjector> injector;
  private final ObjectMapper mapper;

  /**
   * @param injector the current injector (a supplier, because the CA bundle the sidecar trusts
   *     changes when the operator rotates its CA)
   */
  public InjectionWebhook(Supplier<PodInjector> injector, ObjectMapper mapper) {
    this.injector = Objects.requireNonNull(injector, "injector");
    this.mapper = Objects.requireNonNull(mapper, "mapper");
  }

  /**
   * Answers one AdmissionReview.
   *
   * @throws IllegalArgumentException if {@code json} is not an AdmissionReview with a request (the
   *     server answers 400; the API server never sends one)
   */
  public String review(String json) {
    JsonNode review;
    try {
      review = mapper.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
    }
    try {
      return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(review(review));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write an AdmissionReview", e);
    }
  }

  /** {@link #review(String)} on a parsed tree. */
  public ObjectNode review(JsonNode review) {
    if (review == null || !review.isObject() || !"AdmissionReview".equals(review.path("kind").asText())) {
      throw new IllegalArgumentException("not an AdmissionReview");
    }
    JsonNode request = review.path("request");
    String uid = request.path("uid").asText("");
    if (!request.isObject() || uid.isEmpty()) {
      throw new IllegalArgumentException("AdmissionReview without request.uid");
    }
    ObjectNode response = mapper.createObjectNode();
    response.put("uid", uid);

    boolean isPod = "".equals(request.path("kind").path("group").asText())
        && "Pod".equals(request.path("kind").path("kind").asText());
    if (!isPod || !"CREATE".equals(request.path("operation").asText()) || !request.path("object").isObject()) {
      response.put("allowed", true);
      response.putObject("auditAnnotations").put(AUDIT_KEY, "skipped: not a pod being created");
      return wrap(review, response);
    }
    Pod pod;
    try {
      pod = mapper.treeToValue(request.get("object"), Pod.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new IllegalArgumentException("request.object is not a Pod: " + e.getMessage());
    }
    String namespace = request.path("namespace").asText("");
    if (namespace.isEmpty() && pod.getMetadata() != null && pod.getMetadata().getNamespace() != null) {
      namespace = pod.getMetadata().getNamespace();
    }
    switch (injector.get().decide(pod, namespace)) {
      case InjectionDecision.Skip skip -> {
        response.put("allowed", true);
        response.putObject("auditAnnotations").put(AUDIT_KEY, "skipped: " + skip.reason());
        if (skip.warn()) {
          response.putArray("warnings").add("zerokube: " + skip.reason());
        }
      }
      case InjectionDecision.Deny deny -> {
        response.put("allowed", false);
        ObjectNode status = response.putObject("status");
        status.put("status", "Failure");
        status.put("message", deny.message());
        status.put("reason", "Forbidden");
        status.put("code", 403);
        response.putObject("auditAnnotations").put(AUDIT_KEY, "denied");
      }
      case InjectionDecision.Patch patch -> {
        response.put("allowed", true);
        response.put("patchType", "JSONPatch");
        byte[] bytes;
        try {
          bytes = mapper.writeValueAsBytes(patch.operations());
        } catch (JsonProcessingException e) {
          throw new IllegalStateException("cannot write a JSON patch", e);
        }
        response.put("patch", Base64.getEncoder().encodeToString(bytes));
        response.putObject("auditAnnotations").put(AUDIT_KEY, "injected "
            + patch.mode().name().toLowerCase(java.util.Locale.ROOT) + " sidecar for "
            + String.join(",", patch.networks()));
      }
    }
    return wrap(review, response);
  }

  /** This webhook as a route of {@link OperatorHttpsServer}. */
  public OperatorHttpsServer.JsonHandler handler() {
    return request -> new OperatorHttpsServer.Response(200, review(request.body()));
  }

  private ObjectNode wrap(JsonNode review, ObjectNode response) {
    ObjectNode out = mapper.createObjectNode();
    out.put("apiVersion", review.path("apiVersion").asText("admission.k8s.io/v1"));
    out.put("kind", "AdmissionReview");
    out.set("response", response);
    return out;
  }

  /** Decodes a response's base64 patch (for tests and logs). */
  public static String decodePatch(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }
}
