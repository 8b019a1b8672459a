package dev.zerokube.overlay.runtime;

import dev.zerokube.overlay.wire.InetEndpoint;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The UDP sockets of one {@link NodeService}, as the service drives them: received datagrams go
 * to a {@link Input}, sends are queued during an input batch and handed to the kernel at its end
 * ({@link #flush}). Two implementations: {@link FfmUdpSockets} (epoll; FFM {@code recvmmsg} and
 * {@code sendmmsg}, the default) and {@link NettyUdpSockets} (Netty's datagram channels: NIO, or
 * epoll with {@code -Dzerokube.udp=netty}). Everything but {@link #localAddresses} and
 * {@link #traffic} runs on the service's event loop thread.
 */
interface UdpSockets extends AutoCloseable {
    /** Where received datagrams go (the node's thread). */
    interface Input {
        /** A datagram on socket {@code socketId} (1-based); the bytes are valid only during the call. */
        void datagram(long socketId, InetEndpoint from, byte[] data, int off, int len);

        /** A batch of reads ended (only where the sockets are not read through {@link NodeService#watchReadable}'s mechanism). */
        void endOfBatch();
    }

    /** The bound local addresses, in the order of the ports asked for. */
    List<InetSocketAddress> localAddresses();

    int size();

    /**
     * Queues a datagram on socket {@code index} (0-based) with the default TTL, or sends it at
     * once with its own {@code ttl}. False, counted as a send failure, when the socket cannot
     * take it.
     */
    boolean send(int index, InetEndpoint remote, byte[] data, int off, int len, int ttl);

    /** The input batch ended: hand what was queued to the kernel. */
    void flush();

    /** Whether sends are still gathered into UDP GSO buffers (false without GSO, or after a refusal). */
    boolean gsoOn();

    /** Counters of the physical traffic (any thread). */
    NodeService.Traffic traffic();

    /** Which implementation, for the node's start line: {@code ffm} or {@code netty}. */
    String kind();

    /**
     * The first step of closing, on the loop's thread: drops what is queued and, where the sockets
     * are the loop's own descriptors, stops watching them and closes them there (so no read or send
     * can run concurrently with the close).
     */
    void stopOnLoop();

    /** Closes whatever {@link #stopOnLoop} left open (any thread but the loop's; idempotent). */
    @Override
    void close();
}
