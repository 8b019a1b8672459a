package dev.zerokube.nodeagent.tap;

import dev.zerokube.overlay.runtime.port.PortConfig;
import dev.zerokube.overlay.wire.NetworkId;
import java.util.Objects;

/**
 * One TAP a pod should have: for the pod's Member of one network.
 *
 * @param network the ZeroTierNetwork's name
 * @param networkId its 64-bit network id (the hand-off message, {@code zerokube node --tap-socket})
 * @param deviceName the interface name, as zerotier-one (and so the sidecar) names it
 * @param member the Member, {@code namespace/name}
 * @param config MTU, MAC, addresses and routes from the Member's status and the network
 */
public record TapPlan(String network, NetworkId networkId, String deviceName, String member, PortConfig config) {
    public TapPlan {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(networkId, "networkId");
        Objects.requireNonNull(deviceName, "deviceName");
        Objects.requireNonNull(member, "member");
        Objects.requireNonNull(config, "config");
    }
}
