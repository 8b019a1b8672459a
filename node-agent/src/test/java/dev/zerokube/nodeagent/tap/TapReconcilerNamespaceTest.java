package dev.zerokube.nodeagent.tap;

import static dev.zerokube.nodeagent.tap.Fixtures.member;
import static dev.zerokube.nodeagent.tap.Fixtures.network;
import static dev.zerokube.nodeagent.tap.Fixtures.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.zerokube.operator.api.member.Member;
import dev.zerokube.operator.api.network.ZeroTierNetwork;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.runtime.LocalApi;
import dev.zerokube.overlay.runtime.port.FdPassing;
import dev.zerokube.overlay.runtime.port.TapPort;
import dev.zerokube.overlay.wire.Mac;
import dev.zerokube.overlay.wire.NetworkId;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Goal: the node agent's reconciler gives a pod its TAP in the pod's own network namespace, set
 * up from the Member's status (MAC, MTU, IP with the route's netmask, routes, persistent and owned
 * by the sidecar's UID), hands the open TAP to the pod's process over the hand-off socket (and
 * nothing to a process of no pod), follows an IP change, that a process with an unprivileged UID
 * and no capabilities can receive and use the TAP, and that the TAP is removed when the pod is
 * deleted. Method: a network namespace made by the test stands for the pod's ({@code zk-agent-*},
 * deleted in {@code @AfterEach} even on failure); the Fabric8 mock API server in CRUD mode holds
 * the Pod, Member and ZeroTierNetwork; {@link PodNamespaces} is a stub that maps the pod to that
 * namespace and this test process to the pod (in a cluster the cgroup does, see
 * {@code PodNamespacesTest}); what the kernel shows is read with {@code ip}. Overlay addresses
 * from 198.18.0.0/15 only. Skipped with a message unless root.
 */
@Timeout(120)
@EnableKubernetesMockClient(crud = true)
class TapReconcilerNamespaceTest {
    private static final String NWID = "a1b2c3d4e5000001";
    private static final String NODE = "node-a";
    private static final long WAIT_MS = 10_000;

    KubernetesClient client;

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private String netns;

