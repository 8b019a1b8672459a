package dev.zerokube.e2e.k3s;

import com.github.dockerjava.api.DockerClient;
import dev.zerokube.operator.RepositoryRoot;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.MountableFile;

/**
 * The operator image of {@code docker/operator/Dockerfile}, built by the Docker engine from the
 * packaged operator ({@code operator/target/zerokube-operator.jar} and {@code lib/}, what
 * {@code ./mvnw verify} leaves there) and copied into a k3s container's containerd, where the
 * kubelet finds it with {@code imagePullPolicy: Never}. The build context is only those files (the
 * repository itself would be hundreds of megabytes of targets).
 */
final class OperatorImage {
    /** Paths in the build context, as the Dockerfile's COPY lines name them. */
    static final String CONTEXT_LIB = "operator/target/lib/";
    static final String CONTEXT_JAR = "operator/target/zerokube-operator.jar";
    /** k3s keeps its images in this containerd namespace. */
    private static final String CONTAINERD_NAMESPACE = "k8s.io";

    private OperatorImage() {}

    /** docker/operator/Dockerfile in this repository. */
    static Path dockerfile() {
        return RepositoryRoot.path().resolve("docker/operator/Dockerfile");
    }

    /** The images the Dockerfile starts FROM (the engine must have or pull them). */
    static List<String> baseImages() {
        try {
            return Files.readAllLines(dockerfile()).stream().filter(l -> l.startsWith("FROM "))
                    .map(l -> l.split("\\s+")[1]).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What is missing to build the image from this working tree: empty when the packaged operator is
     * there, else a sentence saying how to make it.
     */
    static Optional<String> missingPackage() {
        Path target = RepositoryRoot.path().resolve("operator/target");
        if (!Files.isRegularFile(target.resolve("zerokube-operator.jar")) || !Files.isDirectory(target.resolve("lib"))) {
            return Optional.of("the packaged operator (" + target.resolve("zerokube-operator.jar") + " and lib/) is missing:"
                    + " run `./mvnw -B verify -pl e2e -am` (verify packages the operator before e2e's tests)");
        }
        return Optional.empty();
    }

    /** Builds {@code name:tag} (removed again when the JVM ends) and returns its name. */
    static String build(String name, String tag, Duration bound) throws InterruptedException, ExecutionException, TimeoutException {
        Path root = RepositoryRoot.path();
        ImageFromDockerfile image = new ImageFromDockerfile(name + ":" + tag, true)
                .withFileFromPath("Dockerfile", dockerfile())
                .withFileFromPath(CONTEXT_JAR, root.resolve(CONTEXT_JAR))
                .withFileFromPath(CONTEXT_LIB.substring(0, CONTEXT_LIB.length() - 1), root.resolve(CONTEXT_LIB));
        return image.get(bound.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Copies image {@code name} from the Docker engine into the k3s container's containerd
     * ({@code docker save}, then {@code k3s ctr images import}) and checks that the kubelet's
     * runtime lists it.
     */
    static void importInto(K3sContainer k3s, DockerClient docker, String name, Path scratch) throws IOException, InterruptedException {
        Path tar = scratch.resolve("operator-image.tar");
        try (InputStream saved = docker.saveImageCmd(name).exec()) {
            Files.copy(saved, tar, StandardCopyOption.REPLACE_EXISTING);
        }
        try {
            k3s.copyFileToContainer(MountableFile.forHostPath(tar), "/tmp/operator-image.tar");
            check(k3s.execInContainer("k3s", "ctr", "-n", CONTAINERD_NAMESPACE, "images", "import", "/tmp/operator-image.tar"),
                    "k3s ctr images import");
            check(k3s.execInContainer("k3s", "crictl", "inspecti", "docker.io/" + name), "k3s crictl inspecti docker.io/" + name);
            k3s.execInContainer("rm", "-f", "/tmp/operator-image.tar");
        } finally {
            Files.deleteIfExists(tar);
        }
    }

    private static void check(ExecResult r, String what) {
        if (r.getExitCode() != 0) {
            throw new IllegalStateException(what + " exited " + r.getExitCode() + ": " + r.getStdout() + r.getStderr());
        }
    }
}
