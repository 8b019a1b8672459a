package dev.zerokube.sidecar.aot;

import dev.zerokube.overlay.controller.IpPool;
import dev.zerokube.overlay.controller.NetworkRecord;
import dev.zerokube.overlay.crypto.C25519;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.root.RootWorlds;
import dev.zerokube.overlay.runtime.HomeNode;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.World;
import dev.zerokube.overlay.wire.netconf.Route;
import dev.zerokube.sidecar.controller.ControllerCommand;
import dev.zerokube.sidecar.lab.Lab;
import dev.zerokube.sidecar.node.PodCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Trains a JDK 25 AOT cache on the pod sidecar's own start (the image's
 * {@code /opt/zerokube/zerokube.aot}; docs/injection.md, "The image's AOT cache"). Everything runs on
 * 127.0.0.1 with ephemeral ports, in a temporary directory deleted at the end:
 *
 * <ol>
 *   <li>in this JVM, a network controller (what {@code zerokube controller} runs,
 *       {@link ControllerCommand#start}) that is also the only root of a throw-away planet, serving a
 *       public network, and a stand-in join endpoint over HTTPS ({@link JoinStandIn});
 *   <li>in a child JVM, the sidecar exactly as the image starts it: this process's own launch
 *       command (java, its JVM flags, the jar; the environment, so {@code JAVA_TOOL_OPTIONS}, is
 *       inherited) plus {@code -XX:AOTCacheOutput}, running {@code node --pod} with the
 *       environment the webhook injects. Only these differ from a pod: {@code --userspace} (no
 *       node agent hands over a TAP), {@code --loopback-paths} (the root is on 127.0.0.1),
 *       {@code --port 0} and {@code --http 127.0.0.1:0};
 *   <li>{@code GET /readyz} until 200 (the kubelet's startup probe), a few more probes, a short
 *       idle for the node's timers, then SIGTERM, as the kubelet stops a pod: the child JVM writes
 *       the cache as it exits;
 *   <li>a last check: the same launch command with {@code -XX:AOTCache} and
 *       {@code -XX:AOTMode=on} (a cache the JVM cannot use is then fatal, not silently ignored)
 *       must start.
 * </ol>
 *
 * Separate JVMs so that the cache holds only what the sidecar itself loads: the JVM loads every
 * class of the cache at start (AOT class linking), so a cache trained in the controller's JVM
 * would load the controller and the HTTPS server into every pod. Everything is bounded by one
 * timeout; on any failure the child is killed, the output removed, and the message says why.
 */
public final class AotTrainer {
    /** The network the sidecar asks to join (the stand-in knows this one name). */
    public static final String NETWORK = "aot-train";
    /** Probes of /healthz and /readyz after ready, as the kubelet's liveness and startup probes. */
    static final int PROBES_AFTER_READY = 5;
    static final Duration PROBE_INTERVAL = Duration.ofMillis(200);
    /** Idle after the probes: the node's timers run (pings to the root, config refresh checks). */
    static final Duration IDLE_AFTER_READY = Duration.ofSeconds(2);
    /** The throw-away planet's id. */
    private static final long PLANET_ID = 0x7a6b_a07dL;
    private static final Pattern HTTP_EVENT = Pattern.compile("event=http address=[^ ]*/(\\d+)");
    private static final int LAST_LINES = 20;

    /**
     * What to train.
     *
     * @param launch how the sidecar's JVM is started, up to and including the jar or main class:
     *     {@code [java, flags..., -jar, zerokube.jar]}; {@code -XX:AOTCacheOutput} is added after
     *     the executable
     * @param output the cache file to write (replaced)
     * @param timeout the bound on the whole training
     * @param network the network the sidecar asks for ({@link #NETWORK}; another one is refused by
     *     the stand-in, as the operator refuses an unknown network)
     * @param tempParent where the temporary directory goes (null: the JVM's default)
     * @param log where progress and the sidecar's output go, one line each
     */
    public record Options(List<String> launch, Path output, Duration timeout, String network, Path tempParent,
            PrintStream log) {
        public Options {
            launch = List.copyOf(launch);
            if (launch.isEmpty()) {
                throw new IllegalArgumentException("no launch command");
            }
            Objects.requireNonNull(output, "output");
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(network, "network");
            Objects.requireNonNull(log, "log");
        }
    }

    /**
     * A trained cache.
     *
     * @param readyMs from the sidecar's launch to its first /readyz 200 (a training run: no cache yet)
     * @param totalMs the whole training, cache writing and check included
     * @param cacheBytes the cache file's size
     */
    public record Result(long readyMs, long totalMs, long cacheBytes) {}

    /** The training failed; the message says why in one line (the sidecar's output is in the log). */
    public static final class TrainingFailed extends Exception {
        private static final long serialVersionUID = 1L;

        TrainingFailed(String message) {
            super(message);
        }

        TrainingFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private AotTrainer() {}

    /** Trains, writes {@code options.output()} and checks the JVM accepts it. */
    public static Result train(Options o) throws TrainingFailed, InterruptedException {
        long startNs = System.nanoTime();
        long deadlineNs = startNs + o.timeout().toNanos();
        Path output = o.output().toAbsolutePath();
        if (!Files.isDirectory(output.getParent())) {
            throw new TrainingFailed("no directory " + output.getParent() + " for the cache");
        }
        Path work;
        try {
            work = o.tempParent() == null ? Files.createTempDirectory("zerokube-aot-train")
                    : Files.createTempDirectory(o.tempParent(), "zerokube-aot-train");
        } catch (IOException e) {
            throw new TrainingFailed("cannot make a temporary directory: " + e.getMessage(), e);
        }
        ControllerCommand.Running controller = null;
        JoinStandIn join = null;
        Process sidecar = null;
        Thread reader = null;
        boolean done = false;
        try {
            Files.deleteIfExists(output);
            Identity controllerIdentity = Identity.generate(new SecureRandom());
            NetworkId network = new NetworkId((controllerIdentity.address().value() << 24) | 0x1);
            join = JoinStandIn.start(work, NETWORK, network.toString(), remaining(deadlineNs));
            controller = startController(work, controllerIdentity, o.log());
            controller.store().putNetwork(NetworkRecord.builder(network, System.currentTimeMillis()).name(NETWORK)
                    .privateNetwork(false).v4AssignZt(true)
                    .ipAssignmentPools(List.of(new IpPool(ip("10.147.17.1"), ip("10.147.17.254"))))
                    .routes(List.of(Route.direct(InetEndpoint.of(InetEndpoint.parseIp("10.147.17.0"), 24)))).build());
            Path token = work.resolve("token");
            Files.writeString(token, "header.payload.signature\n");

            List<String> command = new ArrayList<>();
            command.add(o.launch().get(0));
            command.add("-XX:AOTCacheOutput=" + output);
            command.addAll(o.launch().subList(1, o.launch().size()));
            command.addAll(List.of("node", "--pod", "--userspace", "--loopback-paths", "--port", "0", "--http",
                    "127.0.0.1:0"));
            ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true);
            Map<String, String> env = pb.environment();
            env.remove(PodCommand.ENV_TAP_SOCKET);
            env.remove(PodCommand.ENV_HTTP_PORT);
            env.put(PodCommand.ENV_NETWORKS, o.network());
            env.put(PodCommand.ENV_JOIN_ENDPOINT, join.endpoint().toString());
            env.put(PodCommand.ENV_JOIN_CA, join.caPem());
            env.put(PodCommand.ENV_TOKEN_FILE, token.toString());
            env.put(PodCommand.ENV_PLANET_FILE, work.resolve("planet").toString());
            o.log().println("aot-train: controller, root and stand-in join endpoint up on 127.0.0.1; starting the sidecar: "
                    + String.join(" ", command));
            long launchNs = System.nanoTime();
            sidecar = pb.start();
            Output out = new Output(sidecar.getInputStream(), o.log());
            reader = Thread.ofPlatform().daemon().name("aot-train-sidecar-output").start(out);

            int port = awaitHttpPort(sidecar, out, deadlineNs, o.timeout());
            while (get(port, "/readyz") != 200) {
                check(sidecar, out, deadlineNs, o.timeout(), "ready");
                Thread.sleep(100);
            }
            long readyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - launchNs);
            o.log().println("aot-train: the sidecar is ready after " + readyMs + " ms; probing, then idle for "
                    + IDLE_AFTER_READY.toMillis() + " ms");
            for (int i = 0; i < PROBES_AFTER_READY; i++) {
                Thread.sleep(PROBE_INTERVAL.toMillis());
                int health = get(port, "/healthz");
                int ready = get(port, "/readyz");
                if (health != 200 || ready != 200) {
                    check(sidecar, out, deadlineNs, o.timeout(), "probed");
                    throw new TrainingFailed("the sidecar answered /healthz " + health + " and /readyz " + ready
                            + " after it was ready" + lastError(out));
                }
            }
            Thread.sleep(Math.max(0, Math.min(IDLE_AFTER_READY.toMillis(),
                    TimeUnit.NANOSECONDS.toMillis(remainingNs(deadlineNs)))));

            o.log().println("aot-train: stopping the sidecar (SIGTERM); its JVM writes the cache as it exits");
            // SIGTERM through the handle: Process.destroy() would also close our end of its output,
            // and the JVM's cache writing (its own output, then an assembly JVM's) would fail on
            // the broken pipe.
            sidecar.toHandle().destroy();
            if (!sidecar.waitFor(remainingNs(deadlineNs), TimeUnit.NANOSECONDS)) {
                throw new TrainingFailed("the sidecar did not exit within the timeout (" + o.timeout().toSeconds()
                        + " s) after SIGTERM");
            }
            reader.join(5_000);
            int code = sidecar.exitValue();
            // 143: ended by SIGTERM, the shutdown hook stopped it cleanly (as in a pod)
            if (code != 0 && code != 143) {
                throw new TrainingFailed("the sidecar exited with code " + code + " after SIGTERM" + lastError(out));
            }
            if (!Files.isRegularFile(output) || Files.size(output) == 0) {
                throw new TrainingFailed("the JVM wrote no AOT cache at " + output + " (its output above says why)");
            }
            verify(o.launch(), output, work, deadlineNs, o.log());
            done = true;
            return new Result(readyMs, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs), Files.size(output));
        } catch (IOException | HomeNode.StartException e) {
            throw new TrainingFailed(e.getMessage(), e);
        } finally {
            if (sidecar != null && sidecar.isAlive()) {
                sidecar.descendants().forEach(ProcessHandle::destroyForcibly);
                sidecar.destroyForcibly();
                sidecar.waitFor(10, TimeUnit.SECONDS);
            }
            if (controller != null) {
                try {
                    controller.close();
                } catch (IOException | RuntimeException e) {
                    o.log().println("aot-train: closing the controller: " + e);
                }
            }
            if (join != null) {
                join.close();
            }
            try {
                Lab.deleteTree(work);
                if (!done) {
                    Files.deleteIfExists(output);
                }
            } catch (IOException e) {
                o.log().println("aot-train: cleaning up: " + e);
            }
        }
    }

    /** The controller, as the planet's only root at a UDP port free a moment ago (retried if taken meanwhile). */
    private static ControllerCommand.Running startController(Path work, Identity identity, PrintStream log)
            throws IOException, HomeNode.StartException {
        for (int attempt = 1;; attempt++) {
            int port;
            try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                port = s.getLocalPort();
            }
            World planet = RootWorlds.first(World.Type.PLANET, PLANET_ID, System.currentTimeMillis(),
                    List.of(RootWorlds.root(identity, List.of(InetEndpoint.of(InetAddress.getLoopbackAddress(), port)))),
                    C25519.generate(new SecureRandom()));
            Path planetFile = work.resolve("planet");
            Files.write(planetFile, planet.toBytes());
            Path home = Files.createDirectories(work.resolve("controller-" + attempt));
            Path secret = home.resolve("identity.secret");
            Files.writeString(secret, identity.toString(true));
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
            Files.writeString(home.resolve("local.conf"), "{\"settings\":{\"bind\":[\"127.0.0.1\"]}}\n");
            try {
                return ControllerCommand.start(new ControllerCommand.Options(home, port, null,
                        InetAddress.getLoopbackAddress(), planetFile, true), log, log);
            } catch (HomeNode.StartException e) {
                if (attempt >= 3) {
                    throw e;
                }
            }
        }
    }

    /** The port of the sidecar's HTTP server, from its {@code event=http} line. */
    private static int awaitHttpPort(Process sidecar, Output out, long deadlineNs, Duration timeout)
            throws TrainingFailed, InterruptedException {
        while (true) {
            int port = out.httpPort;
            if (port > 0) {
                return port;
            }
            check(sidecar, out, deadlineNs, timeout, "serving HTTP");
            Thread.sleep(50);
        }
    }

    private static void check(Process sidecar, Output out, long deadlineNs, Duration timeout, String what)
            throws TrainingFailed, InterruptedException {
        if (!sidecar.isAlive()) {
            out.finished(2_000);
            throw new TrainingFailed("the sidecar exited with code " + sidecar.exitValue() + " before it was " + what
                    + lastError(out));
        }
        if (remainingNs(deadlineNs) <= 0) {
            throw new TrainingFailed("the sidecar was not " + what + " within the timeout (" + timeout.toSeconds() + " s)"
                    + lastError(out));
        }
    }

    /** The sidecar's last error event (or last line), for the one-line failure message. */
    private static String lastError(Output out) {
        String error = out.lastError;
        if (error != null) {
            return ": " + error;
        }
        List<String> lines = out.last();
        return lines.isEmpty() ? " (no output)" : "; its last line: " + lines.getLast();
    }

    /** The launch command with the new cache and {@code -XX:AOTMode=on} must start (Main's help: exit 0). */
    private static void verify(List<String> launch, Path cache, Path work, long deadlineNs, PrintStream log)
            throws IOException, TrainingFailed, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(launch.get(0));
        command.add("-XX:AOTCache=" + cache);
        command.add("-XX:AOTMode=on");
        command.addAll(launch.subList(1, launch.size()));
        command.add("help");
        Path text = work.resolve("check.out");
        Process p = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(text.toFile()).start();
        if (!p.waitFor(remainingNs(deadlineNs), TimeUnit.NANOSECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            throw new TrainingFailed("the check of the new cache (-XX:AOTMode=on) did not finish within the timeout");
        }
        if (p.exitValue() != 0) {
            throw new TrainingFailed("the JVM refuses the cache it wrote (-XX:AOTMode=on, exit " + p.exitValue() + "): "
                    + Files.readString(text, StandardCharsets.UTF_8).strip().replace('\n', ' '));
        }
        log.println("aot-train: the JVM accepts the cache with the same flags (-XX:AOTMode=on)");
    }

    /** One GET on the sidecar's HTTP server: its status, or -1 when it cannot be reached. */
    private static int get(int port, String path) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL()
                    .openConnection(Proxy.NO_PROXY);
            c.setConnectTimeout(1_000);
            c.setReadTimeout(2_000);
            try {
                int status = c.getResponseCode();
                try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
                    if (in != null) {
                        in.readAllBytes();
                    }
                }
                return status;
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return -1;
        }
    }

    private static InetEndpoint ip(String literal) {
        return InetEndpoint.of(InetEndpoint.parseIp(literal), 0);
    }

    private static long remainingNs(long deadlineNs) {
        return deadlineNs - System.nanoTime();
    }

    private static Duration remaining(long deadlineNs) {
        return Duration.ofNanos(Math.max(0, remainingNs(deadlineNs)));
    }

    /** Copies the sidecar's output to the log, line by line, and notes its HTTP port and last lines. */
    private static final class Output implements Runnable {
        private final InputStream in;
        private final PrintStream log;
        private final Deque<String> last = new ArrayDeque<>();
        private final java.util.concurrent.CountDownLatch eof = new java.util.concurrent.CountDownLatch(1);
        volatile int httpPort;
        /** The sidecar's last {@code level=error} event (the JVM's cache writing may follow it with many lines). */
        volatile String lastError;

        Output(InputStream in, PrintStream log) {
            this.in = in;
            this.log = log;
        }

        @Override
        public void run() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null;) {
                    log.println("sidecar| " + line);
                    Matcher m = HTTP_EVENT.matcher(line);
                    if (httpPort == 0 && m.find()) {
                        httpPort = Integer.parseInt(m.group(1));
                    }
                    if (line.contains(" level=error ")) {
                        lastError = line;
                    }
                    synchronized (last) {
                        last.addLast(line);
                        if (last.size() > LAST_LINES) {
                            last.removeFirst();
                        }
                    }
                }
            } catch (IOException e) {
                // the process is gone; what it wrote before is in the log
            } finally {
                eof.countDown();
            }
        }

        /** Waits (a bounded time) until the output has been read to its end. */
        void finished(long timeoutMs) throws InterruptedException {
            eof.await(timeoutMs, TimeUnit.MILLISECONDS);
        }

        List<String> last() {
            synchronized (last) {
                return List.copyOf(last);
            }
        }
    }
}
