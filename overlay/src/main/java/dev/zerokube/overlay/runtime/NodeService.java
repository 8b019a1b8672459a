package dev.zerokube.overlay.runtime;

import dev.zerokube.overlay.crypto.FastKeyErasureRandom;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.IdentityValidator;
import dev.zerokube.overlay.node.Node;
import dev.zerokube.overlay.node.NodeConfig;
import dev.zerokube.overlay.node.NodeEvent;
import dev.zerokube.overlay.node.NodeHost;
import dev.zerokube.overlay.wire.Fragmentation;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * Runs one {@link Node} over real UDP: the node lives on one Netty event loop thread (epoll, or
 * NIO where epoll is unavailable; see {@link Loops}), which feeds it every datagram, arms a single
 * timer at {@link Node#nextDeadlineMs} and runs whatever other threads hand it through
 * {@link #execute} or {@link #call}. The wall clock lives here, nowhere in the core.
 *
 * <p><b>Sockets</b> ({@link UdpSockets}): on epoll the UDP sockets are the loop's own descriptors,
 * read with {@code recvmmsg} and written with {@code sendmmsg} through FFM ({@link FfmUdpSockets});
 * on NIO, or with {@code -Dzerokube.udp=netty}, Netty's datagram channels ({@link NettyUdpSockets}).
 * Either way the node is lent one reused heap array per datagram for one {@code onWirePacket} call,
 * and sends are queued and handed to the kernel once after each batch of input.
 *
 * <p><b>UDP offloads</b> ({@link Options#udpOffloads}, epoll): consecutive datagrams to one remote
 * leave as one UDP GSO message (the kernel cuts it), and the sockets receive with UDP GRO (the
 * kernel hands over a burst of one sender's datagrams as one buffer, cut again here). The
 * per-packet work of the kernel's UDP/IP stack, which bounds the overlay's throughput, then
 * happens once per burst. If the kernel refuses a GSO send (e.g. a segment longer than the route's
 * MTU allows), its datagrams are sent one by one and GSO stays off. {@code -Dzerokube.udp.gso=false}
 * turns GSO off (measurements).
 *
 * <p><b>Threading:</b> every node call happens on the service's event loop thread. Listeners
 * ({@link #addListener}) are called on that thread and must not block; they may call
 * {@link #execute}, which always runs the action later, never inside the callback.
 */
public final class NodeService implements AutoCloseable {
    /** Largest datagram read: the largest physical MTU a ZeroTier path may be configured with. */
    static final int DATAGRAM_BYTES_MAX = Fragmentation.MAX_CONFIGURED_MTU;
    /**
     * Longest buffer one received datagram may take: with UDP GRO the kernel may hand over up to a
     * 64 KiB burst of datagrams as one (a shorter slot would truncate it, losing the burst).
     */
    static final int GRO_BYTES_MAX = 65_535;
    /** Whether UDP GSO may be used at all ({@code -Dzerokube.udp.gso=false}: never; for A/B measurements). */
    static final boolean GSO_ALLOWED = !"false".equals(System.getProperty("zerokube.udp.gso"));
    /** Whether the epoll transport reads UDP through Netty's channels ({@code -Dzerokube.udp=netty}) instead of FFM. */
    private static final boolean NETTY_UDP = "netty".equals(System.getProperty("zerokube.udp"));
    /** Kernel socket buffers: bursts of relayed traffic must not be dropped by the kernel first. */
    static final int SOCKET_BUFFER_BYTES = 4 << 20;

    /**
     * How the service binds and runs.
     *
     * @param bindAddress the local address every UDP socket binds (0.0.0.0 for every IPv4 interface)
     * @param udpPorts one socket per port; 0 means an ephemeral port (tests)
     * @param loopbackPaths let the node use loopback addresses as paths ({@link NodeHost#allowsLoopbackPaths()}):
     *                      several nodes on one machine's loopback (tests, the lab)
     * @param udpOffloads with epoll, let the kernel coalesce: receive bursts of one sender's
     *                    datagrams as one buffer (UDP GRO), send bursts to one remote as one UDP
     *                    GSO buffer where the kernel supports it, and hand Netty's
     *                    {@code sendmmsg} several sends per system call
     * @param validator the identity check (null: {@link IdentityValidator#memoryHard()})
     * @param random packet IDs and other randomness of the node (null: a {@link FastKeyErasureRandom}
     *     seeded from a {@link SecureRandom})
     */
    public record Options(InetAddress bindAddress, List<Integer> udpPorts, boolean loopbackPaths, boolean udpOffloads,
            IdentityValidator validator, RandomGenerator random) {
        public Options {
            Objects.requireNonNull(bindAddress, "bindAddress");
            udpPorts = List.copyOf(udpPorts);
            if (udpPorts.isEmpty()) {
                throw new IllegalArgumentException("at least one UDP port");
            }
            for (int p : udpPorts) {
                if (p < 0 || p > 0xffff) {
                    throw new IllegalArgumentException("UDP port " + p);
                }
            }
        }

        /** Every IPv4 interface on {@code port}, no loopback paths, UDP offloads on. */
        public static Options of(int port) {
            return new Options(anyIpv4(), List.of(port), false, true, null, null);
        }

        /** 127.0.0.1 on an ephemeral port with loopback paths: a node for tests and the lab. */
        public static Options loopback() {
            return new Options(InetAddress.getLoopbackAddress(), List.of(0), true, true, null, null);
        }

        public Options withValidator(IdentityValidator v) {
            return new Options(bindAddress, udpPorts, loopbackPaths, udpOffloads, v, random);
        }

        public Options withUdpOffloads(boolean on) {
            return new Options(bindAddress, udpPorts, loopbackPaths, on, validator, random);
        }

        public Options withPorts(List<Integer> ports) {
            return new Options(bindAddress, ports, loopbackPaths, udpOffloads, validator, random);
        }

        private static InetAddress anyIpv4() {
            try {
                return InetAddress.getByAddress(new byte[4]);
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private final Loops loops;
    private final boolean ownLoops;
    private final EventLoop loop;
    private final Node node;
    private final List<Consumer<NodeEvent>> listeners = new CopyOnWriteArrayList<>();
    private final long clockBaseWallMs = System.currentTimeMillis();
    private final long clockBaseNanos = System.nanoTime();
    private final AtomicLong sendFailures = new AtomicLong();
    private final Runnable tickTask = this::onTimer;
    // set once at start; until then (a datagram in the first moments) sends fail and are counted
    private volatile UdpSockets sockets;
    private ScheduledFuture<?> timer;
    private long timerDeadlineMs = Long.MAX_VALUE;
    private volatile FrameSink frameSink;
    private volatile boolean closed;
    /** Interfaces change (DHCP, a pod's new IP): the addresses pushed to peers are read again this often. */
    static final long DIRECT_PATHS_REFRESH_MS = 60_000;
    /** Loop thread only. */
    private ScheduledFuture<?> directPathsTask;

    private NodeService(Identity identity, NodeConfig config, Options options, Loops loops, boolean ownLoops) {
        this.loops = loops;
        this.ownLoops = ownLoops;
        this.loop = loops.group.next();
        RandomGenerator random = options.random() != null ? options.random() : seededRandom();
        IdentityValidator validator = options.validator() != null ? options.validator() : IdentityValidator.memoryHard();
        this.node = new Node(identity, config, new Host(options.loopbackPaths()), random, validator);
    }

    /** The node's generator: strong, lock-free and cheap per packet, seeded from the platform's. */
    private static RandomGenerator seededRandom() {
        byte[] seed = new byte[FastKeyErasureRandom.SEED_LENGTH];
        new SecureRandom().nextBytes(seed);
        RandomGenerator random = new FastKeyErasureRandom(seed);
        java.util.Arrays.fill(seed, (byte) 0);
        return random;
    }

    /** Starts a node on its own event loop thread. */
    public static NodeService start(Identity identity, NodeConfig config, Options options) throws IOException {
        Loops loops = Loops.create(1);
        try {
            return start(identity, config, options, loops, true);
        } catch (IOException | RuntimeException e) {
            loops.close();
            throw e;
        }
    }

    /**
     * Starts a node on one thread of shared {@code loops} (many nodes in one JVM); closing the
     * service leaves the loops running.
     */
    public static NodeService start(Identity identity, NodeConfig config, Options options, Loops loops) throws IOException {
        return start(identity, config, options, loops, false);
    }

    /** As {@link #start(Identity, NodeConfig, Options, Loops)} with Netty's datagram channels on any transport (tests). */
    static NodeService startWithNettyUdp(Identity identity, NodeConfig config, Options options, Loops loops)
            throws IOException {
        return start(identity, config, options, loops, false, true);
    }

    private static NodeService start(Identity identity, NodeConfig config, Options options, Loops loops, boolean own)
            throws IOException {
        return start(identity, config, options, loops, own, NETTY_UDP);
    }

    private static NodeService start(Identity identity, NodeConfig config, Options options, Loops loops, boolean own,
            boolean nettyUdp) throws IOException {
        NodeService s = new NodeService(identity, config, options, loops, own);
        try {
            s.sockets = s.openSockets(options, nettyUdp);
            s.loop.submit(() -> {
                s.node.tick(s.nowMs());
                s.afterInput();
                s.directPathsTask = s.loop.scheduleAtFixedRate(() -> s.refreshDirectPaths(options.loopbackPaths()), 0,
                        DIRECT_PATHS_REFRESH_MS, TimeUnit.MILLISECONDS);
            }).syncUninterruptibly();
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private UdpSockets openSockets(Options options, boolean nettyUdp) throws IOException {
        UdpSockets.Input input = new UdpSockets.Input() {
            @Override
            public void datagram(long socketId, InetEndpoint from, byte[] data, int off, int len) {
                if (!closed) {
                    node.onWirePacket(socketId, from, data, off, len, nowMs());
                }
            }

            @Override
            public void endOfBatch() {
                afterInput();
            }
        };
        if (loops.epoll && !nettyUdp) {
            return FfmUdpSockets.open(options, input, this::watch);
        }
        return NettyUdpSockets.open(loop, loops.epoll, options, input);
    }

    /**
     * Reads the addresses PUSH_DIRECT_PATHS advertises ({@link DirectPaths}) on a virtual thread,
     * since listing interfaces is a system call per interface that the loop must not wait for,
     * and hands them to the node.
     */
    private void refreshDirectPaths(boolean loopbackPaths) {
        Thread.ofVirtual().name("zerokube-direct-paths").start(() -> {
            List<InetEndpoint> paths = DirectPaths.of(sockets.localAddresses(), loopbackPaths);
            try {
                if (!closed) {
                    execute(n -> n.setDirectPaths(paths));
                }
            } catch (RuntimeException e) {
                // the loop shut down meanwhile: nothing to tell
            }
        });
    }

    /** The kernel refused a UDP GSO send: said once per service, as the datagrams go one by one from then on. */
    static void logGsoRefusal(String reason) {
        System.getLogger(NodeService.class.getName()).log(System.Logger.Level.WARNING,
                "the kernel refused a UDP GSO send (" + reason + "); sending datagrams one by one from now on");
    }

    /** The clock the node runs on: wall-clock milliseconds at start, then monotonic. */
    public long nowMs() {
        return clockBaseWallMs + (System.nanoTime() - clockBaseNanos) / 1_000_000;
    }

    /** The node's identity (fixed for its life; safe from any thread). */
    public Identity identity() {
        return node.identity();
    }

    public Address address() {
        return node.address();
    }

    /** The bound UDP sockets' local addresses, in the order of {@link Options#udpPorts()}. */
    public List<InetSocketAddress> localAddresses() {
        return sockets.localAddresses();
    }

    /** The first socket's port (the primary port, ZT1-07 §8). */
    public int primaryPort() {
        return localAddresses().getFirst().getPort();
    }

    /** Whether the epoll transport is in use (else NIO). */
    public boolean isEpoll() {
        return loops.epoll;
    }

    /** How the UDP sockets are driven: {@code ffm} (epoll) or {@code netty}; for the node's start line. */
    public String udpKind() {
        return sockets.kind();
    }

    /** Runs {@code action} on the node's thread, later (never inside the caller's stack). */
    public void execute(Consumer<Node> action) {
        Objects.requireNonNull(action, "action");
        loop.execute(() -> {
            if (!closed) {
                action.accept(node);
                afterInput();
            }
        });
    }

    /** Runs {@code query} on the node's thread and completes with its result (e.g. a snapshot for an API). */
    public <T> CompletableFuture<T> call(Function<Node, T> query) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            loop.execute(() -> {
                try {
                    if (closed) {
                        throw new IllegalStateException("node service closed");
                    }
                    result.complete(query.apply(node));
                    afterInput();
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RuntimeException e) { // loop shut down
            result.completeExceptionally(e);
        }
        return result;
    }

    /** Adds a listener for the node's events, called on the node's thread (it must not block). */
    public void addListener(Consumer<NodeEvent> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeListener(Consumer<NodeEvent> listener) {
        listeners.remove(listener);
    }

    /**
     * Where the node's Ethernet frames for the host go ({@link NodeHost#deliverFrame}), e.g. the
     * joined networks' virtual ports ({@link NetworkPorts}). Called on the node's thread only.
     */
    public interface FrameSink {
        /** A frame for network {@code id}'s port; the bytes are valid only during the call. */
        void deliverFrame(NetworkId id, byte[] frame, int off, int len);

        /** An input batch (datagrams, a timer, an action) ended: write out held frames now. */
        default void endOfBatch() {
        }
    }

    /** A file descriptor the node's thread watches ({@link #watchReadable}); closing it stops the watch. */
    public interface ReadableWatch extends AutoCloseable {
        /** Stops the watch; when this returns, the callback is not running and will not run again. */
        @Override
        void close();
    }

    /**
     * On the epoll transport: calls {@code onReadable} on the node's thread whenever {@code fd} is
     * readable (level-triggered: it must read what it can, or at least a bounded batch, and is called
     * again while more waits), then flushes the node's output as after any input. The caller keeps
     * owning the descriptor and closes it only after the watch. Empty on NIO, which has no way to
     * watch a foreign descriptor: the caller then reads on a thread of its own. Waits for the loop,
     * so it must not be called on the node's thread.
     *
     * <p>Why: a TAP read on its own thread hands each frame to this thread, so every burst costs a
     * second thread's wake-up and a copy; read here, a frame is read, encrypted and sent in one
     * wake-up, as ZeroTier One's TAP thread does.
     */
    public Optional<ReadableWatch> watchReadable(int fd, Consumer<Node> onReadable) {
        Objects.requireNonNull(onReadable, "onReadable");
        if (!loops.epoll || !(loop instanceof IoEventLoop)) {
            return Optional.empty();
        }
        if (loop.inEventLoop()) {
            throw new IllegalStateException("watchReadable waits for the node's thread: call it from another");
        }
        return Optional.of(watch(fd, () -> onReadable.accept(node), () -> { }));
    }

    /**
     * Puts {@code fd} in the loop's epoll set, readable events calling {@code onReadable} and, once
     * asked for ({@link FdWatch#wantWritable}), writable ones {@code onWritable} (epoll loops only).
     */
    private FdWatch watch(int fd, Runnable onReadable, Runnable onWritable) {
        FdWatch watch = new FdWatch(fd, onReadable, onWritable);
        try {
            IoRegistration registration = ((IoEventLoop) loop).register(watch).syncUninterruptibly().getNow();
            loop.submit(() -> {
                watch.registration = registration;
                registration.submit(EpollIoOps.EPOLLIN);
            }).syncUninterruptibly();
        } catch (RuntimeException e) {
            watch.close();
            throw e;
        }
        return watch;
    }

    /**
     * Netty's side of {@link #watchReadable} and of the FFM sockets' watches: an fd in the event
     * loop's epoll set. Every event ends an input batch ({@link #afterInput}), so a writable event
     * flushes the queues that waited for it.
     */
    private final class FdWatch implements EpollIoHandle, ReadableWatch, FfmUdpSockets.Watch {
        private final FileDescriptor fd;
        private final Runnable onReadable;
        private final Runnable onWritable;
        // event loop thread only
        private IoRegistration registration;
        private boolean cancelled;
        private boolean writable;

        FdWatch(int fd, Runnable onReadable, Runnable onWritable) {
            this.fd = new FileDescriptor(fd);
            this.onReadable = onReadable;
            this.onWritable = onWritable;
        }

        @Override
        public FileDescriptor fd() {
            return fd;
        }

        @Override
        public void handle(IoRegistration r, IoEvent event) {
            if (cancelled || closed) {
                return;
            }
            EpollIoOps ops = event instanceof EpollIoEvent e ? e.ops() : null;
            boolean writableNow = ops != null && ops.contains(EpollIoOps.EPOLLOUT);
            if (writableNow) {
                onWritable.run();
            }
            if (!writableNow || ops.contains(EpollIoOps.EPOLLIN)) {
                onReadable.run(); // readable, or an error or hang-up that the read reports
            }
            afterInput();
        }

        @Override
        public void wantWritable(boolean on) {
            if (on != writable && registration != null && !cancelled) {
                writable = on;
                registration.submit(on ? EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLOUT) : EpollIoOps.EPOLLIN);
            }
        }

        @Override
        public void close() {
            if (loop.inEventLoop()) {
                cancel();
                return;
            }
            try {
                loop.submit(this::cancel).awaitUninterruptibly(5_000);
            } catch (RuntimeException e) {
                // the loop is gone: it watches nothing any more
            }
        }

        private void cancel() {
            cancelled = true;
            if (registration != null) {
                registration.cancel();
                registration = null;
            }
        }
    }

    /** Sets (or with null removes) where delivered frames go; without one they are dropped. */
    public void setFrameSink(FrameSink sink) {
        this.frameSink = sink;
    }

    /**
     * Datagrams and bytes received and sent on every socket, sends that no socket took, the UDP
     * GSO sends the kernel took with the datagrams they carried ({@code packetsOut} counts those
     * too), and how often a socket's buffer was full so that its sends waited for room (FFM
     * sockets; Netty's channels queue without saying).
     */
    public record Traffic(long packetsIn, long bytesIn, long packetsOut, long bytesOut, long sendFailures,
            long gsoSends, long gsoDatagrams, long sendWaits) {}

    /** Counters of the physical traffic (readable from any thread). */
    public Traffic traffic() {
        Traffic t = sockets.traffic();
        long early = sendFailures.get();
        return early == 0 ? t : new Traffic(t.packetsIn(), t.bytesIn(), t.packetsOut(), t.bytesOut(),
                t.sendFailures() + early, t.gsoSends(), t.gsoDatagrams(), t.sendWaits());
    }

    /** Whether sends are still gathered into UDP GSO buffers (false from the start without GSO, or after a refusal). */
    CompletableFuture<Boolean> udpGsoOn() {
        return call(n -> sockets.gsoOn());
    }

    /** Stops the timer, closes the sockets and, if the service made its own event loop, stops it. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        UdpSockets udp = sockets;
        if (!loop.isShuttingDown()) {
            try {
                loop.submit(() -> {
                    if (timer != null) {
                        timer.cancel(false);
                        timer = null;
                    }
                    if (directPathsTask != null) {
                        directPathsTask.cancel(false);
                    }
                    if (udp != null) {
                        udp.stopOnLoop();
                    }
                }).awaitUninterruptibly(2_000);
            } catch (RuntimeException ignored) {
                // the loop is already gone: nothing to cancel
            }
        }
        if (udp != null) {
            udp.close();
        }
        if (ownLoops) {
            loops.close();
        }
    }

    // ---- on the event loop thread only

    private void onTimer() {
        timer = null;
        timerDeadlineMs = Long.MAX_VALUE;
        if (closed) {
            return;
        }
        node.tick(nowMs());
        afterInput();
    }

    /** After every input: flush what the node wrote and move the timer if its deadline came closer. */
    private void afterInput() {
        FrameSink sink = frameSink;
        if (sink != null) {
            sink.endOfBatch();
        }
        UdpSockets udp = sockets;
        if (closed || udp == null) {
            return;
        }
        udp.flush();
        long deadline = node.nextDeadlineMs();
        if (timer != null && deadline >= timerDeadlineMs) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        long now = nowMs();
        // a deadline the node already passed runs at once, but never twice in a row without a pause
        long delayMs = Math.max(deadline - now, 1);
        timerDeadlineMs = now + delayMs;
        timer = loop.schedule(tickTask, delayMs, TimeUnit.MILLISECONDS);
    }

    private boolean send(long localSocket, InetEndpoint remote, byte[] data, int off, int len, int ttl) {
        UdpSockets udp = sockets;
        if (udp == null || closed) {
            sendFailures.lazySet(sendFailures.get() + 1);
            return false;
        }
        if (localSocket == NodeHost.ALL_SOCKETS || localSocket == 0) {
            boolean any = false;
            for (int i = 0; i < udp.size(); i++) {
                any |= udp.send(i, remote, data, off, len, ttl);
            }
            return any;
        }
        if (localSocket < 1 || localSocket > udp.size()) {
            sendFailures.lazySet(sendFailures.get() + 1);
            return false;
        }
        return udp.send((int) localSocket - 1, remote, data, off, len, ttl);
    }

    private final class Host implements NodeHost {
        private final boolean loopbackPaths;

        Host(boolean loopbackPaths) {
            this.loopbackPaths = loopbackPaths;
        }

        @Override
        public boolean sendDatagram(long localSocket, InetEndpoint remote, byte[] data, int off, int len, int ttl) {
            return send(localSocket, remote, data, off, len, ttl);
        }

        @Override
        public void onEvent(NodeEvent event) {
            for (Consumer<NodeEvent> l : listeners) {
                try {
                    l.accept(event);
                } catch (RuntimeException e) {
                    // a broken listener must not break the node; it is a bug in the listener
                    System.getLogger(NodeService.class.getName()).log(System.Logger.Level.WARNING,
                            "node event listener failed on " + event, e);
                }
            }
        }

        @Override
        public void deliverFrame(NetworkId networkId, byte[] frame, int off, int len) {
            FrameSink sink = frameSink;
            if (sink != null) {
                sink.deliverFrame(networkId, frame, off, len);
            }
        }

        @Override
        public boolean allowsLoopbackPaths() {
            return loopbackPaths;
        }
    }
}
