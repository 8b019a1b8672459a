package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.Verb;
import java.util.Arrays;

/**
 * OK(ECHO) body: the ECHO request's payload copied verbatim (ZT1-03 §4.9). 1.14.1 also uses
 * in-re ECHO to acknowledge a completed network config ({@link NetworkConfigOk#fromEchoOk}).
 */
public record EchoOk(byte[] data) implements OkBody {
    public EchoOk {
        data = data.clone();
    }

    @Override
    public int inReVerb() {
        return Verb.ECHO.code();
    }

    static EchoOk decode(ByteReader r) throws WireFormatException {
        return new EchoOk(r.readBytes(r.remaining(), "echoed data"));
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public void encode(ByteWriter w) {
        w.bytes(data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EchoOk x && Arrays.equals(x.data, data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "EchoOk[data=" + Bytes.hex(data) + "]";
    }
}
