package dev.zerokube.sidecar.node;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.runtime.HomeNode;
import dev.zerokube.overlay.runtime.NetworkPorts;
import dev.zerokube.overlay.runtime.PortFactory;
import dev.zerokube.overlay.runtime.port.FdPassing;
import dev.zerokube.overlay.runtime.port.TapPort;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.World;
import dev.zerokube.sidecar.Command;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code zerokube node --home DIR [--port N] [--planet FILE] [--metrics [HOST:]PORT] [--join NWID]...}
 * and {@code zerokube root ...} (same options; {@code --planet} is written into a home that has
 * no planet yet, else the home's own is used): runs a node from a ZeroTier One-style home
 * directory ({@link HomeNode}) until SIGTERM or SIGINT, then shuts down cleanly. As
 * {@code root}, the home's identity must be a root of the planet (or of a moon in
 * {@code moons.d}): the node then relays for everyone and introduces peers (RENDEZVOUS), which a
 * node does by itself when its world lists it.
 *
 * <p>Output: one {@code key=value} line per lifecycle event on stderr (started, online, network
 * changes, world updates, stopped); a start failure is one line and exit code 1.
 * {@code --loopback-paths} lets several nodes on one machine reach each other over 127.0.0.1.
 *
 * <p>Ports ({@code node} only; {@link NetworkPorts}): each joined network gets a TAP named as
 * zerotier-one names it (e.g. {@code zt5ydosj7z}) when this process can make TAPs (root or
 * CAP_NET_ADMIN and {@code /dev/net/tun}); otherwise one line says why and the networks get
 * in-memory ports (the node still joins and relays, but nothing reaches the host).
 * {@code --userspace} asks for in-memory ports. For a sidecar without CAP_NET_ADMIN the node agent
 * hands over TAPs it opened in the pod's namespace: {@code --tap-fd NWID=FD} adopts descriptor
 * {@code FD} inherited from the parent for network {@code NWID}; {@code --tap-socket PATH}
 * connects to the Unix socket {@code PATH} and receives descriptors with {@code FdPassing}, each
 * with the 16-digit network id as its message, until the agent closes the socket (before the node
 * starts). An adopted TAP is used as it is configured; the node still applies the config to it
 * when it may.
 *
 * <p>{@code zerokube node --pod} is the injected sidecar ({@link PodCommand}): no home directory,
 * an identity that exists only in memory, networks joined through the operator's join endpoint.
 */
public final class NodeCommand implements Command {
    private final boolean root;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile HomeNode running;
    private volatile NetworkPorts ports;

    public NodeCommand(boolean root) {
        this.root = root;
    }

    private String name() {
        return root ? "root" : "node";
    }

