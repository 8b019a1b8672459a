package dev.zerokube.sidecar.node;

// Goal: the sidecar reads exactly the environment the webhook injects (SidecarTemplate's names),
// refuses to start without it with a message naming the variable, and its flags override it.
// Method: PodCommand.parse on maps and argument lists; the join itself is tested against the real
// endpoint in the operator module (PodWiringTest).

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.runtime.NodeHome;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodCommandTest {
    static Map<String, String> injected() {
        Map<String, String> env = new HashMap<>();
        env.put("ZEROKUBE_NETWORKS", "prod-mesh, other");
        env.put("ZEROKUBE_JOIN_ENDPOINT", "https://zerokube-join.zerokube-system.svc:8443/v1/join");
        env.put("ZEROKUBE_JOIN_CA", "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n");
        env.put("ZEROKUBE_TOKEN_FILE", "/var/run/secrets/zerokube.dev/serviceaccount/token");
        env.put("ZEROKUBE_HTTP_PORT", "9994");
        env.put("POD_NAME", "web-1");
        return env;
    }

    @Test
    void theWebhooksEnvironmentIsEnough() {
        PodCommand.Settings s = PodCommand.parse(injected(), List.of());
        assertEquals(List.of("prod-mesh", "other"), s.networks());
        assertEquals(URI.create("https://zerokube-join.zerokube-system.svc:8443/v1/join"), s.joinEndpoint());
        assertEquals(Path.of("/var/run/secrets/zerokube.dev/serviceaccount/token"), s.tokenFile());
        assertEquals(9994, s.httpAddress().getPort());
        assertTrue(s.httpAddress().getAddress().isAnyLocalAddress(), "the pod IP: kubelet probes do not reach loopback");
        assertEquals(9993, s.udpPort());
        assertEquals(NodeHome.earth(), s.planet());
        assertNull(s.tapSocket());
    }

    @Test
    void theNodeAgentsSocketAndFlagsOverride() {
        Map<String, String> env = injected();
        env.put("ZEROKUBE_TAP_SOCKET", "/run/zerokube/pods/uid/tap.sock");
        PodCommand.Settings s = PodCommand.parse(env, List.of());
        assertEquals(Path.of("/run/zerokube/pods/uid/tap.sock"), s.tapSocket());
        s = PodCommand.parse(env, List.of("--tap-socket", "/tmp/t.sock", "--userspace", "--port", "0", "--http",
                "127.0.0.1:0", "--networks", "a"));
        assertEquals(Path.of("/tmp/t.sock"), s.tapSocket());
        assertTrue(s.userspace());
        assertEquals(0, s.udpPort());
        assertTrue(s.httpAddress().getAddress().isLoopbackAddress());
        assertEquals(List.of("a"), s.networks());
    }

    @Test
    void missingSettingsNameTheVariable() {
        for (String key : List.of("ZEROKUBE_NETWORKS", "ZEROKUBE_JOIN_ENDPOINT", "ZEROKUBE_JOIN_CA", "ZEROKUBE_TOKEN_FILE")) {
            Map<String, String> env = injected();
            env.remove(key);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PodCommand.parse(env, List.of()));
            assertTrue(e.getMessage().contains(key), e.getMessage());
        }
        Map<String, String> env = injected();
        env.put("ZEROKUBE_NETWORKS", " , ");
        assertThrows(IllegalArgumentException.class, () -> PodCommand.parse(env, List.of()));
        assertThrows(IllegalArgumentException.class, () -> PodCommand.parse(injected(), List.of("--bogus")));
    }

    @Test
    void aBadCaBundleEndsTheStartWithItsReasonAndReleasesWhatItMade() {
        // The join client is made on a thread of its own while the identity is searched for: its
        // refusal still ends the start, with the reason in the log, and nothing stays running.
        PodCommand.Settings settings = new PodCommand.Settings(List.of("prod-mesh"),
                URI.create("https://127.0.0.1:9/v1/join"), "not pem", Path.of("/nonexistent/token"),
                new java.net.InetSocketAddress("127.0.0.1", 0), 0, NodeHome.earth(), null, true, true);
        List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Thread> before = nodeThreads();
        assertEquals(1, new PodCommand().run(settings, log::add));
        assertTrue(log.stream().anyMatch(l -> l.contains("event=start_failed") && l.contains("CA bundle")), log.toString());
        assertTrue(log.getLast().contains("event=stopped"), log.toString());
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!before.containsAll(nodeThreads()) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertTrue(before.containsAll(nodeThreads()), "the event loop made beside the search ended: " + nodeThreads());
    }

    private static List<Thread> nodeThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("zerokube-node")).toList();
    }

    @Test
    void theJoinClientTrustsOnlyAnHttpsEndpointWithACaBundle() {
        assertThrows(IllegalArgumentException.class, () -> new JoinClient(URI.create("http://x:8443/v1/join"), "x"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new JoinClient(URI.create("https://x:8443/v1/join"), "not pem"));
        assertTrue(e.getMessage().contains("CA bundle"), e.getMessage());
    }
}
