package dev.zerokube.e2e.k3s;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/*
 * Goal: the images of Testcontainers' own that the k3s test looks for before Testcontainers needs
 * them (the reaper, the tiny image of its file-mounting check) are the ones this Testcontainers
 * version really runs (a stale name would pull a useless image where a registry
 * answers, and skip the test for nothing where none does). Method: each name is a constant in a
 * Testcontainers class file; read the class file's bytes and find it there.
 */
class DockerPreconditionsTest {
    @Test
    void reaperImageIsTheOneTestcontainersRuns() throws IOException {
        assertNamedIn("org/testcontainers/utility/RyukContainer.class", DockerPreconditions.REAPER_IMAGE);
    }

    @Test
    void tinyImageIsTheOneTestcontainersRuns() throws IOException {
        assertNamedIn("org/testcontainers/DockerClientFactory.class", DockerPreconditions.TINY_IMAGE);
    }

    private static void assertNamedIn(String classFile, String image) throws IOException {
        try (InputStream in = org.testcontainers.DockerClientFactory.class.getClassLoader().getResourceAsStream(classFile)) {
            assertTrue(in != null, "Testcontainers has no " + classFile + " any more");
            String constants = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(constants.contains(image), classFile + " does not name " + image + ": update DockerPreconditions");
        }
    }
}
