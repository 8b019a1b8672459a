package dev.zerokube.e2e.netns;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;

/**
 * Whether this machine can run namespace tests: root, iproute2, iptables, ping, and a kernel that
 * lets us make a namespace. Tests call {@link #assumeAvailable()} first and are skipped with the
 * exact reason otherwise (CI runs as root, where they run).
 */
public final class NetnsSupport {
    private static volatile String unavailableReason;
    private static volatile boolean probed;

    private NetnsSupport() {
    }

    /** Skips the calling test, saying why, unless namespace tests can run here. */
    public static void assumeAvailable() {
        String reason = unavailableReason();
        assumeTrue(reason == null, () -> "network-namespace test skipped: " + reason);
    }

    /** Null when namespace tests can run; otherwise why not. */
    public static synchronized String unavailableReason() {
        if (!probed) {
            unavailableReason = probe();
            probed = true;
        }
        return unavailableReason;
    }

    private static String probe() {
        Command.Result id = Command.attempt(5_000, "id", "-u");
        if (!id.ok() || !id.stdout().strip().equals("0")) {
            return "needs root (uid 0); running as uid " + id.stdout().strip();
        }
        for (List<String> tool : List.of(List.of("ip", "-V"), List.of("iptables", "--version"), List.of("ping", "-V"))) {
            try {
                Command.Result r = Command.attempt(5_000, tool.toArray(String[]::new));
                if (!r.ok()) {
                    return tool.getFirst() + " does not work: " + r.stderr().strip();
                }
            } catch (RuntimeException e) {
                return tool.getFirst() + " is not installed (e2e/scripts/ensure-packages.sh installs it as root on Debian)";
            }
        }
        String probeName = "zke" + ProcessHandle.current().pid() + "-probe";
        Command.Result add = Command.attempt(10_000, "ip", "netns", "add", probeName);
        Command.attempt(10_000, "ip", "netns", "del", probeName);
        if (!add.ok()) {
            return "cannot create a network namespace: " + add.stderr().strip();
        }
        return null;
    }
}
