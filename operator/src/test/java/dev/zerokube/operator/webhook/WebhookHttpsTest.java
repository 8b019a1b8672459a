package dev.zerokube.operator.webhook;

// Goal: the webhook works over real HTTPS as the API server calls it: TLS with the operator-made
// certificate, checked by a client that trusts only the operator's CA for the IP it dials;
// AdmissionReview in and out; HTTP-level refusals; a rotated certificate served without restart.
// Method: OperatorHttpsServer on 127.0.0.1 (ephemeral port), the JDK HttpClient.

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebhookHttpsTest {

  CertificateRotation rotation = CertificateRotationTest.rotation(CertificateRotationTest.DNS);
  TlsMaterial material;
  RotatingKeyManager keys;
  OperatorHttpsServer server;
  InjectionWebhook webhook = WebhookFixtures.webhook(SidecarMode.NATIVE);

  @BeforeEach
  void start() throws Exception {
    // Issued 25 days ago: still valid, and due for renewal now (past 2/3 of 30 days).
    material = rotation.next(Optional.empty(), java.time.Instant.now().minus(Duration.ofDays(25)));
    keys = new RotatingKeyManager(material);
    server = OperatorHttpsServer.start(new InetSocketAddress("127.0.0.1", 0), keys,
        Map.of(OperatorHttpsServer.MUTATE_PODS_PATH, r -> new OperatorHttpsServer.Response(200, webhook.review(r.body()))));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void admissionReviewsOverHttpsMatchTheGoldenAnswers() throws Exception {
    HttpClient client = TlsClients.client(material.caBundlePem());
    for (String name : List.of("inject-basic", "deny-privileged-sidecar-name", "skip-opt-out-label", "job-pod")) {
      Path dir = WebhookFixtures.GOLDEN.resolve(name);
      HttpResponse<String> response = TlsClients.post(client, server.address(), OperatorHttpsServer.MUTATE_PODS_PATH,
          "application/json", WebhookFixtures.read(dir.resolve("request.json")));
      assertEquals(200, response.statusCode(), name);
      JsonNode body = WebhookFixtures.MAPPER.readTree(response.body());
      JsonNode golden = WebhookFixtures.MAPPER.readTree(WebhookFixtures.read(dir.resolve("response.native.json")));
      if (body.at("/response").has("patch")) {
        ((com.fasterxml.jackson.databind.node.ObjectNode) body.get("response")).set("patch",
            WebhookFixtures.MAPPER.readTree(InjectionWebhook.decodePatch(body.at("/response/patch").asText())));
      }
      assertEquals(golden, body, name);
    }
  }

  @Test
  void httpLevelRefusals() throws Exception {
    HttpClient client = TlsClients.client(material.caBundlePem());
    var address = server.address();
    assertEquals(400, TlsClients.post(client, address, OperatorHttpsServer.MUTATE_PODS_PATH, "application/json", "{\"kind\":\"Pod\"}").statusCode());
    assertEquals(415, TlsClients.post(client, address, OperatorHttpsServer.MUTATE_PODS_PATH, "text/plain", "{}").statusCode());
    HttpResponse<String> big = TlsClients.post(client, address, OperatorHttpsServer.MUTATE_PODS_PATH, "application/json",
        "x".repeat(OperatorHttpsServer.BODY_BYTES_MAX + 1));
    assertEquals(413, big.statusCode());
    assertTrue(big.body().startsWith("{\"error\":"), big.body());
    var get = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://127.0.0.1:" + address.getPort()
        + OperatorHttpsServer.MUTATE_PODS_PATH)).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(405, get.statusCode());
    var health = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://127.0.0.1:" + address.getPort()
        + "/healthz")).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, health.statusCode());
    assertEquals(404, TlsClients.post(client, address, OperatorHttpsServer.MUTATE_PODS_PATH + "/x", "application/json", "{}").statusCode());
  }

  @Test
  void aClientTrustingAnotherCaIsRefusedTheHandshake() throws Exception {
    TlsMaterial other = CertificateRotationTest.rotation(CertificateRotationTest.DNS).next(Optional.empty(), java.time.Instant.now());
    HttpClient client = TlsClients.client(other.caBundlePem());
    assertThrows(SSLHandshakeException.class, () -> TlsClients.post(client, server.address(),
        OperatorHttpsServer.MUTATE_PODS_PATH, "application/json", "{}"));
  }

  @Test
  void aRotatedCertificateIsServedWithoutRestart() throws Exception {
    assertEquals(material.serverCertificate(), TlsClients.served(material.caBundlePem(), server.address()));
    // Renewal time for the serving certificate: same CA, so old clients keep working.
    TlsMaterial renewed = rotation.next(Optional.of(material), java.time.Instant.now());
    assertNotEquals(material.serverCertificate(), renewed.serverCertificate());
    keys.set(renewed);
    assertEquals(renewed.serverCertificate(), TlsClients.served(material.caBundlePem(), server.address()));
  }
}
