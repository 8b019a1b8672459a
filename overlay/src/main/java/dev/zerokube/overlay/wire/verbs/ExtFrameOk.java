package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.Verb;

/**
 * OK(EXT_FRAME) body: the acknowledgement an EXT_FRAME with flag 0x10 asks for (ZT1-03 §4.8).
 * {@code P+9 [8] network id}; bytes after it are ignored.
 */
public record ExtFrameOk(NetworkId networkId) implements OkBody {
    public ExtFrameOk {
        if (networkId == null) {
            throw new IllegalArgumentException("network id is required");
        }
    }

    @Override
    public int inReVerb() {
        return Verb.EXT_FRAME.code();
    }

    static ExtFrameOk decode(ByteReader r) throws WireFormatException {
        return new ExtFrameOk(NetworkId.decode(r));
    }

    @Override
    public void encode(ByteWriter w) {
        networkId.encode(w);
    }
}
