package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.Verb;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * REMOTE_TRACE (0x15): diagnostic dictionaries, each terminated by a NUL (ZT1-03 §4.18).
 *
 * <pre>
 * repeat:
 *   [..] a Dictionary as text (ZT1-04 §1), no NUL inside
 *   [1]  0x00
 * </pre>
 * 1.14.1 sends one per packet. A receiver delivers every non-empty one of at most
 * {@value #TRACE_LENGTH_MAX} bytes and discards a last piece without its NUL; both are kept
 * here ({@link #unterminated()}) so that any payload re-encodes to itself.
 *
 * @param traces the NUL-terminated pieces, without their NUL (empty ones included)
 * @param unterminated bytes after the last NUL (normally none)
 */
public record RemoteTrace(List<byte[]> traces, byte[] unterminated) implements VerbPayload {
    /** Longest trace 1.14.1 delivers ({@code ZT_MAX_REMOTE_TRACE_SIZE}). */
    public static final int TRACE_LENGTH_MAX = 10000;

    public RemoteTrace {
        traces = Bytes.copyAll(traces, "traces");
        for (byte[] t : traces) {
            requireNoNul(t, "a trace");
        }
        unterminated = unterminated.clone();
        requireNoNul(unterminated, "the unterminated tail");
    }

    private static void requireNoNul(byte[] b, String what) {
        for (byte x : b) {
            if (x == 0) {
                throw new IllegalArgumentException(what + " cannot contain a NUL byte");
            }
        }
    }

    /** One trace dictionary, as 1.14.1 sends it. */
    public static RemoteTrace of(byte[] dictionary) {
        return new RemoteTrace(List.of(dictionary), new byte[0]);
    }

    @Override
    public List<byte[]> traces() {
        return Bytes.copyAll(traces, "traces");
    }

    @Override
    public byte[] unterminated() {
        return unterminated.clone();
    }

    @Override
    public int verbCode() {
        return Verb.REMOTE_TRACE.code();
    }

    public static RemoteTrace decode(ByteReader r) throws WireFormatException {
        byte[] all = r.readBytes(r.remaining(), "traces");
        List<byte[]> traces = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == 0) {
                traces.add(Arrays.copyOfRange(all, start, i));
                start = i + 1;
            }
        }
        return new RemoteTrace(traces, Arrays.copyOfRange(all, start, all.length));
    }

    @Override
    public void encode(ByteWriter w) {
        for (byte[] t : traces) {
            w.bytes(t).u8(0);
        }
        w.bytes(unterminated);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RemoteTrace x && Bytes.equal(x.traces, traces) && Arrays.equals(x.unterminated, unterminated);
    }

    @Override
    public int hashCode() {
        return Bytes.hash(traces) * 31 + Arrays.hashCode(unterminated);
    }

    @Override
    public String toString() {
        return "RemoteTrace[traces=" + Bytes.hex(traces) + ", unterminated=" + Bytes.hex(unterminated) + "]";
    }
}
