package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.wire.Verb;

/**
 * NOP (0x00): an empty payload, ignored after authentication (ZT1-03 §4.1). Bytes after it are
 * ignored, as 1.14.1 does.
 */
public record Nop() implements VerbPayload {
    public static final Nop INSTANCE = new Nop();

    public static Nop decode(ByteReader r) {
        return INSTANCE;
    }

    @Override
    public int verbCode() {
        return Verb.NOP.code();
    }

    @Override
    public void encode(ByteWriter w) {
        // nothing
    }
}
