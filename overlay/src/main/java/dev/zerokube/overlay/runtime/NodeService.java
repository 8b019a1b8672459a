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
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.channel.unix.SegmentedDatagramPacket;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * <p><b>Buffers:</b> Netty owns the pooled {@code ByteBuf} of a received datagram and releases it
 * when the handler returns; the node is lent a heap copy (one reused array per service: JCE is
 * faster on heap arrays, DATAPATH.md) for one {@code onWirePacket} call. Nothing per datagram is
 * allocated here beyond what Netty allocates to read it (the remote address is mapped to the
 * core's {@link InetEndpoint} through a bounded cache). Sends are written without flushing and
 * flushed once after each batch of input, so the epoll transport can hand several to one
 * {@code sendmmsg}.
 *
 * <p><b>UDP offloads</b> (epoll, {@link Options#udpOffloads}): consecutive datagrams to one remote
 * leave as one UDP GSO buffer ({@link GsoBatcher}; the kernel cuts it), and the sockets receive
 * with UDP GRO (the kernel hands over a burst of one sender's datagrams as one buffer, which Netty
 * cuts again). The per-packet work of the kernel's UDP/IP stack, which
 * bounds the overlay's throughput, then happens once per burst. If the kernel refuses a GSO send
 * (e.g. a segment longer than the route's MTU allows), its datagrams are sent one by one and GSO
 * stays off for the service. {@code -Dzerokube.udp.gso=false} turns GSO off (measurements).
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
    /**
     * Receive buffer per read with UDP offloads: one GRO slot, so Netty reads with {@code recvmsg}.
     * Not several slots for one {@code recvmmsg}: Netty 4.2's {@code recvmmsg} passes no control
     * buffer, so the segment size of a GRO burst is lost and the burst arrives as one datagram of
     * 64 KiB (measured: every such datagram was dropped as too long). One burst per system call
     * is worth more than several single datagrams per call (DATAPATH.md).
     */
    static final int RECEIVE_BUFFER_BYTES = GRO_BYTES_MAX;
    /** Whether UDP GSO may be used at all ({@code -Dzerokube.udp.gso=false}: never; for A/B measurements). */
    private static final boolean GSO_ALLOWED = !"false".equals(System.getProperty("zerokube.udp.gso"));
    /** Kernel socket buffers: bursts of relayed traffic must not be dropped by the kernel first. */
    static final int SOCKET_BUFFER_BYTES = 4 << 20;
    /** Remote addresses remembered in each direction's cache before it is emptied and refilled. */
    static final int ENDPOINT_CACHE_MAX = 4096;
    /** {@code setsockopt(IPPROTO_IP, IP_TTL)} and {@code (IPPROTO_IPV6, IPV6_UNICAST_HOPS)}: Netty has no per-datagram TTL. */
    private static final IntegerUnixChannelOption IP_TTL = new IntegerUnixChannelOption("IP_TTL", 0, 2);
    private static final IntegerUnixChannelOption IPV6_UNICAST_HOPS = new IntegerUnixChannelOption("IPV6_UNICAST_HOPS", 41, 16);

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
    private final List<Channel> channels = new ArrayList<>();
    private final List<Consumer<NodeEvent>> listeners = new CopyOnWriteArrayList<>();
    private final Map<InetSocketAddress, InetEndpoint> endpointsIn = new HashMap<>();
    private final Map<InetEndpoint, InetSocketAddress> endpointsOut = new HashMap<>();
    private final byte[] rx = new byte[DATAGRAM_BYTES_MAX];
    private final long clockBaseWallMs = System.currentTimeMillis();
    private final long clockBaseNanos = System.nanoTime();
    private final AtomicLong packetsIn = new AtomicLong();
    private final AtomicLong bytesIn = new AtomicLong();
    private final AtomicLong packetsOut = new AtomicLong();
    private final AtomicLong bytesOut = new AtomicLong();
    private final AtomicLong sendFailures = new AtomicLong();
    private final AtomicLong gsoSends = new AtomicLong();
    private final AtomicLong gsoDatagrams = new AtomicLong();
    private final GsoBatcher gso = new GsoBatcher(this::sendBatch);
    // event loop thread only: whether sends are gathered into GSO buffers (off after a refusal)
    private boolean gsoOn;
    private final Runnable tickTask = this::onTimer;
    private ScheduledFuture<?> timer;
    private long timerDeadlineMs = Long.MAX_VALUE;
    private boolean flushPending;
    private volatile FrameSink frameSink;
    private volatile boolean closed;

    private NodeService(Identity identity, NodeConfig config, Options options, Loops loops, boolean ownLoops) {
        this.loops = loops;
        this.ownLoops = ownLoops;
        this.loop = loops.group.next();
        RandomGenerator random = options.random() != null ? options.random() : seededRandom();
        IdentityValidator validator = options.validator() != null ? options.validator() : IdentityValidator.memoryHard();
        this.node = new Node(identity, config, new Host(options.loopbackPaths()), random, validator);
        this.gsoOn = GSO_ALLOWED && options.udpOffloads() && loops.epoll && gsoSupported();
    }

    @SuppressWarnings("deprecation") // the epoll class is where Netty tells whether the kernel has UDP_SEGMENT
    private static boolean gsoSupported() {
        try {
            return io.netty.channel.epoll.SegmentedDatagramPacket.isSupported();
        } catch (LinkageError e) {
            return false;
        }
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

    private static NodeService start(Identity identity, NodeConfig config, Options options, Loops loops, boolean own)
            throws IOException {
        NodeService s = new NodeService(identity, config, options, loops, own);
        try {
            for (int i = 0; i < options.udpPorts().size(); i++) {
                s.channels.add(s.bind(options, options.udpPorts().get(i), i + 1));
            }
            s.loop.submit(() -> {
                s.node.tick(s.nowMs());
                s.afterInput();
            }).syncUninterruptibly();
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private Channel bind(Options options, int port, long socketId) throws IOException {
        boolean v6 = options.bindAddress() instanceof Inet6Address;
        SocketProtocolFamily family = v6 ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
        Bootstrap b = new Bootstrap().group(loop)
                .channelFactory(() -> loops.epoll ? new EpollDatagramChannel(family) : new NioDatagramChannel(family))
                .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER_BYTES)
                .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER_BYTES)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(
                        loops.epoll && options.udpOffloads() ? RECEIVE_BUFFER_BYTES : DATAGRAM_BYTES_MAX))
                .handler(new Inbound(socketId));
        if (loops.epoll && options.udpOffloads()) {
            b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, GRO_BYTES_MAX);
            b.option(EpollChannelOption.UDP_GRO, true);
        }
        var f = b.bind(new InetSocketAddress(options.bindAddress(), port)).awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new IOException("cannot bind UDP " + options.bindAddress().getHostAddress() + "/" + port + ": "
                    + f.cause().getMessage(), f.cause());
        }
        return f.channel();
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
        return channels.stream().map(c -> (InetSocketAddress) c.localAddress()).toList();
    }

    /** The first socket's port (the primary port, ZT1-07 §8). */
    public int primaryPort() {
        return localAddresses().getFirst().getPort();
    }

    /** Whether the epoll transport is in use (else NIO). */
    public boolean isEpoll() {
        return loops.epoll;
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
        if (!loops.epoll || !(loop instanceof IoEventLoop ioLoop)) {
            return Optional.empty();
        }
        if (loop.inEventLoop()) {
            throw new IllegalStateException("watchReadable waits for the node's thread: call it from another");
        }
        FdWatch watch = new FdWatch(fd, onReadable);
        try {
            IoRegistration registration = ioLoop.register(watch).syncUninterruptibly().getNow();
            loop.submit(() -> {
                watch.registration = registration;
                registration.submit(EpollIoOps.EPOLLIN);
            }).syncUninterruptibly();
        } catch (RuntimeException e) {
            watch.close();
            throw e;
        }
        return Optional.of(watch);
    }

    /** Netty's side of {@link #watchReadable}: an fd in the event loop's epoll set. */
    private final class FdWatch implements EpollIoHandle, ReadableWatch {
        private final FileDescriptor fd;
        private final Consumer<Node> onReadable;
        // event loop thread only
        private IoRegistration registration;
        private boolean cancelled;

        FdWatch(int fd, Consumer<Node> onReadable) {
            this.fd = new FileDescriptor(fd);
            this.onReadable = onReadable;
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
            onReadable.accept(node);
            afterInput();
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
     * Datagrams and bytes received and sent on every socket, sends that no socket took, and the
     * UDP GSO sends the kernel took with the datagrams they carried ({@code packetsOut} counts
     * those too).
     */
    public record Traffic(long packetsIn, long bytesIn, long packetsOut, long bytesOut, long sendFailures,
            long gsoSends, long gsoDatagrams) {}

    /** Counters of the physical traffic (readable from any thread). */
    public Traffic traffic() {
        return new Traffic(packetsIn.get(), bytesIn.get(), packetsOut.get(), bytesOut.get(), sendFailures.get(),
                gsoSends.get(), gsoDatagrams.get());
    }

    /** Whether sends are still gathered into UDP GSO buffers (false from the start without GSO, or after a refusal). */
    CompletableFuture<Boolean> udpGsoOn() {
        return call(n -> gsoOn);
    }

    /** Stops the timer, closes the sockets and, if the service made its own event loop, stops it. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!loop.isShuttingDown()) {
            try {
                loop.submit(() -> {
                    if (timer != null) {
                        timer.cancel(false);
                        timer = null;
                    }
                    gso.discard();
                }).awaitUninterruptibly(2_000);
            } catch (RuntimeException ignored) {
                // the loop is already gone: nothing to cancel
            }
        }
        for (Channel c : channels) {
            c.close().awaitUninterruptibly(2_000);
        }
        if (ownLoops) {
            loops.close();
        }
    }

    // ---- on the event loop thread only

    private void onDatagram(long socketId, DatagramPacket packet) {
        ByteBuf content = packet.content();
        int len = content.readableBytes();
        packetsIn.lazySet(packetsIn.get() + 1);
        bytesIn.lazySet(bytesIn.get() + len);
        if (len > rx.length || closed) {
            return; // larger than any ZeroTier datagram
        }
        content.getBytes(content.readerIndex(), rx, 0, len);
        InetEndpoint remote = endpointIn(packet.sender());
        if (remote == null) {
            return;
        }
        node.onWirePacket(socketId, remote, rx, 0, len, nowMs());
    }

    private InetEndpoint endpointIn(InetSocketAddress sender) {
        InetEndpoint e = endpointsIn.get(sender);
        if (e == null) {
            InetAddress a = sender.getAddress();
            if (a == null) {
                return null;
            }
            if (endpointsIn.size() >= ENDPOINT_CACHE_MAX) {
                endpointsIn.clear();
            }
            e = InetEndpoint.of(a, sender.getPort());
            endpointsIn.put(sender, e);
        }
        return e;
    }

    private InetSocketAddress endpointOut(InetEndpoint remote) {
        InetSocketAddress a = endpointsOut.get(remote);
        if (a == null) {
            if (endpointsOut.size() >= ENDPOINT_CACHE_MAX) {
                endpointsOut.clear();
            }
            a = new InetSocketAddress(remote.toInetAddress(), remote.port());
            endpointsOut.put(remote, a);
        }
        return a;
    }

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
        gso.flush();
        if (flushPending) {
            flushPending = false;
            // indexed: this runs after every input batch (often one datagram), and an iterator
            // is an allocation wherever the JIT does not remove it
            for (int i = 0; i < channels.size(); i++) {
                channels.get(i).flush();
            }
        }
        if (closed) {
            return;
        }
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
        if (localSocket == NodeHost.ALL_SOCKETS || localSocket == 0) {
            boolean any = false;
            for (int i = 0; i < channels.size(); i++) {
                any |= sendOn(channels.get(i), remote, data, off, len, ttl);
            }
            return any;
        }
        if (localSocket < 1 || localSocket > channels.size()) {
            sendFailures.lazySet(sendFailures.get() + 1);
            return false;
        }
        return sendOn(channels.get((int) localSocket - 1), remote, data, off, len, ttl);
    }

    private boolean sendOn(Channel ch, InetEndpoint remote, byte[] data, int off, int len, int ttl) {
        boolean channelV6 = ((InetSocketAddress) ch.localAddress()).getAddress() instanceof Inet6Address;
        if (!ch.isWritable() && ch.isActive()) {
            // A burst in one batch (e.g. a controller's queued configs sent at one retry tick) passed
            // the channel's high-water mark before the end-of-batch flush: hand it to the kernel now
            // (4 MiB socket buffer) rather than drop what follows.
            ch.flush();
        }
        if (!ch.isActive() || remote.isNil() || (remote.isIpv6() && !channelV6) || !ch.isWritable()) {
            sendFailures.lazySet(sendFailures.get() + 1);
            return false;
        }
        if (gsoOn && ttl == NodeHost.TTL_DEFAULT) {
            gso.add(ch, endpointOut(remote), data, off, len);
        } else {
            gso.flush(); // what came first leaves first
            ByteBuf buf = ch.alloc().directBuffer(len);
            buf.writeBytes(data, off, len);
            DatagramPacket packet = new DatagramPacket(buf, endpointOut(remote));
            if (ttl != NodeHost.TTL_DEFAULT && loops.epoll) {
                sendWithTtl(ch, packet, remote.isIpv6(), ttl);
            } else {
                ch.write(packet, ch.voidPromise());
                flushPending = true;
            }
        }
        packetsOut.lazySet(packetsOut.get() + 1);
        bytesOut.lazySet(bytesOut.get() + len);
        return true;
    }

    /** {@link GsoBatcher}'s output: written now, flushed at the end of the input batch. */
    private void sendBatch(Channel ch, DatagramPacket packet) {
        flushPending = true;
        if (packet instanceof SegmentedDatagramPacket segmented) {
            // kept until the kernel has answered: if it refuses GSO the datagrams go one by one
            segmented.content().retain();
            ch.write(segmented, ch.newPromise().addListener(f -> onGsoOutcome(f, ch, segmented)));
        } else {
            ch.write(packet, ch.voidPromise());
        }
    }

    // errno values of a refused UDP_SEGMENT send: segment over the route's MTU (EMSGSIZE on
    // current kernels, EINVAL on older ones) or a device without checksum offload (EIO)
    private static final int EIO = 5;
    private static final int EINVAL = 22;
    private static final int EMSGSIZE = 90;

    private static boolean isGsoRefusal(Throwable cause) {
        if (cause instanceof io.netty.channel.unix.Errors.NativeIoException e) {
            int errno = -e.expectedErr();
            return errno == EIO || errno == EINVAL || errno == EMSGSIZE;
        }
        return false;
    }

    private void onGsoOutcome(Future<?> outcome, Channel ch, SegmentedDatagramPacket sent) {
        ByteBuf content = sent.content();
        try {
            if (outcome.isSuccess()) {
                gsoSends.lazySet(gsoSends.get() + 1);
                gsoDatagrams.lazySet(gsoDatagrams.get() + (content.readableBytes() + sent.segmentSize() - 1)
                        / sent.segmentSize());
                return;
            }
            if (!ch.isActive()) {
                return;
            }
            if (!isGsoRefusal(outcome.cause())) {
                // the send failed as a plain one could (no route, ...): not GSO's fault, keep it
                sendFailures.lazySet(sendFailures.get() + (content.readableBytes() + sent.segmentSize() - 1)
                        / sent.segmentSize());
                return;
            }
            if (gsoOn) {
                gsoOn = false;
                System.getLogger(NodeService.class.getName()).log(System.Logger.Level.WARNING,
                        "the kernel refused a UDP GSO send (" + outcome.cause() + "); sending datagrams one by one from now on");
            }
            int segment = sent.segmentSize();
            for (int at = content.readerIndex(); at < content.writerIndex(); at += segment) {
                int n = Math.min(segment, content.writerIndex() - at);
                ch.write(new DatagramPacket(content.retainedSlice(at, n), sent.recipient()), ch.voidPromise());
            }
            ch.flush();
        } finally {
            content.release();
        }
    }

    /** A datagram with its own TTL (the NAT-opening one, ZT1-07 §5.4): rare, so flush around a socket option change. */
    private static void sendWithTtl(Channel ch, DatagramPacket packet, boolean v6, int ttl) {
        IntegerUnixChannelOption option = v6 ? IPV6_UNICAST_HOPS : IP_TTL;
        ch.flush();
        Integer previous = null;
        try {
            previous = ch.config().getOption(option);
            ch.config().setOption(option, ttl);
        } catch (RuntimeException e) {
            previous = null; // the option is refused: send with the default TTL, as NodeHost allows
        }
        ch.writeAndFlush(packet, ch.voidPromise());
        if (previous != null) {
            ch.config().setOption(option, previous);
        }
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

    private final class Inbound extends SimpleChannelInboundHandler<DatagramPacket> {
        private final long socketId;

        Inbound(long socketId) {
            this.socketId = socketId;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            onDatagram(socketId, packet);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            afterInput();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // ICMP port unreachable and similar arrive here on some transports: a UDP fact, not an error
            sendFailures.lazySet(sendFailures.get() + 1);
        }
    }
}
