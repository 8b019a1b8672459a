package dev.zerokube.e2e.netns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Pods' cgroups laid out as the kubelet's cgroupfs driver lays them out
 * ({@code .../kubepods/besteffort/pod<uid>/<container>}), so that whatever reads a process's
 * {@code /proc/<pid>/cgroup} (the node agent's {@code PodNamespaces}) finds its pod as in a
 * cluster. Everything lives under one directory of this JVM, {@code zkpp<pid>}, in a cgroup
 * hierarchy of the machine that needs no controller (cgroup v2, else v1 {@code pids} or the named
 * {@code systemd} one). {@link #create()} first removes directories of JVMs that are gone;
 * {@link #close()} kills what is still in this JVM's cgroups and removes them.
 */
public final class PodCgroups implements AutoCloseable {
    private static final List<Path> HIERARCHIES = List.of(Path.of("/sys/fs/cgroup/unified"), Path.of("/sys/fs/cgroup"),
            Path.of("/sys/fs/cgroup/pids"), Path.of("/sys/fs/cgroup/systemd"));
    private static final Pattern OURS = Pattern.compile("^zkpp(\\d+)$");

    private final Path base;

    private PodCgroups(Path base) {
        this.base = base;
    }

    /** Null when pod cgroups can be made here; otherwise why not (for a skip message). */
    public static String unavailableReason() {
        return hierarchy() == null ? "no writable cgroup hierarchy among " + HIERARCHIES
                + " (pod cgroups are how the node agent tells pods apart)" : null;
    }

    /** Sweeps directories of dead JVMs, then makes this JVM's. */
    public static PodCgroups create() throws IOException {
        Path h = hierarchy();
        if (h == null) {
            throw new IllegalStateException(unavailableReason());
        }
        try (Stream<Path> dirs = Files.list(h)) {
            for (Path d : dirs.toList()) {
                Matcher m = OURS.matcher(d.getFileName().toString());
                if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                    remove(d);
                }
            }
        }
        Path base = h.resolve("zkpp" + ProcessHandle.current().pid());
        Files.createDirectories(base);
        return new PodCgroups(base);
    }

    /** The cgroup of one container of a pod (made if missing): {@code kubepods/besteffort/pod<uid>/<container>}. */
    public Path container(String podUid, String container) throws IOException {
        Path dir = base.resolve("kubepods").resolve("besteffort").resolve("pod" + podUid).resolve(container);
        Files.createDirectories(dir);
        return dir;
    }

    @Override
    public void close() throws IOException {
        remove(base);
    }

    // Kills the processes left in every cgroup below dir, then removes the directories deepest first.
    private static void remove(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> all;
        try (Stream<Path> s = Files.walk(dir)) {
            all = s.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList();
        }
        List<ProcessHandle> left = new ArrayList<>();
        for (Path d : all) {
            for (String pid : Files.readAllLines(d.resolve("cgroup.procs"))) {
                ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(p -> {
                    p.destroyForcibly();
                    left.add(p);
                });
            }
        }
        for (ProcessHandle p : left) {
            try {
                p.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                // rmdir below says if it is still there
            }
        }
        // A killed process may still be leaving (a JVM's threads exit one by one): the kernel
        // refuses to remove a cgroup with tasks (EBUSY) until the last one is gone.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        for (Path d : all) {
            while (true) {
                try {
                    Files.deleteIfExists(d);
                    break;
                } catch (java.nio.file.FileSystemException busy) {
                    if (System.nanoTime() > deadline) {
                        throw busy;
                    }
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw busy;
                    }
                }
            }
        }
    }

    private static Path hierarchy() {
        for (Path h : HIERARCHIES) {
            if (!Files.isRegularFile(h.resolve("cgroup.procs")) || !Files.isWritable(h)) {
                continue;
            }
            Path probe = h.resolve("zkpp" + ProcessHandle.current().pid() + "-probe");
            try {
                Files.createDirectory(probe);
                Files.delete(probe);
                return h;
            } catch (IOException e) {
                // read-only (e.g. a container's cgroup mount): try the next one
            }
        }
        return null;
    }
}
