package dev.zerokube.sidecar.lab;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The network namespaces of {@code zerokube lab --netns}: named {@code zk-lab-1}, {@code zk-lab-2},
 * ... (iproute2's {@code ip netns add}, so a person can {@code ip netns exec zk-lab-1 ...}).
 *
 * <p>One lab with namespaces runs at a time: {@link #acquire} takes an exclusive lock on
 * {@value #LOCK_FILE} (the kernel drops it when the process dies), then removes every
 * {@code zk-lab-*} namespace, which can only be left over from a lab that died without cleaning
 * up. {@link #close} removes the namespaces this lab made (their TAPs go with them) and releases
 * the lock.
 */
final class LabNamespaces implements AutoCloseable {
    /** Prefix of every lab namespace's name. */
    static final String PREFIX = "zk-lab-";
    static final String LOCK_FILE = "/run/zerokube-lab.lock";
    private static final Path NETNS_DIR = Path.of("/var/run/netns");

    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Consumer<String> log;
    private final List<String> made = new ArrayList<>();

    private LabNamespaces(FileChannel lockChannel, FileLock lock, Consumer<String> log) {
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.log = log;
    }

    /** Why this process cannot run a lab with namespaces, or empty if it can (root, ip, /dev/net/tun). */
    static java.util.Optional<String> unavailable() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            if (!Integer.valueOf(0).equals(uid)) {
                return java.util.Optional.of("--netns needs root (network namespaces and TAP devices): run it with sudo,"
                        + " or drop --netns for userspace ports");
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return java.util.Optional.of("--netns needs Linux with /proc: " + e.getMessage());
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            return java.util.Optional.of("--netns needs /dev/net/tun (modprobe tun)");
        }
        try {
            run(List.of("ip", "-V"));
        } catch (IOException e) {
            return java.util.Optional.of("--netns needs iproute2's ip command: " + e.getMessage());
        }
        return java.util.Optional.empty();
    }

    /** Takes the lab lock and removes namespaces left by labs that died. */
    static LabNamespaces acquire(Consumer<String> log) throws IOException {
        var why = unavailable();
        if (why.isPresent()) {
            throw new IOException(why.get());
        }
        FileChannel ch = FileChannel.open(Path.of(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            ch.close();
            throw new IOException("another zerokube lab --netns is running (it holds " + LOCK_FILE
                    + "); stop it first, only one lab with namespaces runs at a time");
        }
        LabNamespaces ns = new LabNamespaces(ch, lock, log);
        try {
            for (String name : list()) {
                if (name.startsWith(PREFIX)) {
                    log.accept("lab: removing namespace " + name + " left by a lab that did not clean up");
                    run(List.of("ip", "netns", "del", name));
                }
            }
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** Makes namespace {@code zk-lab-INDEX} with its loopback up; returns its name. */
    String create(int index) throws IOException {
        String name = PREFIX + index;
        run(List.of("ip", "netns", "add", name));
        made.add(name);
        run(List.of("ip", "-n", name, "link", "set", "lo", "up"));
        return name;
    }

    /** The file that names namespace {@code name} (for {@code setns}). */
    Path file(String name) {
        return NETNS_DIR.resolve(name);
    }

    /** Namespaces iproute2 knows, by name. */
    static List<String> list() throws IOException {
        List<String> names = new ArrayList<>();
        for (String line : run(List.of("ip", "netns", "list")).split("\n")) {
            String name = line.strip().split("\\s+")[0];
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        return names;
    }

    @Override
    public void close() {
        for (String name : made.reversed()) {
            try {
                run(List.of("ip", "netns", "del", name));
            } catch (IOException e) {
                log.accept("lab: could not remove namespace " + name + ": " + e.getMessage());
            }
        }
        made.clear();
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            log.accept("lab: " + LOCK_FILE + ": " + e.getMessage());
        }
    }

    /** Runs a command, returns its standard output; fails with its error output on a non-zero exit. */
    static String run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": no answer within 10 s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + ": " + out.strip());
            }
            return out;
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", command) + ": interrupted", e);
        }
    }
}
