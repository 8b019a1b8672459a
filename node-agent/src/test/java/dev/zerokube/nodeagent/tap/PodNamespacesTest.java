package dev.zerokube.nodeagent.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: the /proc lookups find a pod's processes under every cgroup layout the kubelet makes
 * (cgroupfs and systemd drivers, cgroup v1 and v2) and nothing else. Method: a fake /proc tree
 * in a temp dir with cgroup files copied in the shapes the kubelet writes, plus the real /proc
 * for this (podless) process.
 */
class PodNamespacesTest {
    private static final String UID = "0b0c6f3e-1111-4222-8333-944455556666";

    @TempDir
    Path proc;

    private void process(int pid, String cgroup) throws IOException {
        Path d = Files.createDirectories(proc.resolve(Integer.toString(pid)).resolve("ns"));
        Files.writeString(d.getParent().resolve("cgroup"), cgroup);
        Files.writeString(d.resolve("net"), "");
    }

    @Test
    void everyCgroupLayoutNamesThePod() throws IOException {
        process(101, "12:pids:/kubepods/besteffort/pod" + UID + "/4f1e\n0::/\n");
        process(102, "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + UID.replace('-', '_')
                + ".slice/cri-containerd-abc.scope\n");
        process(103, "0::/kubepods/pod" + UID + "/abc\n");
        process(104, "0::/system.slice/kubelet.service\n");
        PodNamespaces ns = PodNamespaces.proc(proc);
        for (int pid : new int[] {101, 102, 103}) {
            assertEquals(Optional.of(UID), ns.podUidOf(pid), "pid " + pid);
        }
        assertEquals(Optional.empty(), ns.podUidOf(104));
        assertEquals(Optional.empty(), ns.podUidOf(105), "a process that is gone");
        assertEquals(Optional.empty(), ns.podUidOf(0), "a peer in a PID namespace we cannot see");
        Path found = ns.networkNamespace(UID).orElseThrow();
        assertEquals("net", found.getFileName().toString());
        assertEquals(Optional.of(UID), ns.podUidOf(Integer.parseInt(found.getParent().getParent().getFileName().toString())));
        assertEquals(Optional.empty(), ns.networkNamespace("0b0c6f3e-9999-4222-8333-944455556666"));
    }

    @Test
    void thisProcessIsInNoPod() {
        assertEquals(Optional.empty(), PodNamespaces.proc().podUidOf((int) ProcessHandle.current().pid()));
    }
}
