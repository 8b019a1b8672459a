package dev.zerokube.sidecar.lab;

import dev.zerokube.overlay.crypto.C25519;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.NetworkStatus;
import dev.zerokube.overlay.node.PeerStatus;
import dev.zerokube.overlay.root.RootWorlds;
import dev.zerokube.overlay.runtime.HomeNode;
import dev.zerokube.overlay.runtime.NetworkPorts;
import dev.zerokube.overlay.runtime.PortFactory;
import dev.zerokube.overlay.runtime.port.NetNs;
import dev.zerokube.overlay.runtime.port.UserspaceHost;
import dev.zerokube.overlay.runtime.port.UserspacePort;
import dev.zerokube.overlay.runtime.port.VirtualPort;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.World;
import dev.zerokube.sidecar.controller.ControllerCommand;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * A whole overlay in one process on 127.0.0.1, what {@code zerokube lab} runs: a root (as
 * {@code zerokube root} runs it), the network controller (as {@code zerokube controller} runs
 * it, {@link ControllerCommand#start}) and N member nodes (as {@code zerokube node} runs them,
 * {@link HomeNode} with {@link NetworkPorts}), each with a fresh home in a temporary directory and
 * a lab planet that names the lab's root at 127.0.0.1. A network is created and every member
 * authorized through the controller's HTTP API with the controller's token, as an administrator
 * would; every node joins it.
 *
 * <p>Traffic: {@link #probe} sends one echo from every node to every other node across the
 * overlay. With userspace ports each node's port has a {@link UserspaceHost} (ARP, then ICMP
 * echo, answered by the peer's host); with {@link Options#netns} each node has a real TAP in its
 * own network namespace ({@link LabNamespaces}) and the echo is a UDP datagram through the
 * namespaces' kernels ({@link UdpEcho}). {@link #snapshot} is the model the table is printed from
 * and tests assert on.
 *
 * <p>The underlay never leaves 127.0.0.1: every home's {@code local.conf} binds 127.0.0.1 and the
 * planet names only the lab root there.
 */
public final class Lab implements AutoCloseable {
    /** The lab network's IPv4 prefix: node {@code i} (from 1) gets {@code PREFIX + i}. */
    public static final String IPV4_PREFIX = "10.147.17.";
    /** The lab network's name on the controller. */
    public static final String NETWORK_NAME = "zerokube-lab";
    /** How long the lab waits for every node to be configured. */
    static final long SETUP_TIMEOUT_MS = 60_000;
    /** How long a probe waits for its answer. */
    static final long PROBE_TIMEOUT_MS = 2_000;
    private static final long LAB_PLANET_ID = 0x7a6b_1ab0L;

    /**
     * How to run the lab.
     *
     * @param nodes member nodes, 2 or more
     * @param netns real TAPs, one network namespace per node (needs root)
     * @param identities empty to generate them, else {@code nodes + 2} identities with their
     *     secrets: root, controller, then the nodes (tests pass pre-made ones: generating one costs
     *     the proof of work)
     * @param log lifecycle lines of every component (never per packet)
     */
    public record Options(int nodes, boolean netns, List<Identity> identities, Consumer<String> log) {
        public Options {
            if (nodes < 2) {
                throw new IllegalArgumentException("a lab needs at least 2 nodes, not " + nodes);
            }
            identities = List.copyOf(identities);
            if (!identities.isEmpty() && identities.size() != nodes + 2) {
                throw new IllegalArgumentException("need " + (nodes + 2) + " identities, got " + identities.size());
            }
            Objects.requireNonNull(log, "log");
        }
    }

    /** The lab could not start; the message says why in one line. */
    public static final class LabException extends Exception {
        private static final long serialVersionUID = 1L;

        LabException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** How a node reaches a peer: over a direct UDP path, only through the root, or not yet known. */
    public enum PathKind {
        DIRECT, RELAYED, UNKNOWN;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One node.
     *
     * @param index from 1
     * @param namespace its network namespace, or null without {@code --netns}
     * @param udpBytesIn underlay bytes received (every peer, the root and the controller)
     */
    public record NodeView(int index, Address address, String ip, int udpPort, String namespace,
            NetworkStatus.Status status, String portName, long udpBytesIn, long udpBytesOut) {}

    /**
     * What node {@code from} sees of node {@code to} and the lab's traffic between them.
     *
     * @param via the remote UDP endpoint of the direct path, or null
     * @param lastRttNanos the last answered probe's round-trip time, or -1 before any answer
     * @param bytesOut Ethernet frame bytes {@code from} sent to {@code to} (probes and answers)
     * @param bytesIn Ethernet frame bytes {@code from} received from {@code to}
     */
    public record PairView(int from, int to, Address peer, String peerIp, PathKind path, InetEndpoint via,
            long lastRttNanos, long probesSent, long probesAnswered, long bytesOut, long bytesIn) {
        /** Whether traffic went both ways between the two nodes' hosts. */
        public boolean exchanged() {
            return probesAnswered > 0 && bytesOut > 0 && bytesIn > 0;
        }
    }

    /** The lab at one moment. */
    public record Snapshot(long upMs, NetworkId network, Address root, InetEndpoint rootEndpoint, Address controller,
            boolean netns, List<NodeView> nodes, List<PairView> pairs) {
        /** Pairs that have not exchanged traffic yet. */
        public List<PairView> silentPairs() {
            return pairs.stream().filter(p -> !p.exchanged()).toList();
        }

        public long directPairs() {
            return pairs.stream().filter(p -> p.path() == PathKind.DIRECT).count();
        }
    }

    /** A node's host side: sends probes to a peer IP and counts what it exchanged with it. */
    interface Prober extends AutoCloseable {
        CompletableFuture<Long> probe(byte[] ip, long timeoutMs);

        UserspaceHost.Traffic traffic(byte[] ip);

        @Override
        void close();
    }

    private static final class Member {
        final int index;
        final String ip;
        final String namespace;
        HomeNode node;
        NetworkPorts ports;
        Prober prober;

        Member(int index, String namespace) {
            this.index = index;
            this.ip = IPV4_PREFIX + index;
            this.namespace = namespace;
        }
    }

    private static final class PairStats {
        final AtomicLong sent = new AtomicLong();
        final AtomicLong answered = new AtomicLong();
        final AtomicLong lastRttNanos = new AtomicLong(-1);
    }

    private final Options options;
    private final Path dir;
    private final List<Member> members = new ArrayList<>();
    private final Map<Long, PairStats> pairs = new java.util.concurrent.ConcurrentHashMap<>();
    private final long startNanos = System.nanoTime();
    private LabNamespaces namespaces;
    private HomeNode root;
    private InetEndpoint rootEndpoint;
    private ControllerCommand.Running controller;
    private NetworkId network;
    private volatile boolean closed;

    private Lab(Options options, Path dir) {
        this.options = options;
        this.dir = dir;
    }

    /** The temporary directory holding every home of this lab; deleted by {@link #close}. */
    Path dir() {
        return dir;
    }

    /**
     * Starts everything and waits until every node is online (hears the root), has its config and
     * its configured port, or fails. Most of the wait is the proof of work: each node checks each
     * new identity it meets with the memory-hard hash, on its own thread, as ZeroTier One does.
     */
    public static Lab start(Options options) throws LabException {
        Path dir;
        try {
            dir = Files.createTempDirectory("zerokube-lab-");
        } catch (IOException e) {
            throw new LabException("cannot make a temporary directory: " + e.getMessage(), e);
        }
        Lab lab = new Lab(options, dir);
        try {
            lab.startAll();
            return lab;
        } catch (LabException e) {
            lab.close();
            throw e;
        } catch (IOException | HomeNode.StartException | RuntimeException e) {
            lab.close();
            throw new LabException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lab.close();
            throw new LabException("interrupted while starting", e);
        }
    }

    private void log(String line) {
        options.log().accept(line);
    }

    private void startAll() throws IOException, HomeNode.StartException, LabException, InterruptedException {
        int n = options.nodes();
        if (options.netns()) {
            namespaces = LabNamespaces.acquire(options.log());
        }
        log("lab: " + (options.identities().isEmpty() ? "generating " + (n + 2) + " identities (proof of work)" : "")
                + " in " + dir);
        List<Identity> ids = options.identities().isEmpty()
                ? IntStream.range(0, n + 2).parallel().mapToObj(i -> Identity.generate(new SecureRandom())).toList()
                : options.identities();
        // Root: its port must be in the planet before it starts; a port taken meanwhile is retried.
        World planet = null;
        for (int attempt = 1; root == null; attempt++) {
            int port = freeUdpPort();
            rootEndpoint = InetEndpoint.of(InetAddress.getLoopbackAddress(), port);
            planet = RootWorlds.first(World.Type.PLANET, LAB_PLANET_ID, System.currentTimeMillis(),
                    List.of(RootWorlds.root(ids.get(0), List.of(rootEndpoint))), C25519.generate(new SecureRandom()));
            Path rootHome = home("root", ids.get(0));
            try {
                root = HomeNode.start(rootHome, HomeNode.Settings.defaults(options.log()).withPort(port)
                        .withPlanet(planet).withLoopbackPaths(true).asRoot());
            } catch (HomeNode.StartException e) {
                if (attempt >= 3) {
                    throw e;
                }
                deleteTree(rootHome);
            }
        }
        Path planetFile = dir.resolve("planet");
        Files.write(planetFile, planet.toBytes());

        Path controllerHome = home("controller", ids.get(1));
        PrintStream logStream = new PrintStream(new LineOutput(options.log()), true, StandardCharsets.UTF_8);
        controller = ControllerCommand.start(new ControllerCommand.Options(controllerHome, 0, null,
                InetAddress.getLoopbackAddress(), planetFile, true), logStream, logStream);
        Address controllerAddress = controller.node().service().address();
        network = new NetworkId((controllerAddress.value() << 24) | 0x1ab);
        ControllerClient api = new ControllerClient(controller.apiAddress(),
                Files.readString(controllerHome.resolve("authtoken.secret")).strip());
        api.post("/controller/network/" + network, """
                {"name":"%s","private":true,"v4AssignMode":{"zt":false},
                 "routes":[{"target":"%s0/24","via":null}]}""".formatted(NETWORK_NAME, IPV4_PREFIX));

        for (int i = 1; i <= n; i++) {
            Member m = new Member(i, namespaces == null ? null : namespaces.create(i));
            members.add(m);
            Identity id = ids.get(i + 1);
            // Authorized before it asks, with its address, as an administrator who knows the member would.
            api.post("/controller/network/" + network + "/member/" + id.address(),
                    "{\"authorized\":true,\"ipAssignments\":[\"" + m.ip + "\"]}");
            m.node = HomeNode.start(home("node" + i, id), HomeNode.Settings.defaults(options.log()).withPort(0)
                    .withPlanet(planet).withLoopbackPaths(true));
            m.ports = NetworkPorts.attach(m.node.service(), portFactory(m), options.log());
            if (m.namespace != null) {
                m.prober = UdpEcho.open(namespaces.file(m.namespace));
            }
            HomeNode node = m.node;
            node.service().execute(x -> x.join(network, node.service().nowMs()));
        }
        awaitConfigured();
        for (Member m : members) {
            if (m.prober == null) {
                UserspacePort port = (UserspacePort) m.ports.port(network).orElseThrow();
                UserspaceHost host = new UserspaceHost(port, 0x2a00 + m.index);
                host.start();
                m.prober = new Prober() {
                    @Override
                    public CompletableFuture<Long> probe(byte[] ip, long timeoutMs) {
                        return host.ping(ip, timeoutMs);
                    }

                    @Override
                    public UserspaceHost.Traffic traffic(byte[] ip) {
                        return host.traffic(ip);
                    }

                    @Override
                    public void close() {
                        host.close();
                    }
                };
            }
        }
        log("lab: up: network " + network + ", " + n + " nodes configured");
    }

    private PortFactory portFactory(Member m) {
        if (m.namespace == null) {
            return PortFactory.userspace();
        }
        Path ns = namespaces.file(m.namespace);
        PortFactory tap = PortFactory.tap();
        return id -> NetNs.call(ns, () -> tap.open(id));
    }

    private void awaitConfigured() throws LabException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETUP_TIMEOUT_MS);
        while (true) {
            List<String> waiting = new ArrayList<>();
            for (Member m : members) {
                Optional<NetworkStatus> s = status(m);
                Optional<VirtualPort> port = m.ports.port(network);
                boolean online = online(m);
                boolean ready = online && s.map(x -> x.status() == NetworkStatus.Status.OK).orElse(false)
                        && port.map(p -> p.config() != null && !p.config().addresses().isEmpty()).orElse(false);
                if (!ready) {
                    waiting.add("node " + m.index + " (" + m.node.service().address() + "): "
                            + s.map(x -> x.status().toString()).orElse("not joined")
                            + (port.isPresent() ? "" : ", no port yet") + (online ? "" : ", root not reached"));
                }
            }
            if (waiting.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new LabException("nodes not configured within " + SETUP_TIMEOUT_MS / 1000 + " s: "
                        + String.join("; ", waiting), null);
            }
            Thread.sleep(50);
        }
    }

    /** Whether the node hears its root (peers find each other through it). */
    private static boolean online(Member m) {
        try {
            return m.node.service().call(x -> x.isOnline()).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            return false;
        }
    }

    private Optional<NetworkStatus> status(Member m) {
        try {
            return m.node.service().call(x -> x.network(network)).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /** Sends one probe from every node to every other node (answers arrive later). */
    public void probe() {
        for (Member from : members) {
            for (Member to : members) {
                if (from == to || closed) {
                    continue;
                }
                PairStats s = pairs.computeIfAbsent(key(from.index, to.index), k -> new PairStats());
                s.sent.incrementAndGet();
                from.prober.probe(ipBytes(to.ip), PROBE_TIMEOUT_MS).thenAccept(rtt -> {
                    s.answered.incrementAndGet();
                    s.lastRttNanos.set(rtt);
                });
            }
        }
    }

    /** The lab now: every node and every ordered pair of nodes. */
    public Snapshot snapshot() {
        List<NodeView> nodes = new ArrayList<>();
        List<PairView> views = new ArrayList<>();
        for (Member m : members) {
            var service = m.node.service();
            var traffic = service.traffic();
            Optional<NetworkStatus> st = status(m);
            nodes.add(new NodeView(m.index, service.address(), m.ip, service.primaryPort(), m.namespace,
                    st.map(NetworkStatus::status).orElse(null),
                    m.ports.port(network).map(VirtualPort::name).orElse(null), traffic.bytesIn(), traffic.bytesOut()));
            List<PeerStatus> peers;
            try {
                peers = service.call(x -> x.peers(service.nowMs())).get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                peers = List.of();
            }
            for (Member to : members) {
                if (to == m) {
                    continue;
                }
                Address peer = to.node.service().address();
                Optional<PeerStatus> ps = peers.stream().filter(p -> p.address().equals(peer)).findFirst();
                Optional<PeerStatus.PathStatus> direct = ps.flatMap(p -> p.paths().stream()
                        .filter(x -> x.alive() && !x.expired())
                        .max(Comparator.comparing(PeerStatus.PathStatus::preferred)));
                PathKind kind = ps.isEmpty() ? PathKind.UNKNOWN : direct.isPresent() ? PathKind.DIRECT : PathKind.RELAYED;
                PairStats s = pairs.getOrDefault(key(m.index, to.index), new PairStats());
                UserspaceHost.Traffic t = m.prober == null ? new UserspaceHost.Traffic(0, 0, 0, 0)
                        : m.prober.traffic(ipBytes(to.ip));
                views.add(new PairView(m.index, to.index, peer, to.ip, kind,
                        direct.map(PeerStatus.PathStatus::remote).orElse(null), s.lastRttNanos.get(), s.sent.get(),
                        s.answered.get(), t.bytesOut(), t.bytesIn()));
            }
        }
        return new Snapshot((System.nanoTime() - startNanos) / 1_000_000, network, root.service().address(),
                rootEndpoint, controller.node().service().address(), options.netns(), nodes, views);
    }

    /** The lab's network namespaces' names, node 1 first (empty without {@code --netns}). */
    public List<String> namespaceNames() {
        return members.stream().map(m -> m.namespace).filter(Objects::nonNull).toList();
    }

    /** Stops everything, removes the namespaces and deletes the temporary homes. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Member m : members) {
            quietly(m.prober);
            quietly(m.ports);
            quietly(m.node);
        }
        quietly(controller);
        quietly(root);
        quietly(namespaces);
        try {
            deleteTree(dir);
        } catch (IOException e) {
            log("lab: could not delete " + dir + ": " + e.getMessage());
        }
    }

    private void quietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            log("lab: while stopping: " + e);
        }
    }

    // ---- helpers

    /** A fresh home with {@code identity} and a local.conf that keeps the node on 127.0.0.1. */
    private Path home(String name, Identity identity) throws IOException {
        Path home = Files.createDirectories(dir.resolve(name));
        Path secret = home.resolve("identity.secret");
        Files.writeString(secret, identity.toString(true));
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Files.writeString(home.resolve("local.conf"), "{\"settings\":{\"bind\":[\"127.0.0.1\"]}}\n");
        return home;
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        }
    }

    private static long key(int from, int to) {
        return ((long) from << 32) | to;
    }

    static byte[] ipBytes(String ip) {
        return InetEndpoint.parseIp(ip);
    }

    /** Deletes a directory and everything under it (nothing when it is absent). */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The controller's HTTP API, called with its token, as {@code curl} would. */
    private static final class ControllerClient {
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        private final URI base;
        private final String token;

        ControllerClient(InetSocketAddress address, String token) {
            this.base = URI.create("http://127.0.0.1:" + address.getPort());
            this.token = token;
        }

        void post(String path, String json) throws IOException, InterruptedException {
            HttpRequest r = HttpRequest.newBuilder(base.resolve(path)).header("X-ZT1-Auth", token)
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofString(json)).build();
            HttpResponse<String> response = http.send(r, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException("controller API POST " + path + ": HTTP " + response.statusCode() + " "
                        + response.body());
            }
        }
    }

    /** Lines written to a stream go to a log sink (the controller command prints to streams). */
    private static final class LineOutput extends OutputStream {
        private final Consumer<String> sink;
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

        LineOutput(Consumer<String> sink) {
            this.sink = sink;
        }

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                sink.accept(line.toString(StandardCharsets.UTF_8));
                line.reset();
            } else {
                line.write(b);
            }
        }
    }
}
