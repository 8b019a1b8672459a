package dev.zerokube.overlay.node;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;

/**
 * Everything a {@link Node} does to the outside world goes through this one interface (STYLE.md
 * §2): datagrams out, events out, and the host's say on which physical addresses may carry
 * ZeroTier traffic. A test double that records calls is all a test needs.
 *
 * <p>Calls happen on the thread that drives the node, from inside {@link Node#onWirePacket},
 * {@link Node#tick} or another input method. The host must not call back into the node from a
 * callback (the node is not reentrant): queue the work and do it after the call returns.
 */
public interface NodeHost {
    /**
     * The local socket value meaning "from every bound UDP socket" (1.14.1 uses -1 and 0 alike,
     * ZT1-07 §0): full HELLOs to an explicit address go out this way (ZT1-07 §2.10).
     */
    long ALL_SOCKETS = -1;
    /** TTL value meaning "the socket's default". */
    int TTL_DEFAULT = 0;

    /**
     * Sends one UDP datagram. {@code data[off, off+len)} is valid only during this call: copy it
     * if the send is deferred.
     *
     * @param localSocket the socket to send from (a value the host gave in
     *                    {@link Node#onWirePacket}, or {@link #ALL_SOCKETS})
     * @param ttl the IP TTL / hop limit, or {@link #TTL_DEFAULT}; 2 for the NAT-opening datagram
     *            after RENDEZVOUS (ZT1-07 §5.4), which a host unable to set it may send with its
     *            default TTL
     * @return whether the datagram was handed to a socket (a path's last-send time is updated
     *         only then)
     */
    boolean sendDatagram(long localSocket, InetEndpoint remote, byte[] data, int off, int len, int ttl);

    /** Something happened that the host may want to know; see {@link NodeEvent}. */
    void onEvent(NodeEvent event);

    /**
     * The host's path check (ZT1-07 §2.4 item 4): whether ZeroTier traffic with {@code peer} may
     * use {@code remote} from {@code localSocket} (e.g. not into our own virtual networks, not a
     * blacklisted network). Called only when a path would be learned or tried.
     */
    default boolean shouldUsePath(Address peer, long localSocket, InetEndpoint remote) {
        return true;
    }

    /**
     * An Ethernet frame (dst MAC 6 | src MAC 6 | ethertype 2 | payload) for the local virtual
     * port of network {@code networkId}. {@code frame[off, off+len)} is valid only during this
     * call: copy it if the write is deferred.
     */
    default void deliverFrame(NetworkId networkId, byte[] frame, int off, int len) {}

    /**
     * Whether loopback addresses (127/8, ::1) may carry ZeroTier traffic. ZeroTier never uses them
     * (ZT1-07 §0); a host that runs several nodes on one machine's loopback (tests, {@code zerokube
     * lab}) says yes. Asked once, when the node is constructed.
     */
    default boolean allowsLoopbackPaths() {
        return false;
    }
}
