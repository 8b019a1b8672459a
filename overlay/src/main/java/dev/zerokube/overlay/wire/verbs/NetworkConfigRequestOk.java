package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.Verb;

/**
 * OK(NETWORK_CONFIG_REQUEST) body: one config chunk from the controller, from P+9
 * ({@link ConfigChunk}, ZT1-03 §4.12.1).
 */
public record NetworkConfigRequestOk(ConfigChunk chunk) implements OkBody {
    public NetworkConfigRequestOk {
        if (chunk == null) {
            throw new IllegalArgumentException("chunk is required");
        }
    }

    @Override
    public int inReVerb() {
        return Verb.NETWORK_CONFIG_REQUEST.code();
    }

    static NetworkConfigRequestOk decode(ByteReader r) throws WireFormatException {
        return new NetworkConfigRequestOk(ConfigChunk.decode(r));
    }

    @Override
    public void encode(ByteWriter w) {
        chunk.encode(w);
    }
}
