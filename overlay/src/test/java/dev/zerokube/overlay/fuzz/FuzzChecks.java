package dev.zerokube.overlay.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import java.util.Arrays;

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

    /** A decoder of a binary structure read from a cursor. */
    @FunctionalInterface
    interface BinaryDecoder<T> {
        T decode(ByteReader r) throws WireFormatException;
    }

    /** The matching encoder. */
    @FunctionalInterface
    interface BinaryEncoder<T> {
        void encode(T value, ByteWriter w);
    }

    /**
     * The property of every binary codec: decoding any bytes gives a value or a
     * WireFormatException; a value re-encodes to bytes that decode to an equal value, consuming
     * them all, and whose encoding is the same again. With {@code canonical}, the encoding must also
     * be exactly the bytes the value was read from (formats without skipped or ignored parts).
     *
     * @return the decoded value, or null when the input was refused
     */
    static <T> T binaryRoundTrip(byte[] input, String context, BinaryDecoder<T> decoder, BinaryEncoder<T> encoder,
            boolean canonical) {
        ByteReader r = new ByteReader(input, context);
        T value;
        try {
            value = decoder.decode(r);
        } catch (WireFormatException e) {
            return null;
        }
        ByteWriter w = new ByteWriter();
        encoder.encode(value, w);
        byte[] encoded = w.toByteArray();
        if (canonical) {
            assertArrayEquals(Arrays.copyOf(input, r.position()), encoded, context + ": encode(decode(b)) == b");
        }
        ByteReader again = new ByteReader(encoded, context);
        T decodedAgain = mustDecode(context, () -> decoder.decode(again));
        assertEquals(encoded.length, again.position(), context + ": decoding our encoding left bytes over");
        assertRoundTrip(value, decodedAgain, context);
        ByteWriter w2 = new ByteWriter();
        encoder.encode(decodedAgain, w2);
        assertArrayEquals(encoded, w2.toByteArray(), context + ": encoding is stable");
        return value;
    }
}
