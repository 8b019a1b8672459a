package dev.zerokube.overlay.node;

/**
 * Why an Ethernet frame was not carried: from the local port toward the overlay (outbound) or
 * from a member toward the port (inbound). Counted per reason ({@link Node#frameDropCount}), for
 * metrics; like {@link DropReason}, expected and never thrown or logged (STYLE.md §4).
 */
public enum FrameDropReason {
    /** Outbound or inbound on a network that has no config yet (ZT1-08 §2.1 step 1). */
    NO_CONFIG,
    /** A local frame shorter than an Ethernet header, or a frame too long for one packet. */
    BAD_LENGTH,
    /** A local frame from a MAC other than ours while we are not an active bridge ("not a bridge", §1.4). */
    NOT_A_BRIDGE,
    /** A non-ARP broadcast on a network without the broadcast flag (§3.2). */
    BROADCAST_DISABLED,
    /** Multicast or broadcast on a network whose multicast limit is 0 (§3.8). */
    MULTICAST_DISABLED,
    /** The network's rules dropped (or redirected) an outbound frame. */
    RULES_OUTBOUND,
    /** The network's rules dropped (or redirected) an inbound frame. */
    RULES_INBOUND,
    /** A unicast frame for a MAC behind no known bridge on a network without bridges (§2.5). */
    NO_BRIDGE,
    /** The sender did not pass the membership gate (no valid certificate of membership, revoked). */
    NOT_A_MEMBER,
    /** A received frame whose source MAC is nil, multicast or ours (§1.4). */
    BAD_SOURCE_MAC,
    /** A bridged source or destination MAC where neither the sender nor we may bridge (§1.4). */
    BRIDGING_NOT_ALLOWED,
    /** A received multicast frame whose group MAC is not multicast. */
    NOT_MULTICAST,
    /** A received frame longer than the network MTU (the port would not take it). */
    OVER_MTU
}
