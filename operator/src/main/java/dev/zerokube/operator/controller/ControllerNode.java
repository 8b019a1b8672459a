package dev.zerokube.operator.controller;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.controller.ControllerEffect;
import dev.zerokube.overlay.controller.ControllerSender;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.NetworkConfigMaster;
import dev.zerokube.overlay.node.NodeConfig;
import dev.zerokube.overlay.runtime.NodeHome;
import dev.zerokube.overlay.runtime.NodeService;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.World;
import dev.zerokube.overlay.wire.netconf.ConfigRequestMetadata;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's overlay node: a UDP {@link NodeService} carrying the controller identity, with the
 * {@link EmbeddedController} as its {@link NetworkConfigMaster}. It is what members talk to: their
 * NETWORK_CONFIG_REQUESTs arrive here, go to the controller's thread (where the answer may need the
 * API server: a pending Member, an address written to status), and the decision comes back to the
 * node's thread, where a {@link ControllerSender} turns it into signed config chunks or an ERROR.
 * The controller's effects (CR changes) take the same way back: pushes and revocations.
 *
 * <p>HA: only the leader of the Lease runs it ({@code ZerokubeOperator} starts it on gaining the
 * Lease and closes it on losing it). Two nodes with one identity would split members' paths and
 * both write IP assignments; the standby instead keeps its informer caches warm, so taking over is
 * binding one port. Configs are a pure function of the CRs and the shared identity, so a member
 * that asks the new leader gets the config it had.
 *
 * <p>At most {@link #IN_FLIGHT_MAX} requests wait for the controller; more are dropped (members
 * ask again at their next contact round), so a flood cannot queue without bound.
 */
