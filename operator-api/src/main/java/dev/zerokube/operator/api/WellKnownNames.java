package dev.zerokube.operator.api;

/**
 * The labels, annotations, resource, container, audience and finalizer names that zerokube puts on
 * or reads from ordinary Kubernetes objects (API.md, "Pods and namespaces"; KUBERNETES.md). One
 * place, so the webhook, the join endpoint, the reconcilers, the node agent, the sidecar and the
 * chart's tests cannot drift apart.
 */
public final class WellKnownNames {

  /** Namespace label that turns injection on for a namespace (value {@link #INJECTION_ENABLED}). */
  public static final String INJECTION_LABEL = ZerokubeApi.GROUP + "/injection";

  /** The value of {@link #INJECTION_LABEL} that enables injection. */
  public static final String INJECTION_ENABLED = "enabled";

  /** Pod annotation listing the ZeroTierNetworks a pod joins, comma-separated. */
  public static final String NETWORKS_ANNOTATION = ZerokubeApi.GROUP + "/networks";

  /**
   * Pod annotation and pod label that opt a pod out with {@code "false"}. The label lets the
   * webhook's objectSelector skip the call altogether; the annotation is for tools that cannot set
   * labels.
   */
  public static final String INJECT = ZerokubeApi.GROUP + "/inject";

  /** The injected sidecar container. */
  public static final String SIDECAR_CONTAINER = "zerokube-node";

  /** The extended resource the node agent's device plugin advertises (access to /dev/net/tun). */
  public static final String TUN_RESOURCE = ZerokubeApi.GROUP + "/tun";

  /**
   * Environment variable the node agent's device plugin sets in every container it gives
   * {@link #TUN_RESOURCE}: the path of the Unix socket on which the agent hands the pod's TAP
   * descriptors over (the sidecar passes it to {@code zerokube node --tap-socket}).
   */
  public static final String TAP_SOCKET_ENV = "ZEROKUBE_TAP_SOCKET";

  /** Audience of the projected service-account token the sidecar presents to the join endpoint. */
  public static final String TOKEN_AUDIENCE = ZerokubeApi.GROUP;

  /** Finalizer on a Member, removed once its Revocation has been pushed (never on a Pod). */
  public static final String REVOKE_FINALIZER = ZerokubeApi.GROUP + "/revoke";

  /** The Service of the join endpoint and the webhook (API.md). */
  public static final String JOIN_SERVICE = "zerokube-join";

  /** The port of {@link #JOIN_SERVICE}. */
  public static final int JOIN_PORT = 8443;

  /** The join endpoint's path. */
  public static final String JOIN_PATH = "/v1/join";

  /** Default port of the sidecar's HTTP server (/healthz, /readyz, /metrics) on the pod IP. */
  public static final int SIDECAR_HTTP_PORT = 9994;

  /** Standard label naming a zerokube object's role: operator, node-agent or sidecar. */
  public static final String COMPONENT_LABEL = "app.kubernetes.io/component";

  /** Standard label every zerokube object carries with value {@link #PART_OF}. */
  public static final String PART_OF_LABEL = "app.kubernetes.io/part-of";

  /** The value of {@link #PART_OF_LABEL}. */
  public static final String PART_OF = "zerokube";

  /** Standard label naming the tool that manages an object. */
  public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";

  /**
   * Member annotation: the member's public identity in ZeroTier's text form. Set by whoever knows it
   * when the Member is made (the join endpoint, the operator for a device that asked for a config,
   * or an administrator); the controller then answers only a node holding that identity.
   */
  public static final String IDENTITY_ANNOTATION = ZerokubeApi.GROUP + "/identity";

  /** Label on Members the operator made for devices that asked for a config: the network's name. */
  public static final String NETWORK_LABEL = ZerokubeApi.GROUP + "/network";

  /** Label {@code "true"} on Members the operator made for devices that wait for authorization. */
  public static final String PENDING_LABEL = ZerokubeApi.GROUP + "/pending";

  private WellKnownNames() {}
}
