package dev.zerokube.e2e.netns;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
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
            // what the jar's manifest says (Add-Opens: GMAC and CTR on the JDK's own stubs)
            all.addAll(List.of("--add-opens", "java.base/com.sun.crypto.provider=ALL-UNNAMED", "-cp", classPath, MAIN));
        }
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    /**
     * As {@link #argv(List, String...)}, runnable by any UID (a sidecar run as an unprivileged
     * user): jars and class directories such a user could not read, e.g. under root's
     * {@code ~/.m2}, are copied into {@code shared} first (made readable by all).
     */
    public String[] argvForAnyUser(Path shared, List<String> jvmOptions, String... args) throws IOException {
        String[] argv = argv(jvmOptions, args);
        if (!readableByAll(Path.of(java))) {
            throw new IOException(java + " cannot be run by other users");
        }
        Files.createDirectories(shared);
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
        if (jar != null) {
            Path lib = jar.resolveSibling("lib");
            if (readableByAll(jar) && (!Files.isDirectory(lib) || readableByAll(lib))) {
                return argv;
            }
            Path copy = shared.resolve(jar.getFileName());
            copyReadable(jar, copy);
            if (Files.isDirectory(lib)) {
                copyReadable(lib, shared.resolve("lib"));
            }
            for (int i = 0; i < argv.length; i++) {
                if (argv[i].equals(jar.toString())) {
                    argv[i] = copy.toString();
                }
            }
            return argv;
        }
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (String entry : classPath.split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (!Files.exists(p) || readableByAll(p)) {
                entries.add(entry);
                continue;
            }
            Path copy = shared.resolve((n++) + "-" + p.getFileName());
            copyReadable(p, copy);
            entries.add(copy.toString());
        }
        for (int i = 0; i < argv.length; i++) {
            if (argv[i].equals(classPath)) {
                argv[i] = String.join(File.pathSeparator, entries);
            }
        }
        return argv;
    }

    // Every directory on the way must be searchable by others, the file (or directory) readable.
    private static boolean readableByAll(Path p) throws IOException {
        Path abs = p.toAbsolutePath();
        var perms = Files.getPosixFilePermissions(abs);
        if (!perms.contains(PosixFilePermission.OTHERS_READ)) {
            return false;
        }
        for (Path d = Files.isDirectory(abs) ? abs : abs.getParent(); d != null; d = d.getParent()) {
            if (!Files.getPosixFilePermissions(d).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                return false;
            }
        }
        return true;
    }

    private static void copyReadable(Path from, Path to) throws IOException {
        try (var files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
                }
            }
        }
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
