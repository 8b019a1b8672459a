package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.Mac;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.Verb;
import dev.zerokube.overlay.wire.credentials.CertificateOfMembership;
import java.util.Arrays;
import java.util.Objects;

/**
 * EXT_FRAME (0x07): an Ethernet frame with explicit MACs and flags: bridged traffic and the
 * copies made by TEE / REDIRECT / WATCH rules (ZT1-03 §4.8).
 *
 * <pre>
 * P+0   [8]  network id
 * P+8   [1]  flags: 0x01 COM follows (deprecated), 0x0e subtype (informative), 0x10 ACK requested
 * [[    [..] CertificateOfMembership   -- flags &amp; 0x01 ]]
 *       [6]  destination MAC
 *       [6]  source MAC
 *       [2]  ethertype
 *       [..] Ethernet payload
 * </pre>
 * The flag bytes 1.14.1 emits are the {@code FLAGS_*} constants.
 *
 * @param com the attached COM, present iff flag 0x01
 */
public record ExtFrame(NetworkId networkId, int flags, CertificateOfMembership com, Mac to, Mac from, int etherType, byte[] data)
        implements VerbPayload {
    public static final int FLAG_COM = 0x01;
    public static final int FLAG_ACK_REQUESTED = 0x10;
    /** Subtype bits: {@code (flags >> 1) & 7}. */
    public static final int FLAGS_SUBTYPE_MASK = 0x0e;
    /** Flag bytes 1.14.1 sends, per subtype (ZT1-03 §4.8). */
    public static final int FLAGS_BRIDGED = 0x00;
    public static final int FLAGS_TEE_OUTBOUND = 0x02;
    public static final int FLAGS_REDIRECT_OUTBOUND = 0x04;
    public static final int FLAGS_WATCH_OUTBOUND = 0x16;
    public static final int FLAGS_TEE_INBOUND = 0x08;
    public static final int FLAGS_REDIRECT_INBOUND = 0x0a;
    public static final int FLAGS_WATCH_INBOUND = 0x1c;

    public ExtFrame {
        if (networkId == null || to == null || from == null) {
            throw new IllegalArgumentException("network id and both MACs are required");
        }
        Bytes.requireU8(flags, "flags");
        Bytes.requireU16(etherType, "ethertype");
        if (((flags & FLAG_COM) != 0) != (com != null)) {
            throw new IllegalArgumentException("a COM is present exactly when flag 0x01 is set");
        }
        data = data.clone();
    }

    /** The informative subtype, {@code (flags >> 1) & 7}. */
    public int subtype() {
        return (flags & FLAGS_SUBTYPE_MASK) >> 1;
    }

    public boolean ackRequested() {
        return (flags & FLAG_ACK_REQUESTED) != 0;
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public int verbCode() {
        return Verb.EXT_FRAME.code();
    }

    public static ExtFrame decode(ByteReader r) throws WireFormatException {
        NetworkId networkId = NetworkId.decode(r);
        int flags = r.readU8("flags");
        CertificateOfMembership com = (flags & FLAG_COM) != 0 ? CertificateOfMembership.decode(r) : null;
        Mac to = Mac.decode(r, "destination MAC");
        Mac from = Mac.decode(r, "source MAC");
        int etherType = r.readU16("ethertype");
        return new ExtFrame(networkId, flags, com, to, from, etherType, r.readBytes(r.remaining(), "frame data"));
    }

    @Override
    public void encode(ByteWriter w) {
        networkId.encode(w);
        w.u8(flags);
        if (com != null) {
            com.encode(w);
        }
        to.encode(w);
        from.encode(w);
        w.u16(etherType).bytes(data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExtFrame x && x.networkId.equals(networkId) && x.flags == flags
                && Objects.equals(x.com, com) && x.to.equals(to) && x.from.equals(from) && x.etherType == etherType
                && Arrays.equals(x.data, data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(networkId, flags, com, to, from, etherType) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "ExtFrame[networkId=" + networkId + ", flags=" + flags + ", com=" + com + ", to=" + to
                + ", from=" + from + ", etherType=" + Integer.toHexString(etherType) + ", data=" + Bytes.hex(data) + "]";
    }
}
