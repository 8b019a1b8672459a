package dev.zerokube.operator.join;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stands in for the API server's service-account token issuer and its TokenReview API: issues
 * JWTs shaped like the kubelet's projected tokens (HMAC-signed here, RS256 in a cluster) and
 * answers TokenReviews on the mock server the way kube-apiserver does: unauthenticated with an
 * error for a bad signature or an audience outside spec.audiences, else the service account's
 * user with pod-name and pod-uid extras and the intersected audiences.
 */
public final class FakeTokenAuthority {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final byte[] key;

  public FakeTokenAuthority(String secret) {
    this.key = secret.getBytes(StandardCharsets.UTF_8);
  }

  /** A token for a pod, valid for the given audiences. */
  public String issue(String namespace, String serviceAccount, String pod, String podUid, List<String> audiences) {
    ObjectNode claims = MAPPER.createObjectNode();
    ArrayNode aud = claims.putArray("aud");
    audiences.forEach(aud::add);
    claims.put("iss", "https://kubernetes.default.svc");
    claims.put("sub", "system:serviceaccount:" + namespace + ":" + serviceAccount);
    claims.put("exp", 4_102_444_800L);
    ObjectNode k8s = claims.putObject("kubernetes.io");
    k8s.put("namespace", namespace);
    if (pod != null) {
      k8s.putObject("pod").put("name", pod).put("uid", podUid);
    }
    k8s.putObject("serviceaccount").put("name", serviceAccount).put("uid", "sa-" + serviceAccount);
    String header = b64("{\"alg\":\"HS256\",\"kid\":\"test\"}");
    String payload = b64(claims.toString());
    return header + "." + payload + "." + sign(header + "." + payload);
  }

  /** Answers every TokenReview on {@code server} from now on. */
  public void serveTokenReviews(KubernetesMockServer server) {
    server.expect().post().withPath("/apis/authentication.k8s.io/v1/tokenreviews")
        .andReply(201, request -> review(request.getUtf8Body())).always();
  }

  private Object review(String body) {
    try {
      JsonNode request = MAPPER.readTree(body);
      ObjectNode response = request.deepCopy();
      ObjectNode status = response.putObject("status");
      String token = request.at("/spec/token").asText();
      String[] parts = token.split("\\.", -1);
      if (parts.length != 3 || !MessageDigest.isEqual(sign(parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII),
          parts[2].getBytes(StandardCharsets.US_ASCII))) {
        status.put("authenticated", false);
        status.put("error", "[invalid bearer token, square/go-jose: error in cryptographic primitive]");
        return response;
      }
      JsonNode claims = MAPPER.readTree(Base64.getUrlDecoder().decode(parts[1]));
      ArrayNode wanted = (ArrayNode) request.at("/spec/audiences");
      ArrayNode accepted = status.putArray("audiences");
      claims.get("aud").forEach(a -> wanted.forEach(w -> {
        if (w.asText().equals(a.asText())) {
          accepted.add(a.asText());
        }
      }));
      if (accepted.isEmpty()) {
        response.putObject("status").put("authenticated", false)
            .put("error", "[invalid bearer token, token audiences " + claims.get("aud") + " is invalid for the target audiences " + wanted + "]");
        return response;
      }
      status.put("authenticated", true);
      ObjectNode user = status.putObject("user");
      user.put("username", claims.get("sub").asText());
      user.put("uid", claims.at("/kubernetes.io/serviceaccount/uid").asText());
      user.putArray("groups").add("system:serviceaccounts").add("system:serviceaccounts:" + claims.at("/kubernetes.io/namespace").asText()).add("system:authenticated");
      JsonNode pod = claims.at("/kubernetes.io/pod");
      if (!pod.isMissingNode()) {
        ObjectNode extra = user.putObject("extra");
        extra.putArray(PodToken.EXTRA_POD_NAME).add(pod.get("name").asText());
        extra.putArray(PodToken.EXTRA_POD_UID).add(pod.get("uid").asText());
      }
      return response;
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private String sign(String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(data.getBytes(StandardCharsets.US_ASCII)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
