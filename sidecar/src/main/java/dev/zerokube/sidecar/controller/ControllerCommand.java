package dev.zerokube.sidecar.controller;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.controller.ControllerAttachment;
import dev.zerokube.overlay.controller.ControllerEffect;
import dev.zerokube.overlay.controller.NetworkController;
import dev.zerokube.overlay.runtime.ControllerHttpApi;
import dev.zerokube.overlay.runtime.ControllerMetrics;
import dev.zerokube.overlay.runtime.FilePolicyStore;
import dev.zerokube.overlay.runtime.HomeNode;
import dev.zerokube.overlay.runtime.LocalConf;
import dev.zerokube.overlay.runtime.NetworkPorts;
import dev.zerokube.overlay.runtime.NodeHome;
import dev.zerokube.overlay.runtime.NodeService;
import dev.zerokube.overlay.runtime.PortFactory;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.World;
import dev.zerokube.sidecar.Command;
import dev.zerokube.sidecar.node.NodeCommand;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * {@code zerokube controller --home DIR [--port N] [--api-port N] [--api-bind ADDR] [--planet FILE]
 * [--join NWID]... [--userspace] [--loopback-paths]}: the standalone network controller, run as
 * {@code zerotier-one} runs its embedded one. The home is a ZeroTier One home ({@link HomeNode} makes what is missing:
 * {@code identity.secret}, whose address starts every network id served here, a 0600
 * {@code authtoken.secret}, the planet); {@code controller.d/} holds the records
 * ({@link FilePolicyStore}). The node answers members' NETWORK_CONFIG_REQUESTs on UDP
 * {@code --port} (default: local.conf's primary port, 9993) through {@link ControllerAttachment};
 * the controller HTTP API ({@link ControllerHttpApi}) is served on the node's API port (TCP, same
 * number, with the local API and {@code /metrics}), and also on {@code --api-port} when given
 * (bound to {@code --api-bind}, default 127.0.0.1). Changes made through the API reach the node's
 * thread as policy changes: online members get fresh configs, deauthorized ones are revoked.
 *
 * <p>Like ZeroTier One's, the controller is a node that may be a member of networks, its own
 * included: {@code --join NWID} (or {@code zerotier-cli join} against its local API) joins, and
 * each joined network gets a port as {@code zerokube node} gives it (a TAP where this process may
 * make one, else an in-memory port; {@code --userspace} asks for in-memory ports), so the
 * controller has an address on the network it serves (ZT1-11 IOP-18). A request for one of its own
 * networks is answered inside the process.
 *
 * <p>Runs until SIGTERM/SIGINT. Record files the store could not read are listed on stderr at start
 * (the records stay untouched and blocked).
 */
public final class ControllerCommand implements Command {
    /**
     * Parsed arguments (also how {@code zerokube lab} starts the same controller in-process).
     *
     * @param port the UDP port (and the node's API port); null: local.conf's; 0: ephemeral
     * @param apiPort an extra controller API listener, or null for none
     * @param planet a planet file written into a home that has none, or null
     * @param joins networks joined at start (recorded in the home's {@code networks.d}, as {@code zerokube node --join})
     * @param userspacePorts in-memory ports for joined networks instead of TAPs
     */
    public record Options(Path home, Integer port, Integer apiPort, InetAddress apiBind, Path planet, boolean loopbackPaths,
            List<NetworkId> joins, boolean userspacePorts) {
        public Options {
            joins = List.copyOf(joins);
        }

        /** No networks joined at start; in-memory ports for any joined later (in-process controllers: the lab, AOT training). */
        public Options(Path home, Integer port, Integer apiPort, InetAddress apiBind, Path planet, boolean loopbackPaths) {
            this(home, port, apiPort, apiBind, planet, loopbackPaths, List.of(), true);
        }
    }

    /** A running controller (tests stop it; the command waits for a signal). */
    public static final class Running implements AutoCloseable {
        private final HomeNode node;
        private final FilePolicyStore store;
        private final ControllerHttpApi api;
        private final ControllerAttachment attachment;
        private final ControllerHttpApi extraApi;
        private final NetworkPorts ports;

