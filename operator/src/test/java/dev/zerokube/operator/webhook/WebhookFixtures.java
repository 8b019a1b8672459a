package dev.zerokube.operator.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zerokube.operator.api.network.ZeroTierNetwork;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The fixed settings and networks the webhook's golden files were made with. */
final class WebhookFixtures {

  static final String IMAGE = "ghcr.io/zerokube/zerokube:0.1.0";
  static final URI JOIN = URI.create("https://zerokube-join.zerokube-system.svc:8443/v1/join");
  static final String CA_PEM = "-----BEGIN CERTIFICATE-----\nTESTCA\n-----END CERTIFICATE-----\n";
  static final SidecarSettings SETTINGS = SidecarSettings.defaults(IMAGE, JOIN, CA_PEM);
  static final ObjectMapper MAPPER = new ObjectMapper();

  /** The networks that exist: prod-mesh and other. */
  static final NetworkLookup NETWORKS = NetworkLookup.of(Map.of(
      "prod-mesh", network("prod-mesh"), "other", network("other")));

  /** Where golden files live, in the source tree (so -Dzerokube.golden.update=true can rewrite them). */
  static final Path GOLDEN = Path.of("src/test/resources/webhook");

  private WebhookFixtures() {}

  static ZeroTierNetwork network(String name) {
    ZeroTierNetwork network = new ZeroTierNetwork();
    network.setMetadata(new ObjectMetaBuilder().withName(name).build());
    return network;
  }

  static InjectionWebhook webhook(SidecarMode mode) {
    PodInjector injector = new PodInjector(SETTINGS, mode, NETWORKS, MAPPER);
    return new InjectionWebhook(() -> injector, MAPPER);
  }

  static String read(Path path) {
    try {
      return Files.readString(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