public final class ControllerNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControllerNode.class);
    /** Config requests handed to the controller and not yet answered, at most. */
    public static final int IN_FLIGHT_MAX = 1024;
    /** The controller's UDP port by default: ZeroTier's primary port. */
    public static final int DEFAULT_PORT = 9993;

    /**
     * Where and how the node runs.
     *
     * @param bindAddress the address the UDP socket binds (0.0.0.0: every IPv4 interface)
     * @param port the UDP port (the chart's Service targets it); 0: an ephemeral port (tests)
     * @param planet the roots the node registers with, so that members find it
     * @param loopbackPaths let loopback addresses be paths (tests with several nodes on 127.0.0.1)
     */
    public record Settings(InetAddress bindAddress, int port, World planet, boolean loopbackPaths) {
        public Settings {
            Objects.requireNonNull(bindAddress, "bindAddress");
            Objects.requireNonNull(planet, "planet");
            if (port < 0 || port > 0xffff) {
                throw new IllegalArgumentException("controller port out of range: " + port);
            }
        }

        /**
         * Settings from the environment: {@code ZEROKUBE_CONTROLLER_PORT} (default 9993; {@code off}:
         * no UDP node, empty result), {@code ZEROKUBE_CONTROLLER_BIND} (default 0.0.0.0) and
         * {@code ZEROKUBE_PLANET} (a planet file; default ZeroTier's Earth).
         *
         * @throws IllegalArgumentException for a bad value, naming the variable
         */
        public static Optional<Settings> fromEnv(Map<String, String> env) {
            String portText = env.getOrDefault("ZEROKUBE_CONTROLLER_PORT", "").strip();
            if (portText.equalsIgnoreCase("off")) {
                return Optional.empty();
            }
            int port;
            try {
                port = portText.isEmpty() ? DEFAULT_PORT : Integer.parseInt(portText);
                if (port < 0 || port > 0xffff) {
                    throw new NumberFormatException("out of range");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("ZEROKUBE_CONTROLLER_PORT must be a port number or off, not " + portText);
            }
            String bindText = env.getOrDefault("ZEROKUBE_CONTROLLER_BIND", "").strip();
            InetAddress bind;
            try {
                bind = InetAddress.ofLiteral(bindText.isEmpty() ? "0.0.0.0" : bindText);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("ZEROKUBE_CONTROLLER_BIND must be an IP address, not " + bindText);
            }
            String planetFile = env.getOrDefault("ZEROKUBE_PLANET", "").strip();
            World planet = planetFile.isEmpty() ? NodeHome.earth() : planet(Path.of(planetFile));
            return Optional.of(new Settings(bind, port, planet, false));
        }

        /** A planet file as {@code zerokube node --planet} reads it. */
        static World planet(Path file) {
            try {
                ByteReader r = new ByteReader(Files.readAllBytes(file), file.toString());
                World w = World.decode(r);
                r.expectEnd("the world");
                if (w.type() != World.Type.PLANET) {
                    throw new IllegalArgumentException("ZEROKUBE_PLANET: " + file + " is a " + w.type() + ", not a planet");
                }
                return w;
            } catch (IOException e) {
                throw new IllegalArgumentException("ZEROKUBE_PLANET: cannot read " + file + ": " + e.getMessage(), e);
            } catch (WireFormatException e) {
                throw new IllegalArgumentException("ZEROKUBE_PLANET: " + file + ": " + e.what(), e);
            }
        }
    }

    private final NodeService service;
    private final EmbeddedController controller;
    private final ControllerSender sender;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    private ControllerNode(NodeService service, EmbeddedController controller, ControllerSender sender) {
        this.service = service;
        this.controller = controller;
        this.sender = sender;
    }

    /**
     * Binds the UDP port and makes the node the host of {@code controller}. Effects reach the node
     * only through {@link #onEffects}: the caller routes the controller's listener there.
     *
     * @param random config update ids
     * @throws IOException if the port cannot be bound
     */
    public static ControllerNode start(EmbeddedController controller, Settings settings, RandomGenerator random)
            throws IOException {
        Identity identity = controller.identity();
        NodeService.Options options = new NodeService.Options(settings.bindAddress(), List.of(settings.port()),
                settings.loopbackPaths(), true, null, null);
        NodeService service = NodeService.start(identity, NodeConfig.of(settings.planet()), options);
        try {
            ControllerNode[] self = new ControllerNode[1];
            service.call(n -> {
                ControllerNode c = new ControllerNode(service, controller, new ControllerSender(n, identity, random));
                n.setConfigMaster(c.new Master());
                self[0] = c;
                return c;
            }).join();
            LOG.info("controller {} serves config requests on UDP {}/{}", identity.address(),
                    settings.bindAddress().getHostAddress(), service.primaryPort());
            return self[0];
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
    }

    /** The UDP port bound. */
    public int port() {
        return service.primaryPort();
    }

    /** The node service (tests, metrics). */
    public NodeService service() {
        return service;
    }

    /** Config requests received since start. */
    public long requests() {
        return requests.get();
    }

    /** Config requests dropped because {@link #IN_FLIGHT_MAX} were waiting. */
    public long dropped() {
        return dropped.get();
    }

    /** Sends the effects of a policy change through the node (any thread; they go out on the node's). */
    public void onEffects(NetworkId networkId, List<ControllerEffect> effects) {
        run(() -> sender.apply(effects, service.nowMs()));
    }

    private void run(Runnable onNodeThread) {
        try {
            service.execute(n -> onNodeThread.run());
        } catch (RuntimeException e) { // the node's loop is gone: closing
            LOG.debug("controller node closed, dropped: {}", e.toString());
        }
    }

    /** Called on the node's thread for every config request of a network this identity controls. */
    private final class Master implements NetworkConfigMaster {
        @Override
        public void onConfigRequest(NetworkId networkId, Identity requester, long requestPacketId,
                ConfigRequestMetadata metadata, InetEndpoint physicalAddress, long nowMs) {
            requests.incrementAndGet();
            if (inFlight.incrementAndGet() > IN_FLIGHT_MAX) {
                inFlight.decrementAndGet();
                dropped.incrementAndGet();
                return;
            }
            try {
                controller.onConfigRequest(requester, networkId, metadata, physicalAddress).whenComplete((decision, error) -> {
                    inFlight.decrementAndGet();
                    if (decision != null) {
                        run(() -> sender.answer(requester.address(), networkId, requestPacketId, decision, service.nowMs()));
                    }
                });
            } catch (RuntimeException e) { // the controller's thread is gone: closing
                inFlight.decrementAndGet();
            }
        }
    }

    /** Unbinds the port and stops the node; requests in flight are not answered. */
    @Override
    public void close() {
        service.close();
        LOG.info("controller {} stopped serving config requests", controller.identity().address());
    }
}
