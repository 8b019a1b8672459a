package dev.zerokube.overlay.runtime.port;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace made for one test ({@code ip netns add zk-test-<random>}) and deleted on
 * close, with what the tests need to look into it through iproute2. Tests that use it are skipped
 * with a message unless run as root with iproute2 and /dev/net/tun (CI runs as root).
 */
public final class TestNamespace implements AutoCloseable {
    final String name;
    final Path path;

    private TestNamespace(String name) {
        this.name = name;
        this.path = Path.of("/var/run/netns", name);
    }

    /** Skips the calling test unless namespaces and TAPs can be made here. */
    public static void assumeRoot() {
        boolean root;
        try {
            root = ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            root = false;
        }
        assumeTrue(root, "skipped: needs root (network namespaces and TAP devices); CI runs these as root");
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "skipped: no /dev/net/tun on this machine");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip")) || Files.isExecutable(Path.of("/usr/bin/ip")),
                "skipped: iproute2 ('ip') is not installed");
    }

    static TestNamespace create() throws IOException {
        String name = "zk-test-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffff_ffffL);
        run("ip", "netns", "add", name);
        TestNamespace ns = new TestNamespace(name);
        ns.ip("link", "set", "lo", "up");
        return ns;
    }

    /** {@code ip -n NAME args...}, its output; fails the test on a non-zero exit. */
    String ip(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", name));
        cmd.addAll(List.of(args));
        return run(cmd.toArray(String[]::new));
    }

    /** {@code ip netns exec NAME args...}. */
    String exec(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(args));
        return run(cmd.toArray(String[]::new));
    }

    /** A counter from the namespace's /proc/net/snmp, e.g. ("Tcp", "InCsumErrors"). */
    long snmp(String group, String field) throws IOException {
        String[] lines = exec("cat", "/proc/net/snmp").split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].startsWith(group + ":") && lines[i + 1].startsWith(group + ":")) {
                String[] names = lines[i].trim().split("\\s+");
                String[] values = lines[i + 1].trim().split("\\s+");
                for (int k = 1; k < names.length; k++) {
                    if (names[k].equals(field)) {
                        return Long.parseLong(values[k]);
                    }
                }
            }
        }
        throw new IOException("no " + group + " " + field + " in /proc/net/snmp");
    }

    /**
     * Runs {@code cmd} with its output discarded and returns its exit code: -1 if it could not be
     * started, timed out after 30 s or was interrupted (for probes and clean-up steps whose
     * failure the caller decides about).
     */
    public static int exitCode(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    static String run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", cmd));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd), e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out);
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        run("ip", "netns", "del", name);
    }
}
