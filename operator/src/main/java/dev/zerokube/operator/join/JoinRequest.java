package dev.zerokube.operator.join;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zerokube.operator.api.SchemaPatterns;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.identity.InvalidIdentityException;
import java.util.regex.Pattern;

/**
 * The body of {@code POST /v1/join}: {@code {"network", "identity", "token"}} (API.md), read
 * strictly: each is a non-empty string, the network a valid object name, the identity ZeroTier's
 * public text form without a private key. Other fields are ignored (later versions may add some).
 *
 * @param network the ZeroTierNetwork's name
 * @param identity the node's public identity (parsed, not yet validated: validation costs a
 *     memory-hard hash, so it runs only after the token is proven)
 * @param token the projected service-account token
 */
public record JoinRequest(String network, Identity identity, String token) {

  /** Tokens longer than this are refused unread (Kubernetes tokens are about 1 KiB). */
  public static final int TOKEN_LENGTH_MAX = 16 * 1024;

  private static final Pattern NAME = Pattern.compile(SchemaPatterns.DNS_SUBDOMAIN);
  private static final int NAME_LENGTH_MAX = 253;

  @Override
  public String toString() {
    // Never print the token.
    return "JoinRequest[network=" + network + ", address=" + identity.address() + "]";
  }

  /**
   * Reads a request body.
   *
   * @throws JoinException 400 naming the field that is missing or malformed
   */
  public static JoinRequest parse(String body, ObjectMapper mapper) throws JoinException {
    JsonNode json;
    try {
      json = mapper.readTree(body);
    } catch (JsonProcessingException e) {
      throw new JoinException(JoinException.MALFORMED, "body is not JSON");
    }
    if (json == null || !json.isObject()) {
      throw new JoinException(JoinException.MALFORMED, "body must be a JSON object {network, identity, token}");
    }
    String network = field(json, "network");
    String identityText = field(json, "identity");
    String token = field(json, "token");
    if (network.length() > NAME_LENGTH_MAX || !NAME.matcher(network).matches()) {
      throw new JoinException(JoinException.MALFORMED, "network \"" + network + "\" is not a valid ZeroTierNetwork name");
    }
    if (token.length() > TOKEN_LENGTH_MAX || token.chars().anyMatch(c -> c <= ' ' || c > '~')) {
      throw new JoinException(JoinException.MALFORMED, "token is not a service-account token (too long, or "
          + "spaces or non-ASCII characters)");
    }
    Identity identity;
    try {
      identity = Identity.parse(identityText);
    } catch (InvalidIdentityException e) {
      throw new JoinException(JoinException.MALFORMED, "identity: " + e.getMessage());
    }
    if (identity.hasPrivate()) {
      // The sidecar's secret must never leave it; refuse loudly so the bug is found.
      throw new JoinException(JoinException.MALFORMED, "identity includes its private key; send only the "
          + "public form (address:0:public-key)");
    }
    return new JoinRequest(network, identity, token);
  }

  private static String field(JsonNode json, String name) throws JoinException {
    JsonNode value = json.get(name);
    if (value == null || value.isNull()) {
      throw new JoinException(JoinException.MALFORMED, "missing field \"" + name + "\"");
    }
    if (!value.isTextual() || value.asText().isEmpty()) {
      throw new JoinException(JoinException.MALFORMED, "field \"" + name + "\" must be a non-empty string");
    }
    return value.asText();
  }
}
