package dev.zerokube.operator.join;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zerokube.operator.api.WellKnownNames;
import dev.zerokube.operator.api.member.Member;
import dev.zerokube.operator.api.member.MemberSpec;
import dev.zerokube.operator.api.member.MemberStatus;
import dev.zerokube.operator.api.member.PodReference;
import dev.zerokube.operator.api.network.ZeroTierNetwork;
import dev.zerokube.operator.webhook.NetworkLookup;
import dev.zerokube.operator.webhook.OperatorHttpsServer;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * {@code POST /v1/join} (API.md): validates a sidecar's request and creates or updates its pod's
 * Member. Steps, each refusing with API.md's status and writing nothing on refusal:
 *
 * <ol>
 *   <li>read the body (400);
 *   <li>TokenReview with audience {@code zerokube.dev} (401 bad token; 403 wrong audience);
 *   <li>the pod the token is bound to, as the API server has it now (403 when gone);
 *   <li>the network (404), then {@link JoinPolicy} (403);
 *   <li>the network has its ID (503, retry);
 *   <li>the identity passes ZeroTier's proof-of-work check (400; after the token, because the check
 *       costs a 2 MiB memory-hard hash and must not be free for strangers);
 *   <li>the address is not another Member of the network (409);
 *   <li>Member {@code <pod>-<network>} created, owned by the pod (controller reference, so garbage
 *       collection deletes it with the pod), authorized as the network's admission says; an
 *       existing Member of this pod with the same address is left as it is (a retried join; an
 *       administrator may have deauthorized it), one with another address (the sidecar restarted
 *       with a fresh identity) or of an earlier pod of the same name is deleted and the sidecar
 *       told to retry once it is gone (503).
 * </ol>
 *
 * Once the token is proven, the pod gets an event: {@code Joined}, or a {@code JoinRefused} warning
 * with the reason, so {@code kubectl describe pod} shows why its sidecar is not ready.
 */
public final class JoinEndpoint {

  private static final Logger LOG = Logger.getLogger(JoinEndpoint.class.getName());

  /** Seconds a sidecar should wait before retrying a 503. */
  public static final int RETRY_AFTER_SECONDS = 2;

  /** Value of the managed-by label on Members the endpoint creates. */
  public static final String MANAGED_BY = "zerokube-operator";

