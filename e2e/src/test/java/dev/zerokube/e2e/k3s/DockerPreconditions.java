package dev.zerokube.e2e.k3s;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.dockerclient.DockerClientProviderStrategy;
import org.testcontainers.dockerclient.TransportConfig;
import org.testcontainers.utility.TestcontainersConfiguration;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.ImageNameSubstitutor;

/**
 * Whether the k3s test can run here, answered quickly: a Docker engine that answers (asked on
 * another thread, so a hanging socket costs at most {@link #ENGINE_BOUND}), and the images it needs
 * present or pullable within a bound, Testcontainers' own images included: they are looked for
 * before Testcontainers needs them, since it would retry each pull for two minutes. Each answer is empty when all is well, else the reason to skip, worded for the report.
 */
final class DockerPreconditions {
    /** How long the engine may take to answer Testcontainers' discovery (ping). */
    static final Duration ENGINE_BOUND = Duration.ofSeconds(20);

    private DockerPreconditions() {}

    /**
     * The engine Testcontainers finds (DOCKER_HOST, ~/.testcontainers.properties, the usual
     * sockets), as a plain client that starts nothing; or the reason there is none.
     */
    static Result<DockerClient> engine() {
        CompletableFuture<TransportConfig> transport = CompletableFuture.supplyAsync(
                () -> DockerClientFactory.instance().getTransportConfig());
        try {
            return Result.of(DockerClientProviderStrategy.getClientForConfig(
                    transport.get(ENGINE_BOUND.toMillis(), TimeUnit.MILLISECONDS)));
        } catch (TimeoutException e) {
            return Result.missing("the Docker engine did not answer within " + ENGINE_BOUND.toSeconds() + " s");
        } catch (ExecutionException e) {
            return Result.missing("no Docker engine answers (Testcontainers looked at DOCKER_HOST,"
                    + " ~/.testcontainers.properties and the usual sockets such as /var/run/docker.sock): "
                    + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Result.missing("interrupted while looking for a Docker engine");
        }
    }

    /**
     * The images Testcontainers itself runs: its reaper (unless TESTCONTAINERS_RYUK_DISABLED) and
     * the tiny image with which it checks, at the first container, that files can be mounted.
     * Both would otherwise be pulled with two minutes of retries each where no registry answers.
     */
    static List<String> testcontainersImages() {
        TestcontainersConfiguration c = TestcontainersConfiguration.getInstance();
        List<String> images = new ArrayList<>();
        if (!Boolean.parseBoolean(c.getEnvVarOrProperty("ryuk.disabled", "false"))) {
            images.add(reaperImage());
        }
        images.add(ImageNameSubstitutor.instance().apply(DockerImageName.parse(TINY_IMAGE)).asCanonicalNameString());
        return images;
    }

    /**
     * The images Testcontainers 2.0.5 really runs, named in its classes (RyukContainer,
     * DockerClientFactory) rather than its configuration, whose {@code getRyukImage()} and
     * {@code getTinyImage()} name untagged defaults. DockerPreconditionsTest fails when an
     * upgrade changes them.
     */
    static final String REAPER_IMAGE = "testcontainers/ryuk:0.14.0";
    static final String TINY_IMAGE = "alpine:3.17";

    private static String reaperImage() {
        return ImageNameSubstitutor.instance().apply(DockerImageName.parse(REAPER_IMAGE)).asCanonicalNameString();
    }

    /** Testcontainers' own client (it starts the reaper), once the engine and the images are there. */
    static DockerClient testcontainersClient() {
        return DockerClientFactory.instance().client();
    }

    /** A value, or why there is none. */
    record Result<T>(Optional<T> value, String reason) {
        static <T> Result<T> of(T value) {
            return new Result<>(Optional.of(value), "");
        }

        static <T> Result<T> missing(String reason) {
            return new Result<>(Optional.empty(), reason);
        }
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