        Running(HomeNode node, FilePolicyStore store, ControllerHttpApi api, ControllerAttachment attachment,
                ControllerHttpApi extraApi, NetworkPorts ports) {
            this.node = node;
            this.store = store;
            this.api = api;
            this.attachment = attachment;
            this.extraApi = extraApi;
            this.ports = ports;
        }

        /** The ports of the networks the controller is a member of. */
        public NetworkPorts ports() {
            return ports;
        }

        /** Where the controller API is served: the node's API server (and {@link #extraApiAddress}). */
        public InetSocketAddress apiAddress() {
            return node.api().address();
        }

        /** The separate controller API listener of {@code --api-port}, if any. */
        public Optional<InetSocketAddress> extraApiAddress() {
            return Optional.ofNullable(extraApi).map(ControllerHttpApi::address);
        }

        public HomeNode node() {
            return node;
        }

        public FilePolicyStore store() {
            return store;
        }

        public ControllerAttachment attachment() {
            return attachment;
        }

        @Override
        public void close() throws IOException {
            if (extraApi != null) {
                extraApi.close();
            }
            api.close();
            ports.close();
            node.close();
            store.close();
        }
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        Optional<Options> options = parse(args, err);
        if (options.isEmpty()) {
            return 1;
        }
        Running running;
        try {
            running = start(options.get(), out, err);
        } catch (IOException | HomeNode.StartException | RuntimeException e) {
            err.println("zerokube controller: cannot start: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("zerokube-shutdown").unstarted(() -> {
            try {
                running.close();
            } catch (IOException | RuntimeException e) {
                err.println("zerokube controller: " + e.getMessage());
            }
            stopped.countDown();
        }));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    static Optional<Options> parse(List<String> args, PrintStream err) {
        Path home = null;
        Integer port = null;
        Integer apiPort = null;
        InetAddress bind = InetAddress.getLoopbackAddress();
        boolean loopback = false;
        boolean userspace = false;
        Path planet = null;
        List<NetworkId> joins = new ArrayList<>();
        try {
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                if (a.equals("--loopback-paths")) {
                    loopback = true;
                    continue;
                }
                if (a.equals("--userspace")) {
                    userspace = true;
                    continue;
                }
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(a.startsWith("--") ? a + " needs a value" : "unexpected " + a);
                }
                String v = args.get(++i);
                switch (a) {
                    case "--home" -> home = Path.of(v);
                    case "--port" -> port = port(a, v);
                    case "--api-port" -> apiPort = port(a, v);
                    case "--api-bind" -> bind = InetAddress.ofLiteral(v);
                    case "--planet" -> planet = Path.of(v);
                    case "--join" -> joins.add(networkId(v));
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (home == null) {
                throw new IllegalArgumentException("--home DIR is required");
            }
            return Optional.of(new Options(home, port, apiPort, bind, planet, loopback, joins, userspace));
        } catch (IllegalArgumentException e) {
            err.println("zerokube controller: " + e.getMessage());
            err.println("usage: zerokube controller --home DIR [--port N] [--api-port N] [--api-bind ADDR]"
                    + " [--planet FILE] [--join NWID]... [--userspace] [--loopback-paths]");
            return Optional.empty();
        }
    }

