package dev.zerokube.operator.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zerokube.operator.api.WellKnownNames;
import dev.zerokube.operator.controller.KubernetesPolicyStore;
import dev.zerokube.operator.join.JoinEndpoint;
import dev.zerokube.operator.join.MemberIndex;
import dev.zerokube.operator.join.TokenReviewer;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * The pod side of the operator, wired into one replica: the HTTPS server ({@link
 * OperatorHttpsServer}, Service {@code zerokube-join}) with the mutating webhook ({@value
 * OperatorHttpsServer#MUTATE_PODS_PATH}), the validating webhook ({@value ValidationWebhook#PATH})
 * and the join endpoint ({@value WellKnownNames#JOIN_PATH}); its certificate made and rotated by
 * {@link WebhookCertificates}, which also keeps {@code caBundle} of both webhook configurations
 * current. Every replica serves (no leader needed), reading networks and Members from the policy
 * store's informer caches.
 *
 * <p>{@link #start} is the one line {@code OperatorMain} needs; settings come from the
 * environment ({@link Settings#fromEnv}), which the chart fills.
 */
public final class PodWiring implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(PodWiring.class.getName());

  /**
   * Settings (environment variables the chart sets).
   *
   * <table>
   *   <caption>settings</caption>
   *   <tr><th>environment</th><th>default</th></tr>
   *   <tr><td>ZEROKUBE_PODS_ENABLED</td><td>false (the chart sets true)</td></tr>
   *   <tr><td>ZEROKUBE_HTTPS_PORT</td><td>8443</td></tr>
   *   <tr><td>ZEROKUBE_JOIN_SERVICE</td><td>zerokube-join</td></tr>
   *   <tr><td>ZEROKUBE_CLUSTER_DOMAIN</td><td>cluster.local</td></tr>
   *   <tr><td>ZEROKUBE_TLS_SECRET</td><td>zerokube-webhook-tls</td></tr>
   *   <tr><td>ZEROKUBE_MUTATING_WEBHOOK</td><td>zerokube</td></tr>
   *   <tr><td>ZEROKUBE_VALIDATING_WEBHOOK</td><td>zerokube</td></tr>
   *   <tr><td>ZEROKUBE_SIDECAR_IMAGE</td><td>ghcr.io/zerokube/zerokube:latest</td></tr>
   *   <tr><td>ZEROKUBE_SIDECAR_PULL_POLICY</td><td>IfNotPresent</td></tr>
   *   <tr><td>ZEROKUBE_SIDECAR_JVM_OPTIONS</td><td>{@link SidecarSettings#DEFAULT_JVM_OPTIONS}; "none" for the image's</td></tr>
   *   <tr><td>ZEROKUBE_SIDECAR_MODE</td><td>auto (native on API servers 1.29+, else classic)</td></tr>
   *   <tr><td>ZEROKUBE_JOIN_REQUIRE_POD_IP</td><td>true</td></tr>
   *   <tr><td>ZEROKUBE_CA_VALIDITY_DAYS / ZEROKUBE_CERT_VALIDITY_DAYS</td><td>3650 / 365</td></tr>
   * </table>
   *
   * @param mode null for auto
   * @param ipAddresses extra IP SANs of the serving certificate (tests use 127.0.0.1)
   */
  public record Settings(boolean enabled, int httpsPort, String namespace, String joinService, String clusterDomain,
      String tlsSecret, String mutatingWebhook, String validatingWebhook, String sidecarImage,
      String sidecarPullPolicy, String sidecarJvmOptions, SidecarMode mode, boolean requireSourcePodIp,
      Duration caValidity, Duration certificateValidity, List<String> ipAddresses) {

    public Settings {
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(sidecarJvmOptions, "sidecarJvmOptions");
      ipAddresses = List.copyOf(ipAddresses);
      if (httpsPort < 0 || httpsPort > 65535) {
        throw new IllegalArgumentException("ZEROKUBE_HTTPS_PORT out of range: " + httpsPort);
      }
    }

    /** From the environment; {@code namespace} is the operator's. */
    public static Settings fromEnv(Map<String, String> env, String namespace) {
      String mode = get(env, "ZEROKUBE_SIDECAR_MODE", "auto").toLowerCase(java.util.Locale.ROOT);
      return new Settings(
          Boolean.parseBoolean(get(env, "ZEROKUBE_PODS_ENABLED", "false")),
          Integer.parseInt(get(env, "ZEROKUBE_HTTPS_PORT", Integer.toString(WellKnownNames.JOIN_PORT))),
          namespace,
          get(env, "ZEROKUBE_JOIN_SERVICE", WellKnownNames.JOIN_SERVICE),
          get(env, "ZEROKUBE_CLUSTER_DOMAIN", "cluster.local"),
          get(env, "ZEROKUBE_TLS_SECRET", "zerokube-webhook-tls"),
          get(env, "ZEROKUBE_MUTATING_WEBHOOK", "zerokube"),
          get(env, "ZEROKUBE_VALIDATING_WEBHOOK", "zerokube"),
          get(env, "ZEROKUBE_SIDECAR_IMAGE", "ghcr.io/zerokube/zerokube:latest"),
          get(env, "ZEROKUBE_SIDECAR_PULL_POLICY", "IfNotPresent"),
          jvmOptions(get(env, "ZEROKUBE_SIDECAR_JVM_OPTIONS", SidecarSettings.DEFAULT_JVM_OPTIONS)),
          switch (mode) {
            case "auto" -> null;
            case "native" -> SidecarMode.NATIVE;
            case "classic" -> SidecarMode.CLASSIC;
            default -> throw new IllegalArgumentException("ZEROKUBE_SIDECAR_MODE must be auto, native or classic, not "
                + mode);
          },
          Boolean.parseBoolean(get(env, "ZEROKUBE_JOIN_REQUIRE_POD_IP", "true")),
          Duration.ofDays(Long.parseLong(get(env, "ZEROKUBE_CA_VALIDITY_DAYS", "3650"))),
          Duration.ofDays(Long.parseLong(get(env, "ZEROKUBE_CERT_VALIDITY_DAYS", "365"))),
          List.of());
    }

    /** The same settings with the HTTPS server on {@code port} and these IP SANs (tests). */
    public Settings withListener(int port, List<String> ips) {
      return new Settings(true, port, namespace, joinService, clusterDomain, tlsSecret, mutatingWebhook,
          validatingWebhook, sidecarImage, sidecarPullPolicy, sidecarJvmOptions, mode, requireSourcePodIp, caValidity,
          certificateValidity, ips);
    }

    /** The join endpoint's URL as sidecars reach it. */
    public URI joinUrl() {
      return URI.create("https://" + joinService + "." + namespace + ".svc:" + WellKnownNames.JOIN_PORT
          + WellKnownNames.JOIN_PATH);
    }

    /** "none" asks for no flags at all (the image's own defaults). */
    private static String jvmOptions(String value) {
      return "none".equalsIgnoreCase(value) ? "" : value;
    }

    private static String get(Map<String, String> env, String key, String fallback) {
      String v = env.get(key);
      return v == null || v.isBlank() ? fallback : v.strip();
    }
  }

  /** How often certificates are checked (well below a third of the serving certificate's life). */
  public static final Duration ROTATION_PERIOD = Duration.ofHours(1);

  private final WebhookCertificates certificates;
  private final OperatorHttpsServer server;
  private final ScheduledExecutorService rotator;
  private final AtomicReference<PodInjector> injector;

  private PodWiring(WebhookCertificates certificates, OperatorHttpsServer server, ScheduledExecutorService rotator,
      AtomicReference<PodInjector> injector) {
    this.certificates = certificates;
    this.server = server;
    this.rotator = rotator;
    this.injector = injector;
  }

  /**
   * Starts the pod side when {@code ZEROKUBE_PODS_ENABLED} is true (else returns null): what
   * {@code OperatorMain} calls once the replica's caches are filled.
   */
  public static PodWiring startIfEnabled(KubernetesClient client, String namespace, KubernetesPolicyStore store) {
    Settings settings = Settings.fromEnv(System.getenv(), namespace);
    return settings.enabled() ? start(client, settings, store, TokenReviewer.of(client), Clock.systemUTC()) : null;
  }

  /**
   * Issues or loads the certificate, writes caBundles, and serves.
   *
   * @throws UncheckedIOException if the port cannot be bound
   * @throws io.fabric8.kubernetes.client.KubernetesClientException if the Secret cannot be read or written
   */
  public static PodWiring start(KubernetesClient client, Settings settings, KubernetesPolicyStore store,
      TokenReviewer reviewer, Clock clock) {
    ObjectMapper mapper = new ObjectMapper();
    List<String> dnsNames = CertificateRotation.serviceDnsNames(List.of(settings.joinService()), settings.namespace(),
        settings.clusterDomain());
    CertificateRotation rotation = new CertificateRotation(settings.caValidity(), settings.certificateValidity(),
        dnsNames, settings.ipAddresses(), new SecureRandom());
    WebhookCertificates certificates = new WebhookCertificates(client, settings.namespace(), settings.tlsSecret(),
        List.of(settings.mutatingWebhook()), List.of(settings.validatingWebhook()), rotation, clock);
    TlsMaterial material = certificates.reconcile();

    NetworkLookup networks = store::networkNamed;
    SidecarMode mode = settings.mode() != null ? settings.mode() : SidecarMode.of(client);
    SidecarSettings sidecar = SidecarSettings.defaults(settings.sidecarImage(), settings.joinUrl(),
        material.caBundlePem()).withImagePullPolicy(settings.sidecarPullPolicy())
        .withJvmOptions(settings.sidecarJvmOptions());
    AtomicReference<PodInjector> injector = new AtomicReference<>(new PodInjector(sidecar, mode, networks, mapper));
    MemberIndex members = MemberIndex.of(store);
    JoinEndpoint join = new JoinEndpoint(client, reviewer, networks, members, mapper, settings.requireSourcePodIp());
    Map<String, OperatorHttpsServer.JsonHandler> routes = new LinkedHashMap<>();
    routes.put(OperatorHttpsServer.MUTATE_PODS_PATH, new InjectionWebhook(injector::get, mapper).handler());
    routes.put(ValidationWebhook.PATH, new ValidationWebhook(networks, members, mapper).handler());
    routes.put(WellKnownNames.JOIN_PATH, join.handler());
    OperatorHttpsServer server;
    try {
      server = OperatorHttpsServer.start(new InetSocketAddress(settings.httpsPort()), certificates.keyManager(), routes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve HTTPS on port " + settings.httpsPort(), e);
    }
    ScheduledExecutorService rotator = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "zerokube-certificates");
      t.setDaemon(true);
      return t;
    });
    PodWiring wiring = new PodWiring(certificates, server, rotator, injector);
    rotator.scheduleWithFixedDelay(wiring::rotate, ROTATION_PERIOD.toSeconds(), ROTATION_PERIOD.toSeconds(),
        TimeUnit.SECONDS);
    LOG.info(() -> "serving the webhooks and the join endpoint on port " + server.address().getPort() + " ("
        + mode.name().toLowerCase(java.util.Locale.ROOT) + " sidecars, join URL " + settings.joinUrl() + ")");
    return wiring;
  }

  /** Re-checks the certificate; a new CA bundle also goes into the sidecars injected from now on. */
  public void rotate() {
    try {
      TlsMaterial material = certificates.reconcile();
      PodInjector current = injector.get();
      String bundle = material.caBundlePem();
      injector.updateAndGet(i -> i.withJoinCaPem(bundle));
      if (injector.get() != current) {
        LOG.fine("sidecars injected from now on trust the rotated CA bundle");
      }
    } catch (RuntimeException e) {
      LOG.warning(() -> "certificate check failed (next try in " + ROTATION_PERIOD + "): " + e);
    }
  }

  /** The HTTPS server's address. */
  public InetSocketAddress address() {
    return server.address();
  }

  /** The CA bundle clients trust now (PEM). */
  public String caBundlePem() {
    return certificates.keyManager().current().caBundlePem();
  }

  @Override
  public void close() {
    rotator.shutdownNow();
    server.close();
  }
}
