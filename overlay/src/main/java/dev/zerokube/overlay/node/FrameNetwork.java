package dev.zerokube.overlay.node;

import dev.zerokube.overlay.rules.RuleTable;
import dev.zerokube.overlay.rules.SenderOwnership;
import dev.zerokube.overlay.rules.TagValues;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import java.util.List;

/**
 * What the Ethernet side ({@link Ethernet}) needs of one joined network: its config and what the
 * network's credentials say about members (ZT1-05). The membership layer implements it; the
 * Ethernet side never reads credentials itself. Methods called per frame must not allocate: the
 * implementation keeps each member's time-valid tags, capabilities and ownership ready.
 */
interface FrameNetwork {
    /** The network id, the same instance every call (it is handed to the host with each frame). */
    NetworkId id();

    /** The current config, or null before the first one arrived. */
    NetworkConfig config();

    /**
     * 1.14.1's {@code Network::gate} (ZT1-03 §4.11.4): whether {@code peer} may send us frames and
     * multicast traffic on this network (public network, or its COM agrees with ours and is not
     * revoked).
     */
    boolean gate(Peer peer, long nowMs);

    /** The member's tags that are valid against our config's timestamp (ZT1-06 §8.4); empty if none. */
    TagValues tagsOf(long member);

    /** The capabilities the member presented that are valid now, for inbound rules (ZT1-06 §7.2). */
    List<RuleTable> capabilitiesOf(long member);

    /** The member's certificates of ownership, for the inbound "sender authenticated" bits. */
    SenderOwnership ownershipOf(long member);

    /** Our own certificates of ownership, for the outbound rules. */
    SenderOwnership ownOwnership();

    /** Pushes our credentials to {@code member} if due (ZT1-03 §4.11.3), before a frame goes to it. */
    void pushCredentialsIfNeeded(long member, long nowMs);
}
