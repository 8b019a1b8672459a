package dev.zerokube.overlay.node;

import dev.zerokube.overlay.wire.InetEndpoint;

/**
 * A physical path: the pair (local socket, remote endpoint), one canonical object per pair
 * ({@link PathTable}), shared by every peer that uses it (ZT1-07 §2.1). It belongs to no peer;
 * peers hold it in their slot tables.
 *
 * <p>Two clocks matter: {@link #lastInMs} (any datagram addressed to us on this path, before
 * authentication, as in 1.14.1; it drives {@link #alive} and {@link #quality}) and the per-peer
 * slot time of authenticated direct packets, kept by {@link Peer} (it drives expiry).
 */
final class Path {
    final long localSocket;
    final InetEndpoint remote;
    final IpScope scope;
    final boolean ipv6;
    /** The IP as two numbers (IPv4: 0 and the address), to compare IPs without allocating. */
    private final long ipHigh;
    private final long ipLow;

    long lastInMs = Timing.NEVER_MS;
    long lastOutMs = Timing.NEVER_MS;
    /** Last packet proving network membership on this path (relay permission for non-roots). */
    long lastTrustEstablishedMs = Timing.NEVER_MS;
    /** Last OK(ECHO) sent on this path (rate gate). */
    long lastEchoReplyMs = Timing.NEVER_MS;
    /** Last confirming HELLO sent because an unknown path carried a direct packet (rate gate). */
    long lastConfirmHelloMs = Timing.NEVER_MS;
    /** Latency from OK(HELLO) in ms, or {@link Timing#LATENCY_UNKNOWN}. */
    int latencyMs = Timing.LATENCY_UNKNOWN;

    /** Peer slots holding this path; a path nobody holds may be dropped from the table. */
    int slotRefs;
    /** Position in {@link PathTable}'s array, or -1 once dropped. */
    int tableIndex = -1;
    /** The next path with the same remote endpoint on another socket (hash chain of the table). */
    Path sameRemoteNext;

    Path(long localSocket, InetEndpoint remote) {
        this.localSocket = localSocket;
        this.remote = remote;
        this.scope = IpScope.of(remote);
        this.ipv6 = remote.isIpv6();
        if (remote.isIpv4()) {
            ipHigh = 0;
            ipLow = remote.ipv4Value();
        } else {
            byte[] ip = remote.ip();
            long hi = 0;
            long lo = 0;
            for (int i = 0; i < ip.length; i++) {
                if (i < 8) {
                    hi = (hi << 8) | (ip[i] & 0xff);
                } else {
                    lo = (lo << 8) | (ip[i] & 0xff);
                }
            }
            ipHigh = hi;
            ipLow = lo;
        }
    }

    /** Same address family and IP as {@code other}'s remote (the port is ignored). */
    boolean sameIp(Path other) {
        return ipv6 == other.ipv6 && ipHigh == other.ipHigh && ipLow == other.ipLow;
    }

    /** Something arrived on this path within the last 19 s. */
    boolean alive(long nowMs) {
        return nowMs - lastInMs < Timing.PATH_ALIVE_TIMEOUT_MS;
    }

    /** We sent nothing on this path for 14 s. */
    boolean needsHeartbeat(long nowMs) {
        return nowMs - lastOutMs >= Timing.PATH_HEARTBEAT_PERIOD_MS;
    }

    boolean trustEstablished(long nowMs) {
        return nowMs - lastTrustEstablishedMs < Timing.TRUST_EXPIRATION_MS;
    }

    /**
     * 1.14.1's path quality, lower is better (ZT1-07 §2.6): latency, plus a heavy penalty and the
     * capped age when nothing arrived for 19 s, times {@code 8 - scope}.
     */
    long quality(long nowMs) {
        long age = Math.min(nowMs - lastInMs, Timing.PATH_QUALITY_AGE_MAX_MS);
        long base = age < Timing.PATH_ALIVE_TIMEOUT_MS ? latencyMs : latencyMs + Timing.LATENCY_UNKNOWN + age;
        return base * (IpScope.MAX_VALUE - scope.value() + 1);
    }

    /** Folds an OK(HELLO) round trip into the latency: the first sample, then the mean with the old value. */
    void updateLatency(long sampleMs) {
        int sample = (int) Math.max(0, Math.min(sampleMs, Timing.LATENCY_UNKNOWN - 1));
        latencyMs = latencyMs == Timing.LATENCY_UNKNOWN ? sample : (latencyMs + sample) / 2;
    }

    /** The ECHO reply gate: true (and recorded) at most once per 166 ms. */
    boolean rateGateEchoReply(long nowMs) {
        if (nowMs - lastEchoReplyMs < Timing.ECHO_REPLY_INTERVAL_MS) {
            return false;
        }
        lastEchoReplyMs = nowMs;
        return true;
    }

    @Override
    public String toString() {
        return "Path[" + localSocket + " " + remote + "]";
    }
}
