package dev.zerokube.operator.webhook;

import dev.zerokube.operator.api.WellKnownNames;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Keeps the operator's TLS certificate current without a manual step (KUBERNETES.md item 6): reads
 * the Secret, lets {@link CertificateRotation} decide, writes the Secret back only when something
 * changed (with the resourceVersion it read, so two replicas that rotate at once cannot both win:
 * the loser reads the winner's material), loads the result into the {@link RotatingKeyManager}, and
 * puts the CA bundle into the webhook configurations' {@code caBundle}.
 *
 * <p>Call {@link #reconcile()} at start-up and then periodically (the operator uses an hour; any
 * period well below a third of the serving certificate's lifetime works). When cert-manager
 * manages the Secret instead, the operator only loads it and leaves caBundle to cert-manager's CA
 * injector; that mode is the chart's choice, not this class's.
 */
public final class WebhookCertificates {

  private static final Logger LOG = Logger.getLogger(WebhookCertificates.class.getName());

  /** Conflicting writes retried before giving up until the next period. */
  static final int ATTEMPTS_MAX = 3;

  private final KubernetesClient client;
  private final String namespace;
  private final String secretName;
  private final List<String> mutatingConfigurations;
  private final List<String> validatingConfigurations;
  private final CertificateRotation rotation;
  private final Clock clock;
  private volatile RotatingKeyManager keys;

  /**
   * @param mutatingConfigurations MutatingWebhookConfigurations whose every webhook gets the bundle
   * @param validatingConfigurations the same for ValidatingWebhookConfigurations
   */
  public WebhookCertificates(KubernetesClient client, String namespace, String secretName,
      List<String> mutatingConfigurations, List<String> validatingConfigurations,
      CertificateRotation rotation, Clock clock) {
    this.client = Objects.requireNonNull(client, "client");
    this.namespace = Objects.requireNonNull(namespace, "namespace");
    this.secretName = Objects.requireNonNull(secretName, "secretName");
    this.mutatingConfigurations = List.copyOf(mutatingConfigurations);
    this.validatingConfigurations = List.copyOf(validatingConfigurations);
    this.rotation = Objects.requireNonNull(rotation, "rotation");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The key manager the HTTPS server uses, filled by the first {@link #reconcile()}. */
  public RotatingKeyManager keyManager() {
    if (keys == null) {
      throw new IllegalStateException("reconcile() first");
    }
    return keys;
  }

  /**
   * Brings the Secret, the served certificate and the caBundles up to date.
   *
   * @return the material now served
   * @throws KubernetesClientException if the API server keeps refusing (the caller retries later)
   */
  public TlsMaterial reconcile() {
    TlsMaterial material = null;
    for (int attempt = 1; material == null; attempt++) {
      Secret secret = client.secrets().inNamespace(namespace).withName(secretName).get();
      Optional<TlsMaterial> current = read(secret);
      TlsMaterial next = rotation.next(current, clock.instant());
      if (current.isPresent() && next == current.get()) {
        material = next;
        break;
      }
      try {
        write(secret, next);
        LOG.info(() -> "issued " + (current.isEmpty() || !next.currentCa().equals(current.get().currentCa())
            ? "a new CA and " : "") + "a serving certificate valid until " + next.serverCertificate().getNotAfter());
        material = next;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= ATTEMPTS_MAX) {
          throw e;
        }
        // Another replica wrote first: start over from what it wrote.
      }
    }
    if (keys == null) {
      keys = new RotatingKeyManager(material);
    } else {
      keys.set(material);
    }
    patchCaBundles(material.caBundlePem());
    return material;
  }

  private Optional<TlsMaterial> read(Secret secret) {
    if (secret == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(TlsMaterial.fromSecretData(secret.getData()));
    } catch (IllegalArgumentException e) {
      LOG.warning(() -> "Secret " + namespace + "/" + secretName + " is unusable (" + e.getMessage()
          + "); issuing new certificates");
      return Optional.empty();
    }
  }

  private void write(Secret existing, TlsMaterial material) {
    Secret desired = new SecretBuilder()
        .withNewMetadata().withName(secretName).withNamespace(namespace)
            .addToLabels(WellKnownNames.PART_OF_LABEL, WellKnownNames.PART_OF)
            .addToLabels(WellKnownNames.COMPONENT_LABEL, "operator")
            .withResourceVersion(existing == null ? null : existing.getMetadata().getResourceVersion())
        .endMetadata()
        .withType("kubernetes.io/tls")
        .withData(material.toSecretData())
        .build();
    if (existing == null) {
      client.secrets().inNamespace(namespace).resource(desired).create();
    } else {
      client.secrets().inNamespace(namespace).resource(desired).update();
    }
  }

  private void patchCaBundles(String bundlePem) {
    String bundle = Base64.getEncoder().encodeToString(bundlePem.getBytes(StandardCharsets.US_ASCII));
    for (String name : mutatingConfigurations) {
      var resource = client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(name);
      MutatingWebhookConfiguration configuration = resource.get();
      if (configuration == null) {
        LOG.warning(() -> "MutatingWebhookConfiguration " + name + " does not exist; caBundle not set");
        continue;
      }
      List<MutatingWebhook> webhooks = configuration.getWebhooks() == null ? List.of() : configuration.getWebhooks();
      if (webhooks.stream().allMatch(w -> bundle.equals(w.getClientConfig().getCaBundle()))) {
        continue;
      }
      resource.edit(c -> {
        c.getWebhooks().forEach(w -> w.getClientConfig().setCaBundle(bundle));
        return c;
      });
    }
    for (String name : validatingConfigurations) {
      var resource = client.admissionRegistration().v1().validatingWebhookConfigurations().withName(name);
      ValidatingWebhookConfiguration configuration = resource.get();
      if (configuration == null) {
        LOG.warning(() -> "ValidatingWebhookConfiguration " + name + " does not exist; caBundle not set");
        continue;
      }
      List<ValidatingWebhook> webhooks = configuration.getWebhooks() == null ? List.of() : configuration.getWebhooks();
      if (webhooks.stream().allMatch(w -> bundle.equals(w.getClientConfig().getCaBundle()))) {
        continue;
      }
      resource.edit(c -> {
        c.getWebhooks().forEach(w -> w.getClientConfig().setCaBundle(bundle));
        return c;
      });
    }
  }
}