  private final KubernetesClient client;
  private final TokenReviewer reviewer;
  private final NetworkLookup networks;
  private final MemberIndex members;
  private final ObjectMapper mapper;
  private final boolean requireSourcePodIp;
  private final java.time.Clock clock;
  /**
   * Addresses this endpoint gave a Member in the last {@link #RECENT_WRITE_MS}, keyed
   * {@code network/address}: the informer cache may not show a Member created a moment ago, and
   * two joins racing with one address must not both win on this replica.
   */
  private final java.util.concurrent.ConcurrentHashMap<String, RecentWrite> recentWrites =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** How long a write is remembered beside the cache (far longer than an informer's lag). */
  static final long RECENT_WRITE_MS = 60_000;

  private record RecentWrite(String member, long atMs) {}

  /**
   * @param members the Members by network and address, from a cache (never a list per join)
   * @param requireSourcePodIp refuse requests that do not come from the pod's own IP (on in a
   *     cluster whose pod traffic reaches Services unmasqueraded, the usual case; off when joins
   *     cross NAT, as from another cluster)
   */
  public JoinEndpoint(KubernetesClient client, TokenReviewer reviewer, NetworkLookup networks, MemberIndex members,
      ObjectMapper mapper, boolean requireSourcePodIp) {
    this.client = Objects.requireNonNull(client, "client");
    this.reviewer = Objects.requireNonNull(reviewer, "reviewer");
    this.networks = Objects.requireNonNull(networks, "networks");
    this.members = Objects.requireNonNull(members, "members");
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    this.requireSourcePodIp = requireSourcePodIp;
    this.clock = java.time.Clock.systemUTC();
  }

  /** The answer to a successful join (API.md). */
  public record JoinResponse(String networkId, String address, String member) {}

  /** This endpoint as a route of {@link OperatorHttpsServer}. */
  public OperatorHttpsServer.JsonHandler handler() {
    return request -> {
      try {
        JoinResponse response = join(JoinRequest.parse(request.body(), mapper), request.remoteAddress());
        return new OperatorHttpsServer.Response(200, mapper.writeValueAsString(response));
      } catch (JoinException e) {
        LOG.info(() -> "join from " + request.remoteAddress() + " refused (" + e.status() + "): " + e.getMessage());
        return new OperatorHttpsServer.Response(e.status(), OperatorHttpsServer.error(e.getMessage()),
            e.status() == JoinException.RETRY ? Map.of("Retry-After", Integer.toString(RETRY_AFTER_SECONDS)) : Map.of());
      } catch (KubernetesClientException e) {
        // The API server is unreachable or refused us (RBAC, overload): the sidecar should retry,
        // and the operator's log says why.
        LOG.warning(() -> "join from " + request.remoteAddress() + " failed on the API server: " + e.getMessage());
        return new OperatorHttpsServer.Response(JoinException.RETRY,
            OperatorHttpsServer.error("the operator cannot reach the API server; retry"),
            Map.of("Retry-After", Integer.toString(RETRY_AFTER_SECONDS)));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException("cannot write a join response", e);
      }
    };
  }

  /**
   * Handles one join.
   *
   * @param remoteAddress the client's IP
   * @throws JoinException with the status to answer
   */
  public JoinResponse join(JoinRequest request, String remoteAddress) throws JoinException {
    PodToken token = authenticate(request.token());
    Pod pod = client.pods().inNamespace(token.namespace()).withName(token.podName()).get();
    if (pod == null) {
      throw new JoinException(JoinException.FORBIDDEN, "the token was issued to pod " + token.namespace() + "/"
          + token.podName() + ", which no longer exists");
    }
    try {
      JoinResponse response = join(request, remoteAddress, token, pod);
      event(pod, "Normal", "Joined", "joined ZeroTierNetwork " + request.network() + " as " + response.address()
          + " (Member " + response.member() + ")");
      return response;
    } catch (JoinException e) {
      // Only for tokens proven to be this pod's: strangers cannot write events on pods.
      if (e.status() != JoinException.RETRY) {
        event(pod, "Warning", "JoinRefused", "joining ZeroTierNetwork " + request.network() + " refused: " + e.getMessage());
      }
      throw e;
    }
  }

  private JoinResponse join(JoinRequest request, String remoteAddress, PodToken token, Pod pod) throws JoinException {
    ZeroTierNetwork network = networks.find(request.network()).orElseThrow(() -> new JoinException(
        JoinException.UNKNOWN_NETWORK, "ZeroTierNetwork " + request.network() + " does not exist"));
    Namespace namespace = client.namespaces().withName(token.namespace()).get();
    Map<String, String> namespaceLabels = namespace == null || namespace.getMetadata().getLabels() == null
        ? Map.of() : namespace.getMetadata().getLabels();
    Optional<JoinPolicy.Refusal> refusal = JoinPolicy.check(new JoinPolicy.Input(token, pod, network,
        namespaceLabels, remoteAddress, requireSourcePodIp));
    if (refusal.isPresent()) {
      throw refusal.get().toException();
    }
    String networkId = network.getStatus() == null ? null : network.getStatus().getNetworkId();
    if (networkId == null) {
      throw new JoinException(JoinException.RETRY, "network " + request.network() + " has no network ID yet; retry");
    }
    if (!request.identity().locallyValidate()) {
      throw new JoinException(JoinException.MALFORMED, "identity " + request.identity().address()
          + " fails ZeroTier's validation (its public key's proof of work does not yield its address)");
    }
    String address = request.identity().address().toString();
    String memberName = token.podName() + "-" + request.network();
    if (memberName.length() > 253) {
      throw new JoinException(JoinException.MALFORMED, "Member name " + memberName + " would exceed 253 characters");
    }
    String key = request.network() + "/" + address;
    String qualified = token.namespace() + "/" + memberName;
    long nowMs = clock.millis();
    recentWrites.values().removeIf(w -> nowMs - w.atMs() > RECENT_WRITE_MS);
    RecentWrite claimed = recentWrites.compute(key, (k, w) -> w == null || w.member().equals(qualified)
        ? new RecentWrite(qualified, nowMs) : w);
    if (!claimed.member().equals(qualified)) {
      throw new JoinException(JoinException.CONFLICT, "address " + address + " is already Member "
          + claimed.member() + " of network " + request.network());
    }
    try {
      refuseAddressTaken(request.network(), address, token, memberName);
      writeMember(memberName, request.network(), request.identity(), pod, JoinPolicy.autoAuthorize(network));
    } catch (JoinException | RuntimeException e) {
      recentWrites.remove(key, claimed);
      throw e;
    }
    LOG.info(() -> "pod " + token.namespace() + "/" + token.podName() + " joined " + request.network() + " as " + address);
    return new JoinResponse(networkId, address, token.namespace() + "/" + memberName);
  }

  /** Records an event on the pod (KUBERNETES.md item 12); best effort, never fails the join. */
  private void event(Pod pod, String type, String reason, String message) {
    String namespace = pod.getMetadata().getNamespace();
    String now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    Event event = new EventBuilder()
        .withNewMetadata().withName(pod.getMetadata().getName() + "." + java.util.UUID.randomUUID().toString().substring(0, 13))
            .withNamespace(namespace).endMetadata()
        .withNewInvolvedObject().withApiVersion("v1").withKind("Pod").withName(pod.getMetadata().getName())
            .withNamespace(namespace).withUid(pod.getMetadata().getUid()).endInvolvedObject()
        .withType(type).withReason(reason).withMessage(message)
        .withNewSource().withComponent(MANAGED_BY).endSource()
        .withReportingComponent(MANAGED_BY)
        .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
        .build();
    try {
      client.v1().events().inNamespace(namespace).resource(event).create();
    } catch (KubernetesClientException e) {
      LOG.fine(() -> "event on pod " + namespace + "/" + pod.getMetadata().getName() + " not recorded: " + e.getMessage());
    }
  }

  private PodToken authenticate(String token) throws JoinException {
    TokenReviewer.Review review = reviewer.review(token, WellKnownNames.TOKEN_AUDIENCE);
    if (!review.authenticated()) {
      Optional<List<String>> claimed = PodToken.claimedAudiences(token, mapper);
      if (claimed.isPresent() && !claimed.get().contains(WellKnownNames.TOKEN_AUDIENCE)) {
        throw new JoinException(JoinException.FORBIDDEN, "the token is for audience " + claimed.get() + ", not "
            + WellKnownNames.TOKEN_AUDIENCE + "; present the projected token the webhook mounts");
      }
      throw new JoinException(JoinException.BAD_TOKEN, "the API server did not accept the token"
          + (review.error().isEmpty() ? "" : ": " + review.error()));
    }
    if (!review.audiences().contains(WellKnownNames.TOKEN_AUDIENCE)) {
      throw new JoinException(JoinException.FORBIDDEN, "the token is valid for " + review.audiences() + ", not "
          + WellKnownNames.TOKEN_AUDIENCE);
    }
    return PodToken.from(review);
  }

  private void refuseAddressTaken(String network, String address, PodToken token, String memberName) throws JoinException {
    for (Member m : members.withAddress(network, address)) {
      boolean ours = token.namespace().equals(m.getMetadata().getNamespace())
          && memberName.equals(m.getMetadata().getName()) && token.podUid().equals(ownerPodUid(m));
      if (!ours) {
        throw new JoinException(JoinException.CONFLICT, "address " + address + " is already Member "
            + m.getMetadata().getNamespace() + "/" + m.getMetadata().getName() + " of network " + network);
      }
    }
  }

  private void writeMember(String name, String network, dev.zerokube.overlay.identity.Identity identity, Pod pod,
      boolean authorized) throws JoinException {
    String address = identity.address().toString();
    String namespace = pod.getMetadata().getNamespace();
    var members = client.resources(Member.class).inNamespace(namespace);
    Member existing = members.withName(name).get();
    if (existing != null) {
      String owner = ownerPodUid(existing);
      if (owner == null) {
        throw new JoinException(JoinException.CONFLICT, "Member " + namespace + "/" + name
            + " exists and does not belong to a pod; rename or delete it");
      }
      if (owner.equals(pod.getMetadata().getUid()) && address.equals(existing.getSpec().getAddress())) {
        ensurePodStatus(members.withName(name), pod);
        return;
      }
      // Addresses never change on a Member: the old one goes (and is revoked), then the new one.
      if (existing.getMetadata().getDeletionTimestamp() == null) {
        members.withName(name).delete();
      }
      if (members.withName(name).get() != null) {
        throw new JoinException(JoinException.RETRY, "the previous Member " + namespace + "/" + name
            + " (address " + existing.getSpec().getAddress() + ") is being revoked; retry");
      }
    }
    Member member = new Member();
    member.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace)
        .addToLabels(WellKnownNames.PART_OF_LABEL, WellKnownNames.PART_OF)
        .addToLabels(WellKnownNames.MANAGED_BY_LABEL, MANAGED_BY)
        // The full public identity: the controller then answers only the node holding this key,
        // not another node that merely claims the address.
        .addToAnnotations(WellKnownNames.IDENTITY_ANNOTATION, identity.toString())
        .withOwnerReferences(ownerReference(pod)).build());
    MemberSpec spec = new MemberSpec();
    spec.setNetwork(network);
    spec.setAddress(address);
    spec.setAuthorized(authorized);
    member.setSpec(spec);
    try {
      members.resource(member).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        throw new JoinException(JoinException.RETRY, "Member " + namespace + "/" + name + " is being replaced; retry");
      }
      throw e;
    }
    ensurePodStatus(members.withName(name), pod);
  }

  private static void ensurePodStatus(io.fabric8.kubernetes.client.dsl.Resource<Member> member, Pod pod) {
    PodReference wanted = new PodReference();
    wanted.setName(pod.getMetadata().getName());
    wanted.setUid(pod.getMetadata().getUid());
    // The Member reconciler writes status too (finalizer, addresses, conditions): a conflict means
    // re-read and try again, not fail the join.
    for (int attempt = 1; ; attempt++) {
      Member current = member.get();
      if (current == null || current.getStatus() != null && wanted.equals(current.getStatus().getPod())) {
        return;
      }
      try {
        member.editStatus(m -> {
          if (m.getStatus() == null) {
            m.setStatus(new MemberStatus());
          }
          m.getStatus().setPod(wanted);
          return m;
        });
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= STATUS_ATTEMPTS_MAX) {
          throw e;
        }
      }
    }
  }

  /** Status writes tried before the join answers 503 (conflicts with the Member reconciler). */
  static final int STATUS_ATTEMPTS_MAX = 5;

  private static OwnerReference ownerReference(Pod pod) {
    // No blockOwnerDeletion: it would need update on pods/finalizers, and nothing waits on it.
    return new OwnerReferenceBuilder().withApiVersion("v1").withKind("Pod").withName(pod.getMetadata().getName())
        .withUid(pod.getMetadata().getUid()).withController(true).build();
  }

  /** The UID of the Pod that controls a Member, if any. */
  static String ownerPodUid(Member member) {
    List<OwnerReference> owners = member.getMetadata().getOwnerReferences();
    if (owners == null) {
      return null;
    }
    return owners.stream().filter(o -> "Pod".equals(o.getKind()) && "v1".equals(o.getApiVersion())
        && Boolean.TRUE.equals(o.getController())).map(OwnerReference::getUid).findFirst().orElse(null);
  }
}
