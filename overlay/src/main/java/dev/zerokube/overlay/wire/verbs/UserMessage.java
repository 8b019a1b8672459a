package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.Verb;
import java.util.Arrays;

/**
 * USER_MESSAGE (0x14): an application message (ZT1-03 §4.17).
 *
 * <pre>
 * P+0  [8]  message type id (ids up to 65535 are reserved for ZeroTier)
 * P+8  [..] data
 * </pre>
 * 1.14.1 delivers nothing for a payload shorter than 8 bytes; this decoder rejects it.
 */
public record UserMessage(long typeId, byte[] data) implements VerbPayload {
    public UserMessage {
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public int verbCode() {
        return Verb.USER_MESSAGE.code();
    }

    public static UserMessage decode(ByteReader r) throws WireFormatException {
        long type = r.readU64("message type id");
        return new UserMessage(type, r.readBytes(r.remaining(), "message data"));
    }

    @Override
    public void encode(ByteWriter w) {
        w.u64(typeId).bytes(data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UserMessage x && x.typeId == typeId && Arrays.equals(x.data, data);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(typeId) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "UserMessage[typeId=" + Long.toHexString(typeId) + ", data=" + Bytes.hex(data) + "]";
    }
}
