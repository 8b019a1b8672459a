package dev.zerokube.overlay.node;

import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.netconf.ConfigRequestMetadata;

/**
 * The network controller a {@link Node} hosts (1.14.1's {@code NetworkController} behind
 * {@code Node::setNetconfMaster}, ZT1-09 §1.3): the node hands it every NETWORK_CONFIG_REQUEST for
 * a network whose controller address is the node's own, and it answers through the node's
 * {@link Node#sendNetworkConfig}, {@link Node#sendNetworkConfigError} and {@link
 * Node#sendRevocation}. The implementation over the controller logic lives in the
 * {@code controller} package ({@code ControllerAttachment}); the node never depends on it.
 *
 * <p>Called on the node's thread, from inside {@link Node#onWirePacket} or {@link Node#tick}. Unlike
 * a {@link NodeHost} callback, it may call those three send methods of the node before returning
 * (and nothing else of the node).
 */
public interface NetworkConfigMaster {
    /**
     * Request id of a request our own node makes for a network we control: it is handed over
     * locally, never sent (1.14.1 uses the same value).
     */
    long LOCAL_REQUEST_ID = 0xffff_ffff_ffff_ffffL;

    /**
     * A member asks for its config.
     *
     * @param requester the sender's full identity (known: the request was authenticated with it)
     * @param requestPacketId the request's packet id as received, to answer with; {@link
     *     #LOCAL_REQUEST_ID} for our own node's request
     * @param metadata the request's metadata dictionary
     * @param physicalAddress where the request came from if it came directly, else {@link
     *     InetEndpoint#NIL} (relayed, or our own request)
     */
    void onConfigRequest(NetworkId networkId, Identity requester, long requestPacketId,
            ConfigRequestMetadata metadata, InetEndpoint physicalAddress, long nowMs);
}
