package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.MulticastGroup;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.Verb;

/**
 * OK(MULTICAST_GATHER) body (ZT1-03 §4.14).
 *
 * <pre>
 * P+9   [8]  network id
 * P+17  [6]  group MAC
 * P+23  [4]  group ADI
 * P+27  [..] gather results ({@link GatherResults})
 * </pre>
 */
public record MulticastGatherOk(NetworkId networkId, MulticastGroup group, GatherResults results) implements OkBody {
    public MulticastGatherOk {
        if (networkId == null || group == null || results == null) {
            throw new IllegalArgumentException("network id, group and results are required");
        }
    }

    @Override
    public int inReVerb() {
        return Verb.MULTICAST_GATHER.code();
    }

    static MulticastGatherOk decode(ByteReader r) throws WireFormatException {
        NetworkId networkId = NetworkId.decode(r);
        MulticastGroup group = MulticastGroup.decode(r, "group");
        return new MulticastGatherOk(networkId, group, GatherResults.decode(r));
    }

    @Override
    public void encode(ByteWriter w) {
        networkId.encode(w);
        group.encode(w);
        results.encode(w);
    }
}
