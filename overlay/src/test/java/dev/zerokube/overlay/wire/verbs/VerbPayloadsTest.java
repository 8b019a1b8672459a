package dev.zerokube.overlay.wire.verbs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.Verb;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Goal: every verb payload codec round-trips and its decoder is total. Method: seeded random
 * values of every payload and OK body type ({@link RandomPayloads}) must satisfy
 * decode(encode(x)) == x and encode(decode(b)) == b; every prefix of every encoding, and random
 * corruptions and random bytes under every verb number, must decode or fail with a
 * WireFormatException, never an unchecked exception.
 */
class VerbPayloadsTest {
    private static final HexFormat HEX = HexFormat.of();

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void roundTrip(long seed) throws WireFormatException {
        RandomPayloads gen = new RandomPayloads(seed);
        for (int t = 0; t < 1500; t++) {
            VerbPayload p = gen.any();
            byte[] bytes = p.toBytes();
            VerbPayload back = VerbPayload.decode(p.verbCode(), bytes, 0, bytes.length);
            assertEquals(p, back, () -> HEX.formatHex(bytes));
            assertEquals(p.hashCode(), back.hashCode());
            assertEquals(p.toString(), back.toString());
            assertArrayEquals(bytes, back.toBytes());
            assertEquals(p.verbCode(), back.verbCode());
            if (!(p instanceof UnassignedVerb)) {
                assertEquals(p.verbCode(), p.verb().code());
            }
        }
    }

    @Test
    void everyPayloadAndOkBodyTypeIsGenerated() {
        Set<Class<?>> seen = new HashSet<>();
        RandomPayloads gen = new RandomPayloads(42);
        for (int t = 0; t < 3000; t++) {
            VerbPayload p = gen.any();
            seen.add(p.getClass());
            if (p instanceof OkReply ok) {
                seen.add(ok.body().getClass());
            }
        }
        for (Class<?> c : VerbPayload.class.getPermittedSubclasses()) {
            assertTrue(seen.contains(c), c.getSimpleName() + " never generated");
        }
        for (Class<?> c : OkBody.class.getPermittedSubclasses()) {
            assertTrue(seen.contains(c), c.getSimpleName() + " never generated");
        }
        // One payload type per assigned verb, plus one for unassigned numbers.
        assertEquals(Verb.values().length + 1, VerbPayload.class.getPermittedSubclasses().length);
    }

    @Test
    void everyAssignedVerbDecodesToItsOwnType() {
        RandomPayloads gen = new RandomPayloads(9);
        Set<Integer> codes = new HashSet<>();
        for (Supplier<VerbPayload> maker : gen.makers()) {
            VerbPayload p = maker.get();
            codes.add(p.verbCode());
        }
        for (Verb v : Verb.values()) {
            assertTrue(codes.contains(v.code()), v + " has no payload maker");
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13})
    void everyPrefixDecodesOrFailsCleanly(long seed) {
        RandomPayloads gen = new RandomPayloads(seed);
        for (int t = 0; t < 300; t++) {
            VerbPayload p = gen.any();
            byte[] bytes = p.toBytes();
            for (int n = 0; n < bytes.length; n++) {
                decodeTotal(p.verbCode(), bytes, n);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {21, 22, 23})
    void corruptionsAndNoiseDecodeOrFailCleanly(long seed) {
        RandomPayloads gen = new RandomPayloads(seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int t = 0; t < 500; t++) {
            VerbPayload p = gen.any();
            byte[] bytes = p.toBytes();
            for (int k = 0; k < 20 && bytes.length > 0; k++) {
                byte[] bad = bytes.clone();
                for (int flips = 1 + rnd.nextInt(3); flips > 0; flips--) {
                    bad[rnd.nextInt(bad.length)] = (byte) rnd.nextInt(256);
                }
                decodeTotal(p.verbCode(), bad, bad.length);
            }
        }
        for (int t = 0; t < 20000; t++) {
            byte[] noise = new byte[rnd.nextInt(120)];
            rnd.nextBytes(noise);
            decodeTotal(rnd.nextInt(32), noise, noise.length);
        }
    }

    /** Decodes {@code bytes[0, n)}: a value that re-encodes stably, or a WireFormatException. */
    private static void decodeTotal(int verbCode, byte[] bytes, int n) {
        VerbPayload decoded;
        try {
            decoded = VerbPayload.decode(verbCode, bytes, 0, n);
        } catch (WireFormatException e) {
            assertNotNull(e.what());
            return;
        } catch (RuntimeException e) {
            fail("verb " + verbCode + ": unchecked " + e + " on " + HEX.formatHex(bytes, 0, n), e);
            return;
        }
        // What decoded must be a legal value: its canonical form decodes back to it.
        byte[] canonical = decoded.toBytes();
        try {
            assertEquals(decoded, VerbPayload.decode(verbCode, canonical, 0, canonical.length));
        } catch (WireFormatException e) {
            fail("canonical form of a decoded payload does not decode: " + e.what());
        }
    }
}
