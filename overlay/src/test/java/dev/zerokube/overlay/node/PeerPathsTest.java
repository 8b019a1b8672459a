package dev.zerokube.overlay.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.node.sim.SimIdentities;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.PacketHeader;
import org.junit.jupiter.api.Test;

/*
 * Goal: a peer's path table follows ZT1-07 §2 to the millisecond: quality (latency, the 19 s alive
 * threshold, the capped age penalty, the scope multiplier), selection with ties to the later
 * slot, expiry at 243 s, learning on OK into an empty, dead-same-IP or oldest slot, not learning a
 * port change while the old path is alive, relay quality, and the version thresholds that pick
 * ECHO and AES-GMAC-SIV. Method: hand-set times and latencies on real Peer and Path objects, each
 * expectation computed from the doc's formulas.
 */
class PeerPathsTest {
    private static final long NOW = 10_000_000;

    private static Peer peer() {
        return Peer.of(SimIdentities.get(0), SimIdentities.get(1), Timing.PEER_PATHS_MAX);
    }

    private static Path path(long socket, String endpoint, long lastInMs, int latency) {
        Path p = new Path(socket, InetEndpoint.parse(endpoint));
        p.lastInMs = lastInMs;
        p.latencyMs = latency;
        return p;
    }

    @Test
    void qualityFollowsTheFormula() {
        Path global = path(1, "1.2.3.4/9993", NOW - 1_000, 40);
        assertEquals(40 * 4, global.quality(NOW), "alive: latency x (8 - GLOBAL)");
        Path privateScope = path(1, "10.0.0.1/9993", NOW - 18_999, 40);
        assertEquals(40, privateScope.quality(NOW), "PRIVATE multiplies by 1; 18 999 ms is still alive");
        privateScope.lastInMs = NOW - 19_000;
        assertEquals(40 + 0xffff + 19_000, privateScope.quality(NOW), "19 s without a datagram: penalty plus age");
        privateScope.lastInMs = NOW - 1_000_000;
        assertEquals(40 + 0xffff + 140_000, privateScope.quality(NOW), "age capped at 140 s");
        Path unknown = path(1, "6.1.1.1/9993", NOW, Timing.LATENCY_UNKNOWN);
        assertEquals(0xffffL * 5, unknown.quality(NOW), "PSEUDOPRIVATE x5, latency unknown");
    }

    @Test
    void latencyStartsWithTheFirstSampleThenAverages() {
        Path p = path(1, "10.0.0.1/9993", NOW, Timing.LATENCY_UNKNOWN);
        p.updateLatency(30);
        assertEquals(30, p.latencyMs);
        p.updateLatency(51);
        assertEquals(40, p.latencyMs);
    }

    @Test
    void bestPathPrefersLowerQualityAndTheLaterSlotOnTies() {
        Peer peer = peer();
        Path a = path(1, "10.0.0.1/9993", NOW, 20);
        Path b = path(1, "10.0.0.2/9993", NOW, 20);
        Path c = path(1, "1.2.3.4/9993", NOW, 10);
        peer.learnPath(a, NOW);
        peer.learnPath(b, NOW);
        peer.learnPath(c, NOW);
        assertSame(b, peer.bestPath(NOW, false), "a and b tie at 20; the later slot wins; c is 10 x 4 = 40");
        b.latencyMs = 21;
        assertSame(a, peer.bestPath(NOW, false));
        assertEquals(20, peer.latencyMs(NOW));
    }

    @Test
    void slotsExpireAt243Seconds() {
        Peer peer = peer();
        Path a = path(1, "10.0.0.1/9993", NOW, 20);
        peer.learnPath(a, NOW - 243_000 + 1);
        assertSame(a, peer.bestPath(NOW, false));
        assertTrue(peer.hasActivePathTo(a.remote, NOW));
        assertFalse(peer.slotExpired(0, NOW));
        assertTrue(peer.slotExpired(0, NOW + 1));
        assertNull(peer.bestPath(NOW + 1, false), "expired slots are not used");
        assertSame(a, peer.bestPath(NOW + 1, true), "but are the last resort");
        assertFalse(peer.hasActivePathTo(a.remote, NOW + 1));
    }

