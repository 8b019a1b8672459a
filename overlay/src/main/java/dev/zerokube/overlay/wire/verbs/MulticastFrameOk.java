package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.MulticastGroup;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.Verb;
import dev.zerokube.overlay.wire.credentials.CertificateOfMembership;

/**
 * OK(MULTICAST_FRAME) body: gather results for a multicast frame that asked for them
 * (ZT1-03 §4.15).
 *
 * <pre>
 * P+9   [8]  network id
 * P+17  [6]  group MAC
 * P+23  [4]  group ADI
 * P+27  [1]  flags: 0x01 COM follows (deprecated), 0x02 gather results follow (1.14.1 sends 0x02)
 * [[    [..] CertificateOfMembership             -- flags &amp; 0x01 ]]
 * [[    [..] gather results ({@link GatherResults}) -- flags &amp; 0x02 ]]
 * </pre>
 *
 * @param com the attached COM, present iff flag 0x01
 * @param results present iff flag 0x02
 */
public record MulticastFrameOk(NetworkId networkId, MulticastGroup group, int flags, CertificateOfMembership com,
        GatherResults results) implements OkBody {
    public static final int FLAG_COM = 0x01;
    public static final int FLAG_GATHER_RESULTS = 0x02;

    public MulticastFrameOk {
        if (networkId == null || group == null) {
            throw new IllegalArgumentException("network id and group are required");
        }
        Bytes.requireU8(flags, "flags");
        if (((flags & FLAG_COM) != 0) != (com != null)) {
            throw new IllegalArgumentException("a COM is present exactly when flag 0x01 is set");
        }
        if (((flags & FLAG_GATHER_RESULTS) != 0) != (results != null)) {
            throw new IllegalArgumentException("gather results are present exactly when flag 0x02 is set");
        }
    }

    /** The reply 1.14.1 sends: flags 0x02 and the results. */
    public static MulticastFrameOk withResults(NetworkId networkId, MulticastGroup group, GatherResults results) {
        return new MulticastFrameOk(networkId, group, FLAG_GATHER_RESULTS, null, results);
    }

    @Override
    public int inReVerb() {
        return Verb.MULTICAST_FRAME.code();
    }

    static MulticastFrameOk decode(ByteReader r) throws WireFormatException {
        NetworkId networkId = NetworkId.decode(r);
        MulticastGroup group = MulticastGroup.decode(r, "group");
        int flags = r.readU8("flags");
        CertificateOfMembership com = (flags & FLAG_COM) != 0 ? CertificateOfMembership.decode(r) : null;
        GatherResults results = (flags & FLAG_GATHER_RESULTS) != 0 ? GatherResults.decode(r) : null;
        return new MulticastFrameOk(networkId, group, flags, com, results);
    }

    @Override
    public void encode(ByteWriter w) {
        networkId.encode(w);
        group.encode(w);
        w.u8(flags);
        if (com != null) {
            com.encode(w);
        }
        if (results != null) {
            results.encode(w);
        }
    }
}
