package dev.zerokube.e2e.netns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One network namespace of a {@link NetnsLab}: a host, a router or the WAN bridge. Commands run
 * inside it through {@code ip netns exec}; processes started in it are stopped when the lab
 * closes.
 */
public final class Namespace {
    private final NetnsLab lab;
    private final String name;
    private final String role;
    private volatile String underlayAddress;

    Namespace(NetnsLab lab, String name, String role) {
        this.lab = lab;
        this.name = name;
        this.role = role;
    }

    /** The kernel's name of the namespace (unique per lab). */
    public String name() {
        return name;
    }

    /** The role given when the namespace was made ("a", "nat-a"...). */
    public String role() {
        return role;
    }

    /** The address this host uses on its underlay link (WAN or LAN), without prefix length. */
    public String underlayAddress() {
        return underlayAddress;
    }

    void underlayAddress(String address) {
        this.underlayAddress = address;
    }

    /** Runs a command inside the namespace; throws if it fails. */
    public String exec(String... argv) {
        return Command.run(inside(argv));
    }

    /** Runs a command inside the namespace and returns its result whatever the exit code. */
    public Command.Result attempt(long timeoutMs, String... argv) {
        return Command.attempt(timeoutMs, inside(argv));
    }

    /**
     * Starts a long-running process inside the namespace; its stdout and stderr go to
     * {@code log}. The lab destroys it on close if it is still running.
     */
    public Process start(Path log, String... argv) {
        ProcessBuilder pb = new ProcessBuilder(inside(argv))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        try {
            Process p = pb.start();
            lab.adopt(p);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", argv) + " in " + name, e);
        }
    }

    /** How many of {@code count} pings to {@code address} came back (0 when none or unreachable). */
    public int pingReplies(String address, int count, double intervalSeconds) {
        Command.Result r = attempt(30_000, "ping", "-n", "-q", "-c", Integer.toString(count),
                "-i", Double.toString(intervalSeconds), "-W", "1", address);
        return PingSummary.received(r.stdout());
    }

    private String[] inside(String... argv) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", name));
        all.addAll(List.of(argv));
        return all.toArray(String[]::new);
    }

    @Override
    public String toString() {
        return name;
    }
}
