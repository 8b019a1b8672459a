package dev.zerokube.overlay.runtime;

import dev.zerokube.overlay.node.NodeHost;
import dev.zerokube.overlay.runtime.udp.DatagramSender;
import dev.zerokube.overlay.wire.InetEndpoint;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.channel.unix.SegmentedDatagramPacket;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's UDP sockets as Netty datagram channels: the NIO transport's only way, and on epoll
 * the comparison for {@link FfmUdpSockets} ({@code -Dzerokube.udp=netty}).
 *
 * <p>Netty owns the pooled {@code ByteBuf} of a received datagram and releases it when the
 * handler returns; the node is lent a heap copy. Netty allocates a packet object and a sender
 * address per datagram; the remote address is mapped to the core's {@link InetEndpoint} through a
 * bounded cache. Sends are written without flushing and flushed once after each batch of input,
 * so the epoll transport can hand several to one {@code sendmmsg}.
 *
 * <p><b>UDP offloads</b> (epoll): consecutive datagrams to one remote leave as one UDP GSO buffer
 * ({@link GsoBatcher}), and the sockets receive with UDP GRO (Netty cuts the bursts again; it
 * reads one 64 KiB burst per {@code recvmsg}, since its {@code recvmmsg} passes no control buffer
 * and so loses the segment size). If the kernel refuses a GSO send, its datagrams are sent one by
 * one and GSO stays off.
 */
final class NettyUdpSockets implements UdpSockets {
    /** Remote addresses remembered in each direction's cache before it is emptied and refilled. */
    static final int ENDPOINT_CACHE_MAX = 4096;
    /** {@code setsockopt(IPPROTO_IP, IP_TTL)} and {@code (IPPROTO_IPV6, IPV6_UNICAST_HOPS)}: Netty has no per-datagram TTL. */
    private static final IntegerUnixChannelOption IP_TTL = new IntegerUnixChannelOption("IP_TTL", 0, 2);
    private static final IntegerUnixChannelOption IPV6_UNICAST_HOPS = new IntegerUnixChannelOption("IPV6_UNICAST_HOPS", 41, 16);

    private final EventLoop loop;
    private final boolean epoll;
    private final Input input;
    private final List<Channel> channels = new ArrayList<>();
    private final Map<InetSocketAddress, InetEndpoint> endpointsIn = new HashMap<>();
    private final Map<InetEndpoint, InetSocketAddress> endpointsOut = new HashMap<>();
    private final AtomicLong packetsIn = new AtomicLong();
    private final AtomicLong bytesIn = new AtomicLong();
    private final AtomicLong packetsOut = new AtomicLong();
    private final AtomicLong bytesOut = new AtomicLong();
    private final AtomicLong sendFailures = new AtomicLong();
    private final AtomicLong gsoSends = new AtomicLong();
    private final AtomicLong gsoDatagrams = new AtomicLong();
    private final GsoBatcher gso = new GsoBatcher(this::sendBatch);
    private final byte[] rx = new byte[NodeService.DATAGRAM_BYTES_MAX];
    // event loop thread only: whether sends are gathered into GSO buffers (off after a refusal)
    private boolean gsoOn;
    private boolean flushPending;

    private NettyUdpSockets(EventLoop loop, boolean epoll, Input input, boolean gso) {
        this.loop = loop;
        this.epoll = epoll;
        this.input = input;
        this.gsoOn = gso;
    }

