package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.NetworkId;
import java.util.Arrays;
import java.util.Objects;

/**
 * One chunk of a network config dictionary, the payload of NETWORK_CONFIG and the body of
 * OK(NETWORK_CONFIG_REQUEST) (ZT1-03 §4.12.1).
 *
 * <pre>
 * C+0    [8]  network id                                  --+
 * C+8    [2]  n = chunk length                              |
 * C+10   [n]  chunk of the dictionary text                  |  signed region
 * C+10+n [1]  flags (0x01 = fast propagate)                 |  ({@link #signedMessage})
 * C+11+n [8]  config update id (random, non-zero)           |
 * C+19+n [4]  total length of the dictionary                |
 * C+23+n [4]  byte offset of this chunk in the dictionary --+
 * C+27+n [1]  signature type (1 = C25519 ZT signature)
 * C+28+n [2]  signature length (96)
 * C+30+n [..] signature by the controller over C+0 .. C+26+n
 * </pre>
 * A legacy chunk (controllers before 1.2) ends after the data: {@link #signed()} is null.
 * 1.14.1 accepts it only inside OK(NETWORK_CONFIG_REQUEST) from the controller. Any byte after
 * the data means the signed form. Signature types other than 1 and lengths other than 96 are
 * decoded (the receiver then ignores the chunk); bytes after the signature are ignored.
 *
 * @param data the dictionary bytes of this chunk (at most 65535)
 * @param signed the signed trailer, or null for a legacy chunk
 */
public record ConfigChunk(NetworkId networkId, byte[] data, Signed signed) {
    /** Flag: members re-send this chunk to every member they know. */
    public static final int FLAG_FAST_PROPAGATE = 0x01;
    /** Signature type of a C25519 ZT signature. */
    public static final int SIGNATURE_TYPE_C25519 = 1;
    /** Length of that signature. */
    public static final int SIGNATURE_LENGTH = 96;
    /**
     * Largest chunk a 1.14.1 controller sends: the packet maximum (10024) minus header and room
     * for the rest (28 + 256).
     */
    public static final int CHUNK_LENGTH_MAX_1141 = 9740;

    /**
     * The signed trailer of a chunk.
     *
     * @param totalLength total dictionary length, unsigned 32 bits
     * @param chunkOffset offset of this chunk in the dictionary, unsigned 32 bits
     */
    public record Signed(int flags, long configUpdateId, long totalLength, long chunkOffset, int signatureType,
            byte[] signature) {
        public Signed {
            Bytes.requireU8(flags, "flags");
            Bytes.requireU32(totalLength, "total length");
            Bytes.requireU32(chunkOffset, "chunk offset");
            Bytes.requireU8(signatureType, "signature type");
            Bytes.requireU16Length(signature, "signature");
            signature = signature.clone();
        }

        /** A 1.14.1-style trailer: signature type 1 with a 96-byte signature. */
        public static Signed c25519(int flags, long configUpdateId, long totalLength, long chunkOffset,
                byte[] signature) {
            if (signature.length != SIGNATURE_LENGTH) {
                throw new IllegalArgumentException("a C25519 signature is 96 bytes, not " + signature.length);
            }
            return new Signed(flags, configUpdateId, totalLength, chunkOffset, SIGNATURE_TYPE_C25519, signature);
        }

        @Override
        public byte[] signature() {
            return signature.clone();
        }

        public boolean fastPropagate() {
            return (flags & FLAG_FAST_PROPAGATE) != 0;
        }

        /** Whether the signature block is the only one 1.14.1 accepts (type 1, 96 bytes). */
        public boolean isC25519() {
            return signatureType == SIGNATURE_TYPE_C25519 && signature.length == SIGNATURE_LENGTH;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Signed x && x.flags == flags && x.configUpdateId == configUpdateId
                    && x.totalLength == totalLength && x.chunkOffset == chunkOffset
                    && x.signatureType == signatureType && Arrays.equals(x.signature, signature);
        }

        @Override
        public int hashCode() {
            return Objects.hash(flags, configUpdateId, totalLength, chunkOffset, signatureType) * 31
                    + Arrays.hashCode(signature);
        }

        @Override
        public String toString() {
            return "Signed[flags=" + flags + ", configUpdateId=" + Long.toHexString(configUpdateId) + ", totalLength="
                    + totalLength + ", chunkOffset=" + chunkOffset + ", signatureType=" + signatureType
                    + ", signature=" + Bytes.hex(signature) + "]";
        }
    }

    public ConfigChunk {
        if (networkId == null) {
            throw new IllegalArgumentException("network id is required");
        }
        Bytes.requireU16Length(data, "chunk data");
        data = data.clone();
    }

    static ConfigChunk decode(ByteReader r) throws WireFormatException {
        NetworkId networkId = NetworkId.decode(r);
        byte[] data = r.readBytes(r.readU16("chunk length"), "chunk data");
        Signed signed = null;
        if (r.hasRemaining()) {
            int flags = r.readU8("flags");
            long updateId = r.readU64("config update id");
            long total = r.readU32("total length");
            long offset = r.readU32("chunk offset");
            int signatureType = r.readU8("signature type");
            byte[] signature = r.readBytes(r.readU16("signature length"), "signature");
            signed = new Signed(flags, updateId, total, offset, signatureType, signature);
        }
        return new ConfigChunk(networkId, data, signed);
    }

    void encode(ByteWriter w) {
        networkId.encode(w);
        w.u16(data.length).bytes(data);
        if (signed != null) {
            w.u8(signed.flags()).u64(signed.configUpdateId()).u32(signed.totalLength()).u32(signed.chunkOffset());
            w.u8(signed.signatureType()).u16(signed.signature.length).bytes(signed.signature);
        }
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    /**
     * The bytes a controller signs for a chunk (C+0 .. C+26+n): network id, length, data,
     * flags, update id, total length, offset.
     */
    public static byte[] signedMessage(NetworkId networkId, byte[] data, int flags, long configUpdateId,
            long totalLength, long chunkOffset) {
        ByteWriter w = new ByteWriter(27 + data.length);
        networkId.encode(w);
        w.u16(data.length).bytes(data).u8(flags).u64(configUpdateId).u32(totalLength).u32(chunkOffset);
        return w.toByteArray();
    }

    /** The signed region of this chunk; fails for a legacy chunk, which is not signed. */
    public byte[] signedMessage() {
        if (signed == null) {
            throw new IllegalStateException("a legacy config chunk is not signed");
        }
        return signedMessage(networkId, data, signed.flags(), signed.configUpdateId(), signed.totalLength(),
                signed.chunkOffset());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConfigChunk x && x.networkId.equals(networkId) && Arrays.equals(x.data, data)
                && Objects.equals(x.signed, signed);
    }

    @Override
    public int hashCode() {
        return (networkId.hashCode() * 31 + Arrays.hashCode(data)) * 31 + Objects.hashCode(signed);
    }

    @Override
    public String toString() {
        return "ConfigChunk[networkId=" + networkId + ", data=" + Bytes.hex(data) + ", signed=" + signed + "]";
    }
}
