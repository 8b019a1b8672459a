package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.Verb;

/**
 * PATH_NEGOTIATION_REQUEST (0x16): multipath active-backup link negotiation, sent with cipher 0
 * (ZT1-03 §4.21). {@code P+0 [2]} signed 16-bit utility of the sender's preferred link,
 * big-endian. 1.14.1 acts only on a payload of exactly 2 bytes; longer ones decode here with the
 * rest ignored. Without multipath: accept and ignore.
 */
public record PathNegotiationRequest(short utility) implements VerbPayload {
    @Override
    public int verbCode() {
        return Verb.PATH_NEGOTIATION_REQUEST.code();
    }

    public static PathNegotiationRequest decode(ByteReader r) throws WireFormatException {
        return new PathNegotiationRequest((short) r.readU16("path utility"));
    }

    @Override
    public void encode(ByteWriter w) {
        w.u16(utility & 0xffff);
    }
}
