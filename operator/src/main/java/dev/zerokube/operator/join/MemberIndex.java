package dev.zerokube.operator.join;

import dev.zerokube.operator.api.member.Member;
import dev.zerokube.operator.controller.KubernetesPolicyStore;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.Map;

/**
 * Finds the Members of a network that hold an address, from an informer cache: the join endpoint
 * asks once per join, and listing every Member from the API server each time would cost the API
 * server a full list per pod start (5,000 Members: megabytes per join).
 */
@FunctionalInterface
public interface MemberIndex {

  /** The Members (any namespace) whose spec names this network and address. */
  List<Member> withAddress(String network, String address);

  /** The operator's policy store, whose Member informer already keeps this index. */
  static MemberIndex of(KubernetesPolicyStore store) {
    return store::membersWithAddress;
  }

  /**
   * An informer of its own (for a join endpoint without the policy store, e.g. tests): indexed by
   * network and address, started and filled before this returns; close it with the endpoint.
   */
  static Cached start(KubernetesClient client) {
    SharedIndexInformer<Member> informer = client.resources(Member.class).inAnyNamespace().runnableInformer(0);
    informer.addIndexers(Map.of(INDEX, m -> m.getSpec() == null || m.getSpec().getNetwork() == null
        || m.getSpec().getAddress() == null ? List.of() : List.of(m.getSpec().getNetwork() + "/" + m.getSpec().getAddress())));
    informer.start().toCompletableFuture().join();
    return new Cached(informer);
  }

  /** Name of the index {@link #start} adds. */
  String INDEX = "networkAddress";

  /** An index over an informer this object owns. */
  final class Cached implements MemberIndex, AutoCloseable {
    private final SharedIndexInformer<Member> informer;

    Cached(SharedIndexInformer<Member> informer) {
      this.informer = informer;
    }

    @Override
    public List<Member> withAddress(String network, String address) {
      return informer.getIndexer().byIndex(INDEX, network + "/" + address);
    }

    @Override
    public void close() {
      informer.close();
    }
  }
}
