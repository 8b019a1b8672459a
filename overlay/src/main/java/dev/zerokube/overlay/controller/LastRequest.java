package dev.zerokube.overlay.controller;

import dev.zerokube.overlay.wire.InetEndpoint;
import java.util.Objects;

/**
 * What the controller last saw of a member's genuine config request: a status, not policy. Stores
 * keep it apart from the member record (writing it never bumps a revision or triggers a push) and
 * may persist it at a low rate (ZT1-09 §8 item 2).
 *
 * @param timeMs when the request was accepted (controller clock)
 * @param physicalAddress where it came from, or {@link InetEndpoint#NIL} when relayed
 * @param clientVersion the versions in its metadata
 */
public record LastRequest(long timeMs, InetEndpoint physicalAddress, ClientVersion clientVersion) {
    public LastRequest {
        Objects.requireNonNull(physicalAddress, "physicalAddress");
        Objects.requireNonNull(clientVersion, "clientVersion");
    }
}
