package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.MulticastGroup;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.Verb;
import dev.zerokube.overlay.wire.credentials.CertificateOfMembership;

/**
 * MULTICAST_GATHER (0x0d): a request for members of a multicast group (ZT1-03 §4.14).
 *
 * <pre>
 * P+0   [8]  network id
 * P+8   [1]  flags: 0x01 = a COM is attached
 * P+9   [6]  group MAC
 * P+15  [4]  group ADI
 * P+19  [4]  gather limit: the most member addresses wanted
 * [[P+23 [..] CertificateOfMembership of the requester   -- flags &amp; 0x01 ]]
 * </pre>
 * 1.14.1 discards a malformed attached COM and still answers: so does this decoder
 * ({@link #com()} is then null with the flag set). Bytes after the COM are ignored.
 *
 * @param gatherLimit unsigned 32 bits
 * @param com the attached COM; only with flag 0x01
 */
public record MulticastGather(NetworkId networkId, int flags, MulticastGroup group, long gatherLimit,
        CertificateOfMembership com)
        implements VerbPayload {
    public static final int FLAG_COM = 0x01;

    public MulticastGather {
        if (networkId == null || group == null) {
            throw new IllegalArgumentException("network id and group are required");
        }
        Bytes.requireU8(flags, "flags");
        Bytes.requireU32(gatherLimit, "gather limit");
        if (com != null) {
            if ((flags & FLAG_COM) == 0) {
                throw new IllegalArgumentException("a COM needs flag 0x01");
            }
        }
    }

    @Override
    public int verbCode() {
        return Verb.MULTICAST_GATHER.code();
    }

    public static MulticastGather decode(ByteReader r) throws WireFormatException {
        NetworkId networkId = NetworkId.decode(r);
        int flags = r.readU8("flags");
        MulticastGroup group = MulticastGroup.decode(r, "group");
        long limit = r.readU32("gather limit");
        CertificateOfMembership com = null;
        if ((flags & FLAG_COM) != 0) {
            try {
                com = CertificateOfMembership.decode(r);
            } catch (WireFormatException discarded) {
                // 1.14.1 ignores an attached COM that does not parse; the request stands.
            }
        }
        return new MulticastGather(networkId, flags, group, limit, com);
    }

    @Override
    public void encode(ByteWriter w) {
        networkId.encode(w);
        w.u8(flags);
        group.encode(w);
        w.u32(gatherLimit);
        if (com != null) {
            com.encode(w);
        }
    }
}
