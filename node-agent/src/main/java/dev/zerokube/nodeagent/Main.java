package dev.zerokube.nodeagent;

import dev.zerokube.nodeagent.deviceplugin.TunDevicePlugin;
import dev.zerokube.nodeagent.tap.PodNamespaces;
import dev.zerokube.nodeagent.tap.PodTaps;
import dev.zerokube.nodeagent.tap.TapHandoff;
import dev.zerokube.nodeagent.tap.TapReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The node agent DaemonSet's entry point: the device plugin for {@code zerokube.dev/tun}, the TAP
 * reconciler for this node's pods and the hand-off socket, until SIGTERM.
 *
 * <pre>
 * java -jar zerokube-node-agent.jar [--node-name NAME] [--plugin-dir DIR] [--devices N]
 *     [--handoff-dir DIR] [--handoff-wait-ms MS] [--no-device-plugin] [--no-taps]
 * </pre>
 * <ul>
 *   <li>{@code --node-name} (env {@code NODE_NAME}, from the downward API {@code spec.nodeName}):
 *       the node whose pods get TAPs. Required unless {@code --no-taps}.</li>
 *   <li>{@code --plugin-dir} (env {@code ZEROKUBE_PLUGIN_DIR}, default
 *       {@code /var/lib/kubelet/device-plugins}): the kubelet's device plugin directory (hostPath).</li>
 *   <li>{@code --devices} (env {@code ZEROKUBE_TUN_DEVICES}, default 110, the kubelet's default pod
 *       limit): how many containers of the node may hold {@code zerokube.dev/tun} at once.</li>
 *   <li>{@code --handoff-dir} (env {@code ZEROKUBE_HANDOFF_DIR}, default
 *       {@code /var/run/zerokube/node-agent}): the directory of the hand-off socket
 *       {@code tap.sock}; a hostPath mounted at the same path, which the device plugin mounts
 *       read-only into every container that gets the resource.</li>
 *   <li>{@code --handoff-wait-ms} (env {@code ZEROKUBE_HANDOFF_WAIT_MS}, default 60000): how long a
 *       connecting sidecar waits for its pod's TAPs.</li>
 *   <li>{@code --no-device-plugin}, {@code --no-taps}: run one half only.</li>
 * </ul>
 * The Kubernetes client is configured as Fabric8 does it (in-cluster service account, or
 * KUBECONFIG). Exit codes: 0 after SIGTERM, 1 on a start failure (one line on stderr), 2 on bad
 * arguments.
 */
public final class Main {
    private Main() {
    }

    /** The agent's settings, from arguments over environment over defaults. */
    record Options(String nodeName, Path pluginDir, int devices, Path handoffDir, long handoffWaitMs, boolean devicePlugin,
            boolean tapsEnabled) {
        static Options parse(List<String> args, Map<String, String> env) {
            String node = env.get("NODE_NAME");
            Path pluginDir = Path.of(env.getOrDefault("ZEROKUBE_PLUGIN_DIR", "/var/lib/kubelet/device-plugins"));
            int devices = number(env.getOrDefault("ZEROKUBE_TUN_DEVICES", "110"), "ZEROKUBE_TUN_DEVICES");
            Path handoff = Path.of(env.getOrDefault("ZEROKUBE_HANDOFF_DIR", "/var/run/zerokube/node-agent"));
            long wait = number(env.getOrDefault("ZEROKUBE_HANDOFF_WAIT_MS", "60000"), "ZEROKUBE_HANDOFF_WAIT_MS");
            boolean plugin = true;
            boolean taps = true;
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "--node-name" -> node = value(args, ++i, a);
                    case "--plugin-dir" -> pluginDir = Path.of(value(args, ++i, a));
                    case "--devices" -> devices = number(value(args, ++i, a), a);
                    case "--handoff-dir" -> handoff = Path.of(value(args, ++i, a));
                    case "--handoff-wait-ms" -> wait = number(value(args, ++i, a), a);
                    case "--no-device-plugin" -> plugin = false;
                    case "--no-taps" -> taps = false;
                    default -> throw new IllegalArgumentException("unknown argument " + a);
                }
            }
            if (taps && (node == null || node.isBlank())) {
                throw new IllegalArgumentException("--node-name (or NODE_NAME) is required");
            }
            if (devices < 1) {
                throw new IllegalArgumentException("--devices must be at least 1");
            }
            return new Options(node, pluginDir, devices, handoff, wait, plugin, taps);
        }

        private static String value(List<String> args, int i, String option) {
            if (i >= args.size()) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args.get(i);
        }

        private static int number(String s, String what) {
            try {
                return Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(what + " must be a number, not '" + s + "'");
            }
        }
    }

    public static void main(String[] args) {
        // grpc-netty-shaded warns once per connection about a socket option Unix sockets lack.
        System.setProperty("org.slf4j.simpleLogger.log.io.grpc.netty.shaded.io.netty.bootstrap", "error");
        Options o;
        try {
            o = Options.parse(List.of(args), System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("zerokube-node-agent: " + e.getMessage());
            System.err.println("usage: zerokube-node-agent [--node-name NAME] [--plugin-dir DIR] [--devices N]"
                    + " [--handoff-dir DIR] [--handoff-wait-ms MS] [--no-device-plugin] [--no-taps]");
            System.exit(2);
            return;
        }
        List<AutoCloseable> running = new ArrayList<>();
        CountDownLatch stop = new CountDownLatch(1);
        try {
            if (o.devicePlugin()) {
                running.add(TunDevicePlugin.start(TunDevicePlugin.Settings.defaults()
                        .withPluginDir(o.pluginDir()).withDeviceCount(o.devices()).withHandoff(o.handoffDir(), o.handoffDir())));
            }
            if (o.tapsEnabled()) {
                KubernetesClient client = new KubernetesClientBuilder().build();
                running.add(client);
                PodTaps taps = new PodTaps();
                running.add(taps);
                PodNamespaces namespaces = PodNamespaces.proc();
                TapReconciler reconciler = new TapReconciler(client, o.nodeName(), namespaces, taps, 2000).start();
                running.add(reconciler);
                running.add(TapHandoff.start(o.handoffDir().resolve(TunDevicePlugin.HANDOFF_SOCKET), namespaces, taps,
                        reconciler::networksOf, o.handoffWaitMs()));
            }
        } catch (Exception e) {
            System.err.println("zerokube-node-agent: cannot start: " + e);
            closeAll(running);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            closeAll(running);
            stop.countDown();
        }, "zk-node-agent-shutdown"));
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // In reverse order of start: the hand-off and reconciler before the TAPs and the client.
    private static void closeAll(List<AutoCloseable> running) {
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception e) {
                System.err.println("zerokube-node-agent: closing " + running.get(i).getClass().getSimpleName() + ": " + e);
            }
        }
        running.clear();
    }
}
