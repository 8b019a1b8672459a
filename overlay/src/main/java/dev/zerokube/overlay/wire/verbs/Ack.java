package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.Verb;
import java.util.Arrays;

/**
 * ACK (0x12): multipath acknowledgement, documented as {@code [4] bytes received since the last
 * ACK}. 1.14.1 neither sends nor reads it (ZT1-03 §4.19), so the payload is kept as it is: accept
 * and ignore, never send.
 */
public record Ack(byte[] data) implements VerbPayload {
    public Ack {
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public int verbCode() {
        return Verb.ACK.code();
    }

    public static Ack decode(ByteReader r) throws WireFormatException {
        return new Ack(r.readBytes(r.remaining(), "ACK data"));
    }

    @Override
    public void encode(ByteWriter w) {
        w.bytes(data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Ack x && Arrays.equals(x.data, data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Ack[data=" + Bytes.hex(data) + "]";
    }
}