    /** Binds one channel per port of {@code options} on {@code loop}. */
    static NettyUdpSockets open(EventLoop loop, boolean epoll, NodeService.Options options, Input input) throws IOException {
        boolean offloads = epoll && options.udpOffloads();
        NettyUdpSockets s = new NettyUdpSockets(loop, epoll, input, offloads && NodeService.GSO_ALLOWED && gsoSupported());
        try {
            for (int i = 0; i < options.udpPorts().size(); i++) {
                s.channels.add(s.bind(options, options.udpPorts().get(i), i + 1, offloads));
            }
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    @SuppressWarnings("deprecation") // the epoll class is where Netty tells whether the kernel has UDP_SEGMENT
    private static boolean gsoSupported() {
        try {
            return io.netty.channel.epoll.SegmentedDatagramPacket.isSupported();
        } catch (LinkageError e) {
            return false;
        }
    }

    private Channel bind(NodeService.Options options, int port, long socketId, boolean offloads) throws IOException {
        boolean v6 = options.bindAddress() instanceof Inet6Address;
        SocketProtocolFamily family = v6 ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
        Bootstrap b = new Bootstrap().group(loop)
                .channelFactory(() -> epoll ? new EpollDatagramChannel(family) : new NioDatagramChannel(family))
                .option(ChannelOption.SO_RCVBUF, NodeService.SOCKET_BUFFER_BYTES)
                .option(ChannelOption.SO_SNDBUF, NodeService.SOCKET_BUFFER_BYTES)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(
                        offloads ? NodeService.GRO_BYTES_MAX : NodeService.DATAGRAM_BYTES_MAX))
                .handler(new Inbound(socketId));
        if (offloads) {
            b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, NodeService.GRO_BYTES_MAX);
            b.option(EpollChannelOption.UDP_GRO, true);
        }
        var f = b.bind(new InetSocketAddress(options.bindAddress(), port)).awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new IOException("cannot bind UDP " + options.bindAddress().getHostAddress() + "/" + port + ": "
                    + f.cause().getMessage(), f.cause());
        }
        return f.channel();
    }

    @Override
    public List<InetSocketAddress> localAddresses() {
        return channels.stream().map(c -> (InetSocketAddress) c.localAddress()).toList();
    }

    @Override
    public int size() {
        return channels.size();
    }

    @Override
    public String kind() {
        return "netty";
    }

    @Override
    public boolean gsoOn() {
        return gsoOn;
    }

    @Override
    public NodeService.Traffic traffic() {
        return new NodeService.Traffic(packetsIn.get(), bytesIn.get(), packetsOut.get(), bytesOut.get(),
                sendFailures.get(), gsoSends.get(), gsoDatagrams.get(), 0);
    }

    @Override
    public void stopOnLoop() {
        gso.discard();
    }

    @Override
    public void close() {
        for (Channel c : channels) {
            c.close().awaitUninterruptibly(2_000);
        }
    }

    // ---- on the event loop thread only

    private void onDatagram(long socketId, DatagramPacket packet) {
        ByteBuf content = packet.content();
        int len = content.readableBytes();
        packetsIn.lazySet(packetsIn.get() + 1);
        bytesIn.lazySet(bytesIn.get() + len);
        if (len > rx.length) {
            return; // larger than any ZeroTier datagram
        }
        content.getBytes(content.readerIndex(), rx, 0, len);
        InetEndpoint remote = endpointIn(packet.sender());
        if (remote == null) {
            return;
        }
        input.datagram(socketId, remote, rx, 0, len);
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

    @Override
    public void flush() {
        gso.flush();
        if (flushPending) {
            flushPending = false;
            // indexed: this runs after every input batch (often one datagram), and an iterator
            // is an allocation wherever the JIT does not remove it
            for (int i = 0; i < channels.size(); i++) {
                channels.get(i).flush();
            }
        }
    }

    @Override
    public boolean send(int index, InetEndpoint remote, byte[] data, int off, int len, int ttl) {
        Channel ch = channels.get(index);
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
            if (ttl != NodeHost.TTL_DEFAULT && epoll) {
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

    private static boolean isGsoRefusal(Throwable cause) {
        return cause instanceof io.netty.channel.unix.Errors.NativeIoException e
                && DatagramSender.isGsoRefusal(-e.expectedErr());
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
                NodeService.logGsoRefusal(outcome.cause().toString());
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
            input.endOfBatch();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // ICMP port unreachable and similar arrive here on some transports: a UDP fact, not an error
            sendFailures.lazySet(sendFailures.get() + 1);
        }
    }
}
