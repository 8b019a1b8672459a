package dev.zerokube.overlay.node;

import dev.zerokube.overlay.wire.Fragmentation;
import dev.zerokube.overlay.wire.PacketHeader;
import dev.zerokube.overlay.wire.TrustedPaths;
import dev.zerokube.overlay.wire.World;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link Node} is set up: its worlds, the software version it announces, and the local
 * caps on every table and queue (ours, not ZeroTier's; ZeroTier's timers are in {@link Timing}).
 *
 * @param planet the planet whose roots are our upstreams (ZT1-07 §3.4), or null for none
 * @param moons moons we orbit, accepted as given (as from {@code moons.d}, ZT1-07 §3.6)
 * @param softwareMajor announced in HELLO and OK(HELLO); never 1.1.0, which peers treat specially
 * @param physicalMtu largest datagram {@link Switch} sends before fragmenting (1432 by default)
 * @param peersMax peers held in memory; roots are never evicted
 * @param pathsMax canonical paths held (see {@link PathTable})
 * @param pathsPerPeerMax path slots per peer (1.14.1: 64)
 * @param whoisQueueMax received packets waiting for their sender's identity (1.14.1: 32)
 * @param txQueueMax packets to send waiting for an identity or a path (1.14.1: 32)
 * @param rateTableSize entries of each bounded rate-gate table (WHOIS, unite, identity checks)
 * @param protocolVersion the protocol version announced in HELLO and OK(HELLO):
 *     {@link PacketHeader#PROTOCOL_VERSION} except in the interop lab (ZT1-11 §5 item 1: announcing
 *     11 makes 1.14.1 peers encrypt to us with cipher 1)
 * @param cipher1Only encrypt everything with cipher 1 (Poly1305/Salsa20/12) whatever the peer
 *     announced: the interop lab's "force cipher 1" switch (ZT1-11 IOP-08), never in production
 * @param trustedPaths physical networks on which packets go unencrypted and unauthenticated, as
 *     cipher 2 with a shared ID (ZT1-02 §11; {@code local.conf}'s {@code physical} block); none
 *     by default
 */
public record NodeConfig(World planet, List<World> moons, int softwareMajor, int softwareMinor, int softwareRevision,
        int physicalMtu, int peersMax, int pathsMax, int pathsPerPeerMax, int whoisQueueMax, int txQueueMax,
        int rateTableSize, int protocolVersion, boolean cipher1Only, TrustedPaths trustedPaths) {

    /** 1.14.1's software version: what operators recognise and what controllers store (ZT1-02 §12.7). */
    public static final int DEFAULT_MAJOR = 1;
    public static final int DEFAULT_MINOR = 14;
    public static final int DEFAULT_REVISION = 1;

    public NodeConfig {
        moons = List.copyOf(moons);
        Objects.requireNonNull(trustedPaths, "trustedPaths");
        if (planet != null && planet.type() != World.Type.PLANET) {
            throw new IllegalArgumentException("planet has type " + planet.type());
        }
        for (World m : moons) {
            if (m.type() != World.Type.MOON) {
                throw new IllegalArgumentException("moon " + Long.toHexString(m.id()) + " has type " + m.type());
            }
        }
        if (softwareMajor == 1 && softwareMinor == 1 && softwareRevision == 0) {
            throw new IllegalArgumentException("version 1.1.0 makes peers send HELLO instead of ECHO keepalives");
        }
        if (softwareMajor < 0 || softwareMajor > 255 || softwareMinor < 0 || softwareMinor > 255
                || softwareRevision < 0 || softwareRevision > 0xffff) {
            throw new IllegalArgumentException("version " + softwareMajor + "." + softwareMinor + "." + softwareRevision);
        }
        if (protocolVersion < PacketHeader.PROTOCOL_VERSION_MIN || protocolVersion > 255) {
            throw new IllegalArgumentException("protocol version " + protocolVersion + " (peers drop HELLOs below "
                    + PacketHeader.PROTOCOL_VERSION_MIN + ")");
        }
        if (physicalMtu < Fragmentation.MIN_CONFIGURED_MTU || physicalMtu > Fragmentation.MAX_CONFIGURED_MTU) {
            throw new IllegalArgumentException("physical MTU " + physicalMtu);
        }
        if (peersMax < World.ROOTS_MAX * 8 || pathsMax < 1 || pathsPerPeerMax < 1 || pathsPerPeerMax > 1024
                || whoisQueueMax < 1 || txQueueMax < 1 || rateTableSize < 16) {
            throw new IllegalArgumentException("limits out of range: peersMax " + peersMax + ", pathsMax " + pathsMax
                    + ", pathsPerPeerMax " + pathsPerPeerMax + ", whoisQueueMax " + whoisQueueMax + ", txQueueMax "
                    + txQueueMax + ", rateTableSize " + rateTableSize);
        }
    }

    /** Defaults for a node using {@code planet} (null: no roots), no moons. */
    public static NodeConfig of(World planet) {
        return new NodeConfig(planet, List.of(), DEFAULT_MAJOR, DEFAULT_MINOR, DEFAULT_REVISION,
                Fragmentation.DEFAULT_MTU, 4096, 16384, Timing.PEER_PATHS_MAX, 32, 32, 1024, PacketHeader.PROTOCOL_VERSION,
                false, TrustedPaths.NONE);
    }

    public NodeConfig withMoons(List<World> moons) {
        return new NodeConfig(planet, moons, softwareMajor, softwareMinor, softwareRevision, physicalMtu, peersMax,
                pathsMax, pathsPerPeerMax, whoisQueueMax, txQueueMax, rateTableSize, protocolVersion, cipher1Only,
                trustedPaths);
    }

    public NodeConfig withLimits(int peersMax, int pathsMax, int whoisQueueMax, int txQueueMax) {
        return new NodeConfig(planet, moons, softwareMajor, softwareMinor, softwareRevision, physicalMtu, peersMax,
                pathsMax, pathsPerPeerMax, whoisQueueMax, txQueueMax, rateTableSize, protocolVersion, cipher1Only,
                trustedPaths);
    }

    /** The interop lab's switches (ZT1-11 §5 item 1): another announced protocol version, cipher 1 for everything. */
    public NodeConfig withLabSwitches(int protocolVersion, boolean cipher1Only) {
        return new NodeConfig(planet, moons, softwareMajor, softwareMinor, softwareRevision, physicalMtu, peersMax,
                pathsMax, pathsPerPeerMax, whoisQueueMax, txQueueMax, rateTableSize, protocolVersion, cipher1Only,
                trustedPaths);
    }

    /** With these trusted physical networks (ZT1-02 §11). */
    public NodeConfig withTrustedPaths(TrustedPaths trustedPaths) {
        return new NodeConfig(planet, moons, softwareMajor, softwareMinor, softwareRevision, physicalMtu, peersMax,
                pathsMax, pathsPerPeerMax, whoisQueueMax, txQueueMax, rateTableSize, protocolVersion, cipher1Only,
                trustedPaths);
    }
}
