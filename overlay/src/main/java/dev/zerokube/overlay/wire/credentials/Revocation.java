package dev.zerokube.overlay.wire.credentials;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.NetworkId;
import java.util.Arrays;
import java.util.Objects;

/**
 * A Revocation (ZT1-05 §6): for member {@code target}, credentials of type
 * {@code credentialType} (and, except for COMs, id {@code credentialId}) with a timestamp at or
 * below {@code thresholdMs} are no longer valid.
 *
 * <pre>
 *  0   4   unused (written 0, ignored on read, never signed)
 *  4   4   id (random; receivers do not use it)
 *  8   8   network id
 * 16   4   unused
 * 20   4   credential id (0 for a COM)
 * 24   8   threshold (i64 ms, controller clock)
 * 32   8   flags (0x1 = fast propagate)
 * 40   5   target
 * 45   5   signed by
 * 50   1   credential type (1 COM, 2 capability, 3 tag, 4 COO)
 * 51 1+2+96 signature block (type 1, length 96)
 * 150  2   extension length, then that many bytes (skipped)
 *
 * sign input: 7f×8 ‖ bytes 0..50 with both unused words zero ‖ 00 00 ‖ 7f×8   (69 bytes)
 * </pre>
 *
 * Immutable; the unused words are not kept (re-encoding writes zeros, as 1.14.1 does).
 */
public record Revocation(long id, NetworkId networkId, long credentialId, long thresholdMs, long flags,
        Address target, Address signedBy, int credentialType, byte[] signature) {
    /** Receivers forward a new COM revocation with this flag to the members they know. */
    public static final long FLAG_FAST_PROPAGATE = 0x1;
    /** Encoded length as 1.14.1 writes it. */
    public static final int ENCODED_LENGTH = 152;

    public Revocation {
        Objects.requireNonNull(networkId, "networkId");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(signedBy, "signedBy");
        Tag.requireU32(id, "id");
        Tag.requireU32(credentialId, "credentialId");
        if (credentialType < 0 || credentialType > 0xff) {
            throw new IllegalArgumentException("credential type " + credentialType + " is not a byte");
        }
        signature = SignatureBlock.copyOf(signature, "revocation");
    }

    /** An unsigned revocation, to be {@link #sign signed} by the controller. */
    public static Revocation unsigned(long id, NetworkId networkId, long credentialId, long thresholdMs, long flags,
            Address target, CredentialType type) {
        return new Revocation(id, networkId, credentialId, thresholdMs, flags, target, Address.NONE, type.code(),
                new byte[SignatureBlock.LENGTH]);
    }

    /** A copy of the 96-byte signature. */
    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /** The revoked credential's type, or {@code null} for a number 1.14.1 does not assign. */
    public CredentialType type() {
        return CredentialType.ofCode(credentialType);
    }

    public boolean fastPropagate() {
        return (flags & FLAG_FAST_PROPAGATE) != 0;
    }

    public static Revocation decode(ByteReader r) throws WireFormatException {
        r.skip(4, "revocation unused word");
        long id = r.readU32("revocation id");
        NetworkId nwid = new NetworkId(r.readU64("revocation network id"));
        r.skip(4, "revocation unused word");
        long credentialId = r.readU32("revocation credential id");
        long threshold = r.readU64("revocation threshold");
        long flags = r.readU64("revocation flags");
        Address target = Address.decode(r, "revocation target");
        Address signedBy = Address.decode(r, "revocation signed-by");
        int type = r.readU8("revocation credential type");
        byte[] sig = SignatureBlock.read(r, "revocation");
        SignatureBlock.skipExtension(r, "revocation");
        return new Revocation(id, nwid, credentialId, threshold, flags, target, signedBy, type, sig);
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
        ByteWriter w = new ByteWriter(69);
        w.u64(SignatureBlock.SENTINEL);
        writeFields(w);
        w.u16(0).u64(SignatureBlock.SENTINEL);
        return w.toByteArray();
    }

    private void writeFields(ByteWriter w) {
        w.u32(0).u32(id).u64(networkId.value()).u32(0).u32(credentialId).u64(thresholdMs).u64(flags);
        target.encode(w);
        signedBy.encode(w);
        w.u8(credentialType);
    }

    /** This revocation with {@code signedBy} set to the signer and signed by it. */
    public Revocation sign(Identity signer) {
        Revocation toSign = new Revocation(id, networkId, credentialId, thresholdMs, flags, target, signer.address(),
                credentialType, signature);
        return new Revocation(id, networkId, credentialId, thresholdMs, flags, target, signer.address(), credentialType,
                signer.sign(toSign.signInput()));
    }

    /** Valid iff signed by the network's controller (ZT1-05 §6.3 step 1). */
    public VerifyResult verify(SignerLookup lookup) {
        return SignatureBlock.verifyByController(networkId, signedBy, signInput(), signature, lookup);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Revocation v && v.id == id && v.networkId.equals(networkId) && v.credentialId == credentialId
                && v.thresholdMs == thresholdMs && v.flags == flags && v.target.equals(target)
                && v.signedBy.equals(signedBy) && v.credentialType == credentialType && Arrays.equals(v.signature, signature);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, networkId, credentialId, thresholdMs, flags, target, signedBy, credentialType) * 31
                + Arrays.hashCode(signature);
    }

    @Override
    public String toString() {
        return "Revocation[" + networkId + " id=" + id + " type=" + credentialType + " credentialId=" + credentialId
                + " threshold=" + thresholdMs + " flags=" + flags + " target=" + target + " by=" + signedBy + "]";
    }
}
