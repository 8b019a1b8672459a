package dev.zerokube.overlay.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.crypto.C25519;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Goal: World is total, round-trips, enforces ZT1-07 §3.1's limits and applies the update rule of
 * §3.5 beyond the vectors. Method: seeded random worlds (encode, decode, re-encode, every strict
 * prefix rejected), hand-made malformed encodings, and a locally generated chain of revisions
 * with a key rotation.
 */
class WorldTest {
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void randomWorldsRoundTripAndEveryPrefixIsRejected(long seed) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < 20; i++) {
            World w = randomWorld(rnd);
            byte[] bytes = w.toBytes();
            ByteReader r = new ByteReader(bytes, "world");
            World back = World.decode(r);
            assertFalse(r.hasRemaining());
            assertEquals(w, back);
            assertEquals(w.hashCode(), back.hashCode());
            assertArrayEquals(bytes, back.toBytes());
            for (int cut = 0; cut < bytes.length; cut++) {
                ByteReader prefix = new ByteReader(bytes, 0, cut, "world");
                assertThrows(WireFormatException.class, () -> World.decode(prefix));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12})
    void garbageNeverEscapesAsAnUncheckedException(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] valid = randomWorld(rnd).toBytes();
        for (int i = 0; i < 3000; i++) {
            byte[] b = valid.clone();
            for (int k = 0; k < 2; k++) {
                b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
            }
            try {
                World.decode(new ByteReader(b, "world"));
            } catch (WireFormatException expected) {
                // reported as bad input
            }
        }
    }

    @Test
    void limitsAndTypesAreEnforced() throws Exception {
        C25519.KeyPair key = C25519.generate(new SplittableRandom(7));
        Identity root = new Identity(new Address(0x1122334455L), key.publicKey(), null);
        World planet = World.make(World.Type.PLANET, 99, 1000, key.publicKey(),
                List.of(new World.Root(root, List.of(InetEndpoint.parse("198.18.0.1/9993")))), key);
        byte[] b = planet.toBytes();
        byte[] bad = b.clone();
        bad[0] = 2;
        assertTrue(whatIsWrong(bad).contains("world type 2"));
        bad = b.clone();
        bad[177] = 5;
        assertTrue(whatIsWrong(bad).contains("root count 5"));
        bad = b.clone();
        bad[178 + 71] = 33;
        assertTrue(whatIsWrong(bad).contains("endpoint count 33"));
        bad = b.clone();
        bad[178 + 72] = 0x05; // an InetAddress type that does not exist
        assertTrue(whatIsWrong(bad).contains("unknown address type"));

        World moon = World.make(World.Type.MOON, 99, 1000, key.publicKey(), List.of(), key);
        byte[] m = moon.toBytes();
        assertEquals(178 + 2, m.length, "a moon ends with an empty dictionary length");
        ByteWriter w = new ByteWriter();
        w.bytes(m, 0, m.length - 2).u16(3).bytes(new byte[] {1, 2, 3});
        World withDictionary = World.decode(new ByteReader(w.toByteArray(), "moon"));
        assertEquals(moon, withDictionary);
        assertTrue(withDictionary.signatureVerifiesWith(key.publicKey()), "the dictionary is signed as empty");
        w = new ByteWriter();
        w.bytes(m, 0, m.length - 2).u16(4).bytes(new byte[] {1, 2, 3});
        assertTrue(whatIsWrong(w.toByteArray()).contains("moon dictionary"));

        List<World.Root> five = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            five.add(new World.Root(root, List.of()));
        }
        assertThrows(IllegalArgumentException.class, () -> World.make(World.Type.PLANET, 1, 1, key.publicKey(), five, key));
        assertThrows(IllegalArgumentException.class, () -> new World.Root(root,
                java.util.Collections.nCopies(33, InetEndpoint.parse("10.0.0.1/1"))));
    }

    @Test
    void updateRuleWithKeyRotation() {
        SplittableRandom rnd = new SplittableRandom(3);
        C25519.KeyPair k1 = C25519.generate(rnd);
        C25519.KeyPair k2 = C25519.generate(rnd);
        List<World.Root> roots = List.of();
        World v1 = World.make(World.Type.MOON, 0xabcdL, 1000, k1.publicKey(), roots, k1);
        World v2 = World.make(World.Type.MOON, 0xabcdL, 2000, k2.publicKey(), roots, k1); // rotate: signed by k1
        World v3 = World.make(World.Type.MOON, 0xabcdL, 3000, k2.publicKey(), roots, k2);
        World v3old = World.make(World.Type.MOON, 0xabcdL, 3000, k2.publicKey(), roots, k1);
        assertTrue(v1.shouldBeReplacedBy(v2));
        assertTrue(v2.shouldBeReplacedBy(v3));
        assertFalse(v2.shouldBeReplacedBy(v3old), "after rotation the old key no longer signs");
        assertFalse(v1.shouldBeReplacedBy(v3), "v3 is signed by k2, v1 wants k1");
        assertFalse(v2.shouldBeReplacedBy(v2), "same timestamp");
        assertFalse(v2.shouldBeReplacedBy(v1), "older");
        assertFalse(v1.shouldBeReplacedBy(World.make(World.Type.PLANET, 0xabcdL, 2000, k1.publicKey(), roots, k1)));
        assertFalse(v1.shouldBeReplacedBy(World.make(World.Type.MOON, 0xabceL, 2000, k1.publicKey(), roots, k1)));
        // Timestamps are unsigned: 2^63 is newer than 1000.
        assertTrue(v1.shouldBeReplacedBy(World.make(World.Type.MOON, 0xabcdL, Long.MIN_VALUE, k1.publicKey(), roots, k1)));

        World nothing = new World(World.Type.NULL, 0, 0, new byte[64], new byte[96], List.of());
        assertTrue(nothing.isNull());
        assertTrue(nothing.shouldBeReplacedBy(v3old), "a null world is replaced by anything");
    }

    private static String whatIsWrong(byte[] bytes) {
        return assertThrows(WireFormatException.class, () -> World.decode(new ByteReader(bytes, "world"))).what();
    }

    private static World randomWorld(SplittableRandom rnd) {
        World.Type type = rnd.nextBoolean() ? World.Type.PLANET : rnd.nextInt(10) == 0 ? World.Type.NULL : World.Type.MOON;
        List<World.Root> roots = new ArrayList<>();
        int n = rnd.nextInt(0, World.ROOTS_MAX + 1);
        for (int i = 0; i < n; i++) {
            byte[] pub = new byte[64];
            rnd.nextBytes(pub);
            Identity id = new Identity(new Address(rnd.nextLong(1, 0xff00000000L)), pub, null);
            List<InetEndpoint> eps = new ArrayList<>();
            int e = rnd.nextInt(0, 6) == 0 ? World.STABLE_ENDPOINTS_MAX : rnd.nextInt(0, 4);
            for (int k = 0; k < e; k++) {
                byte[] ip = new byte[rnd.nextBoolean() ? 4 : 16];
                rnd.nextBytes(ip);
                eps.add(rnd.nextInt(8) == 0 ? InetEndpoint.NIL : InetEndpoint.of(ip, rnd.nextInt(65536)));
            }
            roots.add(new World.Root(id, eps));
        }
        byte[] key = new byte[64];
        byte[] sig = new byte[96];
        rnd.nextBytes(key);
        rnd.nextBytes(sig);
        return new World(type, rnd.nextLong(), rnd.nextLong(), key, sig, roots);
    }
}
