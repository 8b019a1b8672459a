package dev.zerokube.operator.webhook;

/**
 * How the sidecar is injected (KUBERNETES.md item 5): as a native sidecar (an init container with
 * {@code restartPolicy: Always}, API servers 1.29 and later, where it starts before the app's
 * containers and does not keep a finished pod alive), or as a classic container beside the app
 * (older API servers, which drop the init container's restartPolicy).
 */
public enum SidecarMode {
  /** An init container with {@code restartPolicy: Always}. */
  NATIVE,
  /** An ordinary container, first in {@code spec.containers}. */
  CLASSIC;

  /** The first minor version of Kubernetes 1.x whose API servers keep native sidecars by default. */
  public static final int NATIVE_MINOR_MIN = 29;

  /** The mode for the API server the client talks to ({@code GET /version}), for sidecar mode "auto". */
  public static SidecarMode of(io.fabric8.kubernetes.client.KubernetesClient client) {
    var version = client.getKubernetesVersion();
    return forServerVersion(version.getMajor(), version.getMinor());
  }

  /**
   * The mode for an API server version as {@code /version} reports it ({@code major "1"}, {@code
   * minor "29"} or {@code "29+"} on some distributions).
   *
   * @throws IllegalArgumentException if the numbers cannot be read
   */
  public static SidecarMode forServerVersion(String major, String minor) {
    int majorNumber = Integer.parseInt(major.strip());
    String digits = minor.strip().replaceAll("[^0-9].*$", "");
    if (digits.isEmpty()) {
      throw new IllegalArgumentException("API server minor version '" + minor + "' has no number");
    }
    int minorNumber = Integer.parseInt(digits);
    return majorNumber > 1 || minorNumber >= NATIVE_MINOR_MIN ? NATIVE : CLASSIC;
  }
}
