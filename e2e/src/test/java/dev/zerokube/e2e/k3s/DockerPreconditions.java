package dev.zerokube.e2e.k3s;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.utility.DockerImageName;

/**
 * Whether the k3s test can run here, answered quickly: a Docker engine that answers (asked on
 * another thread, so a hanging socket costs at most {@link #ENGINE_BOUND}), and the images it needs
 * present or pullable within a bound. Each answer is empty when all is well, else the reason to
 * skip, worded for the test report.
 */
final class DockerPreconditions {
    /** How long the engine may take to answer Testcontainers' discovery (ping). */
    static final Duration ENGINE_BOUND = Duration.ofSeconds(20);

    private DockerPreconditions() {}

    /** Empty when Testcontainers finds a Docker engine that answers within {@link #ENGINE_BOUND}. */
    static Optional<String> engineMissing() {
        CompletableFuture<Boolean> available = CompletableFuture.supplyAsync(
                () -> DockerClientFactory.instance().isDockerAvailable());
        try {
            if (available.get(ENGINE_BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
                return Optional.empty();
            }
            return Optional.of("no Docker engine answers (Testcontainers looked at DOCKER_HOST, ~/.testcontainers.properties"
                    + " and the usual sockets such as /var/run/docker.sock)");
        } catch (TimeoutException e) {
            return Optional.of("the Docker engine did not answer within " + ENGINE_BOUND.toSeconds() + " s");
        } catch (ExecutionException e) {
            return Optional.of("looking for a Docker engine failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while looking for a Docker engine");
        }
    }

    /**
     * The Docker client, once {@link #engineMissing()} found an engine; Testcontainers also starts its
     * resource reaper here (a container that removes ours when this JVM dies), so a failure here
     * is a missing image too.
     */
    static DockerClient client() {
        return DockerClientFactory.instance().client();
    }

    /**
     * Empty when {@code image} is in the engine or was pulled within {@code bound}; else why not (no
     * registry reachable, unknown tag, too slow).
     */
    static Optional<String> imageMissing(DockerClient docker, String image, Duration bound) {
        if (present(docker, image)) {
            return Optional.empty();
        }
        DockerImageName name = DockerImageName.parse(image);
        try {
            boolean done = docker.pullImageCmd(name.getUnversionedPart()).withTag(name.getVersionPart())
                    .exec(new PullImageResultCallback()).awaitCompletion(bound.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                return Optional.of("image " + image + " is not in the Docker engine and pulling it took more than "
                        + bound.toSeconds() + " s");
            }
        } catch (RuntimeException e) {
            return Optional.of("image " + image + " is not in the Docker engine and cannot be pulled: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while pulling " + image);
        }
        return present(docker, image) ? Optional.empty()
                : Optional.of("image " + image + " is still not in the Docker engine after pulling it");
    }

    private static boolean present(DockerClient docker, String image) {
        try {
            docker.inspectImageCmd(image).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }
}
