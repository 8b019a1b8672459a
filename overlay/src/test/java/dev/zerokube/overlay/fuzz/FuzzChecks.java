package dev.zerokube.overlay.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Assertions shared by the fuzz targets. A target catches the one typed exception its decoder
 * may throw and returns; everything else (another exception, an error, a failed assertion here)
 * propagates and is a finding.
 */
final class FuzzChecks {
    private FuzzChecks() {}

    /** A decoding step that may throw a checked exception. */
    @FunctionalInterface
    interface Step<T> {
        T run() throws Exception;
    }

    /**
     * Runs a step that must succeed because its input is our own encoding of a decoded value; a
     * typed rejection here is a finding too (the encoder wrote something the decoder refuses).
     */
    static <T> T mustDecode(String what, Step<T> step) {
        try {
            return step.run();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError(what + ": our own encoding was refused: " + e.getMessage(), e);
        }
    }

    /** decode(encode(x)) == x, reported with the input that led there. */
    static void assertRoundTrip(Object expected, Object actual, String what) {
        assertEquals(expected, actual, what + ": decode(encode(x)) differs from x");
    }

    static void assertSameBytes(byte[] expected, byte[] actual, String what) {
        assertArrayEquals(expected, actual, what);
    }
}
