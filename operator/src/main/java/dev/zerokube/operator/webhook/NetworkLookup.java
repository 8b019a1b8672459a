package dev.zerokube.operator.webhook;

import dev.zerokube.operator.api.network.ZeroTierNetwork;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import java.util.Optional;

/**
 * Finds a ZeroTierNetwork by name, for the webhook (does it exist?) and the join endpoint (its ID
 * and admission policy). The seam keeps {@link PodInjector} pure; implementations read the
 * operator's informer cache or the API server.
 */
@FunctionalInterface
public interface NetworkLookup {

  /** The network of that name, if it exists now. */
  Optional<ZeroTierNetwork> find(String name);

  /** Reads the informer's cache (cluster-scoped objects are keyed by name alone). */
  static NetworkLookup of(SharedIndexInformer<ZeroTierNetwork> informer) {
    return name -> Optional.ofNullable(informer.getStore().getByKey(name));
  }

  /** Asks the API server each time (no cache to wait for; one GET per call). */
  static NetworkLookup of(KubernetesClient client) {
    return name -> Optional.ofNullable(client.resources(ZeroTierNetwork.class).withName(name).get());
  }

  /** A fixed set, for tests and tools. */
  static NetworkLookup of(Map<String, ZeroTierNetwork> networks) {
    Map<String, ZeroTierNetwork> copy = Map.copyOf(networks);
    return name -> Optional.ofNullable(copy.get(name));
  }
}
