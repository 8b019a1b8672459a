package dev.zerokube.overlay.node;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.InetEndpoint;
import java.util.List;

/**
 * A snapshot of one peer as the node sees it (for a status API, tests and tools; taken on request,
 * never on the packet path).
 *
 * @param upstream whether it is one of our roots
 * @param remoteProtocol the protocol version it announced, 0 while unknown
 * @param remoteVersion its software version as "major.minor.revision", or null while unknown
 * @param lastReceiveMs when an authenticated packet from it last arrived
 * @param latencyMs latency of its best path, or {@link Timing#LATENCY_UNKNOWN}
 * @param paths its path slots, in table order
 */
public record PeerStatus(Address address, boolean upstream, int remoteProtocol, String remoteVersion,
        long lastReceiveMs, int latencyMs, List<PathStatus> paths) {

    public PeerStatus {
        paths = List.copyOf(paths);
    }

    /**
     * One path slot.
     *
     * @param lastReceiveMs last authenticated direct packet from the peer on it
     * @param lastSendMs last datagram the node sent on it and counted for keepalives (ZT1-07 §2.1)
     * @param expired no such packet for 243 s: used only when nothing else is left
     * @param alive anything arrived on the path within 19 s
     * @param preferred the path the node sends on now
     */
    public record PathStatus(long localSocket, InetEndpoint remote, long lastReceiveMs, long lastSendMs, int latencyMs,
            boolean expired, boolean alive, boolean preferred) {}

    /** Whether a non-expired direct path exists. */
    public boolean hasDirectPath() {
        return paths.stream().anyMatch(p -> !p.expired());
    }
}
