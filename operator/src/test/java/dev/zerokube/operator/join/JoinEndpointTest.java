package dev.zerokube.operator.join;

// Goal: the join endpoint's whole contract (API.md) as a sidecar meets it: over real HTTPS, with
// tokens the API server reviews, against an API server holding pods, namespaces, networks and
// Members. Every refusal answers its status with {"error": ...} and leaves the Members untouched.
// Method: OperatorHttpsServer on 127.0.0.1 with an operator-made certificate; the Fabric8 mock API
// server in CRUD mode, with TokenReviews answered by FakeTokenAuthority like kube-apiserver does.

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zerokube.operator.api.WellKnownNames;
import dev.zerokube.operator.api.member.Member;
import dev.zerokube.operator.api.member.MemberSpec;
import dev.zerokube.operator.api.network.Admission;
import dev.zerokube.operator.api.network.ZeroTierNetwork;
import dev.zerokube.operator.api.network.ZeroTierNetworkSpec;
import dev.zerokube.operator.api.network.ZeroTierNetworkStatus;
import dev.zerokube.operator.webhook.CertificateRotation;
import dev.zerokube.operator.webhook.NetworkLookup;
import dev.zerokube.operator.webhook.OperatorHttpsServer;
import dev.zerokube.operator.webhook.RotatingKeyManager;
import dev.zerokube.operator.webhook.TlsClients;
import dev.zerokube.operator.webhook.TlsMaterial;
import dev.zerokube.overlay.identity.Identity;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class JoinEndpointTest {

  static final ObjectMapper MAPPER = new ObjectMapper();
  static final String NS = "payments";
  static final String NETWORK_ID = "a1b2c3d4e5000001";
  static final FakeTokenAuthority AUTHORITY = new FakeTokenAuthority("cluster signing key");

  static Identity alice;
  static Identity bob;
  static Identity carol;

  KubernetesMockServer server;
  KubernetesClient client;
  OperatorHttpsServer https;
  HttpClient http;
  TlsMaterial tls;
  boolean requireSourcePodIp = true;
  TokenReviewer reviewer;
  MemberIndex.Cached members;

  @BeforeAll
  static void identities() {
    // Proof of work makes these cost a little; three are enough.
    alice = Identity.generate(new SplittableRandom(1));
    bob = Identity.generate(new SplittableRandom(2));
    carol = Identity.generate(new SplittableRandom(3));
  }

  @BeforeEach
  void cluster() throws Exception {
    AUTHORITY.serveTokenReviews(server);
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS)
        .addToLabels("team", "payments").endMetadata().build()).create();
    network("prod-mesh", admission(Map.of("team", "payments"), null, null), NETWORK_ID);
    pod(NS, "web-1", "web", "prod-mesh", "127.0.0.1", Map.of("app", "web"));
    pod(NS, "web-2", "web", "prod-mesh", "10.0.0.2", Map.of("app", "web"));
    startHttps();
  }

  void startHttps() throws Exception {
    if (https != null) {
      https.close();
    }
    tls = new CertificateRotation(Duration.ofDays(300), Duration.ofDays(30), List.of("zerokube-join.zerokube-system.svc"),
        List.of("127.0.0.1"), new SecureRandom()).next(Optional.empty(), Instant.now());
    if (members == null) {
      members = MemberIndex.start(client);
    }
    JoinEndpoint endpoint = new JoinEndpoint(client, reviewer != null ? reviewer : TokenReviewer.of(client),
        NetworkLookup.of(client), members, MAPPER, requireSourcePodIp);
    https = OperatorHttpsServer.start(new InetSocketAddress("127.0.0.1", 0), new RotatingKeyManager(tls),
        Map.of(WellKnownNames.JOIN_PATH, endpoint.handler()));
    http = TlsClients.client(tls.caBundlePem());
  }

  @AfterEach
  void stop() {
    https.close();
    if (members != null) {
      members.close();
    }
  }

  static Admission admission(Map<String, String> namespaces, Map<String, String> pods, Boolean autoAuthorize) {
    Admission a = new Admission();
    a.setNamespaceSelector(namespaces == null ? null : new LabelSelectorBuilder().withMatchLabels(namespaces).build());
    a.setPodSelector(pods == null ? null : new LabelSelectorBuilder().withMatchLabels(pods).build());
    a.setAutoAuthorizePods(autoAuthorize);
    return a;
  }

  void network(String name, Admission admission, String networkId) {
    ZeroTierNetwork n = new ZeroTierNetwork();
    n.setMetadata(new ObjectMetaBuilder().withName(name).build());
    ZeroTierNetworkSpec spec = new ZeroTierNetworkSpec();
    spec.setAdmission(admission);
    n.setSpec(spec);
    if (networkId != null) {
      ZeroTierNetworkStatus status = new ZeroTierNetworkStatus();
      status.setNetworkId(networkId);
      n.setStatus(status);
    }
    client.resources(ZeroTierNetwork.class).resource(n).create();
  }

  /** Creates a pod; the API server gives it its UID. */
  void pod(String ns, String name, String serviceAccount, String networks, String ip, Map<String, String> labels) {
    Pod p = new PodBuilder().withNewMetadata().withName(name).withNamespace(ns).withLabels(labels)
        .addToAnnotations(WellKnownNames.NETWORKS_ANNOTATION, networks).endMetadata()
        .withNewSpec().withServiceAccountName(serviceAccount).addNewContainer().withName("app").withImage("app").endContainer()
        .endSpec().withNewStatus().withPodIP(ip).addNewPodIP(ip).endStatus().build();
    client.pods().inNamespace(ns).resource(p).create();
  }

  String uid(String pod) {
    return client.pods().inNamespace(NS).withName(pod).get().getMetadata().getUid();
  }

  /** The projected token the kubelet would mount into that pod. */
  String token(String pod) {
    return AUTHORITY.issue(NS, "web", pod, uid(pod), List.of(WellKnownNames.TOKEN_AUDIENCE));
  }

  /** Waits until the endpoint's Member cache shows a Member made directly on the API server. */
  void awaitCached(String network, String address) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (members.withAddress(network, address).isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the Member cache never showed " + network + "/" + address);
      }
      Thread.sleep(10);
    }
  }

  HttpResponse<String> join(String network, String identity, String token) throws Exception {
    String body = MAPPER.createObjectNode().put("network", network).put("identity", identity).put("token", token).toString();
    return post(body);
  }

  HttpResponse<String> post(String body) throws Exception {
    return TlsClients.post(http, https.address(), WellKnownNames.JOIN_PATH, "application/json", body);
  }

  List<Member> members() {
    return client.resources(Member.class).inAnyNamespace().list().getItems();
  }

  /** Asserts the status, an {"error"} body mentioning {@code words}, and that no Member changed. */
  void refused(int status, HttpResponse<String> response, List<Member> before, String... words) throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    JsonNode body = MAPPER.readTree(response.body());
    String error = body.get("error").asText();
    for (String word : words) {
      assertTrue(error.contains(word), "'" + error + "' lacks '" + word + "'");
    }
    assertEquals(before, members(), "no Member written on a refusal");
  }

  @Test
  void aPodJoinsAndItsMemberIsOwnedByThePod() throws Exception {
    HttpResponse<String> response = join("prod-mesh", alice.toString(), token("web-1"));
    assertEquals(200, response.statusCode(), response.body());
    JsonNode body = MAPPER.readTree(response.body());
    assertEquals(NETWORK_ID, body.get("networkId").asText());
    assertEquals(alice.address().toString(), body.get("address").asText());
    assertEquals(NS + "/web-1-prod-mesh", body.get("member").asText());

    Member m = client.resources(Member.class).inNamespace(NS).withName("web-1-prod-mesh").get();
    assertEquals("prod-mesh", m.getSpec().getNetwork());
    assertEquals(alice.address().toString(), m.getSpec().getAddress());
    assertEquals(Boolean.TRUE, m.getSpec().getAuthorized());
    var owner = m.getMetadata().getOwnerReferences().get(0);
    assertEquals(List.of("v1", "Pod", "web-1", uid("web-1"), true),
        List.of(owner.getApiVersion(), owner.getKind(), owner.getName(), owner.getUid(), owner.getController()));
    assertEquals("web-1", m.getStatus().getPod().getName());
    assertEquals(uid("web-1"), m.getStatus().getPod().getUid());

    var events = client.v1().events().inNamespace(NS).list().getItems();
    assertEquals(1, events.size());
    assertEquals(List.of("Normal", "Joined", "web-1"), List.of(events.get(0).getType(), events.get(0).getReason(),
        events.get(0).getInvolvedObject().getName()));
    assertTrue(events.get(0).getMessage().contains(alice.address().toString()), events.get(0).getMessage());

    // A retry (lost answer) changes nothing.
    String version = m.getMetadata().getResourceVersion();
    assertEquals(200, join("prod-mesh", alice.toString(), token("web-1")).statusCode());
    assertEquals(version, client.resources(Member.class).inNamespace(NS).withName("web-1-prod-mesh").get()
        .getMetadata().getResourceVersion());
    assertEquals(1, members().size());
  }

  @Test
  void aRestartedSidecarWithANewIdentityReplacesItsMember() throws Exception {
    assertEquals(200, join("prod-mesh", alice.toString(), token("web-1")).statusCode());
    HttpResponse<String> again = join("prod-mesh", carol.toString(), token("web-1"));
    // The mock server has no finalizers, so the old Member is gone at once and the new one made.
    assertEquals(200, again.statusCode(), again.body());
    assertEquals(carol.address().toString(), client.resources(Member.class).inNamespace(NS)
        .withName("web-1-prod-mesh").get().getSpec().getAddress());
    assertEquals(1, members().size());
  }

  @Test
  void aMemberWhoseRevocationIsPendingMakesTheSidecarRetry() throws Exception {
    assertEquals(200, join("prod-mesh", alice.toString(), token("web-1")).statusCode());
    var old = client.resources(Member.class).inNamespace(NS).withName("web-1-prod-mesh");
    // The revoke finalizer the Member reconciler adds: deletion waits for the Revocation.
    old.edit(m -> {
      m.getMetadata().setFinalizers(List.of(WellKnownNames.REVOKE_FINALIZER));
      return m;
    });
    HttpResponse<String> response = join("prod-mesh", carol.toString(), token("web-1"));
    assertEquals(503, response.statusCode(), response.body());
    assertTrue(response.body().contains("being revoked"), response.body());
    assertEquals(String.valueOf(JoinEndpoint.RETRY_AFTER_SECONDS), response.headers().firstValue("Retry-After").orElseThrow());
    Member pending = old.get();
    assertEquals(alice.address().toString(), pending.getSpec().getAddress(), "the old Member is not rewritten");
    assertTrue(pending.getMetadata().getDeletionTimestamp() != null, "its deletion was requested");

    // A retry while the revocation is pending changes nothing; once it is done, the join goes through.
    assertEquals(503, join("prod-mesh", carol.toString(), token("web-1")).statusCode());
    old.edit(m -> {
      m.getMetadata().setFinalizers(List.of());
      return m;
    });
    HttpResponse<String> after = join("prod-mesh", carol.toString(), token("web-1"));
    assertEquals(200, after.statusCode(), after.body());
    assertEquals(carol.address().toString(), old.get().getSpec().getAddress());
  }

  @Test
  void badTokensAre401() throws Exception {
    List<Member> before = members();
    // (Strangers leave no event either: nothing is written before the token is proven.)
    refused(401, join("prod-mesh", alice.toString(), "not-a-jwt"), before, "did not accept");
    String forged = new FakeTokenAuthority("another cluster's key").issue(NS, "web", "web-1", uid("web-1"),
        List.of(WellKnownNames.TOKEN_AUDIENCE));
    refused(401, join("prod-mesh", alice.toString(), forged), before, "did not accept");
    String good = token("web-1");
    refused(401, join("prod-mesh", alice.toString(), good.substring(0, good.length() - 2) + "xx"), before);
    assertEquals(List.of(), client.v1().events().inNamespace(NS).list().getItems());
  }

  @Test
  void aTokenForAnotherAudienceIs403() throws Exception {
    List<Member> before = members();
    String apiToken = AUTHORITY.issue(NS, "web", "web-1", uid("web-1"), List.of("https://kubernetes.default.svc"));
    refused(403, join("prod-mesh", alice.toString(), apiToken), before, "audience", WellKnownNames.TOKEN_AUDIENCE);
  }

  @Test
  void anotherPodsTokenIs403() throws Exception {
    List<Member> before = members();
    // web-2's token, sent from 127.0.0.1 while web-2's IP is 10.0.0.2: stolen.
    refused(403, join("prod-mesh", alice.toString(), token("web-2")), before, "10.0.0.2", "only be used by that pod");
    // A token for an earlier pod of the same name (another UID).
    refused(403, join("prod-mesh", alice.toString(), AUTHORITY.issue(NS, "web", "web-1", "uid-of-an-earlier-web-1", List.of(WellKnownNames.TOKEN_AUDIENCE))), before, "another pod");
    // A token for a pod that is gone.
    refused(403, join("prod-mesh", alice.toString(), AUTHORITY.issue(NS, "web", "web-9", "uid-web-9", List.of(WellKnownNames.TOKEN_AUDIENCE))), before, "no longer exists");
    // A service-account token not bound to any pod.
    String unbound = AUTHORITY.issue(NS, "web", null, null, List.of(WellKnownNames.TOKEN_AUDIENCE));
    refused(403, join("prod-mesh", alice.toString(), unbound), before, "not bound to a pod");
    // Another service account's token naming this pod.
    String otherAccount = AUTHORITY.issue(NS, "admin", "web-1", uid("web-1"), List.of(WellKnownNames.TOKEN_AUDIENCE));
    refused(403, join("prod-mesh", alice.toString(), otherAccount), before, "service account admin");
  }

  @Test
  void withoutTheSourceCheckAPodBehindNatJoins() throws Exception {
    requireSourcePodIp = false;
    startHttps();
    HttpResponse<String> response = join("prod-mesh", bob.toString(), token("web-2"));
    assertEquals(200, response.statusCode(), response.body());
  }

  @Test
  void unknownAndClosedNetworks() throws Exception {
    network("closed", null, "a1b2c3d4e5000002");
    network("other-team", admission(Map.of("team", "search"), null, null), "a1b2c3d4e5000003");
    network("frontends", admission(Map.of("team", "payments"), Map.of("tier", "frontend"), null), "a1b2c3d4e5000004");
    network("new", admission(Map.of(), null, null), null);
    client.pods().inNamespace(NS).withName("web-1").edit(p -> {
      p.getMetadata().getAnnotations().put(WellKnownNames.NETWORKS_ANNOTATION, "prod-mesh,closed,other-team,frontends,new,nope");
      return p;
    });
    List<Member> before = members();
    String token = token("web-1");
    refused(404, join("nope", alice.toString(), token), before, "nope", "does not exist");
    refused(403, join("closed", alice.toString(), token), before, "admits no pods");
    refused(403, join("other-team", alice.toString(), token), before, "namespace payments is not admitted");
    refused(403, join("frontends", alice.toString(), token), before, "not selected");
    refused(503, join("new", alice.toString(), token), before, "no network ID yet");
  }

  @Test
  void aPodMayJoinOnlyNetworksItListed() throws Exception {
    network("everyone", admission(Map.of(), null, null), "a1b2c3d4e5000005");
    List<Member> before = members();
    refused(403, join("everyone", alice.toString(), token("web-1")), before,
        "does not list network everyone");
    var events = client.v1().events().inNamespace(NS).list().getItems();
    assertEquals(List.of("Warning", "JoinRefused"), List.of(events.get(0).getType(), events.get(0).getReason()));
    assertTrue(events.get(0).getMessage().contains("does not list network everyone"), events.get(0).getMessage());
  }

  @Test
  void malformedRequestsAre400() throws Exception {
    List<Member> before = members();
    String token = token("web-1");
    refused(400, post("not json"), before, "not JSON");
    refused(400, post("[]"), before, "JSON object");
    refused(400, post("{\"network\":\"prod-mesh\",\"identity\":\"" + alice + "\"}"), before, "missing field \"token\"");
    refused(400, post("{\"network\":\"prod-mesh\",\"identity\":5,\"token\":\"t\"}"), before, "\"identity\" must be");
    refused(400, join("Prod_Mesh", alice.toString(), token), before, "not a valid ZeroTierNetwork name");
    refused(400, join("prod-mesh", "89e92ceee5:0:zz", token), before, "identity");
    refused(400, join("prod-mesh", alice.toString(true), token), before, "private key");
    refused(400, join("prod-mesh", alice.toString(), "a b"), before, "token");
    // Well formed but fails proof of work: the key of one identity under the address of another.
    Identity forged = new Identity(bob.address(), alice.publicKey(), null);
    refused(400, join("prod-mesh", forged.toString(), token), before, "fails ZeroTier's validation");
  }

  @Test
  void anAddressAlreadyAMemberIs409() throws Exception {
    Member laptop = new Member();
    laptop.setMetadata(new ObjectMetaBuilder().withName("laptop-alice").withNamespace(NS).build());
    MemberSpec spec = new MemberSpec();
    spec.setNetwork("prod-mesh");
    spec.setAddress(alice.address().toString());
    laptop.setSpec(spec);
    client.resources(Member.class).inNamespace(NS).resource(laptop).create();
    awaitCached("prod-mesh", alice.address().toString());
    List<Member> before = members();
    refused(409, join("prod-mesh", alice.toString(), token("web-1")), before, "laptop-alice");

    // A Member of that name not made for a pod is not taken over.
    Member squatter = new Member();
    squatter.setMetadata(new ObjectMetaBuilder().withName("web-1-prod-mesh").withNamespace(NS).build());
    MemberSpec s2 = new MemberSpec();
    s2.setNetwork("prod-mesh");
    s2.setAddress(carol.address().toString());
    squatter.setSpec(s2);
    client.resources(Member.class).inNamespace(NS).resource(squatter).create();
    awaitCached("prod-mesh", carol.address().toString());
    before = members();
    refused(409, join("prod-mesh", bob.toString(), token("web-1")), before, "does not belong to a pod");
  }

  @Test
  void autoAuthorizeOffCreatesAnUnauthorizedMember() throws Exception {
    network("manual", admission(Map.of("team", "payments"), null, false), "a1b2c3d4e5000006");
    client.pods().inNamespace(NS).withName("web-1").edit(p -> {
      p.getMetadata().getAnnotations().put(WellKnownNames.NETWORKS_ANNOTATION, "prod-mesh, manual");
      return p;
    });
    assertEquals(200, join("manual", bob.toString(), token("web-1")).statusCode());
    assertEquals(Boolean.FALSE, client.resources(Member.class).inNamespace(NS).withName("web-1-manual").get()
        .getSpec().getAuthorized());
    assertNull(client.resources(Member.class).inNamespace(NS).withName("web-1-prod-mesh").get());
    assertNotEquals(0, members().size());
  }

  @Test
  void anApiServerFailureIsARetryNotACrash() throws Exception {
    // TokenReviews now fail on the API server's side (RBAC missing, overload...).
    reviewer = (token, audience) -> {
      throw new io.fabric8.kubernetes.client.KubernetesClientException("tokenreviews is forbidden", 403, null);
    };
    startHttps();
    HttpResponse<String> response = join("prod-mesh", alice.toString(), token("web-1"));
    assertEquals(503, response.statusCode(), response.body());
    assertTrue(response.body().contains("retry"), response.body());
    assertEquals(List.of(), members());
  }
}