    @Test
    void directPacketsRefreshKnownPathsAndShadowPortChangesWhileAlive() {
        Peer peer = peer();
        Path old = path(1, "10.0.0.1/9993", NOW, 20);
        peer.learnPath(old, NOW - 100_000);
        assertEquals(Peer.DirectPath.KNOWN, peer.onDirectPacket(old, NOW));
        assertEquals(NOW, peer.pathLastReceiveMs(0));
        Path newPort = path(1, "10.0.0.1/40000", NOW, Timing.LATENCY_UNKNOWN);
        assertEquals(Peer.DirectPath.SHADOWED, peer.onDirectPacket(newPort, NOW), "old port alive: not learned (quirk 3)");
        Path otherSocket = path(2, "10.0.0.1/40000", NOW, Timing.LATENCY_UNKNOWN);
        assertEquals(Peer.DirectPath.NEW, peer.onDirectPacket(otherSocket, NOW));
        old.lastInMs = NOW - 19_000;
        assertEquals(Peer.DirectPath.NEW, peer.onDirectPacket(newPort, NOW), "old port quiet for 19 s: learnable");
        assertSame(old, peer.learnPath(newPort, NOW), "replaces the dead path with the same IP and socket");
        assertEquals(1, peer.pathCount());
        assertEquals(0, old.slotRefs);
        assertEquals(1, newPort.slotRefs);
    }

    @Test
    void aFullTableReplacesThePathQuietForLongest() {
        Peer peer = Peer.of(SimIdentities.get(0), SimIdentities.get(1), 3);
        Path a = path(1, "10.0.0.1/1", NOW - 5, 1);
        Path b = path(1, "10.0.0.2/1", NOW - 50, 1);
        Path c = path(1, "10.0.0.3/1", NOW - 7, 1);
        peer.learnPath(a, NOW);
        peer.learnPath(b, NOW);
        peer.learnPath(c, NOW);
        Path d = path(1, "10.0.0.4/1", NOW, 1);
        assertSame(b, peer.learnPath(d, NOW));
        assertSame(d, peer.path(1), "b's slot");
        assertEquals(0, b.slotRefs);
        assertEquals(3, peer.pathCount());
        Path removed = peer.removeSlot(0);
        assertSame(a, removed);
        assertSame(d, peer.path(0), "slots stay contiguous");
        assertEquals(2, peer.pathCount());
    }

    @Test
    void relayQuality() {
        Peer root = peer();
        root.lastReceiveMs = NOW - 500_000;
        assertEquals(0xFFFF_FFFFL, root.relayQuality(NOW), "silent for 500 s: unusable");
        root.lastReceiveMs = NOW - 130_000;
        assertEquals(0xffffL * 3, root.relayQuality(NOW), "no path: latency 0xffff, staleness 130 000 / 61 000 + 1 = 3");
        root.learnPath(path(1, "10.0.0.1/9993", NOW, 0), NOW);
        assertEquals(0xffffL * 3, root.relayQuality(NOW), "latency 0 counts as unknown");
        root.path(0).latencyMs = 12;
        assertEquals(36, root.relayQuality(NOW));
    }

    @Test
    void versionThresholds() {
        Peer p = peer();
        assertFalse(p.acceptsEchoProbe(), "version unknown: HELLO");
        assertEquals(PacketHeader.CIPHER_POLY1305_SALSA2012, p.encryptedCipher());
        p.setRemoteVersion(4, 1, 0, 6);
        assertFalse(p.acceptsEchoProbe());
        p.setRemoteVersion(5, 1, 1, 0);
        assertFalse(p.acceptsEchoProbe(), "exactly 1.1.0 gets HELLO");
        p.setRemoteVersion(5, 1, 1, 1);
        assertTrue(p.acceptsEchoProbe());
        assertEquals(PacketHeader.CIPHER_POLY1305_SALSA2012, p.encryptedCipher());
        p.setRemoteVersion(11, 1, 4, 7);
        assertEquals(PacketHeader.CIPHER_POLY1305_SALSA2012, p.encryptedCipher());
        p.setRemoteVersion(12, 1, 14, 1);
        assertEquals(PacketHeader.CIPHER_AES_GMAC_SIV, p.encryptedCipher());
        p.setRemoteVersion(200, 9, 0, 0);
        assertEquals(PacketHeader.CIPHER_AES_GMAC_SIV, p.encryptedCipher(), "no upper bound");
    }
}
