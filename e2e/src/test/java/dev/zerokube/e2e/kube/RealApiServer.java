package dev.zerokube.e2e.kube;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real kube-apiserver v1.20.2 (with its etcd) on loopback, built offline from Debian's source by
 * {@code e2e/scripts/kube-apiserver.sh} and cached outside the repository (KUBE-APISERVER.md).
 * Fabric8's kube-api-test starts it in offline mode from that cache, so nothing is downloaded;
 * tests call {@link #startOrSkip()}, which skips them with the script's reason when the binaries
 * could not be built here. It never touches the user's ~/.kube/config.
 */
public final class RealApiServer implements AutoCloseable {
    /** The one version the build script makes. */
    public static final String VERSION = "1.20.2";

    private final KubeAPIServer server;
    private final Path kubeconfig;
    private final Path binaries;
    private final KubernetesClient client;
    private Process controllerManager;

    private RealApiServer(KubeAPIServer server, Path kubeconfig, Path binaries) {
        this.server = server;
        this.kubeconfig = kubeconfig;
        this.binaries = binaries;
        this.client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(readString(kubeconfig))).build();
    }

    /** The cache directory the build script fills: $ZEROKUBE_CACHE or ~/.cache/zerokube. */
    public static Path cacheDirectory() {
        String root = System.getenv("ZEROKUBE_CACHE");
        Path base = root != null && !root.isBlank() ? Path.of(root) : Path.of(System.getProperty("user.home"), ".cache", "zerokube");
        return base.resolve("kube-" + VERSION);
    }

    /** Starts etcd and the API server, or skips the calling test saying why they are unavailable. */
    public static RealApiServer startOrSkip() {
        Path cache = cacheDirectory();
        if (!Files.exists(cache.resolve(".complete"))) {
            String why = "not built";
            try {
                Path reason = cache.resolve(".unavailable");
                if (Files.exists(reason)) {
                    why = Files.readString(reason).strip();
                }
            } catch (IOException ignored) {
                // keep the generic reason
            }
            assumeTrue(false, "real API server test skipped: kube-apiserver " + VERSION + " is not in " + cache
                    + " (" + why + "; e2e/scripts/kube-apiserver.sh builds it as root on Debian)");
        }
        try {
            Path testDir = Files.createTempDirectory("zerokube-kube-api");
            Path layout = Files.createDirectories(testDir.resolve("k8s").resolve(VERSION + "-linux-amd64"));
            for (String binary : List.of("kube-apiserver", "kubectl", "etcd")) {
                Files.createSymbolicLink(layout.resolve(binary), cache.resolve(binary).toRealPath());
            }
            KubeAPIServer server = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
                    .withTestDir(testDir.toString())
                    .withApiServerVersion(VERSION)
                    .withOfflineMode(true)
                    .withUpdateKubeConfig(false)
                    .withStartupTimeout(120_000)
                    .build());
            server.start();
            Path kubeconfig = testDir.resolve("kubeconfig.yaml");
            Files.writeString(kubeconfig, server.getKubeConfigYaml());
            return new RealApiServer(server, kubeconfig, cache);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lay out the API server's binaries", e);
        }
    }

    /** A client for the server, with cluster-admin rights. */
    public KubernetesClient client() {
        return client;
    }

    /** A kubeconfig file for this server (for kubectl or another process). */
    public Path kubeconfig() {
        return kubeconfig;
    }

    /** The kubectl built with the server (Debian's own kubectl has a reflect2 bug). */
    public Path kubectl() {
        return binaries.resolve("kubectl");
    }

    /** The kube-controller-manager binary, for tests that need garbage collection. */
    public Path controllerManager() {
        return binaries.resolve("kube-controller-manager");
    }

    /**
     * Starts kube-controller-manager against this server with only the garbage collector (what
     * owner references need; kube-api-test does not run it): no serving ports, no leader election,
     * its output in {@code kube-controller-manager.log} beside the kubeconfig. Stopped by
     * {@link #close()}, before the API server. Idempotent.
     */
    public synchronized void startControllerManager() {
        if (controllerManager != null) {
            return;
        }
        Path log = kubeconfig.resolveSibling("kube-controller-manager.log");
        try {
            controllerManager = new ProcessBuilder(controllerManager().toString(),
                    "--kubeconfig=" + kubeconfig,
                    "--bind-address=127.0.0.1", "--port=0", "--secure-port=0",
                    "--leader-elect=false",
                    "--controllers=garbagecollector",
                    "--concurrent-gc-syncs=5")
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + controllerManager(), e);
        }
    }

    /** The repository root (the directory above the working directory holding crds/). */
    public static Path repositoryRoot() {
        return dev.zerokube.operator.RepositoryRoot.path();
    }

    /** Creates the committed CRDs (crds/*.yml) and waits until the server has established them. */
    public void installCrds() {
        try (var files = Files.list(repositoryRoot().resolve("crds"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yml")).sorted().toList()) {
                try (var in = Files.newInputStream(file)) {
                    var crd = client.apiextensions().v1().customResourceDefinitions().load(in).item();
                    client.resource(crd).create();
                    client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
                            .waitUntilCondition(c -> c.getStatus() != null && c.getStatus().getConditions() != null
                                    && c.getStatus().getConditions().stream()
                                    .anyMatch(x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())),
                                    60, java.util.concurrent.TimeUnit.SECONDS);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        Process cm;
        synchronized (this) {
            cm = controllerManager;
            controllerManager = null;
        }
        if (cm != null) {
            cm.destroy();
            try {
                if (!cm.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    cm.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cm.destroyForcibly();
            }
        }
        client.close();
        server.stop();
    }

    private static String readString(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
