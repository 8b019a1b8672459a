package dev.zerokube.operator.join;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Who a reviewed token speaks for: a service account in a namespace, bound to one pod (the
 * kubelet's projected tokens carry the pod's name and UID, which the API server reports as user
 * info extras). Tokens that are not bound to a pod, such as legacy Secret-based tokens, are refused:
 * they would let any holder claim any pod of that service account.
 */
public record PodToken(String namespace, String serviceAccount, String podName, String podUid) {

  /** User info extra keys the API server sets for pod-bound service-account tokens. */
  public static final String EXTRA_POD_NAME = "authentication.kubernetes.io/pod-name";
  public static final String EXTRA_POD_UID = "authentication.kubernetes.io/pod-uid";

  private static final String SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";

  /**
   * Reads an authenticated review.
   *
   * @throws JoinException 403 when the token is not a pod-bound service-account token
   */
  public static PodToken from(TokenReviewer.Review review) throws JoinException {
    String username = review.username() == null ? "" : review.username();
    if (!username.startsWith(SERVICE_ACCOUNT_PREFIX)) {
      throw new JoinException(JoinException.FORBIDDEN, "the token is not a service-account token (user "
          + username + "); present the projected token the webhook mounts");
    }
    String[] parts = username.substring(SERVICE_ACCOUNT_PREFIX.length()).split(":", -1);
    if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw new JoinException(JoinException.FORBIDDEN, "the token's user " + username + " is not namespace:name");
    }
    String pod = single(review, EXTRA_POD_NAME);
    String uid = single(review, EXTRA_POD_UID);
    if (pod == null || uid == null) {
      throw new JoinException(JoinException.FORBIDDEN, "the token is not bound to a pod (no pod name and UID); "
          + "present the projected token the webhook mounts, not a long-lived service-account token");
    }
    return new PodToken(parts[0], parts[1], pod, uid);
  }

  private static String single(TokenReviewer.Review review, String key) {
    List<String> values = review.extra().get(key);
    return values == null || values.size() != 1 || values.get(0).isEmpty() ? null : values.get(0);
  }

  /**
   * The audiences a JWT claims, read WITHOUT verifying it: used only to tell "wrong audience"
   * (403) from "bad token" (401) after the API server has refused the token, never to accept one.
   * Empty when the token is not a readable JWT.
   */
  public static Optional<List<String>> claimedAudiences(String token, ObjectMapper mapper) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      return Optional.empty();
    }
    try {
      JsonNode claims = mapper.readTree(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
      JsonNode aud = claims == null ? null : claims.get("aud");
      if (aud == null) {
        return Optional.empty();
      }
      List<String> out = new ArrayList<>();
      if (aud.isTextual()) {
        out.add(aud.asText());
      } else if (aud.isArray()) {
        aud.forEach(a -> out.add(a.asText()));
      } else {
        return Optional.empty();
      }
      return Optional.of(out);
    } catch (IllegalArgumentException | com.fasterxml.jackson.core.JsonProcessingException e) {
      return Optional.empty();
    }
  }
}
