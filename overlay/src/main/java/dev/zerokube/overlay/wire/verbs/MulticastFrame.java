package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.Mac;
import dev.zerokube.overlay.wire.MulticastGroup;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.Verb;
import dev.zerokube.overlay.wire.credentials.CertificateOfMembership;
import java.util.Arrays;
import java.util.Objects;

/**
 * MULTICAST_FRAME (0x0e): a multicast or broadcast Ethernet frame (ZT1-03 §4.15).
 *
 * <pre>
 * P+0   [8]  network id
 * P+8   [1]  flags: 0x01 COM, 0x02 implicit gather limit, 0x04 source MAC, 0x08 please replicate
 * [[    [..] CertificateOfMembership   -- flags &amp; 0x01 (deprecated; never sent by 1.14.1) ]]
 * [[    [4]  implicit gather limit     -- flags &amp; 0x02 ]]
 * [[    [6]  source MAC                -- flags &amp; 0x04; otherwise the sender's member MAC ]]
 *       [6]  destination (group) MAC
 *       [4]  group ADI
 *       [2]  ethertype
 *       [..] Ethernet payload (at most 10000 bytes)
 * </pre>
 *
 * @param com the attached COM, present iff flag 0x01
 * @param gatherLimit unsigned 32 bits; 0 unless flag 0x02
 * @param source present iff flag 0x04
 */
public record MulticastFrame(NetworkId networkId, int flags, CertificateOfMembership com, long gatherLimit, Mac source,
        MulticastGroup group, int etherType, byte[] data) implements VerbPayload {
    public static final int FLAG_COM = 0x01;
    public static final int FLAG_GATHER_LIMIT = 0x02;
    public static final int FLAG_SOURCE_MAC = 0x04;
    public static final int FLAG_PLEASE_REPLICATE = 0x08;

    public MulticastFrame {
        if (networkId == null || group == null) {
            throw new IllegalArgumentException("network id and group are required");
        }
        Bytes.requireU8(flags, "flags");
        Bytes.requireU32(gatherLimit, "gather limit");
        Bytes.requireU16(etherType, "ethertype");
        if (((flags & FLAG_COM) != 0) != (com != null)) {
            throw new IllegalArgumentException("a COM is present exactly when flag 0x01 is set");
        }
        if ((flags & FLAG_GATHER_LIMIT) == 0 && gatherLimit != 0) {
            throw new IllegalArgumentException("a gather limit needs flag 0x02");
        }
        if (((flags & FLAG_SOURCE_MAC) != 0) != (source != null)) {
            throw new IllegalArgumentException("a source MAC is present exactly when flag 0x04 is set");
        }
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public int verbCode() {
        return Verb.MULTICAST_FRAME.code();
    }

    public static MulticastFrame decode(ByteReader r) throws WireFormatException {
        NetworkId networkId = NetworkId.decode(r);
        int flags = r.readU8("flags");
        CertificateOfMembership com = (flags & FLAG_COM) != 0 ? CertificateOfMembership.decode(r) : null;
        long limit = (flags & FLAG_GATHER_LIMIT) != 0 ? r.readU32("gather limit") : 0;
        Mac source = (flags & FLAG_SOURCE_MAC) != 0 ? Mac.decode(r, "source MAC") : null;
        MulticastGroup group = MulticastGroup.decode(r, "group");
        int etherType = r.readU16("ethertype");
        return new MulticastFrame(networkId, flags, com, limit, source, group, etherType,
                r.readBytes(r.remaining(), "frame data"));
    }

    @Override
    public void encode(ByteWriter w) {
        networkId.encode(w);
        w.u8(flags);
        if (com != null) {
            com.encode(w);
        }
        if ((flags & FLAG_GATHER_LIMIT) != 0) {
            w.u32(gatherLimit);
        }
        if (source != null) {
            source.encode(w);
        }
        group.encode(w);
        w.u16(etherType).bytes(data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MulticastFrame x && x.networkId.equals(networkId) && x.flags == flags
                && Objects.equals(x.com, com) && x.gatherLimit == gatherLimit && Objects.equals(x.source, source)
                && x.group.equals(group) && x.etherType == etherType && Arrays.equals(x.data, data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(networkId, flags, com, gatherLimit, source, group, etherType) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "MulticastFrame[networkId=" + networkId + ", flags=" + flags + ", com=" + com
                + ", gatherLimit=" + gatherLimit + ", source=" + source + ", group=" + group + ", etherType="
                + Integer.toHexString(etherType) + ", data=" + Bytes.hex(data) + "]";
    }
}
