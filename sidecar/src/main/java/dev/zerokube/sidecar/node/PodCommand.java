package dev.zerokube.sidecar.node;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.NetworkStatus;
import dev.zerokube.overlay.node.NodeConfig;
import dev.zerokube.overlay.runtime.Loops;
import dev.zerokube.overlay.runtime.NetworkPorts;
import dev.zerokube.overlay.runtime.NodeHome;
import dev.zerokube.overlay.runtime.NodeMetrics;
import dev.zerokube.overlay.runtime.NodeService;
import dev.zerokube.overlay.runtime.port.TapPort;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.World;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code zerokube node --pod}: the injected {@code zerokube-node} sidecar (the webhook's
 * {@code SidecarTemplate} runs exactly this). Settings come from the environment the webhook
 * injects (below); flags override them for tests and labs.
 *
 * <ol>
 *   <li>serves {@code /healthz}, {@code /readyz} and {@code /metrics} on the pod IP (all
 *       interfaces, {@code ZEROKUBE_HTTP_PORT}, 9994) at once, not ready;
 *   <li>generates its identity in memory: never written anywhere, never logged (only its address);
 *   <li>starts the node (UDP {@code --port}, 9993 by default) with the planet of
 *       {@code ZEROKUBE_PLANET_FILE} (ZeroTier's default planet when absent);
 *   <li>for each network of {@code ZEROKUBE_NETWORKS}: {@code POST ZEROKUBE_JOIN_ENDPOINT}
 *       {@code {network, identity (public), token}} over HTTPS trusting only
 *       {@code ZEROKUBE_JOIN_CA}, the token read fresh from {@code ZEROKUBE_TOKEN_FILE} at each
 *       attempt; 503/429/unreachable are retried (honouring Retry-After), a 4xx refusal ends the
 *       process with exit code 1 and the endpoint's reason (the kubelet restarts it);
 *   <li>with a TAP socket ({@code --tap-socket} or {@code ZEROKUBE_TAP_SOCKET}, set by the node
 *       agent's device plugin): waits for the socket, receives one TAP per network (the 16-digit
 *       network id as message, {@code NodeCommand}'s contract) until the agent closes it; else
 *       TAPs it can make itself, else in-memory ports ({@code --userspace} asks for them);
 *   <li>joins the networks; {@code /readyz} answers 200 once every network's config is OK and
 *       its port is open (the startup probe then lets the app containers start).
 * </ol>
 *
 * Nothing is written to the filesystem (the root filesystem is read-only); the JVM's temporary
 * files, if any, go to the in-memory {@code /tmp} the webhook mounts. One {@code key=value} line
 * on stderr per lifecycle event.
 */
public final class PodCommand {
    /** Environment the webhook injects (SidecarTemplate's names). */
    public static final String ENV_NETWORKS = "ZEROKUBE_NETWORKS";
    public static final String ENV_JOIN_ENDPOINT = "ZEROKUBE_JOIN_ENDPOINT";
    public static final String ENV_JOIN_CA = "ZEROKUBE_JOIN_CA";
    public static final String ENV_TOKEN_FILE = "ZEROKUBE_TOKEN_FILE";
    public static final String ENV_HTTP_PORT = "ZEROKUBE_HTTP_PORT";
    /** Set by the node agent's device plugin: where it hands over the pod's TAPs. */
    public static final String ENV_TAP_SOCKET = "ZEROKUBE_TAP_SOCKET";
    /** Optional: a planet file (e.g. a ConfigMap) naming the roots to use. */
    public static final String ENV_PLANET_FILE = "ZEROKUBE_PLANET_FILE";

    /** Default HTTP port (WellKnownNames.SIDECAR_HTTP_PORT). */
    public static final int HTTP_PORT_DEFAULT = 9994;
    /** Join retries back off from this... */
    static final Duration RETRY_MIN = Duration.ofMillis(200);
    /** ...to this. */
    static final Duration RETRY_MAX = Duration.ofSeconds(5);
    /** How long to wait for the node agent's TAP socket to appear before giving up. */
    static final Duration TAP_SOCKET_WAIT = Duration.ofSeconds(60);

    /**
     * What the sidecar runs with.
     *
     * @param httpAddress where /healthz, /readyz, /metrics listen
     * @param udpPort the node's UDP port (0: any)
     * @param tapSocket the node agent's socket, or null
     */
    public record Settings(List<String> networks, URI joinEndpoint, String joinCaPem, Path tokenFile,
            InetSocketAddress httpAddress, int udpPort, World planet, Path tapSocket, boolean userspace,
            boolean loopbackPaths) {
        public Settings {
            networks = List.copyOf(networks);
            if (networks.isEmpty()) {
                throw new IllegalArgumentException(ENV_NETWORKS + " lists no network");
            }
            Objects.requireNonNull(joinEndpoint, ENV_JOIN_ENDPOINT);
            Objects.requireNonNull(joinCaPem, ENV_JOIN_CA);
            Objects.requireNonNull(tokenFile, ENV_TOKEN_FILE);
            Objects.requireNonNull(httpAddress, "httpAddress");
            Objects.requireNonNull(planet, "planet");
        }
    }

    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile NodeService service;
    // the node's event loop, made while the identity is searched for; closed after the service
    private volatile CompletableFuture<Loops> transport;
    private volatile NetworkPorts ports;
    private volatile HttpServer http;
    private volatile List<NetworkId> joined = List.of();
    private volatile boolean ready;
    private volatile NodeMetrics metrics;

    /** Parses environment and flags ({@code node --pod} without {@code --pod}). */
    static Settings parse(Map<String, String> env, List<String> args) {
        Map<String, String> e = new LinkedHashMap<>(env);
        boolean userspace = false;
        boolean loopback = false;
        Integer udpPort = null;
        InetSocketAddress http = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--userspace" -> userspace = true;
                case "--loopback-paths" -> loopback = true;
                case "--port" -> udpPort = Integer.parseInt(value(args, ++i, a));
                case "--http" -> http = address(value(args, ++i, a));
                case "--tap-socket" -> e.put(ENV_TAP_SOCKET, value(args, ++i, a));
                case "--planet" -> e.put(ENV_PLANET_FILE, value(args, ++i, a));
                case "--networks" -> e.put(ENV_NETWORKS, value(args, ++i, a));
                case "--join-endpoint" -> e.put(ENV_JOIN_ENDPOINT, value(args, ++i, a));
                case "--token-file" -> e.put(ENV_TOKEN_FILE, value(args, ++i, a));
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        List<String> networks = new ArrayList<>();
        for (String n : required(e, ENV_NETWORKS).split(",")) {
            if (!n.isBlank()) {
                networks.add(n.strip());
            }
        }
        if (http == null) {
            int port = Integer.parseInt(e.getOrDefault(ENV_HTTP_PORT, Integer.toString(HTTP_PORT_DEFAULT)).strip());
            http = new InetSocketAddress(port);
        }
        String planetFile = e.get(ENV_PLANET_FILE);
        String tap = e.get(ENV_TAP_SOCKET);
        return new Settings(networks, URI.create(required(e, ENV_JOIN_ENDPOINT)), required(e, ENV_JOIN_CA),
                Path.of(required(e, ENV_TOKEN_FILE)), http, udpPort == null ? 9993 : udpPort,
                planetFile == null || planetFile.isBlank() ? NodeHome.earth() : planet(Path.of(planetFile)),
                tap == null || tap.isBlank() ? null : Path.of(tap), userspace, loopback);
    }

    /** {@code zerokube node --pod [flags]}: runs until SIGTERM; exit code 1 on a refused join or a failed start. */
    public int run(List<String> args, PrintStream out, PrintStream err) {
        Settings settings;
        try {
            settings = parse(System.getenv(), args);
        } catch (IllegalArgumentException e) {
            err.println("zerokube node --pod: " + e.getMessage());
            return 1;
        }
        Thread hook = new Thread(this::stop, "zerokube-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return run(settings, line -> {
                synchronized (err) {
                    err.println(line);
                }
            });
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook is what woke us
            }
        }
    }

    /** Runs with these settings until {@link #stop}; returns the exit code. */
    public int run(Settings settings, Consumer<String> log) {
        long startNs = System.nanoTime();
        try {
            http = serveHttp(settings.httpAddress());
            log(log, "info", "http", "address=" + http.getAddress().getAddress().getHostAddress() + "/"
                    + http.getAddress().getPort());
            // The join client (the TLS stack: certificates, trust, context; 0.1 s in a cold JVM)
            // is made and its kept-alive connection to the join endpoint opened while the
            // identity's proof of work runs (each is most of the start-up time in a cold JVM).
            // Platform threads here and below, short-lived: a virtual thread would start the
            // virtual-thread scheduler's carriers and I/O poller, five threads that then idle for
            // the pod's life.
            CompletableFuture<JoinClient> joinClient = new CompletableFuture<>();
            Thread warmUp = Thread.ofPlatform().daemon().name("zerokube-join-warmup").start(() -> {
                JoinClient c;
                try {
                    c = new JoinClient(settings.joinEndpoint(), settings.joinCaPem());
                } catch (RuntimeException e) {
                    joinClient.completeExceptionally(e); // a bad CA bundle: said once the search ends
                    return;
                }
                joinClient.complete(c);
                c.warmUp();
            });
            // So does Netty's transport (its native library, its classes, the event loop thread).
            CompletableFuture<Loops> transport = new CompletableFuture<>();
            Thread.ofPlatform().daemon().name("zerokube-transport-warmup").start(() -> {
                try {
                    transport.complete(Loops.create(1));
                } catch (RuntimeException | Error e) {
                    transport.completeExceptionally(e);
                }
            });
            this.transport = transport;
            // and the libc bindings (0.15-0.2 s in a cold JVM), which the UDP sockets need on epoll
            // even where the ports are in-memory ones, and the TAP too
            TapPort.prepareInBackground();
            // The secret key lives only in this object: never written, never logged, never sent.
            long searchNs = System.nanoTime();
            Identity identity = generateIdentity(Math.min(IDENTITY_THREADS_MAX, Runtime.getRuntime().availableProcessors()));
            long searchMs = (System.nanoTime() - searchNs) / 1_000_000;
            warmUp.join(JoinClient.REQUEST_TIMEOUT.toMillis());
            JoinClient client;
            try {
                client = joinClient.join();
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof RuntimeException cause ? cause : e;
            }
            NodeService.Options options = new NodeService.Options(InetAddress.getByAddress(new byte[4]),
                    List.of(settings.udpPort()), settings.loopbackPaths(), true, null, null);
            NodeService s = NodeService.start(identity, NodeConfig.of(settings.planet()), options, transport.join());
            service = s;
            metrics = new NodeMetrics(s);
            log(log, "info", "started", "address=" + identity.address() + " udp=" + s.primaryPort()
                    + " transport=" + (s.isEpoll() ? "epoll" : "nio") + " sockets=" + s.udpKind() + " identity_search_ms=" + searchMs);
            List<NetworkId> ids = new ArrayList<>();
            for (String network : settings.networks()) {
                JoinClient.Joined j = joinWithRetry(client, network, identity, settings.tokenFile(), log);
                if (j == null) {
                    return 0; // stopped while joining
                }
                ids.add(NetworkId.parse(j.networkId()));
                log(log, "info", "joined", "network=" + network + " nwid=" + j.networkId() + " member=" + j.member());
            }
            client.close();
            Map<NetworkId, Integer> taps = new LinkedHashMap<>();
            if (settings.tapSocket() != null) {
                taps.putAll(awaitTaps(settings.tapSocket()));
                log(log, "info", "taps_received", "count=" + taps.size());
            }
            ports = NetworkPorts.attach(s, NodeCommand.portFactory(settings.userspace(), taps, log), log);
            for (NetworkId id : ids) {
                s.execute(n -> n.join(id, s.nowMs()));
            }
            joined = List.copyOf(ids);
            s.addListener(event -> {
                if (event instanceof dev.zerokube.overlay.node.NodeEvent.NetworkUpdated && !ready) {
                    // not on the node's thread: isReady() waits for that thread
                    Thread.ofPlatform().daemon().name("zerokube-ready-check").start(() -> checkReady(log, startNs));
                }
            });
            checkReady(log, startNs);
            stop.await();
            return 0;
        } catch (JoinClient.Refused e) {
            log(log, "error", "join_refused", "status=" + e.status() + " reason=\"" + e.getMessage().replace('"', '\'')
                    + "\"");
            return 1;
        } catch (IOException | RuntimeException e) {
            log(log, "error", "start_failed", "reason=\"" + String.valueOf(e.getMessage()).replace('"', '\'') + "\"");
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } finally {
            close();
            log(log, "info", "stopped", "");
            stopped.countDown();
        }
    }

    /** Threads that search for an identity at once at start (the pod may have that many cores to burst on). */
    static final int IDENTITY_THREADS_MAX = 4;

    /**
     * A new identity from {@code threads} searches at once, each with its own SecureRandom and 2 MiB
     * scratch: the proof of work takes a random number of attempts, so the first of several
     * searches finishes sooner on a machine with idle cores. The others stop at their next draw.
     */
    static Identity generateIdentity(int threads) throws InterruptedException {
        if (threads <= 1) {
            return Identity.generate(new SecureRandom());
        }
        java.util.concurrent.atomic.AtomicBoolean found = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.CompletableFuture<Identity> first = new java.util.concurrent.CompletableFuture<>();
        for (int i = 0; i < threads; i++) {
            Thread.ofPlatform().daemon().name("zerokube-identity-" + i).start(() -> {
                try {
                    first.complete(Identity.generate(new StoppableRandom(new SecureRandom(), found)));
                } catch (StoppableRandom.Stopped stopped) {
                    // another search won
                } catch (RuntimeException e) {
                    first.completeExceptionally(e);
                }
            });
        }
        try {
            return first.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("identity generation failed", e.getCause());
        } finally {
            found.set(true);
        }
    }

    /** Randomness that ends a search (by throwing) once another search has found an identity. */
    private static final class StoppableRandom implements java.util.random.RandomGenerator {
        private final SecureRandom random;
        private final java.util.concurrent.atomic.AtomicBoolean stop;

        StoppableRandom(SecureRandom random, java.util.concurrent.atomic.AtomicBoolean stop) {
            this.random = random;
            this.stop = stop;
        }

        @Override
        public long nextLong() {
            check();
            return random.nextLong();
        }

        @Override
        public void nextBytes(byte[] bytes) {
            check();
            random.nextBytes(bytes);
        }

        private void check() {
            if (stop.get()) {
                throw new Stopped();
            }
        }

        static final class Stopped extends RuntimeException {
            private static final long serialVersionUID = 1L;

            Stopped() {
                super(null, null, false, false);
            }
        }
    }

    private void checkReady(Consumer<String> log, long startNs) {
        if (!ready && isReady()) {
            ready = true;
            log(log, "info", "ready", "after_ms=" + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
        }
    }

    /** Whether every network's config is OK and its port is open. */
    public boolean isReady() {
        NodeService s = service;
        NetworkPorts p = ports;
        List<NetworkId> ids = joined;
        if (s == null || p == null || ids.isEmpty()) {
            return false;
        }
        try {
            List<NetworkStatus> networks = s.call(n -> n.networks()).get(1, TimeUnit.SECONDS);
            for (NetworkId id : ids) {
                boolean ok = networks.stream().anyMatch(n -> n.id().equals(id) && n.status() == NetworkStatus.Status.OK);
                if (!ok || p.port(id).isEmpty()) {
                    return false;
                }
            }
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private JoinClient.Joined joinWithRetry(JoinClient client, String network, Identity identity, Path tokenFile,
            Consumer<String> log) throws JoinClient.Refused, InterruptedException {
        Duration wait = RETRY_MIN;
        int attempt = 0;
        while (stop.getCount() > 0) {
            attempt++;
            String token;
            try {
                token = Files.readString(tokenFile).strip();
            } catch (IOException e) {
                token = null;
                log(log, "warn", "token_unreadable", "file=" + tokenFile + " reason=\"" + e + "\"");
            }
            if (token != null) {
                try {
                    return client.join(network, identity, token);
                } catch (JoinClient.Retry r) {
                    if (attempt == 1 || attempt % 10 == 0) {
                        log(log, "warn", "join_retry", "network=" + network + " attempt=" + attempt + " reason=\""
                                + r.getMessage().replace('"', '\'') + "\"");
                    }
                    if (r.after().compareTo(wait) > 0) {
                        wait = r.after();
                    }
                }
            }
            if (stop.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                return null;
            }
            wait = wait.multipliedBy(2).compareTo(RETRY_MAX) > 0 ? RETRY_MAX : wait.multipliedBy(2);
        }
        return null;
    }

    /** Waits for the node agent's socket, then receives the TAPs it hands over. */
    private Map<NetworkId, Integer> awaitTaps(Path socket) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TAP_SOCKET_WAIT.toNanos();
        while (true) {
            try {
                return NodeCommand.receiveTaps(socket);
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("no TAPs from the node agent at " + socket + " within " + TAP_SOCKET_WAIT
                            + ": " + e.getMessage(), e);
                }
                if (stop.await(200, TimeUnit.MILLISECONDS)) {
                    return Map.of();
                }
            }
        }
    }

    private HttpServer serveHttp(InetSocketAddress address) throws IOException {
        HttpServer server = HttpServer.create(address, 16);
        server.createContext("/healthz", x -> respond(x, "/healthz", 200, "ok\n", "text/plain"));
        server.createContext("/readyz", x -> {
            boolean r = isReady();
            respond(x, "/readyz", r ? 200 : 503, r ? "ready\n" : "not ready: joining\n", "text/plain");
        });
        server.createContext("/metrics", x -> {
            NodeMetrics m = metrics;
            respond(x, "/metrics", m == null ? 503 : 200, m == null ? "starting\n" : m.scrape(),
                    "text/plain; version=0.0.4; charset=utf-8");
        });
        server.start();
        return server;
    }

    private static void respond(HttpExchange x, String path, int status, String body, String type) throws IOException {
        try (x) {
            if (!x.getRequestURI().getPath().equals(path)) {
                x.sendResponseHeaders(404, -1);
                return;
            }
            if (!x.getRequestMethod().equals("GET") && !x.getRequestMethod().equals("HEAD")) {
                x.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().set("Content-Type", type);
            boolean head = x.getRequestMethod().equals("HEAD");
            x.sendResponseHeaders(status, head ? -1 : bytes.length);
            if (!head) {
                try (OutputStream out = x.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    /** Asks a running sidecar to stop and waits (up to 10 s) until it has. */
    public void stop() {
        stop.countDown();
        try {
            stopped.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void close() {
        NetworkPorts p = ports;
        if (p != null) {
            p.close();
            ports = null;
        }
        NodeService s = service;
        if (s != null) {
            s.close();
            service = null;
        }
        CompletableFuture<Loops> t = transport;
        if (t != null) {
            // made even when the start failed before the service took it
            t.thenAccept(Loops::close);
            transport = null;
        }
        HttpServer h = http;
        if (h != null) {
            h.stop(0);
        }
    }

    /** The HTTP server's address while it runs (tests). */
    public InetSocketAddress httpAddress() {
        HttpServer h = http;
        return h == null ? null : h.getAddress();
    }

    /** The node while it runs (tests). */
    public NodeService service() {
        return service;
    }

    /** The network ports while they run (tests). */
    public NetworkPorts ports() {
        return ports;
    }

    private static void log(Consumer<String> log, String level, String event, String fields) {
        log.accept("ts=" + Instant.now() + " level=" + level + " component=sidecar event=" + event
                + (fields.isEmpty() ? "" : " " + fields));
    }

    private static String required(Map<String, String> env, String key) {
        String v = env.get(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(key + " is not set (the webhook injects it)");
        }
        return v;
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(i);
    }

    private static InetSocketAddress address(String s) {
        int colon = s.lastIndexOf(':');
        String host = colon < 0 ? "0.0.0.0" : s.substring(0, colon);
        int port = Integer.parseInt(colon < 0 ? s : s.substring(colon + 1));
        return new InetSocketAddress(host, port);
    }

    private static World planet(Path file) {
        try {
            ByteReader r = new ByteReader(Files.readAllBytes(file), file.toString());
            World w = World.decode(r);
            r.expectEnd("the planet");
            return w;
        } catch (IOException e) {
            throw new IllegalArgumentException(ENV_PLANET_FILE + ": cannot read " + file + ": " + e.getMessage());
        } catch (WireFormatException e) {
            throw new IllegalArgumentException(ENV_PLANET_FILE + ": " + file + ": " + e.what());
        }
    }
}
