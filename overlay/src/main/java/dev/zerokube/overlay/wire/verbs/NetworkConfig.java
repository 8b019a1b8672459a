package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.Verb;

/**
 * NETWORK_CONFIG (0x0c): a config chunk pushed by the controller or fast-propagated by a member;
 * the payload is one {@link ConfigChunk} from P+0 (ZT1-03 §4.13). Answered, when it completes a
 * config, by {@link NetworkConfigOk}.
 */
public record NetworkConfig(ConfigChunk chunk) implements VerbPayload {
    public NetworkConfig {
        if (chunk == null) {
            throw new IllegalArgumentException("chunk is required");
        }
    }

    @Override
    public int verbCode() {
        return Verb.NETWORK_CONFIG.code();
    }

    public static NetworkConfig decode(ByteReader r) throws WireFormatException {
        return new NetworkConfig(ConfigChunk.decode(r));
    }

    @Override
    public void encode(ByteWriter w) {
        chunk.encode(w);
    }
}
