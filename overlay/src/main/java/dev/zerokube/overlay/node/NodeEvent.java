package dev.zerokube.overlay.node;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.World;
import java.util.HexFormat;
import java.util.OptionalLong;

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
     * An OK(ECHO) answering one of our ECHOs ({@link Node#ping}, {@link Node#echo}, or a keepalive
     * probe, whose payload is empty): the payload it carried back, its hop count (0 = it came over
     * a direct path, more = relayed) and when it arrived. The payload is the event's own copy.
     */
    record EchoReply(Address peer, byte[] payload, int hops, long receivedMs) implements NodeEvent {
        /**
         * The round trip time of a {@link Node#ping}'s answer: arrival minus the send time its
         * payload carries. Empty for a payload of another length; meaningless for an
         * {@link Node#echo} whose payload happens to be 8 bytes.
         */
        public OptionalLong roundTripMs() {
            if (payload.length != Long.BYTES) {
                return OptionalLong.empty();
            }
            long sentMs = 0;
            for (byte b : payload) {
                sentMs = sentMs << 8 | (b & 0xff);
            }
            return OptionalLong.of(receivedMs - sentMs);
        }

        @Override
        public String toString() {
            return "EchoReply[peer=" + peer + ", payload=" + HexFormat.of().formatHex(payload) + ", hops=" + hops
                    + ", receivedMs=" + receivedMs + "]";
        }
    }

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
