package dev.zerokube.overlay.runtime;

import dev.zerokube.overlay.node.NodeHost;
import dev.zerokube.overlay.runtime.udp.DatagramReceiver;
import dev.zerokube.overlay.runtime.udp.DatagramSender;
import dev.zerokube.overlay.runtime.udp.UdpSocket;
import dev.zerokube.overlay.wire.InetEndpoint;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's UDP sockets through FFM ({@code runtime.udp}), read and written on the node's epoll
 * loop: each socket's descriptor sits in the loop's epoll set ({@link Watches}), readable wakes
 * {@link #readable}, which reads a bounded number of {@code recvmmsg} batches; sends are queued
 * per socket and leave with one {@code sendmmsg} per socket at the end of the input batch. A
 * socket whose buffer is full is also watched for writable until its queue is out.
 *
 * <p>One {@link DatagramReceiver} serves every socket (the loop reads one at a time): with UDP
 * offloads, {@link #RECEIVE_SLOTS} messages of 64 KiB each (a GRO burst must fit), else of the
 * largest datagram. Native memory is made at start and freed at close.
 */
final class FfmUdpSockets implements UdpSockets {
    /** Messages per {@code recvmmsg}. */
    static final int RECEIVE_SLOTS = 8;
    /** {@code recvmmsg} calls per readable event: then the loop runs its other work (level-triggered, it comes back). */
    static final int RECEIVES_PER_WAKEUP = 4;
    /** Messages per {@code sendmmsg} (a GSO message counts as one). */
    static final int SEND_MESSAGES = 64;
    /** Bytes queued per socket in one batch: a few GSO messages' worth (a TAP read batch of TSO super-frames). */
    static final int SEND_BUFFER_BYTES = 512 << 10;

    /**
     * How the sockets get into the loop's epoll set (NodeService's watches): {@code onReadable}
     * runs when the descriptor is readable, {@code onWritable} when it is writable and that was
     * asked for, and after every event the service ends the input batch, which {@link #flush}es
     * the queues.
     */
    interface Watches {
        Watch watch(int fd, Runnable onReadable, Runnable onWritable);
    }

    /** One descriptor in the epoll set. */
    interface Watch extends AutoCloseable {
        /** Also wake when writable (true: the socket's queue waits for room) or only when readable. */
        void wantWritable(boolean on);

        @Override
        void close();
    }

    private final Arena arena = Arena.ofShared();
    private final List<UdpSocket> sockets = new ArrayList<>();
    private final List<DatagramSender> senders = new ArrayList<>();
    private final List<Watch> watches = new ArrayList<>();
    private final List<DatagramReceiver.Handler> handlers = new ArrayList<>();
    private final DatagramReceiver receiver;
    private final Input input;
    private final AtomicLong packetsOut = new AtomicLong();
    private final AtomicLong bytesOut = new AtomicLong();
    private final AtomicLong receiveErrors = new AtomicLong();
    // event loop thread only: which sockets wait for writable
    private boolean[] waitingWritable;
    private boolean gsoLogged;
    private final AtomicBoolean closed = new AtomicBoolean();

    private FfmUdpSockets(NodeService.Options options, Input input) {
        boolean offloads = options.udpOffloads();
        this.input = input;
        this.receiver = new DatagramReceiver(arena, RECEIVE_SLOTS,
                offloads ? NodeService.GRO_BYTES_MAX : NodeService.DATAGRAM_BYTES_MAX, NodeService.DATAGRAM_BYTES_MAX);
    }

    /**
     * Opens and binds one socket per port of {@code options} and puts each in the loop's epoll set
     * through {@code watches}.
     *
     * @throws IOException naming the address when a socket cannot be made or bound (nothing stays open)
     */
    static FfmUdpSockets open(NodeService.Options options, Input input, Watches watches) throws IOException {
        FfmUdpSockets s = new FfmUdpSockets(options, input);
        try {
            boolean offloads = options.udpOffloads();
            for (int i = 0; i < options.udpPorts().size(); i++) {
                UdpSocket socket = UdpSocket.open(s.arena, options.bindAddress(), options.udpPorts().get(i),
                        NodeService.SOCKET_BUFFER_BYTES, offloads);
                s.sockets.add(socket);
                s.senders.add(new DatagramSender(s.arena, socket, SEND_MESSAGES, SEND_BUFFER_BYTES,
                        offloads && NodeService.GSO_ALLOWED));
                long socketId = i + 1;
                s.handlers.add((from, data, off, len) -> input.datagram(socketId, from, data, off, len));
            }
            s.waitingWritable = new boolean[s.sockets.size()];
            for (int i = 0; i < s.sockets.size(); i++) {
                int index = i;
                DatagramSender sender = s.senders.get(i);
                s.watches.add(watches.watch(s.sockets.get(i).fd(), () -> s.readable(index), sender::writable));
            }
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private void readable(int index) {
        int fd = sockets.get(index).fd();
        DatagramReceiver.Handler handler = handlers.get(index);
        for (int i = 0; i < RECEIVES_PER_WAKEUP; i++) {
            int n = receiver.receive(fd, handler);
            if (n < 0) {
                receiveErrors.lazySet(receiveErrors.get() + 1); // e.g. an ICMP error queued on the socket
            }
            if (n < RECEIVE_SLOTS) {
                return; // drained (or failed): the next readable event brings what comes next
            }
        }
    }

    @Override
    public boolean send(int index, InetEndpoint remote, byte[] data, int off, int len, int ttl) {
        DatagramSender sender = senders.get(index);
        boolean ok = ttl == NodeHost.TTL_DEFAULT
                ? sender.add(remote, data, off, len)
                : sender.sendWithTtl(remote, data, off, len, ttl);
        if (ok) {
            packetsOut.lazySet(packetsOut.get() + 1);
            bytesOut.lazySet(bytesOut.get() + len);
        }
        return ok;
    }

    @Override
    public void flush() {
        for (int i = 0; i < senders.size(); i++) {
            DatagramSender sender = senders.get(i);
            boolean out = sender.flush();
            if (out == waitingWritable[i]) { // changed: now blocked, or out again
                waitingWritable[i] = !out;
                watches.get(i).wantWritable(!out);
            }
            if (!sender.gsoOn() && sender.gsoRefusals() > 0 && !gsoLogged) {
                gsoLogged = true;
                NodeService.logGsoRefusal("errno " + sender.lastErrno());
            }
        }
    }

    @Override
    public List<InetSocketAddress> localAddresses() {
        return sockets.stream().map(UdpSocket::localAddress).toList();
    }

    @Override
    public int size() {
        return sockets.size();
    }

    @Override
    public String kind() {
        return "ffm";
    }

    @Override
    public boolean gsoOn() {
        for (DatagramSender s : senders) {
            if (!s.gsoOn()) {
                return false;
            }
        }
        return !senders.isEmpty();
    }

    @Override
    public NodeService.Traffic traffic() {
        long failures = receiveErrors.get();
        long gsoSends = 0;
        long gsoDatagrams = 0;
        long waits = 0;
        for (DatagramSender s : senders) { // not changed after open
            failures += s.failures();
            gsoSends += s.gsoSends();
            gsoDatagrams += s.gsoDatagrams();
            waits += s.waits();
        }
        return new NodeService.Traffic(receiver.datagrams(), receiver.bytes(), packetsOut.get(), bytesOut.get(),
                failures, gsoSends, gsoDatagrams, waits);
    }

    /**
     * Stops the watches, closes the sockets, then frees the native memory. Called on the loop's
     * thread (or once the loop is gone): no read or send can run into freed memory.
     */
    @Override
    public void stopOnLoop() {
        close();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (Watch w : watches) {
            w.close();
        }
        for (DatagramSender s : senders) {
            s.discard();
        }
        for (UdpSocket s : sockets) {
            s.close();
        }
        try {
            arena.close();
        } catch (IllegalStateException e) {
            // only when the loop did not take the close (busy past NodeService's wait) and is still
            // inside a call on these buffers: the memory stays (a leak of ~1 MiB, once) rather
            // than be freed under it
        }
    }
}
