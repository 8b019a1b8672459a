package dev.zerokube.overlay.wire.credentials;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.NetworkId;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A Tag (ZT1-05 §4): a controller-signed {@code (id, value)} pair, both u32, issued to one member.
 *
 * <pre>
 * offset size
 *   0     8   network id
 *   8     8   timestamp (i64 ms, controller clock)
 *  16     4   id
 *  20     4   value
 *  24     5   issued to
 *  29     5   signed by
 *  34     1   signature type (1)          ┐ signature block; another type is skipped by
 *  35     2   signature length (96)       │ its length and leaves the signature zero
 *  37    96   signature                   ┘
 * 133     2   extension length, then that many bytes (skipped)
 *
 * sign input: 7f×8 ‖ bytes 0..33 ‖ 00 00 ‖ 7f×8   (52 bytes; signedBy is covered)
 * </pre>
 *
 * Immutable; the signature (96 bytes, zero when unsigned) is copied in and out.
 */
public record Tag(NetworkId networkId, long timestampMs, long id, long value, Address issuedTo, Address signedBy,
        byte[] signature) {
    /** Encoded length as 1.14.1 writes it. */
    public static final int ENCODED_LENGTH = 135;

    public Tag {
        Objects.requireNonNull(networkId, "networkId");
        Objects.requireNonNull(issuedTo, "issuedTo");
        Objects.requireNonNull(signedBy, "signedBy");
        requireU32(id, "id");
        requireU32(value, "value");
        signature = SignatureBlock.copyOf(signature, "tag");
    }

    /** An unsigned tag, to be {@link #sign signed} by the controller. */
    public static Tag unsigned(NetworkId networkId, long timestampMs, long id, long value, Address issuedTo) {
        return new Tag(networkId, timestampMs, id, value, issuedTo, Address.NONE, new byte[SignatureBlock.LENGTH]);
    }

    /** A copy of the 96-byte signature. */
    @Override
    public byte[] signature() {
        return signature.clone();
    }

    public static Tag decode(ByteReader r) throws WireFormatException {
        NetworkId nwid = new NetworkId(r.readU64("tag network id"));
        long ts = r.readU64("tag timestamp");
        long id = r.readU32("tag id");
        long value = r.readU32("tag value");
        Address issuedTo = Address.decode(r, "tag issued-to");
        Address signedBy = Address.decode(r, "tag signed-by");
        byte[] sig = SignatureBlock.read(r, "tag");
        SignatureBlock.skipExtension(r, "tag");
        return new Tag(nwid, ts, id, value, issuedTo, signedBy, sig);
    }

    public void encode(ByteWriter w) {
        writeFields(w);
        SignatureBlock.write(w, signature);
        w.u16(0);
    }

    public byte[] toBytes() {
        ByteWriter w = new ByteWriter(ENCODED_LENGTH);
        encode(w);
        return w.toByteArray();
    }

    /** The bytes the controller signs. */
    public byte[] signInput() {
        ByteWriter w = new ByteWriter(52);
        w.u64(SignatureBlock.SENTINEL);
        writeFields(w);
        w.u16(0).u64(SignatureBlock.SENTINEL);
        return w.toByteArray();
    }

    /** This tag with {@code signedBy} set to the signer and signed by it. */
    public Tag sign(Identity signer) {
        Tag toSign = new Tag(networkId, timestampMs, id, value, issuedTo, signer.address(), signature);
        return new Tag(networkId, timestampMs, id, value, issuedTo, signer.address(),
                signer.sign(toSign.signInput()));
    }

    /** Valid iff signed by the network's controller (ZT1-05 §4.3). */
    public VerifyResult verify(SignerLookup lookup) {
        return SignatureBlock.verifyByController(networkId, signedBy, signInput(), signature, lookup);
    }

    private void writeFields(ByteWriter w) {
        w.u64(networkId.value()).u64(timestampMs).u32(id).u32(value);
        issuedTo.encode(w);
        signedBy.encode(w);
    }

    static void requireU32(long v, String field) {
        if ((v >>> 32) != 0) {
            throw new IllegalArgumentException(field + " " + v + " does not fit in 32 bits");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tag t && t.networkId.equals(networkId) && t.timestampMs == timestampMs && t.id == id
                && t.value == value && t.issuedTo.equals(issuedTo) && t.signedBy.equals(signedBy)
                && Arrays.equals(t.signature, signature);
    }

    @Override
    public int hashCode() {
        return Objects.hash(networkId, timestampMs, id, value, issuedTo, signedBy) * 31 + Arrays.hashCode(signature);
    }

    @Override
    public String toString() {
        return "Tag[" + networkId + " id=" + id + " value=" + value + " ts=" + timestampMs + " to=" + issuedTo
                + " by=" + signedBy + " sig=" + HexFormat.of().formatHex(signature, 0, 8) + "…]";
    }
}
