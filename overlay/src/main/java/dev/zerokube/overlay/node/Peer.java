package dev.zerokube.overlay.node;

import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.Armor;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.PacketHeader;

/**
 * A remote node whose identity we know (ZT1-07 §1.1): its agreed key and {@link Armor}, the
 * versions it announced, its activity times, and its path slots.
 *
 * <p>The slot table is 1.14.1's: up to {@link Timing#PEER_PATHS_MAX} (path, time of the last
 * authenticated direct packet) pairs kept contiguous; a slot expires 243 s after that time;
 * selection is by {@link Path#quality}, ties going to the later slot. 1.14.1 also keeps a
 * priority per slot for legacy cluster redirects; we never install a redirect, so every
 * priority would be 1 and the field is left out.
 *
 * <p>State only: sending is done by the caller ({@link Transmitter}, {@link Switch}).
 */
final class Peer {
    /** What a direct (hops 0) packet on a path means to this peer's slot table (ZT1-07 §2.3). */
    enum DirectPath {
        /** The path is in a slot: its time was refreshed. */
        KNOWN,
        /** Another alive path with the same IP on the same socket exists: do not learn a port change yet. */
        SHADOWED,
        /** A new path: learn it on OK, confirm it with a HELLO otherwise. */
        NEW
    }

    final Identity identity;
    final long address;
    final Armor armor;
    /** The 48-byte agreed key (HELLO's masked tail uses it unmangled). */
    final byte[] key;

    int remoteProtocol;
    int remoteMajor;
    int remoteMinor;
    int remoteRevision;

    long lastReceiveMs = Timing.NEVER_MS;
    long lastNontrivialReceiveMs = Timing.NEVER_MS;
    long lastSentFullHelloMs = Timing.NEVER_MS;
    long lastWhoisAnsweredMs = Timing.NEVER_MS;
    long lastPushReceivedMs = Timing.NEVER_MS;
    int pushesInWindow;
    /** Last packet that proved common network membership (a frame or gather past the gate, accepted credentials). */
    long lastTrustEstablishedMs = Timing.NEVER_MS;
    long lastPushSentMs = Timing.NEVER_MS;
    /** The last path a confirming HELLO went to while the peer had no path slot (see {@code Keepalive}), or null. */
    Path unconfirmed;

    private final Path[] paths;
    private final long[] pathLastReceiveMs;
    private int pathCount;

    /**
     * A peer with a key already agreed (and, for a HELLO, its MAC already checked with it).
     *
     * @param key the 48-byte key {@code self.agree(identity)}
     * @param armor an {@link Armor} made from {@code key}
     */
    Peer(Identity identity, byte[] key, Armor armor, int pathsMax) {
        this.identity = identity.publicOnly();
        this.address = identity.address().value();
        this.key = key.clone();
        this.armor = armor;
        this.paths = new Path[pathsMax];
        this.pathLastReceiveMs = new long[pathsMax];
    }

    /** A peer whose key is agreed here. */
    static Peer of(Identity self, Identity identity, int pathsMax) {
        byte[] key = self.agree(identity);
        return new Peer(identity, key, new Armor(key), pathsMax);
    }

    void setRemoteVersion(int protocol, int major, int minor, int revision) {
        remoteProtocol = protocol;
        remoteMajor = major;
        remoteMinor = minor;
        remoteRevision = revision;
    }

    /** The cipher for encrypted packets to this peer: AES-GMAC-SIV iff it announced protocol 12+ (ZT1-02 §5.1). */
    int encryptedCipher() {
        return remoteProtocol >= 12 ? PacketHeader.CIPHER_AES_GMAC_SIV : PacketHeader.CIPHER_POLY1305_SALSA2012;
    }

    /**
     * Whether a lightweight contact may be an ECHO: protocol 5+ and not exactly 1.1.0; else a full
     * HELLO (ZT1-02 §12.3). A peer known only from WHOIS has protocol 0, so it gets HELLOs.
     */
    boolean acceptsEchoProbe() {
        return remoteProtocol >= 5 && !(remoteMajor == 1 && remoteMinor == 1 && remoteRevision == 0);
    }

    boolean isAlive(long nowMs) {
        return nowMs - lastReceiveMs < Timing.PEER_ACTIVITY_TIMEOUT_MS;
    }

    /** Active: a frame or config exchange within 500 s (ZT1-07 §0); active peers are kept pinged. */
    boolean isActive(long nowMs) {
        return nowMs - lastNontrivialReceiveMs < Timing.PEER_ACTIVITY_TIMEOUT_MS;
    }

    int pathCount() {
        return pathCount;
    }

    Path path(int slot) {
        return paths[slot];
    }

    long pathLastReceiveMs(int slot) {
        return pathLastReceiveMs[slot];
    }

    boolean slotExpired(int slot, long nowMs) {
        return nowMs - pathLastReceiveMs[slot] >= Timing.PEER_PATH_EXPIRATION_MS;
    }

