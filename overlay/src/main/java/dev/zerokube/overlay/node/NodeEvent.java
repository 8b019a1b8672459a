package dev.zerokube.overlay.node;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.World;

/**
 * What a {@link Node} reports to its host ({@link NodeHost#onEvent}). Events are rare (state
 * changes, not packets), so each is a record.
 */
public sealed interface NodeEvent {
    /**
     * The node went online (an upstream was heard within 500 s, or we are a root) or offline
     * (ZT1-07 §4.3 step 6).
     */
    record Online(boolean online) implements NodeEvent {}

    /** A peer object was created: from a HELLO (identity validated), an OK(WHOIS), or a world's roots. */
    record PeerAdded(Address peer) implements NodeEvent {}

    /** A peer was dropped from memory: silent for 500 s, or evicted to make room. */
    record PeerRemoved(Address peer) implements NodeEvent {}

    /** A direct path to a peer was learned (an OK arrived on it, ZT1-07 §2.3). */
    record PathLearned(Address peer, long localSocket, InetEndpoint remote) implements NodeEvent {}

    /** A peer's path slot was given up: expired (243 s without authenticated direct traffic) or replaced. */
    record PathRemoved(Address peer, long localSocket, InetEndpoint remote) implements NodeEvent {}

    /** The planet or a moon was replaced by a newer signed revision (ZT1-07 §3.5); persist it. */
    record WorldUpdated(World world) implements NodeEvent {}

    /**
     * The answer to a {@link Node#ping}: round trip time and the hop count of the OK(ECHO)
     * (0 = it came over a direct path, more = relayed).
     */
    record EchoReply(Address peer, long roundTripMs, int hops) implements NodeEvent {}

    /**
     * A root told us that another node holds our address with a different identity
     * (ERROR(IDENTITY_COLLISION), ZT1-03 §3.2): this identity must be replaced.
     */
    record IdentityCollision(Address reportedBy) implements NodeEvent {}

    /**
     * A joined network's status or config changed (ZT1-09 §1.5): apply MTU, MAC, addresses and
     * routes to the virtual port from {@code status}, and persist the config if wanted. Also
     * reported once on {@link Node#join}.
     */
    record NetworkUpdated(NetworkId networkId, NetworkStatus status) implements NodeEvent {}

    /** The network was left ({@link Node#leave}): its virtual port should go. */
    record NetworkLeft(NetworkId networkId) implements NodeEvent {}
}
