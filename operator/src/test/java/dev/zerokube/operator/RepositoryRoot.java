package dev.zerokube.operator;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the repository is, for tests that read its files (crds/, helm/, examples/): one place for the walk. */
public final class RepositoryRoot {
    private RepositoryRoot() {}

    /**
     * The directory named by {@code -Dzerokube.root} if it holds crds/, else the first directory
     * holding crds/ above the working directory (TESTING.md: walk up from the module directory).
     *
     * @throws IllegalStateException if there is none
     */
    public static Path path() {
        String prop = System.getProperty("zerokube.root");
        if (prop != null && Files.isDirectory(Path.of(prop, "crds"))) {
            return Path.of(prop);
        }
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("crds"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("repository root (with crds/) not found above " + Path.of("").toAbsolutePath());
        }
        return p;
    }
}
