package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.Verb;
import java.util.Arrays;
import java.util.Objects;

/**
 * FRAME (0x06): a unicast Ethernet frame between members; both MACs are the derived member MACs
 * and are not sent (ZT1-03 §4.7).
 *
 * <pre>
 * P+0   [8]  network id
 * P+8   [2]  ethertype
 * P+10  [..] Ethernet payload (no Ethernet header), up to the network MTU (at most 10000)
 * </pre>
 * The per-packet path should read these fields in place; this record is for the edges and tests.
 */
public record Frame(NetworkId networkId, int etherType, byte[] data) implements VerbPayload {
    public Frame {
        if (networkId == null) {
            throw new IllegalArgumentException("network id is required");
        }
        Bytes.requireU16(etherType, "ethertype");
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public int verbCode() {
        return Verb.FRAME.code();
    }

    public static Frame decode(ByteReader r) throws WireFormatException {
        NetworkId networkId = NetworkId.decode(r);
        int etherType = r.readU16("ethertype");
        return new Frame(networkId, etherType, r.readBytes(r.remaining(), "frame data"));
    }

    @Override
    public void encode(ByteWriter w) {
        networkId.encode(w);
        w.u16(etherType).bytes(data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Frame x && x.networkId.equals(networkId) && x.etherType == etherType
                && Arrays.equals(x.data, data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(networkId, etherType) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Frame[networkId=" + networkId + ", etherType=" + Integer.toHexString(etherType) + ", data="
                + Bytes.hex(data) + "]";
    }
}
