package dev.zerokube.operator.join;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;

/**
 * Asks the API server whether a token is genuine (a TokenReview). The seam lets the endpoint's
 * logic be tested against canned reviews as well as against a mock API server.
 */
@FunctionalInterface
public interface TokenReviewer {

  /**
   * What the API server says about {@code token} for {@code audience}.
   *
   * @param authenticated whether the token is valid for the audience
   * @param error the API server's reason when not authenticated (may be empty)
   * @param username e.g. {@code system:serviceaccount:payments:web}
   * @param audiences the audiences the token was accepted for (the intersection with the request's)
   * @param extra user info extras, e.g. {@code authentication.kubernetes.io/pod-name}
   */
  record Review(boolean authenticated, String error, String username, List<String> audiences,
      Map<String, List<String>> extra) {
    public Review {
      error = error == null ? "" : error;
      audiences = audiences == null ? List.of() : List.copyOf(audiences);
      extra = extra == null ? Map.of() : Map.copyOf(extra);
    }
  }

  /** Reviews one token. */
  Review review(String token, String audience);

  /** The real thing: {@code POST /apis/authentication.k8s.io/v1/tokenreviews}. */
  static TokenReviewer of(KubernetesClient client) {
    return (token, audience) -> {
      TokenReview request = new TokenReviewBuilder().withNewSpec().withToken(token).withAudiences(audience)
          .endSpec().build();
      TokenReviewStatus status = client.resource(request).create().getStatus();
      if (status == null) {
        return new Review(false, "the API server returned no status", null, List.of(), Map.of());
      }
      var user = status.getUser();
      return new Review(Boolean.TRUE.equals(status.getAuthenticated()), status.getError(),
          user == null ? null : user.getUsername(), status.getAudiences(), user == null ? null : user.getExtra());
    };
  }
}
