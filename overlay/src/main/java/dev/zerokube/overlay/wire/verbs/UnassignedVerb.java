package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.Verb;
import java.util.Arrays;

/**
 * A packet whose verb number 1.14.1 does not assign (0x0f, 0x11, 0x17..0x1f): accepted and
 * ignored, never answered with an ERROR (ZT1-03 §1). The payload is kept as it is.
 */
public record UnassignedVerb(int verbCode, byte[] payload) implements VerbPayload {
    public UnassignedVerb {
        if (verbCode < 0 || verbCode > Verb.CODE_MASK || Verb.ofCode(verbCode) != null) {
            throw new IllegalArgumentException("verb 0x" + Integer.toHexString(verbCode) + " is not an unassigned verb number");
        }
        payload = payload.clone();
    }

    public static UnassignedVerb decode(int verbCode, ByteReader r) throws WireFormatException {
        return new UnassignedVerb(verbCode, r.readBytes(r.remaining(), "payload"));
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    @Override
    public void encode(ByteWriter w) {
        w.bytes(payload);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UnassignedVerb u && u.verbCode == verbCode && Arrays.equals(u.payload, payload);
    }

    @Override
    public int hashCode() {
        return verbCode * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "UnassignedVerb[verbCode=" + verbCode + ", payload=" + Bytes.hex(payload) + "]";
    }
}