    @BeforeEach
    void rootAndNamespace() throws IOException {
        boolean root;
        try {
            root = ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            root = false;
        }
        assumeTrue(root, "skipped: needs root (network namespaces and TAP devices); CI runs this as root");
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "skipped: no /dev/net/tun on this machine");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"))
                || Files.isExecutable(Path.of("/usr/bin/ip")), "skipped: iproute2 ('ip') is not installed");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")) || Files.isExecutable(Path.of("/bin/setpriv")),
                "skipped: util-linux's setpriv (to run the sidecar without privileges) is not installed");
        netns = "zk-agent-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffff_ffffL);
        run("ip", "netns", "add", netns);
        cleanup.add(() -> run("ip", "netns", "del", netns));
        run("ip", "-n", netns, "link", "set", "lo", "up");
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("payments").endMetadata().build()).create();
    }

    @AfterEach
    void cleanUp() throws Exception {
        Exception first = null;
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            try {
                cleanup.get(i).close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        cleanup.clear();
        if (first != null) {
            throw first;
        }
    }

    @Test
    void aPodGetsItsTapThenLosesIt() throws Exception {
        ZeroTierNetwork n = network("prod", null, 2800, true, "198.18.40.0/24", "198.19.0.0/16@198.18.40.1");
        n = client.resources(ZeroTierNetwork.class).resource(n).create();
        n.setStatus(network("prod", NWID, 2800, true).getStatus());
        client.resources(ZeroTierNetwork.class).resource(n).updateStatus();
        Pod pod = client.pods().inNamespace("payments")
                .resource(pod("payments", "web-1", null, NODE, "prod", 4242L)).create();
        String uid = pod.getMetadata().getUid();
        assertTrue(uid != null && !uid.isEmpty(), "the mock server gave the pod a UID");
        Member m = client.resources(Member.class).inNamespace("payments")
                .resource(member(pod, "prod", "89e92ceee5", true, List.of())).create();
        m.getStatus().setIpAssignments(List.of("198.18.40.20"));
        client.resources(Member.class).inNamespace("payments").resource(m).updateStatus();
        // A pod of another node, with a Member, mapped to the same namespace: must get no TAP here.
        Pod elsewhere = client.pods().inNamespace("payments")
                .resource(pod("payments", "web-2", null, "node-b", "prod", 4242L)).create();
        Member theirs = client.resources(Member.class).inNamespace("payments")
                .resource(member(elsewhere, "prod", "89e92ceee6", true, List.of())).create();
        theirs.getStatus().setIpAssignments(List.of("198.18.40.30"));
        client.resources(Member.class).inNamespace("payments").resource(theirs).updateStatus();
        String elsewhereUid = elsewhere.getMetadata().getUid();
        int self = (int) ProcessHandle.current().pid();
        boolean[] strangerMode = {false};
        Path nsFile = Path.of("/var/run/netns", netns);
        PodNamespaces stub = new PodNamespaces() {
            @Override
            public Optional<Path> networkNamespace(String podUid) {
                return podUid.equals(uid) || podUid.equals(elsewhereUid) ? Optional.of(nsFile) : Optional.empty();
            }

            @Override
            public Optional<String> podUidOf(int pid) {
                // This process, or a child of it (the unprivileged "sidecar" below), is the pod's.
                boolean ours = pid == self || ProcessHandle.of(pid).flatMap(ProcessHandle::parent)
                        .map(p -> p.pid() == self).orElse(false);
                return ours && !strangerMode[0] ? Optional.of(uid) : Optional.empty();
            }
        };

        PodTaps taps = new PodTaps();
        cleanup.add(taps);
        // The mock server cannot evaluate the spec.nodeName field selector: list all, filter here.
        TapReconciler reconciler = new TapReconciler(client, NODE, stub, taps, 200, false).start();
        cleanup.add(reconciler);
        // A directory others may enter (the unprivileged "sidecar" connects to the socket in it).
        Path handoffDir = Files.createTempDirectory("zk-agent-handoff",
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x")));
        cleanup.add(() -> {
            try (var files = Files.list(handoffDir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(handoffDir);
        });
        TapHandoff handoff = TapHandoff.start(handoffDir.resolve("tap.sock"), stub, taps, reconciler::networksOf, WAIT_MS);
        cleanup.add(handoff);

        String dev = LocalApi.deviceName(NetworkId.parse(NWID));
        long t0 = System.nanoTime();
        await("TAP " + dev + " in the pod's namespace", () -> ip("-n", netns, "addr", "show", "dev", dev).contains("198.18.40.20/24"));
        long createdMs = (System.nanoTime() - t0) / 1_000_000;

        String link = ip("-n", netns, "-d", "-o", "link", "show", dev);
        assertTrue(link.contains("mtu 2800"), link);
        assertTrue(link.contains("link/ether " + Mac.fromAddress(Address.parse("89e92ceee5"), NetworkId.parse(NWID))), link);
        assertTrue(link.contains("tun type tap"), link);
        assertTrue(link.contains("persist on") && link.contains("user 4242"), "persistent, owned by the sidecar's UID: " + link);
        String routes = ip("-n", netns, "route", "show", "dev", dev);
        assertTrue(routes.contains("198.19.0.0/16 via 198.18.40.1"), routes);
        assertTrue(routes.contains("198.18.40.0/24 proto kernel"), routes);
        assertTrue(ip("-o", "link", "show").lines().noneMatch(l -> l.contains(dev)), "nothing in the test's own namespace");
        assertTrue(!ip("-n", netns, "addr").contains("198.18.40.30"), "the other node's pod got nothing here");
        assertEquals(java.util.Set.of(uid), taps.pods());
        assertEquals(Optional.empty(), reconciler.networksOf(elsewhereUid));

        // The hand-off: this process is "the sidecar" of the pod; it gets the TAP with the network id.
        Map<String, Integer> got = receive(handoff.socket());
        assertEquals(List.of(NWID), List.copyOf(got.keySet()));
        try (TapPort adopted = TapPort.adopt(got.get(NWID))) {
            assertEquals(dev, adopted.name());
            assertTrue(adopted.vnetHeader(), "opened with offloads, as the sidecar's ports expect");
        }
        // A process of no pod connects: the agent sends nothing and hangs up.
        strangerMode[0] = true;
        assertEquals(Map.of(), receive(handoff.socket()));
        strangerMode[0] = false;

        // The operator changes the Member's IP: the TAP follows.
        m = client.resources(Member.class).inNamespace("payments").withName(m.getMetadata().getName()).get();
        m.getStatus().setIpAssignments(List.of("198.18.40.21"));
        client.resources(Member.class).inNamespace("payments").resource(m).updateStatus();
        await("the new IP", () -> {
            String a = ip("-n", netns, "addr", "show", "dev", dev);
            return a.contains("198.18.40.21/24") && !a.contains("198.18.40.20/");
        });

        // The sidecar's way: a process with an unprivileged UID and no capabilities receives the
        // TAP and uses it (an ARP request in, the pod kernel's reply out).
        String sidecar = unprivilegedSidecar(handoff.socket(), "198.18.40.21");
        assertTrue(sidecar.contains("tap " + dev + " " + NWID + " arp-reply-from 198.18.40.21"), sidecar);

        // The pod goes away: its TAP with it, even though the namespace lives on.
        long t1 = System.nanoTime();
        client.pods().inNamespace("payments").withName("web-1").delete();
        await("the TAP removed", () -> ip("-n", netns, "-o", "link", "show").lines().noneMatch(l -> l.contains(dev)));
        long removedMs = (System.nanoTime() - t1) / 1_000_000;
        assertEquals(java.util.Set.of(), taps.pods());
        System.out.printf("TapReconcilerNamespaceTest: TAP configured %d ms after start, removed %d ms after the pod's deletion%n",
                createdMs, removedMs);
    }

    // UnprivilegedSidecar in a JVM as UID 65532 with an empty capability bounding set. Its class
    // path must be readable by that UID: a jar (e.g. overlay's, from ~/.m2 under /root) is copied
    // next to the socket first.
    private static String unprivilegedSidecar(Path socket, String ip) throws IOException {
        List<String> classPath = new ArrayList<>();
        for (Class<?> c : List.of(UnprivilegedSidecar.class, TapPort.class)) {
            Path p = location(c);
            if (Files.isRegularFile(p)) {
                Path copy = socket.resolveSibling(p.getFileName());
                Files.copy(p, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(copy, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
                p = copy;
            }
            classPath.add(p.toString());
        }
        String java = ProcessHandle.current().info().command().orElseThrow();
        return run("setpriv", "--reuid", "65532", "--regid", "65532", "--clear-groups", "--bounding-set", "-all",
                "--inh-caps", "-all", "--no-new-privs", java, "--enable-native-access=ALL-UNNAMED",
                "-cp", String.join(":", classPath), UnprivilegedSidecar.class.getName(), socket.toString(), ip);
    }

    private static Path location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    // What the sidecar does with --tap-socket: receive descriptors until the agent closes.
    private static Map<String, Integer> receive(Path socket) throws IOException {
        Map<String, Integer> fds = new LinkedHashMap<>();
        int s = FdPassing.connect(socket);
        try {
            while (true) {
                FdPassing.Received r;
                try {
                    r = FdPassing.receive(s);
                } catch (IOException closed) {
                    return fds;
                }
                fds.put(r.text(), r.fd());
            }
        } finally {
            FdPassing.close(s);
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT_MS + " ms: " + what);
            }
            Thread.sleep(50);
        }
    }

    // ip's output, or "" when it fails (e.g. the device does not exist yet).
    private static String ip(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        try {
            return run(cmd.toArray(String[]::new));
        } catch (IOException e) {
            return "";
        }
    }

    private static String run(String... cmd) throws IOException {
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
}
