package dev.zerokube.sidecar.aot;

// Goal: the image build's training (zerokube aot-train) ends on its own with a cache the JVM
// accepts, or fails with one line saying why (a refused join, a timeout), never hangs, kills what
// it started and leaves nothing behind but the cache. Method: AotTrainer.train with a real child
// JVM (this module's classes and dependencies packed into jars: the JVM caches classes from jars
// only), a temporary-directory parent the test can inspect, and the network name (unknown to the
// stand-in join endpoint: refused as the operator refuses it) or the timeout varied. Plus
// AotTrainCommand's reading of its own command line and arguments.

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.sidecar.Main;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class AotTrainerTest {
    @TempDir
    static Path dir;
    private static List<String> launch;

    @BeforeAll
    static void packClasspath() throws IOException {
        List<String> jars = new ArrayList<>();
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (Files.isDirectory(p)) {
                Path jar = dir.resolve("classpath-" + n++ + ".jar");
                pack(p, jar);
                jars.add(jar.toString());
            } else if (entry.endsWith(".jar")) {
                jars.add(entry);
            }
        }
        launch = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseSerialGC",
                "-XX:+UseCompactObjectHeaders", "-Xmx64m", "--enable-native-access=ALL-UNNAMED", "-cp",
                String.join(File.pathSeparator, jars), Main.class.getName());
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void trainsACacheTheJvmAcceptsAndLeavesNothingElse() throws Exception {
        Path temp = Files.createDirectories(dir.resolve("temp-ok"));
        Path cache = dir.resolve("sidecar.aot");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        AotTrainer.Result r = AotTrainer.train(new AotTrainer.Options(launch, cache, Duration.ofMinutes(4),
                AotTrainer.NETWORK, temp, new PrintStream(log, true, StandardCharsets.UTF_8)));
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(Files.isRegularFile(cache), text);
        assertEquals(Files.size(cache), r.cacheBytes());
        assertTrue(r.cacheBytes() > 1 << 20, "a cache of the sidecar's classes: " + r.cacheBytes());
        assertTrue(r.readyMs() > 0 && r.readyMs() < r.totalMs(), r.toString());
        assertTrue(text.contains("event=joined network=aot-train"), text);
        assertTrue(text.contains("event=ready"), text);
        assertTrue(text.contains("accepts the cache"), text);
        assertEmpty(temp);
        assertTrue(ProcessHandle.current().descendants().noneMatch(ProcessHandle::isAlive), "no process left");
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aRefusedJoinFailsWithTheEndpointsReasonAndLeavesNoCache() throws Exception {
        Path temp = Files.createDirectories(dir.resolve("temp-refused"));
        Path cache = dir.resolve("refused.aot");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        AotTrainer.TrainingFailed e = assertThrows(AotTrainer.TrainingFailed.class, () -> AotTrainer.train(
                new AotTrainer.Options(launch, cache, Duration.ofMinutes(4), "no-such-network", temp,
                        new PrintStream(log, true, StandardCharsets.UTF_8))));
        assertTrue(e.getMessage().startsWith("the sidecar exited with code 1 before it was"), e.getMessage());
        assertTrue(e.getMessage().contains("event=join_refused status=404"), e.getMessage());
        assertTrue(e.getMessage().contains("network no-such-network not found"), e.getMessage());
        assertFalse(Files.exists(cache));
        assertEmpty(temp);
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void theTimeoutBoundsEverythingAndKillsTheSidecar() throws Exception {
        Path temp = Files.createDirectories(dir.resolve("temp-timeout"));
        Path cache = dir.resolve("late.aot");
        // shorter than the trainer's own start (identity, keytool) and any JVM's with it
        long start = System.nanoTime();
        AotTrainer.TrainingFailed e = assertThrows(AotTrainer.TrainingFailed.class, () -> AotTrainer.train(
                new AotTrainer.Options(launch, cache, Duration.ofMillis(1500), AotTrainer.NETWORK, temp,
                        new PrintStream(OutputStream.nullOutputStream()))));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(e.getMessage().contains("within"), e.getMessage());
        assertTrue(tookMs < 60_000, "bounded: " + tookMs + " ms");
        assertFalse(Files.exists(cache));
        assertEmpty(temp);
        assertTrue(ProcessHandle.current().descendants().noneMatch(ProcessHandle::isAlive), "no process left");
    }

    @Test
    void theSidecarIsLaunchedAsThisProcessWasWithoutItsAotFlags() {
        assertEquals(Optional.of(List.of("/j/bin/java", "-XX:+UseCompactObjectHeaders", "--add-modules",
                "jdk.incubator.vector", "-jar", "/opt/zerokube/zerokube.jar")),
                AotTrainCommand.launchOf("/j/bin/java", List.of("-XX:+UseCompactObjectHeaders", "--add-modules",
                        "jdk.incubator.vector", "-XX:AOTCache=/opt/zerokube/zerokube.aot", "-XX:AOTMode=auto", "-jar",
                        "/opt/zerokube/zerokube.jar", "aot-train", "--timeout", "60", "/x.aot"),
                        List.of("--timeout", "60", "/x.aot")));
        assertEquals(Optional.of(List.of("/j/bin/java", "-cp", "a.jar", "dev.zerokube.sidecar.Main")),
                AotTrainCommand.launchOf("/j/bin/java", List.of("-cp", "a.jar", "dev.zerokube.sidecar.Main",
                        "aot-train", "/x.aot"), List.of("/x.aot")));
        // a command line that does not end with this command's arguments is not guessed at
        assertEquals(Optional.empty(), AotTrainCommand.launchOf("/j/bin/java", List.of("-jar", "z.jar", "aot-train",
                "/y.aot"), List.of("/x.aot")));
        assertEquals(Optional.empty(), AotTrainCommand.launchOf("/j/bin/java", List.of("aot-train", "/x.aot"),
                List.of("/x.aot")));
    }

    @Test
    void badArgumentsGiveTheUsage() {
        for (List<String> args : List.of(List.<String>of(), List.of("--timeout"), List.of("--timeout", "x", "/a"),
                List.of("--timeout", "0", "/a"), List.of("/a", "/b"), List.of("--bogus", "/a"))) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = new AotTrainCommand().run(args, new PrintStream(OutputStream.nullOutputStream()),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(1, code, args.toString());
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage: zerokube aot-train"), args.toString());
        }
    }

    private static void assertEmpty(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            assertEquals(List.of(), s.toList(), "the temporary directory is gone");
        }
    }

    private static void pack(Path classes, Path jar) throws IOException {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
    }
}
