package dev.zerokube.overlay.runtime;

import dev.zerokube.overlay.crypto.Gmac;
import dev.zerokube.overlay.node.NodeConfig;
import dev.zerokube.overlay.node.NodeEvent;
import dev.zerokube.overlay.wire.PacketHeader;
import dev.zerokube.overlay.wire.World;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A node run from a ZeroTier One-style home directory, as {@code zerotier-one} runs: the home is
 * created or opened ({@link NodeHome#create}), the node binds its primary UDP port
 * ({@code local.conf}'s {@code primaryPort}, 9993 by default, or the port given), writes
 * {@code zerotier-one.port}, serves the {@link LocalApi} on the same TCP port, optionally
 * Prometheus metrics on their own address, and persists world updates. What {@code zerokube node}
 * and {@code zerokube root} run.
 *
 * <p>Logs go to the given sink as one line per lifecycle event ({@code key=value} pairs: started,
 * online/offline, world updated, identity collision, stopped); never per packet.
 */
public final class HomeNode implements AutoCloseable {
    /**
     * @param port the UDP (and local API TCP) port; null: local.conf's {@code primaryPort}; 0: ephemeral
     * @param apiAddress where the local API listens (1.14.1 listens everywhere behind an IP check;
     *                   zerokube's default is 127.0.0.1)
     * @param metricsAddress where to serve {@code GET /metrics} without a token, or null for none
     *                       (the local API's token-protected {@code /metrics} is always there)
     * @param planet the planet to write into a home that has none; null: ZeroTier's default
     * @param requireRoot refuse to start unless the identity is a root of its planet or a moon
     * @param loopbackPaths let loopback addresses be paths (several nodes on one machine)
     * @param log where lifecycle lines go
     */
    public record Settings(Integer port, InetAddress apiAddress, InetSocketAddress metricsAddress, World planet,
            boolean requireRoot, boolean loopbackPaths, Consumer<String> log) {
        public Settings {
            Objects.requireNonNull(apiAddress, "apiAddress");
            Objects.requireNonNull(log, "log");
        }

        /** A node with local.conf's port, the API on 127.0.0.1, no separate metrics server. */
        public static Settings defaults(Consumer<String> log) {
            return new Settings(null, InetAddress.getLoopbackAddress(), null, null, false, false, log);
        }

        public Settings withPort(Integer p) {
            return new Settings(p, apiAddress, metricsAddress, planet, requireRoot, loopbackPaths, log);
        }

        public Settings withMetrics(InetSocketAddress a) {
            return new Settings(port, apiAddress, a, planet, requireRoot, loopbackPaths, log);
        }

        public Settings withPlanet(World w) {
            return new Settings(port, apiAddress, metricsAddress, w, requireRoot, loopbackPaths, log);
        }

        public Settings asRoot() {
            return new Settings(port, apiAddress, metricsAddress, planet, true, loopbackPaths, log);
        }

        public Settings withLoopbackPaths(boolean on) {
            return new Settings(port, apiAddress, metricsAddress, planet, requireRoot, on, log);
        }
    }

    /** The home cannot be used or the node cannot start; the message says why, in one line. */
    public static final class StartException extends Exception {
        private static final long serialVersionUID = 1L;

        StartException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final NodeHome home;
    private final NodeService service;
    private final NodeMetrics metrics;
    private final LocalApi api;
    private final NodeMetrics.Server metricsServer;
    private final Consumer<String> log;

    private HomeNode(NodeHome home, NodeService service, NodeMetrics metrics, LocalApi api,
            NodeMetrics.Server metricsServer, Consumer<String> log) {
        this.home = home;
        this.service = service;
        this.metrics = metrics;
        this.api = api;
        this.metricsServer = metricsServer;
        this.log = log;
    }

    /** Opens or creates {@code dir} and starts the node with its API. */
    public static HomeNode start(Path dir, Settings settings) throws StartException {
        return start(dir, settings, s -> { });
    }

    /**
     * As {@link #start(Path, Settings)}, running {@code beforeJoin} on the started service before
     * the home's networks are joined, e.g. to attach the networks' ports ({@link NetworkPorts}),
     * which then see each network from its first event and open its TAP while the config is
     * still being fetched rather than after it arrived.
     *
     * <p>The networks are joined as soon as the UDP socket is up, before the local API and the
     * metrics start: the config request then leaves with the first answer of a root, not after
     * the rest of the start-up.
     */
    public static HomeNode start(Path dir, Settings settings, Consumer<NodeService> beforeJoin) throws StartException {
        NodeHome home;
        LocalConf conf;
        try {
            home = NodeHome.create(dir, settings.planet() != null ? settings.planet() : NodeHome.earth(),
                    new SecureRandom());
            conf = LocalConf.of(home);
        } catch (NodeHome.HomeException | IllegalArgumentException e) {
            throw new StartException(e.getMessage(), e);
        }
        World planet = home.planet().orElseThrow();
        NodeConfig config = NodeConfig.of(planet).withMoons(home.moons()).withTrustedPaths(conf.trustedPaths());
        try {
            config = labSwitches(config);
        } catch (IllegalArgumentException e) {
            throw new StartException(e.getMessage(), e);
        }
        int port = settings.port() != null ? settings.port() : conf.primaryPort();
        InetAddress bind;
        try {
            bind = conf.bind().isEmpty() ? InetAddress.getByAddress(new byte[4])
                    : InetAddress.getByName(conf.bind().getFirst());
        } catch (IOException e) {
            throw new StartException("local.conf settings.bind: " + e.getMessage(), e);
        }
        NodeService.Options options = new NodeService.Options(bind, List.of(port), settings.loopbackPaths(), true,
                null, null);
        NodeService service = null;
        NodeMetrics.Server metricsServer = null;
        LocalApi api = null;
        try {
            service = NodeService.start(home.identity(), config, options);
            if (settings.requireRoot() && !service.call(n -> n.isRoot()).join()) {
                throw new StartException("identity " + home.identity().address() + " is not a root of planet "
                        + Long.toUnsignedString(planet.id()) + " or of a moon in " + dir.resolve("moons.d")
                        + ": a root's identity must be listed in the world it serves", null);
            }
            int bound = service.primaryPort();
            home.savePort(bound);
            NodeService started = service;
            service.addListener(e -> onEvent(home, started, settings.log(), e));
            beforeJoin.accept(service);
            for (var id : home.networks()) { // rejoin what the home remembers, as zerotier-one does at start
                service.execute(n -> n.join(id, started.nowMs()));
            }
            NodeMetrics metrics = new NodeMetrics(service);
            api = LocalApi.start(service, home, conf, new JoinedNetworks(home), metrics,
                    new InetSocketAddress(settings.apiAddress(), bound));
            if (settings.metricsAddress() != null) {
                metricsServer = metrics.serve(settings.metricsAddress());
            }
            HomeNode node = new HomeNode(home, service, metrics, api, metricsServer, settings.log());
            node.log("started", "address=" + home.identity().address() + " udp=" + bind.getHostAddress() + "/" + bound
                    + " api=" + api.address().getAddress().getHostAddress() + "/" + api.address().getPort()
                    + " planet=" + Long.toUnsignedString(planet.id()) + " moons=" + home.moons().size()
                    + " root=" + service.call(n -> n.isRoot()).join() + " transport=" + (service.isEpoll() ? "epoll" : "nio") + " sockets=" + service.udpKind()
                    + " gmac=" + (Gmac.usesJdkGhash() ? "jdk-ghash" : "aes-gcm")
                    + (metricsServer != null ? " metrics=" + metricsServer.address().getAddress().getHostAddress() + "/"
                    + metricsServer.address().getPort() : "") + " home=" + dir.toAbsolutePath());
            if (!Gmac.usesJdkGhash()) {
                settings.log().accept("ts=" + Instant.ofEpochMilli(service.nowMs()) + " level=warn component=crypto"
                        + " event=gmac_through_aes_gcm reason=\"" + String.valueOf(Gmac.whyNotJdkGhash()).replace('"', '\'')
                        + "\" hint=\"cipher suite 3 runs about twice as slow; run with --add-opens"
                        + " java.base/com.sun.crypto.provider=ALL-UNNAMED (zerokube's jar manifests carry it for java -jar)\"");
            }
            if (config.protocolVersion() != PacketHeader.PROTOCOL_VERSION || config.cipher1Only()) {
                settings.log().accept("ts=" + Instant.ofEpochMilli(service.nowMs()) + " level=warn component=node"
                        + " event=lab_switches protocol=" + config.protocolVersion() + " cipher1_only=" + config.cipher1Only()
                        + " hint=\"interop lab only (ZT1-11): peers see an older protocol or get cipher 1\"");
            }
            return node;
        } catch (IOException | NodeHome.HomeException e) {
            closeQuietly(api, metricsServer, service);
            throw new StartException(e.getMessage(), e);
        } catch (StartException | RuntimeException e) {
            closeQuietly(api, metricsServer, service);
            throw e;
        }
    }

    /** System property: the protocol version the node announces (interop lab, ZT1-11 §5 item 1). */
    public static final String LAB_PROTOCOL = "zerokube.lab.protocol";
    /** System property {@code true}: encrypt everything with cipher 1 (interop lab, IOP-08). */
    public static final String LAB_CIPHER1 = "zerokube.lab.cipher1";

    /**
     * The interop lab's switches (ZT1-11 §5 item 1), from system properties: another announced
     * protocol version ({@value #LAB_PROTOCOL}) and cipher 1 for everything ({@value #LAB_CIPHER1}).
     * A value that is not a number or a boolean is refused rather than ignored.
     */
    static NodeConfig labSwitches(NodeConfig config) {
        String protocol = System.getProperty(LAB_PROTOCOL);
        String cipher1 = System.getProperty(LAB_CIPHER1);
        if (protocol == null && cipher1 == null) {
            return config;
        }
        int version;
        try {
            version = protocol == null ? config.protocolVersion() : Integer.parseInt(protocol.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + LAB_PROTOCOL + "=" + protocol + ": not a protocol version number");
        }
        if (cipher1 != null && !cipher1.equals("true") && !cipher1.equals("false")) {
            throw new IllegalArgumentException("-D" + LAB_CIPHER1 + "=" + cipher1 + ": true or false");
        }
        try {
            return config.withLabSwitches(version, "true".equals(cipher1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-D" + LAB_PROTOCOL + ": " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(AutoCloseable... things) {
        for (AutoCloseable c : things) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // already failing; the first error is the one reported
                }
            }
        }
    }

    /** On the node's thread: lifecycle lines and world persistence (rare events only). */
    private static void onEvent(NodeHome home, NodeService service, Consumer<String> log, NodeEvent e) {
        switch (e) {
            case NodeEvent.Online o -> log(log, service, o.online() ? "online" : "offline", "address=" + service.address());
            case NodeEvent.WorldUpdated w -> {
                try {
                    home.saveWorld(w.world());
                    log(log, service, "world_updated", "type=" + w.world().type() + " id=" + Long.toUnsignedString(w.world().id())
                            + " timestamp=" + w.world().timestampMs());
                } catch (NodeHome.HomeException ex) {
                    log(log, service, "world_not_saved", "reason=\"" + ex.getMessage() + "\"");
                }
            }
            case NodeEvent.NetworkUpdated u -> {
                log(log, service, "network", "nwid=" + u.networkId() + " status=" + u.status().status()
                        + u.status().config().map(c -> " revision=" + c.revision() + " name=\"" + c.name() + "\"").orElse(""));
                u.status().config().flatMap(c -> c.toDictionary()).ifPresent(d -> {
                    try {
                        // only while joined: a late config after a leave must not bring the file back
                        if (java.nio.file.Files.exists(home.dir().resolve("networks.d").resolve(u.networkId() + ".conf"))) {
                            home.saveNetworkConfig(u.networkId(), d.encode());
                        }
                    } catch (NodeHome.HomeException ex) {
                        log(log, service, "network_config_not_saved", "nwid=" + u.networkId() + " reason=\"" + ex.getMessage() + "\"");
                    }
                });
            }
            case NodeEvent.IdentityCollision c -> log(log, service, "identity_collision", "reported_by=" + c.reportedBy()
                    + " hint=\"another node holds this address with a different key; delete identity.secret and restart\"");
            default -> {
                // per-peer and per-path events are not lifecycle events
            }
        }
    }

    private void log(String event, String fields) {
        log(log, service, event, fields);
    }

    private static void log(Consumer<String> log, NodeService service, String event, String fields) {
        log.accept("ts=" + Instant.ofEpochMilli(service.nowMs()) + " level=info component=node event=" + event + " "
                + fields);
    }

    public NodeHome home() {
        return home;
    }

    public NodeService service() {
        return service;
    }

    public NodeMetrics metrics() {
        return metrics;
    }

    public LocalApi api() {
        return api;
    }

    /** The separate metrics server, if one was asked for. */
    public java.util.Optional<NodeMetrics.Server> metricsServer() {
        return java.util.Optional.ofNullable(metricsServer);
    }

    /** Stops the API, the metrics server and the node, in that order. */
    @Override
    public void close() {
        closeQuietly(api, metricsServer);
        log("stopped", "address=" + service.address());
        service.close();
    }
}
