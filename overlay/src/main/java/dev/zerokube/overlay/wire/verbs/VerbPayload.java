package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.Verb;

/**
 * The payload of one packet: the bytes after the verb byte, dearmored and decompressed
 * (ZT1-03 §4). One record per verb; {@link UnassignedVerb} keeps packets whose verb number
 * 1.14.1 does not assign (they are accepted and ignored, never answered).
 */
public sealed interface VerbPayload
        permits Nop, Hello, ErrorReply, OkReply, Whois, Rendezvous, Frame, ExtFrame, Echo, MulticastLike,
        NetworkCredentials, NetworkConfigRequest, NetworkConfig, MulticastGather, MulticastFrame,
        PushDirectPaths, Ack, QosMeasurement, UserMessage, RemoteTrace, PathNegotiationRequest,
        UnassignedVerb {

    /** The 5-bit verb number this payload is sent with. */
    int verbCode();

    /** The verb, or {@code null} for an {@link UnassignedVerb}. */
    default Verb verb() {
        return Verb.ofCode(verbCode());
    }

    /** Appends the payload bytes. */
    void encode(ByteWriter w);

    /** The payload bytes as a new array. */
    default byte[] toBytes() {
        ByteWriter w = new ByteWriter();
        encode(w);
        return w.toByteArray();
    }

    /**
     * Decodes the payload {@code bytes[off, off+len)} of a packet with verb number
     * {@code verbCode & 0x1f}. A HELLO must have its masked tail unmasked first
     * ({@link Hello#cryptTail}).
     */
    static VerbPayload decode(int verbCode, byte[] bytes, int off, int len) throws WireFormatException {
        Verb verb = Verb.ofCode(verbCode);
        String context = verb == null ? "verb 0x" + Integer.toHexString(verbCode & Verb.CODE_MASK) : verb.name();
        return decode(verbCode, new ByteReader(bytes, off, len, context));
    }

    /** Decodes everything {@code r} holds as the payload of verb {@code verbCode & 0x1f}. */
    static VerbPayload decode(int verbCode, ByteReader r) throws WireFormatException {
        Verb verb = Verb.ofCode(verbCode);
        if (verb == null) {
            return UnassignedVerb.decode(verbCode & Verb.CODE_MASK, r);
        }
        return switch (verb) {
            case NOP -> Nop.decode(r);
            case HELLO -> Hello.decode(r);
            case ERROR -> ErrorReply.decode(r);
            case OK -> OkReply.decode(r);
            case WHOIS -> Whois.decode(r);
            case RENDEZVOUS -> Rendezvous.decode(r);
            case FRAME -> Frame.decode(r);
            case EXT_FRAME -> ExtFrame.decode(r);
            case ECHO -> Echo.decode(r);
            case MULTICAST_LIKE -> MulticastLike.decode(r);
            case NETWORK_CREDENTIALS -> NetworkCredentials.decode(r);
            case NETWORK_CONFIG_REQUEST -> NetworkConfigRequest.decode(r);
            case NETWORK_CONFIG -> NetworkConfig.decode(r);
            case MULTICAST_GATHER -> MulticastGather.decode(r);
            case MULTICAST_FRAME -> MulticastFrame.decode(r);
            case PUSH_DIRECT_PATHS -> PushDirectPaths.decode(r);
            case ACK -> Ack.decode(r);
            case QOS_MEASUREMENT -> QosMeasurement.decode(r);
            case USER_MESSAGE -> UserMessage.decode(r);
            case REMOTE_TRACE -> RemoteTrace.decode(r);
            case PATH_NEGOTIATION_REQUEST -> PathNegotiationRequest.decode(r);
        };
    }
}
