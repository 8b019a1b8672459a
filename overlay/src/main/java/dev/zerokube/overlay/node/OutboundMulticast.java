package dev.zerokube.overlay.node;

import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.verbs.MulticastFrame;

/**
 * One multicast frame on its way to members (ZT1-08 §3.6, 1.14.1's {@code OutboundMulticast}):
 * the MULTICAST_FRAME payload, built once and sent byte for byte to every recipient, and the log
 * of recipients it went to, so that a member learned later gets it exactly once and no more than
 * {@link #limit} recipients get it at all.
 *
 * <p>Payload layout (ZT1-03 §4.15), held in {@link #payload}:
 * <pre>
 *   [8] network id | [1] flags (0x02, | 0x04 when bridged) | [4] gather limit
 *   [[ [6] source MAC -- bridged frames only ]] | [6] group MAC | [4] ADI | [2] ethertype | frame
 * </pre>
 * Instances are pooled by {@link Multicaster}: {@link #init} overwrites everything and grows the
 * arrays only when a larger frame or limit comes, so steady traffic allocates nothing.
 */
final class OutboundMulticast {
    /** Longest Ethernet payload a multicast carries; longer frames are cut (1.14.1's {@code init}). */
    static final int FRAME_MAX = 10_000;

    long networkId;
    long groupMac;
    long groupAdi;
    /** The Ethernet source MAC the frame carries (the bridged source, or the sender's member MAC). */
    long sourceMac;
    int etherType;
    long createdMs;
    int limit;
    byte[] payload = new byte[64];
    int payloadLength;
    /** Where the Ethernet payload starts inside {@link #payload}, and its length. */
    int frameOffset;
    int frameLength;
    private long[] log = new long[8];
    private int logged;

    /**
     * Builds the payload and clears the log.
     *
     * @param bridgedSource the foreign source MAC of a bridged frame (flag 0x04), or 0
     * @param memberMac our member MAC, the frame's source when it is not bridged
     */
    void init(long networkId, long groupMac, long groupAdi, long bridgedSource, long memberMac, int etherType,
            byte[] frame, int off, int len, int limit, long gatherLimit, long nowMs) {
        this.networkId = networkId;
        this.groupMac = groupMac;
        this.groupAdi = groupAdi;
        this.sourceMac = bridgedSource != 0 ? bridgedSource : memberMac;
        this.etherType = etherType;
        this.createdMs = nowMs;
        this.limit = limit;
        this.logged = 0;
        int n = Math.min(len, FRAME_MAX);
        int header = NetworkId.LENGTH + 1 + 4 + (bridgedSource != 0 ? 6 : 0) + 6 + 4 + 2;
        if (payload.length < header + n) {
            payload = new byte[Math.max(header + n, payload.length * 2)];
        }
        int at = put(payload, 0, networkId, 8);
        payload[at++] = (byte) (MulticastFrame.FLAG_GATHER_LIMIT | (bridgedSource != 0 ? MulticastFrame.FLAG_SOURCE_MAC : 0));
        at = put(payload, at, gatherLimit, 4);
        if (bridgedSource != 0) {
            at = put(payload, at, bridgedSource, 6);
        }
        at = put(payload, at, groupMac, 6);
        at = put(payload, at, groupAdi, 4);
        at = put(payload, at, etherType, 2);
        System.arraycopy(frame, off, payload, at, n);
        frameOffset = at;
        frameLength = n;
        payloadLength = at + n;
        if (log.length < Math.min(limit, 1 << 16)) {
            log = new long[Math.min(limit, 1 << 16)];
        }
    }

    boolean atLimit() {
        return logged >= limit;
    }

    /** Enforced exactly here (1.14.1 waits for its 30 s cleanup; peers cannot tell). */
    boolean expired(long nowMs) {
        return nowMs - createdMs > Timing.MULTICAST_TRANSMIT_TIMEOUT_MS;
    }

    boolean wasSentTo(long address) {
        for (int i = 0; i < logged; i++) {
            if (log[i] == address) {
                return true;
            }
        }
        return false;
    }

    /** Records {@code address} as sent to (it counts toward the limit whether or not rules let it through). */
    void log(long address) {
        if (logged == log.length) {
            long[] bigger = new long[log.length * 2];
            System.arraycopy(log, 0, bigger, 0, logged);
            log = bigger;
        }
        log[logged++] = address;
    }

    int loggedCount() {
        return logged;
    }

    private static int put(byte[] b, int at, long v, int bytes) {
        for (int i = bytes - 1; i >= 0; i--) {
            b[at++] = (byte) (v >>> (8 * i));
        }
        return at;
    }
}
