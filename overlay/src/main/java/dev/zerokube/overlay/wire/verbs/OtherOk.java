package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import java.util.Arrays;
import java.util.Set;

/**
 * An OK whose in-re verb has no body format of its own (anything but the verbs with a typed
 * body): 1.14.1 accepts it for liveness and path learning only. The body is kept as it is.
 */
public record OtherOk(int inReVerb, byte[] data) implements OkBody {
    /** In-re verbs that have a typed body, so cannot be an {@code OtherOk}. */
    static final Set<Integer> TYPED = Set.of(0x01, 0x04, 0x07, 0x08, 0x0b, 0x0c, 0x0d, 0x0e);

    public OtherOk {
        Bytes.requireU8(inReVerb, "in-re verb");
        if (TYPED.contains(inReVerb)) {
            throw new IllegalArgumentException("in-re verb 0x" + Integer.toHexString(inReVerb) + " has a typed OK body");
        }
        data = data.clone();
    }

    static OtherOk decode(int inReVerb, ByteReader r) throws WireFormatException {
        return new OtherOk(inReVerb, r.readBytes(r.remaining(), "OK data"));
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
        return o instanceof OtherOk x && x.inReVerb == inReVerb && Arrays.equals(x.data, data);
    }

    @Override
    public int hashCode() {
        return inReVerb * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "OtherOk[inReVerb=" + inReVerb + ", data=" + Bytes.hex(data) + "]";
    }
}
