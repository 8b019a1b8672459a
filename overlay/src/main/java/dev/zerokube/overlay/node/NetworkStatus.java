package dev.zerokube.overlay.node;

import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.Mac;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of one joined network, as the host sees it ({@link Node#networks}, {@link
 * NodeEvent.NetworkUpdated}): what the runtime needs to configure the virtual port (MTU, MAC,
 * addresses, routes from the config) and what {@code zerotier-cli listnetworks} shows.
 *
 * @param status 1.14.1's {@code ZT_VirtualNetworkStatus} (ZT1-10 §2.4): a failure reported by the
 *     controller wins over a config held (the config stays in force, ZT1-09 §1.5)
 * @param config the config in force, if one was ever received
 * @param mac our MAC on this network (ZT1-08 §1.1)
 * @param assignedAddresses the config's static IPs with their prefix length as port, empty
 *     without a config
 */
public record NetworkStatus(NetworkId id, Status status, Optional<NetworkConfig> config, Mac mac,
        List<InetEndpoint> assignedAddresses) {

    /** 1.14.1's network states, with their enum numbers (the local API prints the names). */
    public enum Status {
        /** No config yet and no failure reported. */
        REQUESTING_CONFIGURATION(0),
        /** A config is held and the controller reported no failure. */
        OK(1),
        /** The controller answered ERROR(NETWORK_ACCESS_DENIED): not authorized (yet). */
        ACCESS_DENIED(2),
        /** The controller answered ERROR(OBJ_NOT_FOUND or UNSUPPORTED_OPERATION), or we are its controller without one. */
        NOT_FOUND(3),
        /** The host could not create the port (set by the runtime, never by the node). */
        PORT_ERROR(4),
        /** Never produced by 1.14.1; kept for the numbering. */
        CLIENT_TOO_OLD(5),
        /** The controller answered ERROR(NETWORK_AUTHENTICATION_REQUIRED) (SSO). */
        AUTHENTICATION_REQUIRED(6);

        private final int code;

        Status(int code) {
            this.code = code;
        }

        /** The {@code ZT_VirtualNetworkStatus} number. */
        public int code() {
            return code;
        }
    }

    public NetworkStatus {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(mac, "mac");
        assignedAddresses = List.copyOf(assignedAddresses);
    }
}
