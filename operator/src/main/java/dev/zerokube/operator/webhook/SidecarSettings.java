package dev.zerokube.operator.webhook;

import java.net.URI;
import java.util.Objects;

/**
 * What the injected sidecar looks like: its image, where the join endpoint is and which CA signs
 * its certificate, its HTTP port, resources and user. The chart sets these; {@link #defaults} gives
 * the values it ships.
 *
 * @param image the sidecar image (a digest reference in production)
 * @param imagePullPolicy Always, IfNotPresent or Never
 * @param joinEndpoint the join endpoint's HTTPS URL, e.g. {@code https://zerokube-join.zerokube.svc:8443/v1/join}
 * @param joinCaPem the PEM certificates the sidecar trusts for the join endpoint (the operator's CA
 *     bundle; it changes when the CA rotates, so pods created after a rotation get the new one)
 * @param httpPort the sidecar's /healthz, /readyz, /metrics port on the pod IP
 * @param cpuRequest CPU request (the sidecar is mostly idle)
 * @param memoryRequest memory request
 * @param memoryLimit memory limit (bounds a JVM that misbehaves)
 * @param tokenExpirationSeconds lifetime of the projected token (the kubelet refreshes it at 80%;
 *     the API server's minimum is 600)
 * @param runAsUser the non-root UID the sidecar runs as, which owns the pod's TAP device
 * @param jvmOptions the sidecar JVM's flags, injected as {@code JAVA_TOOL_OPTIONS} (empty: the
 *     image's defaults)
 */
public record SidecarSettings(
    String image,
    String imagePullPolicy,
    URI joinEndpoint,
    String joinCaPem,
    int httpPort,
    String cpuRequest,
    String memoryRequest,
    String memoryLimit,
    long tokenExpirationSeconds,
    long runAsUser,
    String jvmOptions) {

  /**
   * The flags measured for a small, quick sidecar (docs/performance.md, "Pod sidecar start and
   * memory"): the serial collector (one thread, no concurrent machinery; the sidecar is mostly
   * idle), compact object headers, a heap that starts small and is capped well inside the memory
   * limit, direct memory (Netty's buffers) capped likewise, glibc's free memory returned every 5 s,
   * and exit on OutOfMemoryError so the kubelet restarts a broken sidecar instead of leaving it
   * half alive.
   */
  public static final String DEFAULT_JVM_OPTIONS = "-XX:+UseSerialGC -XX:+UseCompactObjectHeaders -Xms4m -Xmx32m"
      + " -XX:MaxDirectMemorySize=32m -XX:TrimNativeHeapInterval=5000 -XX:+ExitOnOutOfMemoryError";

  /** The API server refuses projected tokens that live shorter than this. */
  public static final long TOKEN_EXPIRATION_SECONDS_MIN = 600;

  public SidecarSettings {
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(imagePullPolicy, "imagePullPolicy");
    Objects.requireNonNull(joinEndpoint, "joinEndpoint");
    Objects.requireNonNull(joinCaPem, "joinCaPem");
    Objects.requireNonNull(cpuRequest, "cpuRequest");
    Objects.requireNonNull(memoryRequest, "memoryRequest");
    Objects.requireNonNull(memoryLimit, "memoryLimit");
    Objects.requireNonNull(jvmOptions, "jvmOptions");
    if (jvmOptions.chars().anyMatch(c -> c == '\n' || c == '\r')) {
      throw new IllegalArgumentException("jvmOptions must be one line: " + jvmOptions);
    }
    if (!"https".equals(joinEndpoint.getScheme())) {
      throw new IllegalArgumentException("join endpoint must be an https URL: " + joinEndpoint);
    }
    if (httpPort < 1 || httpPort > 65535) {
      throw new IllegalArgumentException("httpPort out of range: " + httpPort);
    }
    if (tokenExpirationSeconds < TOKEN_EXPIRATION_SECONDS_MIN) {
      throw new IllegalArgumentException("tokenExpirationSeconds below " + TOKEN_EXPIRATION_SECONDS_MIN);
    }
    if (runAsUser <= 0) {
      throw new IllegalArgumentException("runAsUser must be a non-root UID: " + runAsUser);
    }
  }

  /**
   * The chart's defaults: 10m CPU; 96 MiB requested, a little above what an idle sidecar holds with
   * {@link #DEFAULT_JVM_OPTIONS} (88-92 MiB measured since Jackson and the JDK HTTP client left
   * it; the goal of 64 is out of reach for the JVM, docs/performance.md), and
   * a 192 MiB limit, since under traffic it grows to ~125 MiB (heap and direct buffers filled, more
   * compiled code) and a limit that close would let the kernel kill it before the JVM's own caps
   * act; one-hour tokens; UID 65532.
   */
  public static SidecarSettings defaults(String image, URI joinEndpoint, String joinCaPem) {
    return new SidecarSettings(image, "IfNotPresent", joinEndpoint, joinCaPem,
        dev.zerokube.operator.api.WellKnownNames.SIDECAR_HTTP_PORT, "10m", "96Mi", "192Mi", 3600, 65532,
        DEFAULT_JVM_OPTIONS);
  }

  /** The same settings with another image pull policy. */
  public SidecarSettings withImagePullPolicy(String policy) {
    return new SidecarSettings(image, policy, joinEndpoint, joinCaPem, httpPort, cpuRequest,
        memoryRequest, memoryLimit, tokenExpirationSeconds, runAsUser, jvmOptions);
  }

  /** The same settings with other JVM flags. */
  public SidecarSettings withJvmOptions(String options) {
    return new SidecarSettings(image, imagePullPolicy, joinEndpoint, joinCaPem, httpPort, cpuRequest,
        memoryRequest, memoryLimit, tokenExpirationSeconds, runAsUser, options.strip());
  }

  /** The same settings trusting another CA bundle (after a CA rotation). */
  public SidecarSettings withJoinCaPem(String pem) {
    return new SidecarSettings(image, imagePullPolicy, joinEndpoint, pem, httpPort, cpuRequest,
        memoryRequest, memoryLimit, tokenExpirationSeconds, runAsUser, jvmOptions);
  }
}
