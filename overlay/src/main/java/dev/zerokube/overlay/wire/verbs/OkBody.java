package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteWriter;

/**
 * The verb-specific part of an OK reply, after the in-re verb and in-re packet id
 * (ZT1-03 §3.1). Each body knows the in-re verb byte it is sent with.
 */
public sealed interface OkBody
        permits HelloOk, WhoisOk, ExtFrameOk, EchoOk, NetworkConfigRequestOk, NetworkConfigOk, MulticastGatherOk,
        MulticastFrameOk, OtherOk {

    /** The in-re verb byte (P+0 of the OK payload). */
    int inReVerb();

    /** Appends the bytes from P+9. */
    void encode(ByteWriter w);
}
