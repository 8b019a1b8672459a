package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.Verb;

/**
 * OK (0x03): the positive reply to a request (ZT1-03 §3.1).
 *
 * <pre>
 * P+0  [1]  in-re verb
 * P+1  [8]  in-re packet id: bytes 0..7 of the request as received (for AES-GMAC-SIV, the tag half)
 * P+9  [..] body, by in-re verb: HELLO, WHOIS, EXT_FRAME, ECHO, NETWORK_CONFIG_REQUEST,
 *           NETWORK_CONFIG, MULTICAST_GATHER, MULTICAST_FRAME; any other byte: kept as it is
 * </pre>
 * The in-re verb is the body's ({@link OkBody#inReVerb()}), so the two cannot disagree. 1.14.1
 * acknowledges a NETWORK_CONFIG with in-re verb ECHO: that reply decodes as {@link EchoOk}
 * (see {@link NetworkConfigOk#fromEchoOk}).
 */
public record OkReply(long inRePacketId, OkBody body) implements VerbPayload {
    public OkReply {
        if (body == null) {
            throw new IllegalArgumentException("body is required");
        }
    }

    /** The in-re verb byte. */
    public int inReVerb() {
        return body.inReVerb();
    }

    @Override
    public int verbCode() {
        return Verb.OK.code();
    }

    public static OkReply decode(ByteReader r) throws WireFormatException {
        int inReVerb = r.readU8("in-re verb");
        long inRePacketId = r.readU64("in-re packet id");
        Verb verb = (inReVerb & ~Verb.CODE_MASK) == 0 ? Verb.ofCode(inReVerb) : null;
        OkBody body;
        if (verb == null) {
            body = OtherOk.decode(inReVerb, r);
        } else {
            body = switch (verb) {
                case HELLO -> HelloOk.decode(r);
                case WHOIS -> WhoisOk.decode(r);
                case EXT_FRAME -> ExtFrameOk.decode(r);
                case ECHO -> EchoOk.decode(r);
                case NETWORK_CONFIG_REQUEST -> NetworkConfigRequestOk.decode(r);
                case NETWORK_CONFIG -> NetworkConfigOk.decode(r);
                case MULTICAST_GATHER -> MulticastGatherOk.decode(r);
                case MULTICAST_FRAME -> MulticastFrameOk.decode(r);
                default -> OtherOk.decode(inReVerb, r);
            };
        }
        return new OkReply(inRePacketId, body);
    }

    @Override
    public void encode(ByteWriter w) {
        w.u8(body.inReVerb()).u64(inRePacketId);
        body.encode(w);
    }
}