    private String usage() {
        return "usage: zerokube " + name() + " --home DIR [--port N] [--planet FILE] [--metrics [HOST:]PORT]"
                + " [--join NWID]... [--loopback-paths]"
                + (root ? "" : " [--userspace] [--tap-fd NWID=FD]... [--tap-socket PATH]");
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        if (!root && args.contains("--pod")) {
            List<String> rest = new ArrayList<>(args);
            rest.remove("--pod");
            return new PodCommand().run(rest, out, err);
        }
        Path home = null;
        Integer port = null;
        World planet = null;
        InetSocketAddress metrics = null;
        boolean loopback = false;
        boolean userspace = false;
        Map<NetworkId, Integer> tapFds = new LinkedHashMap<>();
        Path tapSocket = null;
        List<NetworkId> joins = new ArrayList<>();
        try {
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "--home" -> home = Path.of(value(args, ++i, a));
                    case "--port" -> port = port(value(args, ++i, a), a);
                    case "--planet" -> planet = world(Path.of(value(args, ++i, a)));
                    case "--metrics" -> metrics = address(value(args, ++i, a));
                    case "--join" -> joins.add(networkId(value(args, ++i, a)));
                    case "--loopback-paths" -> loopback = true;
                    case "--userspace" -> userspace = true;
                    case "--tap-fd" -> {
                        String v = value(args, ++i, a);
                        int eq = v.indexOf('=');
                        if (eq < 0) {
                            throw new IllegalArgumentException("--tap-fd needs NWID=FD, not '" + v + "'");
                        }
                        tapFds.put(networkId(v.substring(0, eq)), fd(v.substring(eq + 1)));
                    }
                    case "--tap-socket" -> tapSocket = Path.of(value(args, ++i, a));
                    case "-h", "--help" -> {
                        out.println(usage());
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("unknown argument " + a);
                }
            }
            if (home == null) {
                throw new IllegalArgumentException("--home is required");
            }
            if (root && (userspace || !tapFds.isEmpty() || tapSocket != null)) {
                throw new IllegalArgumentException("--userspace, --tap-fd and --tap-socket are for zerokube node only");
            }
        } catch (IllegalArgumentException e) {
            err.println("zerokube " + name() + ": " + e.getMessage());
            err.println(usage());
            return 1;
        }
        // The libc bindings are made while the home loads, not when the UDP sockets open (they are
        // FFM's on epoll) or the first network's TAP does (0.15-0.2 s of a cold start otherwise).
        TapPort.prepareInBackground();
        HomeNode.Settings settings = HomeNode.Settings.defaults(line -> {
            synchronized (err) {
                err.println(line);
            }
        }).withPort(port).withPlanet(planet).withMetrics(metrics).withLoopbackPaths(loopback);
        if (root) {
            settings = settings.asRoot();
        }
        HomeNode node;
        try {
            recordJoins(home, joins);
            if (!root && tapSocket != null) {
                tapFds.putAll(receiveTaps(tapSocket));
            }
            // The ports are attached before the networks are joined: each TAP is opened while its
            // config is being fetched, not after it arrived.
            PortFactory factory = root ? null : portFactory(userspace, tapFds, settings.log());
            java.util.function.Consumer<String> log = settings.log();
            node = HomeNode.start(home, settings, root ? service -> { }
                    : service -> ports = NetworkPorts.attach(service, factory, log));
        } catch (HomeNode.StartException | IOException | RuntimeException e) {
            if (ports != null) {
                ports.close();
                ports = null;
            }
            err.println("zerokube " + name() + ": cannot start: " + e.getMessage());
            return 1;
        }
        running = node;
        Thread hook = new Thread(this::stop, "zerokube-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (ports != null) {
                ports.close();
                ports = null;
            }
            node.close();
            running = null;
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook is what woke us
            }
        }
        return 0;
    }

    /** Asks a running command to shut down (SIGTERM does this through the shutdown hook). */
    public void stop() {
        stop.countDown();
        if (running != null) {
            // the shutdown hook must not return before the node is closed, or the JVM halts first
            try {
                stopped.await(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Records networks to join in the home's {@code networks.d} before the node starts, so it joins
     * them as it rejoins remembered ones (as {@code zerotier-one} does with an empty
     * {@code NWID.conf}); an existing file is left as it is.
     */
    public static void recordJoins(Path home, List<NetworkId> joins) throws IOException {
        for (NetworkId id : joins) {
            Files.createDirectories(home.resolve("networks.d"));
            Path conf = home.resolve("networks.d").resolve(id + ".conf");
            if (!Files.exists(conf)) {
                Files.writeString(conf, "\n");
            }
        }
    }

    /**
     * The ports of the node's networks: the TAPs handed over ({@code tapFds}, by network), else
     * TAPs this process makes itself, else in-memory ports ({@code userspace} asks for those).
     * Whether this process can make TAPs is probed, and a fallback to in-memory ports said (once),
     * only when a network first needs a port of its own: a sidecar whose every network got its
     * TAP from the node agent has no TAP to make and nothing to warn about.
     */
    public static PortFactory portFactory(boolean userspace, Map<NetworkId, Integer> tapFds,
            java.util.function.Consumer<String> log) {
        return portFactory(userspace, tapFds, log, PortFactory::tapUnavailable);
    }

    /** As above with the probe given ({@code PortFactory::tapUnavailable}; tests pass their own). */
    static PortFactory portFactory(boolean userspace, Map<NetworkId, Integer> tapFds,
            java.util.function.Consumer<String> log, java.util.function.Supplier<java.util.Optional<String>> tapUnavailable) {
        PortFactory otherwise = userspace ? PortFactory.userspace() : new PortFactory() {
            private PortFactory chosen;

            @Override
            public synchronized dev.zerokube.overlay.runtime.port.VirtualPort open(NetworkId id) throws IOException {
                if (chosen == null) {
                    var unavailable = tapUnavailable.get();
                    if (unavailable.isPresent()) {
                        log.accept("ts=" + java.time.Instant.now() + " level=warn component=ports event=userspace_fallback"
                                + " nwid=" + id + " reason=\"cannot make TAP devices: " + unavailable.get().replace('"', '\'')
                                + "\" hint=\"run as root or with CAP_NET_ADMIN and /dev/net/tun, or pass --tap-fd/--tap-socket;"
                                + " --userspace silences this\"");
                        chosen = PortFactory.userspace();
                    } else {
                        chosen = PortFactory.tap();
                    }
                }
                return chosen.open(id);
            }
        };
        return tapFds.isEmpty() ? otherwise : PortFactory.adopting(tapFds, otherwise);
    }

    /** Receives TAP descriptors, each with its network id as message, until the sender closes. */
    static Map<NetworkId, Integer> receiveTaps(Path socket) throws IOException {
        Map<NetworkId, Integer> fds = new LinkedHashMap<>();
        int s = FdPassing.connect(socket);
        try {
            while (true) {
                FdPassing.Received r;
                try {
                    r = FdPassing.receive(s);
                } catch (IOException closed) {
                    if (closed.getMessage() != null && closed.getMessage().contains("closed the socket")) {
                        return fds;
                    }
                    throw new IOException("--tap-socket " + socket + ": " + closed.getMessage(), closed);
                }
                try {
                    fds.put(networkId(r.text().trim()), r.fd());
                } catch (IllegalArgumentException e) {
                    FdPassing.close(r.fd());
                    throw new IOException("--tap-socket " + socket + ": a descriptor came with '" + r.text()
                            + "', not a network id");
                }
            }
        } finally {
            FdPassing.close(s);
        }
    }

    /** The node's network ports while it runs ({@code node} only; tests). */
    public NetworkPorts ports() {
        return ports;
    }

    /** The node while it runs (tests). */
    public HomeNode running() {
        return running;
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(i);
    }

    private static int port(String s, String option) {
        try {
            int p = Integer.parseInt(s);
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a port 0..65535, not '" + s + "'");
        }
    }

    private static InetSocketAddress address(String s) {
        int colon = s.lastIndexOf(':');
        String host = colon < 0 ? "127.0.0.1" : s.substring(0, colon);
        int p = port(colon < 0 ? s : s.substring(colon + 1), "--metrics");
        if (!host.matches("[0-9a-fA-F.:\\[\\]]+")) {
            throw new IllegalArgumentException("--metrics host must be an IP address, not '" + host + "'");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host.replace("[", "").replace("]", "")), p);
        } catch (IOException e) {
            throw new IllegalArgumentException("--metrics: " + e.getMessage());
        }
    }

    private static int fd(String s) {
        try {
            int fd = Integer.parseInt(s);
            if (fd < 3) {
                throw new NumberFormatException();
            }
            return fd;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--tap-fd needs a descriptor number of 3 or more, not '" + s + "'");
        }
    }

    private static NetworkId networkId(String s) {
        if (!s.matches("[0-9a-fA-F]{16}")) {
            throw new IllegalArgumentException("--join needs a 16-digit network id, not '" + s + "'");
        }
        return NetworkId.parse(s.toLowerCase(java.util.Locale.ROOT));
    }

    private static World world(Path file) {
        try {
            ByteReader r = new ByteReader(Files.readAllBytes(file), file.toString());
            World w = World.decode(r);
            r.expectEnd("the world");
            if (w.type() != World.Type.PLANET) {
                throw new IllegalArgumentException(file + " is a " + w.type() + ", not a planet (put moons in moons.d)");
            }
            return w;
        } catch (IOException e) {
            throw new IllegalArgumentException("--planet: cannot read " + file + ": " + e.getMessage());
        } catch (WireFormatException e) {
            throw new IllegalArgumentException("--planet: " + file + ": " + e.what());
        }
    }
}
