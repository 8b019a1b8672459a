package dev.zerokube.overlay.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.wire.TrustedPaths.Network;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Goal: the trusted-path table accepts exactly what ZT1-02 §11.3 accepts for a validated
 * configuration and refuses the configurations §11.6 calls unsafe. Method: the "pair" and
 * "mismatch" runs of §11.5 as tables, prefix boundaries for IPv4 and IPv6, and each invalid
 * configuration.
 */
class TrustedPathsTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] ip(String hex) {
        return HEX.parseHex(hex);
    }

    @Test
    void pairAndMismatchRunsOf11_5() {
        TrustedPaths b = TrustedPaths.of(List.of(new Network(ip("c6120201"), 32, 4660)));
        byte[] fromA = ip("c6120201");
        assertTrue(b.acceptsInbound(0x1234, fromA, 0, 4));
        assertFalse(b.acceptsInbound(4661, fromA, 0, 4));
        assertFalse(b.acceptsInbound(0x1234, ip("c6120203"), 0, 4), "the root's address is not trusted");
        assertEquals(4660, b.outboundId(fromA, 0, 4));
        assertEquals(0, b.outboundId(ip("c6120203"), 0, 4));
        assertFalse(TrustedPaths.NONE.acceptsInbound(0x1234, fromA, 0, 4));
        assertTrue(TrustedPaths.NONE.isEmpty());
    }

    @Test
    void prefixesMatchOnBitBoundaries() {
        TrustedPaths t = TrustedPaths.of(List.of(
                new Network(ip("0a800000"), 9, 7),
                new Network(ip("fd000000000000000000000000000000"), 8, 9)));
        assertTrue(t.acceptsInbound(7, ip("0affffff"), 0, 4));
        assertTrue(t.acceptsInbound(7, ip("0a800000"), 0, 4));
        assertFalse(t.acceptsInbound(7, ip("0a7fffff"), 0, 4));
        assertTrue(t.acceptsInbound(9, ip("fdffffffffffffffffffffffffffffff"), 0, 16));
        assertFalse(t.acceptsInbound(9, ip("fc000000000000000000000000000001"), 0, 16));
        assertFalse(t.acceptsInbound(7, ip("0a80000000000000000000000000000a"), 0, 16), "families differ");
        byte[] padded = ip("000a8000017f");
        assertTrue(t.acceptsInbound(7, padded, 1, 4));
        assertEquals(List.of(4, 16), t.networks().stream().map(n -> n.address().length).toList());
    }

    @Test
    void unsafeConfigurationsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Network(ip("c6120201"), 0, 1), "no prefix");
        assertThrows(IllegalArgumentException.class, () -> new Network(ip("c6120201"), 33, 1));
        assertThrows(IllegalArgumentException.class, () -> new Network(ip("c6120201"), 24, 1), "host bits");
        assertThrows(IllegalArgumentException.class,
                () -> new Network(ip("fd000000000000000000000000000001"), 8, 1), "IPv6 host bits");
        assertThrows(IllegalArgumentException.class, () -> new Network(ip("c61202"), 24, 1));
        assertThrows(IllegalArgumentException.class, () -> new Network(ip("c6120200"), 24, 0), "id 0");
        assertThrows(IllegalArgumentException.class, () -> TrustedPaths.of(List.of(
                new Network(ip("c6120200"), 24, 1), new Network(ip("c6120202"), 32, 2))), "overlap");
        TrustedPaths sameId = TrustedPaths.of(List.of(
                new Network(ip("c6120202"), 32, 1), new Network(ip("c6120200"), 24, 1)));
        assertEquals(24, sameId.networks().get(0).bits(), "table order: shortest prefix first");
        List<Network> many = new ArrayList<>();
        for (int i = 0; i <= TrustedPaths.MAX_ENTRIES; i++) {
            many.add(new Network(new byte[] {10, (byte) i, 0, 0}, 16, 5));
        }
        assertThrows(IllegalArgumentException.class, () -> TrustedPaths.of(many));
    }
}
