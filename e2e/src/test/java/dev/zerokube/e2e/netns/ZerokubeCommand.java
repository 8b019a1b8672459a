package dev.zerokube.e2e.netns;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line that runs the real {@code zerokube} CLI as its own process: the JDK 25 running
 * these tests and the runnable jar {@code sidecar/target/zerokube.jar} (with {@code lib/} beside
 * it) that the reactor builds before e2e (e2e depends on sidecar). The jar is found, in this order,
 * at {@code -Dzerokube.jar}, where the sidecar classes on our own class path came from (the jar
 * itself, or {@code target/classes} next to it), and under {@code -Dzerokube.root}. When there
 * is no jar, or it is older than the sidecar classes on our class path (a run without the
 * package phase after a change), the same {@code dev.zerokube.sidecar.Main} runs from this JVM's
 * class path instead, and {@link #describe()} says so.
 */
public final class ZerokubeCommand {
    private static final String MAIN = "dev.zerokube.sidecar.Main";
    private static volatile ZerokubeCommand instance;

    private final String java;
    private final Path jar;
    private final String classPath;

    private ZerokubeCommand(String java, Path jar, String classPath) {
        this.java = java;
        this.jar = jar;
        this.classPath = classPath;
    }

    /** The CLI of this build (found once). */
    public static synchronized ZerokubeCommand get() {
        if (instance == null) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Path jar = findJar();
            instance = new ZerokubeCommand(java, jar, jar == null ? System.getProperty("java.class.path") : null);
        }
        return instance;
    }

    /** {@code java ... -jar zerokube.jar args...}: the argv of one CLI invocation. */
    public String[] argv(String... args) {
        return argv(List.of(), args);
    }

    /** As {@link #argv(String...)} with extra JVM options (e.g. a heap limit) before the jar. */
    public String[] argv(List<String> jvmOptions, String... args) {
        // as ./zerokube runs it
        List<String> all = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        all.addAll(jvmOptions);
        if (jar != null) {
            all.addAll(List.of("-jar", jar.toString()));
        } else {
            all.addAll(List.of("-cp", classPath, MAIN));
        }
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    /** Which java and jar (or class path) the processes run; for test output. */
    public String describe() {
        return java + (jar != null ? " -jar " + jar : " -cp <test class path> " + MAIN + " (no zerokube.jar, or one older than the sidecar classes)");
    }

    private static Path findJar() {
        String explicit = System.getProperty("zerokube.jar");
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit);
            if (!Files.isRegularFile(p)) {
                throw new IllegalStateException("-Dzerokube.jar=" + explicit + " is not a file");
            }
            return p.toAbsolutePath();
        }
        try {
            Class<?> main = Class.forName(MAIN);
            Path source = Path.of(main.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isRegularFile(source) && source.getFileName().toString().equals("zerokube.jar")) {
                return source;
            }
            Path sibling = source.getParent().resolve("zerokube.jar");
            if (Files.isRegularFile(sibling)) {
                // Classes newer than the jar (`mvn test` without package after a change): the jar
                // is stale, so run the classes themselves.
                return Files.isDirectory(source) && newestFileMs(source) > Files.getLastModifiedTime(sibling).toMillis()
                        ? null : sibling;
            }
            if (Files.isDirectory(source)) {
                return null;
            }
        } catch (ClassNotFoundException | URISyntaxException | IOException | RuntimeException e) {
            // not on the class path: look under the repository root below
        }
        String root = System.getProperty("zerokube.root");
        if (root != null) {
            Path p = Path.of(root, "sidecar", "target", "zerokube.jar");
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    private static long newestFileMs(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().lastModified()).max().orElse(0);
        }
    }

    /** {@code java -cp <this JVM's class path> mainClass args...}: one of our helper mains. */
    public String[] helperArgv(Class<?> mainClass, String... args) {
        List<String> all = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), mainClass.getName()));
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }
}
