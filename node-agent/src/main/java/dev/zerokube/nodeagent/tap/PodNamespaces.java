package dev.zerokube.nodeagent.tap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds a pod's network namespace and tells which pod a process belongs to, from {@code /proc}
 * (the agent runs with {@code hostPID: true}, so it sees every process of the node).
 *
 * <p>The kubelet puts each pod's containers (its sandbox "pause" process included) in a cgroup
 * whose path names the pod UID: {@code .../pod<uid>/...} with the cgroupfs driver,
 * {@code ...-pod<uid with _ for ->.slice/...} with the systemd driver, on cgroup v1 and v2 alike.
 * Every container of a pod shares the sandbox's network namespace, so any process in that cgroup
 * leads to it: {@code /proc/<pid>/ns/net}. This needs no CRI socket and no runtime-specific
 * paths; a pod whose processes are all gone has no namespace left to configure anyway.
 */
public interface PodNamespaces {
    /** The network namespace file of the pod with this UID, if a process of it runs. */
    Optional<Path> networkNamespace(String podUid);

    /** The UID of the pod whose cgroup holds process {@code pid}, if any. */
    Optional<String> podUidOf(int pid);

    /** The node's {@code /proc}, seen with hostPID. */
    static PodNamespaces proc() {
        return new Proc(Path.of("/proc"));
    }

    /** The lookups over a {@code /proc}-shaped tree at {@code root} (tests use a fake one). */
    static PodNamespaces proc(Path root) {
        return new Proc(root);
    }

    /** {@code /proc}: scans {@code <pid>/cgroup} files. */
    final class Proc implements PodNamespaces {
        private static final Pattern POD_UID = Pattern.compile(
                "pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})");
        private final Path root;

        Proc(Path root) {
            this.root = root;
        }

        @Override
        public Optional<Path> networkNamespace(String podUid) {
            String uid = podUid.toLowerCase(Locale.ROOT);
            try (Stream<Path> pids = Files.list(root)) {
                return pids.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                        .filter(p -> uidIn(p.resolve("cgroup")).map(uid::equals).orElse(false))
                        .map(p -> p.resolve("ns").resolve("net"))
                        .filter(Files::exists)
                        .findFirst();
            } catch (IOException e) {
                return Optional.empty();
            }
        }

        @Override
        public Optional<String> podUidOf(int pid) {
            if (pid <= 0) {
                return Optional.empty();
            }
            return uidIn(root.resolve(Integer.toString(pid)).resolve("cgroup"));
        }

        // The pod UID in a cgroup file, with dashes; empty if none (or the process is gone).
        static Optional<String> uidIn(Path cgroupFile) {
            String text;
            try {
                text = Files.readString(cgroupFile);
            } catch (IOException e) {
                return Optional.empty();
            }
            Matcher m = POD_UID.matcher(text);
            return m.find() ? Optional.of(m.group(1).replace('_', '-')) : Optional.empty();
        }
    }
}
