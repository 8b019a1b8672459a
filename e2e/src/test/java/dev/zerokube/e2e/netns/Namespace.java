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
        return launch(pb, argv);
    }

    /**
     * Starts a long-running process inside the namespace as a container runtime starts a
     * container of a pod: in the cgroup directory {@code cgroup} (the process moves itself there
     * before {@code ip netns exec}, which remounts {@code /sys}), with exactly {@code env} (and
     * this JVM's PATH) as its environment; stdout and stderr go to {@code log}. The lab destroys
     * it on close.
     */
    public Process startInCgroup(Path cgroup, Path log, java.util.Map<String, String> env, String... argv) {
        List<String> all = new ArrayList<>(List.of("sh", "-c", "echo $$ > \"$1\" && shift && exec \"$@\"", "sh",
                cgroup.resolve("cgroup.procs").toString()));
        all.addAll(List.of(inside(argv)));
        ProcessBuilder pb = new ProcessBuilder(all)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        String path = pb.environment().get("PATH");
        pb.environment().clear();
        pb.environment().put("PATH", path);
        pb.environment().putAll(env);
        return launch(pb, argv);
    }

    // Starts pb and hands the process to the lab, which destroys it on close.
    private Process launch(ProcessBuilder pb, String... argv) {
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

    /**
     * As {@link #pingReplies} with {@code ping} (a copy without file capabilities, as in an
     * image: setpriv's empty bounding set makes the kernel refuse to run one with them) run as
     * {@code uid} without any capability, as an app container runs it: over an ICMP datagram
     * socket, which needs the namespace's {@code net.ipv4.ping_group_range} to admit the UID.
     */
    public int pingRepliesAs(int uid, Path ping, String address, int count) {
        Command.Result r = attempt(30_000, unprivileged(uid, ping.toString(), "-n", "-q", "-c", Integer.toString(count),
                "-i", "0.2", "-W", "3", address));
        return PingSummary.received(r.stdout());
    }

    /**
     * {@code argv} run by setpriv as {@code uid} (and that group, no others) with no capability
     * in any set and no way to gain one (no_new_privs), as a restricted container runs.
     */
    public static String[] unprivileged(int uid, String... argv) {
        List<String> all = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups",
                "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all", "--no-new-privs"));
        all.addAll(List.of(argv));
        return all.toArray(String[]::new);
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