    private static NetworkId networkId(String v) {
        try {
            return NetworkId.parse(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--join needs a 16-digit hex network id, not '" + v + "'");
        }
    }

    private static int port(String option, String v) {
        try {
            int p = Integer.parseInt(v);
            if (p >= 0 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(option + " must be a port number, not " + v);
    }

    /**
     * Starts the node, the store, the attachment and the API; prints one line saying where on
     * {@code out}, lifecycle lines on {@code err}.
     */
    public static Running start(Options o, PrintStream out, PrintStream err) throws IOException, HomeNode.StartException {
        HomeNode.Settings settings = HomeNode.Settings.defaults(line -> {
            synchronized (err) {
                err.println(line);
            }
        }).withPort(o.port()).withPlanet(o.planet() == null ? null : planet(o.planet()))
                .withLoopbackPaths(o.loopbackPaths());
        NodeCommand.recordJoins(o.home(), o.joins());
        PortFactory factory = NodeCommand.portFactory(o.userspacePorts(), Map.of(), settings.log());
        NetworkPorts[] ports = new NetworkPorts[1];
        HomeNode node;
        try {
            node = HomeNode.start(o.home(), settings, service -> ports[0] = NetworkPorts.attach(service, factory, settings.log()));
        } catch (HomeNode.StartException | RuntimeException e) {
            if (ports[0] != null) {
                ports[0].close();
            }
            throw e;
        }
        FilePolicyStore store = null;
        try {
            store = FilePolicyStore.open(o.home().resolve("controller.d"));
            for (FilePolicyStore.Problem p : store.problems()) {
                err.println("zerokube controller: WARNING " + p);
            }
            SecureRandom random = new SecureRandom();
            NodeHome home = node.home();
            NodeService service = node.service();
            NetworkController controller = new NetworkController(home.identity(), store, random);
            ControllerMetrics metrics = new ControllerMetrics(store, node.metrics().registry());
            ControllerAttachment attachment = service.call(n -> ControllerAttachment.attach(n, controller, random)).join();
            service.execute(n -> attachment.setDecisionListener(metrics::onDecision));
            // Administrator changes (API threads) become pushes and revocations on the node's thread.
            store.addListener(change -> service.execute(n -> {
                List<ControllerEffect> effects = attachment.onPolicyChange(change, service.nowMs());
                metrics.onPushed((int) effects.stream().filter(e -> e instanceof ControllerEffect.PushConfig).count());
            }));
            LocalConf conf = LocalConf.of(home);
            ControllerHttpApi api = new ControllerHttpApi(store, home.identity().address(), home.authToken(),
                    metricsToken(o.home()), conf.allowManagementFrom(), metrics, System::currentTimeMillis, random);
            node.api().mount("/controller", api.handler());
            node.api().mount("/unstable/controller", api.handler());
            ControllerHttpApi extra = null;
            if (o.apiPort() != null) {
                extra = new ControllerHttpApi(store, home.identity().address(), home.authToken(), metricsToken(o.home()),
                        conf.allowManagementFrom(), metrics, System::currentTimeMillis, random);
                extra.start(new InetSocketAddress(o.apiBind(), o.apiPort()));
            }
            out.println("zerokube controller " + home.identity().address() + ": " + store.networkCount() + " networks, "
                    + store.memberCount() + " members in " + store.dir() + "; config requests on UDP "
                    + service.primaryPort() + "; API on " + node.api().address()
                    + (extra == null ? "" : " and " + extra.address())
                    + (store.problems().isEmpty() ? "" : "; " + store.problems().size()
                            + " unreadable record files (see above)"));
            out.flush();
            return new Running(node, store, api, attachment, extra, ports[0]);
        } catch (NodeHome.HomeException e) {
            closeAfterFailure(ports[0], node, store);
            throw new IOException(e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            closeAfterFailure(ports[0], node, store);
            throw e;
        }
    }

    private static void closeAfterFailure(NetworkPorts ports, HomeNode node, FilePolicyStore store) {
        ports.close();
        node.close();
        if (store != null) {
            try {
                store.close();
            } catch (IOException ignored) {
                // already failing; the first error is the one reported
            }
        }
    }

    /** A planet file for a home that has none yet (as {@code zerokube node --planet}). */
    private static World planet(Path file) throws IOException {
        try {
            ByteReader r = new ByteReader(Files.readAllBytes(file), file.toString());
            World w = World.decode(r);
            r.expectEnd("the world");
            if (w.type() != World.Type.PLANET) {
                throw new IOException(file + " is a " + w.type() + ", not a planet");
            }
            return w;
        } catch (WireFormatException e) {
            throw new IOException("--planet: " + file + ": " + e.what(), e);
        }
    }

    private static Optional<String> metricsToken(Path home) throws IOException {
        Path file = home.resolve("metricstoken.secret");
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        String t = Files.readString(file, StandardCharsets.UTF_8).strip();
        return t.isEmpty() ? Optional.empty() : Optional.of(t);
    }
}
