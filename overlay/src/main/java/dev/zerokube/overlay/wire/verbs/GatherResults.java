package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.identity.Address;
import java.util.ArrayList;
import java.util.List;

/**
 * Members of a multicast group, as OK(MULTICAST_GATHER) and OK(MULTICAST_FRAME) carry them
 * (ZT1-03 §4.14).
 *
 * <pre>
 * [4]  total number of members the responder knows (unsigned)
 * [2]  k
 * [5k] member addresses
 * </pre>
 */
public record GatherResults(long totalKnown, List<Address> members) {
    public GatherResults {
        Bytes.requireU32(totalKnown, "total known");
        members = List.copyOf(members);
        if (members.size() > 0xffff) {
            throw new IllegalArgumentException("at most 65535 addresses");
        }
    }

    static GatherResults decode(ByteReader r) throws WireFormatException {
        long total = r.readU32("total known");
        int k = r.readU16("address count");
        r.require(k * Address.LENGTH, k + " member addresses");
        List<Address> members = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            members.add(Address.decode(r, "member address"));
        }
        return new GatherResults(total, members);
    }

    void encode(ByteWriter w) {
        w.u32(totalKnown).u16(members.size());
        for (Address a : members) {
            a.encode(w);
        }
    }
}
