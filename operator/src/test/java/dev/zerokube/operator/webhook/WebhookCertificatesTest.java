package dev.zerokube.operator.webhook;

// Goal: certificates need no manual step: the operator creates the Secret, fills caBundle, writes
// nothing while all is current, rotates on time, and two replicas agree. Method: the Fabric8 mock
// API server in CRUD mode with a MutatingWebhookConfiguration as the chart would install it
// (caBundle empty), and a fake clock moved by hand.

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class WebhookCertificatesTest {

  static final String NS = "zerokube-system";
  static final String SECRET = "zerokube-webhook-tls";
  static final String MWC = "zerokube";

  KubernetesClient client;
  io.fabric8.kubernetes.client.server.mock.KubernetesMockServer server;

  /** A clock the test moves. */
  static final class FakeClock extends Clock {
    Instant now = CertificateRotationTest.T0;

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @BeforeEach
  void installWebhookConfiguration() {
    client.admissionRegistration().v1().mutatingWebhookConfigurations().resource(mwc()).create();
  }

  static MutatingWebhookConfiguration mwc() {
    return new MutatingWebhookConfigurationBuilder().withNewMetadata().withName(MWC).endMetadata()
        .addNewWebhook().withName("inject.zerokube.dev").withAdmissionReviewVersions("v1")
            .withSideEffects("None").withFailurePolicy("Fail")
            .withNewClientConfig().withNewService().withName("zerokube-join").withNamespace(NS)
                .withPath(OperatorHttpsServer.MUTATE_PODS_PATH).withPort(8443).endService().endClientConfig()
        .endWebhook().build();
  }

  WebhookCertificates certificates(FakeClock clock) {
    return new WebhookCertificates(client, NS, SECRET, List.of(MWC), List.of(),
        CertificateRotationTest.rotation(CertificateRotationTest.DNS), clock);
  }

  String caBundle() {
    String b64 = client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(MWC).get()
        .getWebhooks().get(0).getClientConfig().getCaBundle();
    return b64 == null ? null : new String(Base64.getDecoder().decode(b64), StandardCharsets.US_ASCII);
  }

  Secret secret() {
    return client.secrets().inNamespace(NS).withName(SECRET).get();
  }

  @Test
  void createsTheSecretFillsCaBundleThenStaysQuiet() {
    FakeClock clock = new FakeClock();
    WebhookCertificates certs = certificates(clock);
    TlsMaterial first = certs.reconcile();
    Secret secret = secret();
    assertEquals("kubernetes.io/tls", secret.getType());
    assertEquals(first.caBundlePem(), caBundle());
    assertSame(first, certs.keyManager().current());
    String version = secret.getMetadata().getResourceVersion();
    String mwcVersion = client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(MWC).get()
        .getMetadata().getResourceVersion();

    clock.now = clock.now.plus(Duration.ofDays(1));
    TlsMaterial again = certs.reconcile();
    assertEquals(first.serverCertificate(), again.serverCertificate());
    assertEquals(version, secret().getMetadata().getResourceVersion(), "nothing rewritten");
    assertEquals(mwcVersion, client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(MWC).get()
        .getMetadata().getResourceVersion(), "caBundle not rewritten");
  }

  @Test
  void rotatesOnTimeAndASecondReplicaServesWhatTheFirstWrote() {
    FakeClock clock = new FakeClock();
    WebhookCertificates replicaA = certificates(clock);
    WebhookCertificates replicaB = certificates(clock);
    TlsMaterial a = replicaA.reconcile();
    TlsMaterial b = replicaB.reconcile();
    assertEquals(a.serverCertificate(), b.serverCertificate(), "B reads A's material instead of issuing its own");

    clock.now = clock.now.plus(Duration.ofDays(25)); // past 2/3 of a 30-day serving certificate
    TlsMaterial renewed = replicaB.reconcile();
    assertNotEquals(a.serverCertificate(), renewed.serverCertificate());
    assertEquals(renewed.serverCertificate(), replicaB.keyManager().current().serverCertificate());
    assertEquals(renewed.serverCertificate(), replicaA.reconcile().serverCertificate());
    assertEquals(renewed.serverCertificate(), replicaA.keyManager().current().serverCertificate());

    clock.now = clock.now.plus(Duration.ofDays(200)); // past 2/3 of the 300-day CA
    TlsMaterial newCa = replicaA.reconcile();
    assertEquals(2, newCa.caCertificates().size());
    assertEquals(newCa.caBundlePem(), caBundle());
  }

  @Test
  void aDamagedSecretIsReplaced() {
    FakeClock clock = new FakeClock();
    client.secrets().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
        .withNewMetadata().withName(SECRET).withNamespace(NS).endMetadata()
        .addToData("tls.crt", "AAAA").build()).create();
    TlsMaterial m = certificates(clock).reconcile();
    assertEquals(m.serverCertificate(), TlsMaterial.fromSecretData(secret().getData()).serverCertificate());
  }

  @Test
  void sidecarModeAutoIsClassicOnTheTestApiServersVersion() {
    server.setVersionInfo(new io.fabric8.kubernetes.client.VersionInfo.Builder().withMajor("1").withMinor("20").build());
    assertEquals(SidecarMode.CLASSIC, SidecarMode.of(client));
  }

  @Test
  void sidecarModeAutoIsNativeFrom129() {
    // (The client caches the version, hence one version per test.)
    server.setVersionInfo(new io.fabric8.kubernetes.client.VersionInfo.Builder().withMajor("1").withMinor("31+").build());
    assertEquals(SidecarMode.NATIVE, SidecarMode.of(client));
  }
}
