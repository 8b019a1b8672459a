package dev.zerokube.overlay.wire.credentials;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.NetworkId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A certificate of membership, COM (ZT1-05 §2): a controller-signed list of up to 8 qualifiers
 * {@code (id, value, maxDelta)}. Two members may talk on a private network when the receiver's
 * own COM {@link #agreesWith agrees with} the sender's.
 *
 * <pre>
 * offset  size
 *   0      1    format = 0x01
 *   1      2    n = qualifier count (at most 8)
 *   3    24·n   qualifiers: id u64 ‖ value u64 ‖ maxDelta u64, ids non-decreasing
 * 3+24n    5    signed by (zero = unsigned)
 * 8+24n   96    signature, present only when signed by is not zero
 *
 * sign input: the qualifier array only (24·n bytes; no sentinels)
 * </pre>
 *
 * A 1.14.1 controller issues 7 qualifiers ({@link #issue}): 0 timestamp (maxDelta = the
 * network's credential time window), 1 network id (0), 2 issued-to address (all ones), 3..6 the
 * first 32 bytes of SHA-384(address ‖ public key) of the member as four big-endian words (all
 * ones); 272 bytes signed. Immutable; the signature (96 bytes, all zero when unsigned) is
 * copied in and out.
 */
public record CertificateOfMembership(List<Qualifier> qualifiers, Address signedBy, byte[] signature) {
    /** At most this many qualifiers are accepted ({@code ZT_NETWORK_COM_MAX_QUALIFIERS}). */
    public static final int QUALIFIERS_MAX = 8;
    /** The format byte. */
    public static final int FORMAT = 1;
    public static final long ID_TIMESTAMP = 0;
    public static final long ID_NETWORK_ID = 1;
    public static final long ID_ISSUED_TO = 2;
    /** Qualifiers 3..6 hold the member's identity hash. */
    public static final long ID_IDENTITY_HASH_FIRST = 3;
    public static final long ID_IDENTITY_HASH_LAST = 6;
    /** Encoded length of a signed 7-qualifier COM as 1.14.1 issues it. */
    public static final int ISSUED_LENGTH = 272;

    /** One qualifier; all three fields are unsigned 64-bit values. */
    public record Qualifier(long id, long value, long maxDelta) {}

    public CertificateOfMembership {
        qualifiers = List.copyOf(qualifiers);
        Objects.requireNonNull(signedBy, "signedBy");
        if (qualifiers.size() > QUALIFIERS_MAX) {
            throw new IllegalArgumentException(qualifiers.size() + " qualifiers, at most " + QUALIFIERS_MAX);
        }
        for (int i = 1; i < qualifiers.size(); i++) {
            if (Long.compareUnsigned(qualifiers.get(i).id(), qualifiers.get(i - 1).id()) < 0) {
                throw new IllegalArgumentException("qualifier ids must not decrease: " + qualifiers);
            }
        }
        signature = SignatureBlock.copyOf(signature, "COM");
        if (signedBy.value() == 0 && !SignatureBlock.isZero(signature)) {
            throw new IllegalArgumentException("an unsigned COM has no signature");
        }
    }

    /**
     * The unsigned COM a 1.14.1 controller builds for {@code member} ({@code
     * CertificateOfMembership(now, ctmd, nwid, identity)}); {@link #sign} it with the controller.
     */
    public static CertificateOfMembership issue(long timestampMs, long maxDeltaMs, NetworkId networkId,
            Identity member) {
        byte[] hash = member.publicKeyHashSha384();
        List<Qualifier> q = new ArrayList<>(7);
        q.add(new Qualifier(ID_TIMESTAMP, timestampMs, maxDeltaMs));
        q.add(new Qualifier(ID_NETWORK_ID, networkId.value(), 0));
        q.add(new Qualifier(ID_ISSUED_TO, member.address().value(), -1L));
        for (int k = 0; k < 4; k++) {
            q.add(new Qualifier(ID_IDENTITY_HASH_FIRST + k, word(hash, 8 * k), -1L));
        }
        return new CertificateOfMembership(q, Address.NONE, new byte[SignatureBlock.LENGTH]);
    }

    /** A copy of the 96-byte signature (zero when unsigned). */
    @Override
    public byte[] signature() {
        return signature.clone();
    }

    public boolean isEmpty() {
        return qualifiers.isEmpty();
    }

    /** Value of the first qualifier 0 as i64 ms, or 0. */
    public long timestampMs() {
        return valueOf(ID_TIMESTAMP);
    }

    /** Value of the first qualifier 1, or network id 0. */
    public NetworkId networkId() {
        return new NetworkId(valueOf(ID_NETWORK_ID));
    }

    /** Low 40 bits of the first qualifier 2, or {@link Address#NONE}. */
    public Address issuedTo() {
        return Address.fromLow40Bits(valueOf(ID_ISSUED_TO));
    }

    private long valueOf(long id) {
        for (Qualifier q : qualifiers) {
            if (q.id() == id) {
                return q.value();
            }
        }
        return 0;
    }

    public static CertificateOfMembership decode(ByteReader r) throws WireFormatException {
        int format = r.readU8("COM format");
        if (format != FORMAT) {
            throw r.error("COM format byte " + format + ", expected " + FORMAT);
        }
        int n = r.readU16("COM qualifier count");
        if (n > QUALIFIERS_MAX) {
            throw r.error("COM qualifier count " + n + " exceeds the " + QUALIFIERS_MAX + " allowed");
        }
        List<Qualifier> q = new ArrayList<>(n);
        long lastId = 0;
        for (int i = 0; i < n; i++) {
            long id = r.readU64("COM qualifier id");
            if (Long.compareUnsigned(id, lastId) < 0) {
                throw r.error("COM qualifier id " + Long.toUnsignedString(id) + " after "
                        + Long.toUnsignedString(lastId) + ": ids must not decrease");
            }
            lastId = id;
            q.add(new Qualifier(id, r.readU64("COM qualifier value"), r.readU64("COM qualifier max delta")));
        }
        Address signedBy = Address.decode(r, "COM signed-by");
        byte[] sig = signedBy.value() != 0 ? r.readBytes(SignatureBlock.LENGTH, "COM signature")
                : new byte[SignatureBlock.LENGTH];
        return new CertificateOfMembership(q, signedBy, sig);
    }

    public void encode(ByteWriter w) {
        w.u8(FORMAT).u16(qualifiers.size());
        writeQualifiers(w);
        signedBy.encode(w);
        if (signedBy.value() != 0) {
            w.bytes(signature);
        }
    }

    public byte[] toBytes() {
        ByteWriter w = new ByteWriter(ISSUED_LENGTH);
        encode(w);
        return w.toByteArray();
    }

    /** The bytes the controller signs: the qualifier array only. */
    public byte[] signInput() {
        ByteWriter w = new ByteWriter(24 * qualifiers.size());
        writeQualifiers(w);
        return w.toByteArray();
    }

    private void writeQualifiers(ByteWriter w) {
        for (Qualifier q : qualifiers) {
            w.u64(q.id()).u64(q.value()).u64(q.maxDelta());
        }
    }

    /** This COM signed by {@code signer} (which becomes {@code signedBy}). */
    public CertificateOfMembership sign(Identity signer) {
        return new CertificateOfMembership(qualifiers, signer.address(), signer.sign(signInput()));
    }

    /**
     * Valid iff signed by the controller of {@link #networkId()} (ZT1-05 §2.6). Timestamp,
     * issued-to and identity hash are not looked at here: that is {@link #agreesWith}'s job.
     */
    public VerifyResult verify(SignerLookup lookup) {
        return SignatureBlock.verifyByController(networkId(), signedBy, signInput(), signature, lookup);
    }

    /**
     * The membership test (ZT1-05 §2.7), evaluated by the receiver on its own COM ({@code this})
     * against the COM {@code theirs} held for a peer whose identity is {@code theirIdentity}:
     * every qualifier of ours must exist in theirs and differ by at most our maxDelta (unsigned
     * 64-bit arithmetic; theirs' maxDelta values are ignored), and if ours has any of the
     * identity-hash qualifiers 3..6, theirs' qualifiers 3..6 must equal the first 32 bytes of the
     * hash of {@code theirIdentity}. An empty COM on either side never agrees.
     */
    public boolean agreesWith(CertificateOfMembership theirs, Identity theirIdentity) {
        if (qualifiers.isEmpty() || theirs.qualifiers.isEmpty()) {
            return false;
        }
        Map<Long, Long> other = new HashMap<>();
        for (Qualifier q : theirs.qualifiers) {
            other.put(q.id(), q.value()); // a duplicate id: the last one wins, as in 1.14.1
        }
        boolean checkIdentity = false;
        for (Qualifier q : qualifiers) {
            if (Long.compareUnsigned(q.id(), ID_IDENTITY_HASH_FIRST) >= 0
                    && Long.compareUnsigned(q.id(), ID_IDENTITY_HASH_LAST) <= 0) {
                checkIdentity = true;
            }
            Long b = other.get(q.id());
            if (b == null) {
                return false;
            }
            long a = q.value();
            long diff = Long.compareUnsigned(a, b) >= 0 ? a - b : b - a;
            if (Long.compareUnsigned(diff, q.maxDelta()) > 0) {
                return false;
            }
        }
        if (checkIdentity) {
            byte[] hash = theirIdentity.publicKeyHashSha384();
            for (int k = 0; k < 4; k++) {
                Long v = other.get(ID_IDENTITY_HASH_FIRST + k);
                if (v == null || v != word(hash, 8 * k)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static long word(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return v;
    }

    /** Equal when signer, qualifiers (in order) and signature are equal (ZT1-05 §2.5). */
    @Override
    public boolean equals(Object o) {
        return o instanceof CertificateOfMembership c && c.qualifiers.equals(qualifiers) && c.signedBy.equals(signedBy)
                && Arrays.equals(c.signature, signature);
    }

    @Override
    public int hashCode() {
        return (qualifiers.hashCode() * 31 + signedBy.hashCode()) * 31 + Arrays.hashCode(signature);
    }

    @Override
    public String toString() {
        return "CertificateOfMembership[nwid=" + networkId() + " ts=" + timestampMs() + " to=" + issuedTo()
                + " qualifiers=" + qualifiers.size() + " by=" + signedBy + "]";
    }
}
