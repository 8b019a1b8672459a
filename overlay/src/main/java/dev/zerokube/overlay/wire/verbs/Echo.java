package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.Verb;
import java.util.Arrays;

/**
 * ECHO (0x08): arbitrary bytes to be echoed in OK(ECHO); 1.14.1's keepalive probe is empty
 * (ZT1-03 §4.9).
 */
public record Echo(byte[] data) implements VerbPayload {
    /** The empty keepalive probe. */
    public static final Echo PROBE = new Echo(new byte[0]);

    public Echo {
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    /** The reply body: the same bytes. */
    public EchoOk reply() {
        return new EchoOk(data);
    }

    @Override
    public int verbCode() {
        return Verb.ECHO.code();
    }

    public static Echo decode(ByteReader r) throws WireFormatException {
        return new Echo(r.readBytes(r.remaining(), "echo data"));
    }

    @Override
    public void encode(ByteWriter w) {
        w.bytes(data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Echo x && Arrays.equals(x.data, data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Echo[data=" + Bytes.hex(data) + "]";
    }
}
