package dev.zerokube.sidecar.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zerokube.overlay.identity.Identity;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The sidecar's side of {@code POST /v1/join} (API.md): presents {@code {network, identity,
 * token}} over HTTPS to the operator, trusting only the CA bundle the webhook injected, and reads
 * {@code {networkId, address, member}} back. Only the public identity is sent; the token is never
 * logged or put in an exception message.
 */
public final class JoinClient {

  /** Per-request timeout (the endpoint does a TokenReview and a few cached reads). */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  /** The endpoint's answer to a successful join. */
  public record Joined(String networkId, String address, String member) {}

  /**
   * The endpoint refused the join (4xx other than 429): retrying the same request cannot help.
   *
   * @param status the HTTP status
   */
  public static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;

    Refused(int status, String message) {
      super(message);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  /** The endpoint asked to retry (503, 429) or could not be reached. */
  public static final class Retry extends Exception {
    private static final long serialVersionUID = 1L;
    private final Duration after;

    Retry(String message, Duration after) {
      super(message);
      this.after = after;
    }

    /** How long the endpoint asked to wait (zero when it did not say). */
    public Duration after() {
      return after;
    }
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final URI endpoint;
  private final HttpClient http;

  /**
   * @param endpoint the join URL, e.g. {@code https://zerokube-join.zerokube-system.svc:8443/v1/join}
   * @param caPem the PEM certificates to trust (nothing else is trusted)
   */
  public JoinClient(URI endpoint, String caPem) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    if (!"https".equals(endpoint.getScheme())) {
      throw new IllegalArgumentException("the join endpoint must be an https URL, not " + endpoint);
    }
    this.http = HttpClient.newBuilder().sslContext(trusting(caPem)).connectTimeout(REQUEST_TIMEOUT)
        .version(HttpClient.Version.HTTP_1_1).build();
  }

  /** An SSL context trusting exactly the certificates in {@code pem}. */
  static SSLContext trusting(String pem) {
    try {
      Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
      if (certificates.isEmpty()) {
        throw new IllegalArgumentException("the join CA bundle holds no certificate");
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate c : certificates) {
        store.setCertificateEntry("ca-" + i++, c);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("the join CA bundle is not PEM certificates: " + e.getMessage());
    }
  }

  /**
   * Opens the TLS connection early (a GET of the endpoint's {@code /healthz}, which the operator's
   * HTTPS server answers), so the join itself reuses a warm, kept-alive connection. Failures are
   * ignored: the join reports its own.
   */
  public void warmUp() {
    try {
      http.send(HttpRequest.newBuilder(endpoint.resolve("/healthz")).timeout(REQUEST_TIMEOUT).GET().build(),
          HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      // the join will say why
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * One join attempt.
   *
   * @param identity the node's identity; only its public part is sent
   * @throws Refused on 4xx (the body's error says why)
   * @throws Retry on 5xx, 429 or a connection failure
   */
  public Joined join(String network, Identity identity, String token) throws Refused, Retry, InterruptedException {
    String body = MAPPER.createObjectNode().put("network", network).put("identity", identity.publicOnly().toString())
        .put("token", token).toString();
    HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(REQUEST_TIMEOUT)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new Retry("cannot reach " + endpoint.getHost() + ":" + endpoint.getPort() + ": " + e, Duration.ZERO);
    }
    int status = response.statusCode();
    JsonNode json;
    try {
      json = MAPPER.readTree(response.body());
    } catch (IOException e) {
      json = MAPPER.createObjectNode();
    }
    if (status == 200) {
      String networkId = json.path("networkId").asText("");
      String address = json.path("address").asText("");
      if (!networkId.matches("[0-9a-f]{16}") || !address.equals(identity.address().toString())) {
        throw new Retry("the join endpoint answered 200 without our network ID and address", Duration.ZERO);
      }
      return new Joined(networkId, address, json.path("member").asText(""));
    }
    String error = json.path("error").asText("HTTP " + status);
    if (status == 429 || status >= 500) {
      Duration after = response.headers().firstValue("Retry-After").flatMap(JoinClient::seconds).orElse(Duration.ZERO);
      throw new Retry(status + ": " + error, after);
    }
    throw new Refused(status, error);
  }

  private static java.util.Optional<Duration> seconds(String s) {
    try {
      long v = Long.parseLong(s.strip());
      return v >= 0 && v <= 300 ? java.util.Optional.of(Duration.ofSeconds(v)) : java.util.Optional.empty();
    } catch (NumberFormatException e) {
      return java.util.Optional.empty();
    }
  }
}
