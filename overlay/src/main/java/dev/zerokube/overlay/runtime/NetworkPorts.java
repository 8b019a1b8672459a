package dev.zerokube.overlay.runtime;

import dev.zerokube.overlay.node.NetworkStatus;
import dev.zerokube.overlay.node.NodeEvent;
import dev.zerokube.overlay.runtime.port.PolledPort;
import dev.zerokube.overlay.runtime.port.PortConfig;
import dev.zerokube.overlay.runtime.port.VirtualPort;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.netconf.Route;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Gives each joined network of a {@link NodeService} its Ethernet port: a port is opened when the
 * node first reports the network ({@link NodeEvent.NetworkUpdated}), configured from the network's
 * config ({@link PortConfig#of}; MTU, MAC, addresses, routes) and reconfigured when it changes,
 * and closed when the node no longer has the network (left) or on {@link #close}. A config the
 * port refuses (a TAP the node agent configured and handed to a sidecar without CAP_NET_ADMIN:
 * the kernel answers EPERM) is reported once and not tried again until the wanted config changes.
 *
 * <p>Frames from the port reach {@code Node.onFrame} on the node's thread: a {@link PolledPort}
 * (a TAP) on the epoll transport is read by the node's event loop itself ({@link PolledPortReader};
 * read, encrypted and sent in one wake-up); any other port reads on its own thread and hands frames
 * over through a {@link PortFrameQueue} (a preallocated ring, one drain task per burst, nothing
 * allocated per frame). Frames the node delivers are written to the port on the node's thread, and
 * ports that merge writes are flushed at the end of each input batch ({@link NodeService.FrameSink}).
 *
 * <p>Threads: ports are opened, configured and closed on one worker thread of this object (TAP
 * and netlink calls never run on the node's thread; a polled port's reads do); other ports read
 * on their own platform threads ({@link VirtualPort#start}). The worker compares its ports with
 * the node's networks after every network event (updated or left) and, as a safety net and to
 * retry a port that could not be opened, every {@value #RECONCILE_PERIOD_MS} ms. (It did so every
 * second before leaving raised an event: a thread hand-off and ~1.5 ms of cold code a second in
 * every node, for nothing most of the time.)
 *
 * <p>Default routes (0.0.0.0/0, ::/0) in a config are not installed: 1.14.1 installs them only
 * with the network's {@code allowDefault} setting, which this class does not see yet.
 */
public final class NetworkPorts implements NodeService.FrameSink, AutoCloseable {
    /** How often the worker compares its ports with the node's networks without an event. */
    static final long RECONCILE_PERIOD_MS = 10_000;
    private static final long NODE_WAIT_MS = 5_000;
    /** A port that could not be opened is tried again after this long (not at every event). */
    static final long OPEN_RETRY_MS = 30_000;

    /** One network's port and its way towards the node. */
    private static final class Link {
        final NetworkId id;
        final long nwid;
        final VirtualPort port;
        // frames from a port read on a thread of its own; null for a port read on the node's loop
        final PortFrameQueue queue;
        // the node's loop watching a polled port; null for a port with its own thread
        NodeService.ReadableWatch watch;
        // node thread only
        boolean written;
        // worker thread only: the config the port refused last (e.g. a TAP handed over by the node
        // agent to a process without CAP_NET_ADMIN), not tried again until the wanted one differs
        PortConfig refused;

        Link(NetworkId id, VirtualPort port, PortFrameQueue queue) {
            this.id = id;
            this.nwid = id.value();
            this.port = port;
            this.queue = queue;
        }
    }

    private final NodeService service;
    private final PortFactory factory;
    private final Consumer<String> log;
    private final ScheduledExecutorService worker;
    private final Consumer<NodeEvent> listener = this::onEvent;
    // worker thread writes, any thread reads
    private final Map<NetworkId, Link> links = new ConcurrentHashMap<>();
    // worker thread only: when opening a network's port last failed
    private final Map<NetworkId, Long> openFailedAtMs = new java.util.HashMap<>();
    // node thread only: the ports frames are delivered to (few; scanned, no hashing per frame)
    private Link[] active = new Link[0];
    private volatile boolean closed;

    private NetworkPorts(NodeService service, PortFactory factory, Consumer<String> log) {
        this.service = service;
        this.factory = factory;
        this.log = log;
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon()
                .name("zk-ports-" + service.address()).unstarted(r));
    }

    /**
     * Starts giving {@code service}'s networks ports made by {@code factory}: networks already
     * joined get theirs at once. Lifecycle lines (port opened, configured, closed, failed) go to
     * {@code log}.
     */
    public static NetworkPorts attach(NodeService service, PortFactory factory, Consumer<String> log) {
        return attach(service, factory, log, RECONCILE_PERIOD_MS);
    }

    /** As {@link #attach(NodeService, PortFactory, Consumer)}, checking every {@code reconcilePeriodMs} (tests). */
    static NetworkPorts attach(NodeService service, PortFactory factory, Consumer<String> log, long reconcilePeriodMs) {
        if (reconcilePeriodMs <= 0) {
            throw new IllegalArgumentException("reconcilePeriodMs must be positive: " + reconcilePeriodMs);
        }
        NetworkPorts p = new NetworkPorts(Objects.requireNonNull(service, "service"),
                Objects.requireNonNull(factory, "factory"), Objects.requireNonNull(log, "log"));
        service.setFrameSink(p);
        service.addListener(p.listener);
        p.worker.scheduleWithFixedDelay(p::reconcile, 0, reconcilePeriodMs, TimeUnit.MILLISECONDS);
        return p;
    }

    /** The port of network {@code id}, once opened (e.g. a {@code UserspacePort} for tests). */
    public Optional<VirtualPort> port(NetworkId id) {
        return Optional.ofNullable(links.get(id)).map(l -> l.port);
    }

    /** Networks that have a port now. */
    public Set<NetworkId> networks() {
        return Set.copyOf(links.keySet());
    }

    // ---- node thread

    private void onEvent(NodeEvent e) {
        if (closed) {
            return;
        }
        if (e instanceof NodeEvent.NetworkUpdated u) {
            submit(() -> apply(u.status()));
            submit(this::reconcile);
        } else if (e instanceof NodeEvent.NetworkLeft) {
            submit(this::reconcile);
        }
    }

    @Override
    public void deliverFrame(NetworkId id, byte[] frame, int off, int len) {
        long nwid = id.value();
        Link[] a = active;
        for (int i = 0; i < a.length; i++) {
            Link l = a[i];
            if (l.nwid == nwid) {
                l.port.write(frame, off, len);
                l.written = true;
                return;
            }
        }
    }

    @Override
    public void endOfBatch() {
        Link[] a = active;
        for (int i = 0; i < a.length; i++) {
            Link l = a[i];
            if (l.written) {
                l.written = false;
                l.port.flush();
            }
        }
    }

    private void activate(Link l) {
        Link[] a = Arrays.copyOf(active, active.length + 1);
        a[a.length - 1] = l;
        active = a;
    }

    private void deactivate(Link l) {
        active = Arrays.stream(active).filter(x -> x != l).toArray(Link[]::new);
    }

    // ---- worker thread

    private void submit(Runnable task) {
        try {
            worker.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException ignored) {
            // closing
        }
    }

    private void apply(NetworkStatus status) {
        if (closed) {
            return;
        }
        NetworkId id = status.id();
        Link l = links.get(id);
        if (l == null) {
            Long failedAt = openFailedAtMs.get(id);
            if (failedAt != null && service.nowMs() - failedAt < OPEN_RETRY_MS) {
                return;
            }
            VirtualPort port;
            try {
                port = factory.open(id);
                openFailedAtMs.remove(id);
            } catch (IOException | RuntimeException e) {
                openFailedAtMs.put(id, service.nowMs());
                log("port_error", "nwid=" + id + " reason=\"" + e.getMessage() + "\" retry_in_ms=" + OPEN_RETRY_MS);
                return;
            }
            boolean onLoop = port instanceof PolledPort && service.isEpoll();
            l = new Link(id, port, onLoop ? null : new PortFrameQueue(id, service));
            links.put(id, l);
            Link opened = l;
            if (!onNode(() -> activate(opened))) {
                close(l);
                return;
            }
            try {
                if (onLoop) {
                    l.watch = PolledPortReader.start(id, (PolledPort) port, service, failure -> log("port_error",
                            "nwid=" + id + " port=" + port.name() + " reason=\"" + failure.getMessage()
                            + "\" hint=\"frames from the host no longer reach the network; leave and join again\""));
                } else {
                    port.start(l.queue);
                }
            } catch (RuntimeException e) {
                log("port_error", "nwid=" + id + " port=" + port.name() + " reason=\"cannot read it: " + e.getMessage() + "\"");
                close(l);
                return;
            }
            log("port_opened", "nwid=" + id + " port=" + port.name() + " type=" + port.getClass().getSimpleName()
                    + " read_on=" + (onLoop ? "node_loop" : "own_thread"));
        }
        Optional<PortConfig> wanted;
        try {
            wanted = status.config().map(c -> withoutDefaultRoutes(PortConfig.of(c, status.mac())));
        } catch (IllegalArgumentException e) {
            log("port_error", "nwid=" + id + " port=" + l.port.name() + " reason=\"config not applicable: "
                    + e.getMessage() + "\"");
            return;
        }
        if (wanted.isPresent() && !wanted.get().equals(l.port.config()) && !wanted.get().equals(l.refused)) {
            try {
                l.port.configure(wanted.get());
                l.refused = null;
                PortConfig c = wanted.get();
                log("port_configured", "nwid=" + id + " port=" + l.port.name() + " mtu=" + c.mtu() + " mac=" + c.mac()
                        + " addresses=" + c.addresses() + " routes=" + c.routes().size());
            } catch (IOException | RuntimeException e) {
                // Said once per config: every later status update (one a minute at least, as the
                // config is re-requested) would otherwise fail and log the same way again.
                l.refused = wanted.get();
                log("port_error", "nwid=" + id + " port=" + l.port.name() + " reason=\"" + e.getMessage()
                        + "\" retry=\"when the config changes\"");
            }
        }
    }

    private static PortConfig withoutDefaultRoutes(PortConfig c) {
        List<Route> routes = new ArrayList<>();
        for (Route r : c.routes()) {
            if (r.prefixBits() != 0) {
                routes.add(r);
            }
        }
        return routes.size() == c.routes().size() ? c : new PortConfig(c.mtu(), c.mac(), c.addresses(), routes);
    }

    /** Opens ports the node's networks lack, closes ports of networks the node left. */
    private void reconcile() {
        if (closed) {
            return;
        }
        List<NetworkStatus> joined;
        try {
            joined = service.call(n -> n.networks()).get(NODE_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            return; // the node is closing or busy: next round
        }
        Set<NetworkId> ids = joined.stream().map(NetworkStatus::id).collect(Collectors.toSet());
        openFailedAtMs.keySet().retainAll(ids);
        for (Link l : List.copyOf(links.values())) {
            if (!ids.contains(l.id)) {
                close(l);
            }
        }
        for (NetworkStatus s : joined) {
            if (!links.containsKey(s.id())) {
                apply(s);
            }
        }
    }

    // port(id) answers until the port is closed and logged
    private void close(Link l) {
        onNode(() -> deactivate(l));
        if (l.watch != null) {
            l.watch.close(); // the loop lets go of the descriptor before the port closes it
        }
        if (l.queue != null) {
            l.queue.close();
        }
        l.port.close();
        log("port_closed", "nwid=" + l.id + " port=" + l.port.name());
        links.remove(l.id, l);
    }

    /** Runs {@code r} on the node's thread and waits for it; false if the node is gone. */
    private boolean onNode(Runnable r) {
        try {
            service.call(n -> {
                r.run();
                return null;
            }).get(NODE_WAIT_MS, TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private void log(String event, String fields) {
        log.accept("ts=" + Instant.ofEpochMilli(service.nowMs()) + " level=" + (event.endsWith("error") ? "warn" : "info")
                + " component=ports event=" + event + " " + fields);
    }

    /** Closes every port (waiting for their read threads) and stops acting on the node's events. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        service.removeListener(listener);
        worker.shutdown();
        try {
            worker.awaitTermination(NODE_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Link l : List.copyOf(links.values())) {
            close(l);
        }
        service.setFrameSink(null);
    }
}