    /**
     * Classifies an authenticated direct packet that arrived on {@code path} and refreshes the
     * slot time if the path is known (ZT1-07 §2.3).
     */
    DirectPath onDirectPacket(Path path, long nowMs) {
        for (int i = 0; i < pathCount; i++) {
            Path p = paths[i];
            if (p == path) {
                pathLastReceiveMs[i] = nowMs;
                return DirectPath.KNOWN;
            }
            if (p.localSocket == path.localSocket && p.sameIp(path) && p.alive(nowMs)) {
                return DirectPath.SHADOWED;
            }
        }
        return DirectPath.NEW;
    }

    /**
     * Learns a path that an OK confirmed: it takes the first slot that is empty or holds a dead
     * path with the same IP on the same socket, else the slot whose path heard nothing for the
     * longest. Returns the path it replaced, or null.
     */
    Path learnPath(Path path, long nowMs) {
        int replace = -1;
        int oldest = -1;
        long oldestAge = -1;
        for (int i = 0; i < paths.length; i++) {
            Path p = paths[i];
            if (p == null) {
                replace = i;
                break;
            }
            long age = nowMs - p.lastInMs;
            if (age > oldestAge) {
                oldestAge = age;
                oldest = i;
            }
            if (p.localSocket == path.localSocket && p.sameIp(path) && !p.alive(nowMs)) {
                replace = i;
                break;
            }
        }
        if (replace < 0) {
            replace = oldest;
        }
        Path old = paths[replace];
        if (old != null) {
            old.slotRefs--;
        } else {
            pathCount++;
        }
        paths[replace] = path;
        pathLastReceiveMs[replace] = nowMs;
        path.slotRefs++;
        return old;
    }

    /**
     * The best path (ZT1-07 §2.6): minimum {@link Path#quality} among non-expired slots (or all
     * with {@code includeExpired}), ties to the later slot; null if none.
     */
    Path bestPath(long nowMs, boolean includeExpired) {
        Path best = null;
        long bestQuality = Long.MAX_VALUE;
        for (int i = 0; i < pathCount; i++) {
            if (includeExpired || !slotExpired(i, nowMs)) {
                long q = paths[i].quality(nowMs);
                if (q <= bestQuality) {
                    bestQuality = q;
                    best = paths[i];
                }
            }
        }
        return best;
    }

    /** Best path per (family, scope), expired slots included, as a relay's introduction looks at it (ZT1-07 §5.3). */
    Path bestPathIn(boolean ipv6, IpScope scope, long nowMs) {
        Path best = null;
        long bestQuality = Long.MAX_VALUE;
        for (int i = 0; i < pathCount; i++) {
            Path p = paths[i];
            if (p.ipv6 == ipv6 && p.scope == scope) {
                long q = p.quality(nowMs);
                if (q <= bestQuality) {
                    bestQuality = q;
                    best = p;
                }
            }
        }
        return best;
    }

    /** Latency of the best non-expired path, or {@link Timing#LATENCY_UNKNOWN}. */
    int latencyMs(long nowMs) {
        Path p = bestPath(nowMs, false);
        return p == null ? Timing.LATENCY_UNKNOWN : p.latencyMs;
    }

    /**
     * How good this peer is as a relay (ZT1-07 §4.4), lower is better: unusable after 500 s of
     * silence, else latency (0xffff if unknown or 0) times a staleness step per 61 s.
     */
    long relayQuality(long nowMs) {
        long since = nowMs - lastReceiveMs;
        if (since >= Timing.PEER_ACTIVITY_TIMEOUT_MS) {
            return 0xFFFF_FFFFL;
        }
        long latency = latencyMs(nowMs);
        if (latency == 0) {
            latency = Timing.LATENCY_UNKNOWN;
        }
        return latency * (since / Timing.RELAY_QUALITY_STALENESS_MS + 1);
    }

    /** Whether a non-expired slot holds exactly this endpoint (IP and port), on any socket. */
    boolean hasActivePathTo(InetEndpoint remote, long nowMs) {
        for (int i = 0; i < pathCount; i++) {
            if (!slotExpired(i, nowMs) && paths[i].remote.equals(remote)) {
                return true;
            }
        }
        return false;
    }

    /** Empties slot {@code slot} and closes the gap; returns the path it held. */
    Path removeSlot(int slot) {
        Path old = paths[slot];
        old.slotRefs--;
        System.arraycopy(paths, slot + 1, paths, slot, pathCount - slot - 1);
        System.arraycopy(pathLastReceiveMs, slot + 1, pathLastReceiveMs, slot, pathCount - slot - 1);
        pathCount--;
        paths[pathCount] = null;
        return old;
    }

    /** Empties every slot, releasing the paths (when the peer is dropped). */
    void releaseAllPaths() {
        while (pathCount > 0) {
            removeSlot(pathCount - 1);
        }
    }

    @Override
    public String toString() {
        return "Peer[" + identity.address() + " v" + remoteProtocol + " paths=" + pathCount + "]";
    }
}
