package dev.zerokube.benchmarks.port;

import dev.zerokube.overlay.runtime.port.FrameConsumer;
import dev.zerokube.overlay.runtime.port.NetNs;
import dev.zerokube.overlay.runtime.port.PortConfig;
import dev.zerokube.overlay.runtime.port.PortCounters;
import dev.zerokube.overlay.runtime.port.TapPort;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.Mac;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TAP read/write throughput of {@link TapPort} without crypto or UDP: two network namespaces, a
 * TAP in each, this JVM copying frames between them (A's frames written to B and back), and
 * {@code iperf3} from A to B across. So it measures the port alone: TAP read, TSO segmentation,
 * copies, TAP write (with or without user-space GRO), and both TCP stacks. Root only; the
 * namespaces ({@code zkbench-*}) are deleted at the end even on failure.
 *
 * <pre>
 *   java --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar \
 *       dev.zerokube.benchmarks.port.TapBridgeBench [seconds] [reps]
 * </pre>
 * Variants: {@code plain} (no virtio-net header: one frame per read and write), {@code tso} (TSO
 * read + segmentation, one write per frame), {@code tso-gro} (plus merged GSO writes), each at
 * MTU 2800 and 1500, run interleaved. Prints Mbit/s (iperf3 receiver), the bridge JVM's CPU
 * seconds per GB, and the port counters.
 */
public final class TapBridgeBench {
    private static final Pattern RECEIVED = Pattern.compile("\"sum_received\"\\s*:\\s*\\{[^}]*\"bits_per_second\"\\s*:\\s*([0-9.eE+]+)");

    private TapBridgeBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
        String a = "zkbench-a-" + suffix;
        String b = "zkbench-b-" + suffix;
        run("ip", "netns", "add", a);
        try {
            run("ip", "netns", "add", b);
            try {
                run("ip", "-n", a, "link", "set", "lo", "up");
                run("ip", "-n", b, "link", "set", "lo", "up");
                System.out.println("# " + uptime());
                System.out.println("variant      mtu  rep  Mbit/s  bridge-CPU-s/GB  super-frames  merged-segments");
                for (int rep = 1; rep <= reps; rep++) {
                    for (String variant : new String[] {"plain", "tso", "tso-gro"}) {
                        for (int mtu : new int[] {2800, 1500}) {
                            once(a, b, variant, mtu, seconds, rep);
                        }
                    }
                }
                System.out.println("# " + uptime());
            } finally {
                run("ip", "netns", "del", b);
            }
        } finally {
            run("ip", "netns", "del", a);
        }
    }

    private static void once(String nsA, String nsB, String variant, int mtu, int seconds, int rep) throws Exception {
        boolean offloads = !variant.equals("plain");
        Path pathA = Path.of("/var/run/netns", nsA);
        Path pathB = Path.of("/var/run/netns", nsB);
        try (TapPort a = NetNs.call(pathA, () -> TapPort.open("zkb0", offloads));
                TapPort b = NetNs.call(pathB, () -> TapPort.open("zkb0", offloads))) {
            boolean gro = variant.equals("tso-gro");
            a.mergeWrites(gro);
            b.mergeWrites(gro);
            a.configure(new PortConfig(mtu, Mac.parse("02:5a:00:00:00:01"), List.of(InetEndpoint.parse("198.18.77.1/24")), List.of()));
            b.configure(new PortConfig(mtu, Mac.parse("02:5a:00:00:00:02"), List.of(InetEndpoint.parse("198.18.77.2/24")), List.of()));
            a.start(bridgeTo(b));
            b.start(bridgeTo(a));
            Process server = new ProcessBuilder("ip", "netns", "exec", nsB, "iperf3", "-s", "-1", "-B", "198.18.77.2")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                Thread.sleep(500);
                // Warm-up run (JIT), then the measured one.
                iperf(nsA, 3);
                server.waitFor(5, TimeUnit.SECONDS);
                server = new ProcessBuilder("ip", "netns", "exec", nsB, "iperf3", "-s", "-1", "-B", "198.18.77.2")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                Thread.sleep(500);
                long cpu0 = cpuNanos();
                double bps = iperf(nsA, seconds);
                long cpu = cpuNanos() - cpu0;
                double gb = bps * seconds / 8 / 1e9;
                PortCounters ca = a.counters();
                System.out.printf(Locale.ROOT, "%-12s %4d  %3d  %6.0f  %15.2f  %12d  %15d%n", variant, mtu, rep, bps / 1e6,
                        cpu / 1e9 / gb, ca.superFramesFromHost(), b.mergedSegments());
            } finally {
                server.destroy();
                server.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    private static FrameConsumer bridgeTo(TapPort other) {
        return new FrameConsumer() {
            @Override
            public void onFrame(byte[] frame, int off, int len) {
                other.write(frame, off, len);
            }

            @Override
            public void onBatchEnd() {
                other.flush();
            }
        };
    }

    private static double iperf(String ns, int seconds) throws IOException, InterruptedException {
        String json = run("ip", "netns", "exec", ns, "iperf3", "-c", "198.18.77.2", "-t", Integer.toString(seconds), "-J");
        Matcher m = RECEIVED.matcher(json);
        if (!m.find()) {
            throw new IOException("no sum_received in iperf3 output: " + json);
        }
        return Double.parseDouble(m.group(1));
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static String uptime() throws IOException, InterruptedException {
        return run("uptime").trim();
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out);
        }
        return out;
    }
}
