package dev.zerokube.overlay.wire;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.crypto.C25519;
import dev.zerokube.overlay.identity.Identity;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A World: the planet or a moon, i.e. a signed list of root servers (ZT1-07 §3, ZT1-03 §2.3). The
 * same bytes are the {@code planet} file, a {@code moons.d/*.moon} file and a world update in
 * OK(HELLO).
 *
 * <pre>
 * offset size
 *    0     1   type: 0 null, 1 planet, 127 moon (anything else is invalid)
 *    1     8   world id
 *    9     8   timestamp (ms; the revision number)
 *   17    64   update key: the C25519 public key that must sign the NEXT revision
 *   81    96   signature of this revision by the PREVIOUS revision's update key
 *  177     1   R = root count (at most 4)
 *  178         R × { root identity (public form, 71 bytes; a private part is read and dropped)
 *                    ‖ E u8 (at most 32) ‖ E × InetAddress (ZT1-03 §2.1) }
 *              moons only: u16 L ‖ L bytes of a reserved dictionary (written empty, skipped)
 *
 * signing form: 7f×8 ‖ the above without the signature ‖ (moons: 00 00) ‖ f7×8
 * </pre>
 *
 * Immutable; keys and signature are copied in and out.
 */
public record World(Type type, long id, long timestampMs, byte[] updatesMustBeSignedBy, byte[] signature,
        List<Root> roots) {
    /** {@code ZT_WORLD_MAX_ROOTS}. */
    public static final int ROOTS_MAX = 4;
    /** {@code ZT_WORLD_MAX_STABLE_ENDPOINTS_PER_ROOT}. */
    public static final int STABLE_ENDPOINTS_MAX = 32;
    /** {@code ZT_WORLD_MAX_SERIALIZED_LENGTH}: (1024 + 32·32)·4 + 64 + 96 + 128. */
    public static final int SERIALIZED_LENGTH_MAX = 8480;
    /** ZeroTier's public planet "Earth". */
    public static final long ID_EARTH = 149_604_618L;
    /** The reserved test planet "Mars". */
    public static final long ID_MARS = 227_883_110L;

    private static final long SIGN_PREFIX = 0x7f7f_7f7f_7f7f_7f7fL;
    private static final long SIGN_SUFFIX = 0xf7f7_f7f7_f7f7_f7f7L;

    /** The world types and their wire numbers. */
    public enum Type {
        /** "No world": only an in-memory placeholder, but valid on the wire. */
        NULL(0),
        PLANET(1),
        MOON(127);

        private final int code;

        Type(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        /** The type with this number, or {@code null}. */
        public static Type ofCode(int code) {
            for (Type t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            return null;
        }
    }

    /** A root server: its identity and up to 32 stable physical endpoints, in order. */
    public record Root(Identity identity, List<InetEndpoint> stableEndpoints) {
        public Root {
            Objects.requireNonNull(identity, "identity");
            identity = identity.publicOnly();
            stableEndpoints = List.copyOf(stableEndpoints);
            if (stableEndpoints.size() > STABLE_ENDPOINTS_MAX) {
                throw new IllegalArgumentException(stableEndpoints.size() + " stable endpoints, at most " + STABLE_ENDPOINTS_MAX);
            }
        }
    }

    public World {
        Objects.requireNonNull(type, "type");
        if (updatesMustBeSignedBy == null || updatesMustBeSignedBy.length != C25519.PUBLIC_KEY_LENGTH) {
            throw new IllegalArgumentException("update key must be " + C25519.PUBLIC_KEY_LENGTH + " bytes");
        }
        if (signature == null || signature.length != C25519.SIGNATURE_LENGTH) {
            throw new IllegalArgumentException("signature must be " + C25519.SIGNATURE_LENGTH + " bytes");
        }
        updatesMustBeSignedBy = updatesMustBeSignedBy.clone();
        signature = signature.clone();
        roots = List.copyOf(roots);
        if (roots.size() > ROOTS_MAX) {
            throw new IllegalArgumentException(roots.size() + " roots, at most " + ROOTS_MAX);
        }
    }

    /**
     * A world revision signed with {@code signingKey}, the key pair whose public half the
     * previous revision named as its update key (for a first revision, usually the key pair of
     * {@code updatesMustBeSignedBy} itself).
     */
    public static World make(Type type, long id, long timestampMs, byte[] updatesMustBeSignedBy, List<Root> roots,
            C25519.KeyPair signingKey) {
        World unsigned = new World(type, id, timestampMs, updatesMustBeSignedBy, new byte[C25519.SIGNATURE_LENGTH], roots);
        byte[] sig = C25519.sign(signingKey.privateKey(), signingKey.publicKey(), unsigned.signInput());
        return new World(type, id, timestampMs, updatesMustBeSignedBy, sig, roots);
    }

    /** A copy of the 64-byte key that must sign the next revision. */
    @Override
    public byte[] updatesMustBeSignedBy() {
        return updatesMustBeSignedBy.clone();
    }

    /** A copy of the 96-byte signature. */
    @Override
    public byte[] signature() {
        return signature.clone();
    }

    public static World decode(ByteReader r) throws WireFormatException {
        int code = r.readU8("world type");
        Type type = Type.ofCode(code);
        if (type == null) {
            throw r.error("world type " + code + " is neither 0, 1 (planet) nor 127 (moon)");
        }
        long id = r.readU64("world id");
        long ts = r.readU64("world timestamp");
        byte[] key = r.readBytes(C25519.PUBLIC_KEY_LENGTH, "world update key");
        byte[] sig = r.readBytes(C25519.SIGNATURE_LENGTH, "world signature");
        int rootCount = r.readU8("world root count");
        if (rootCount > ROOTS_MAX) {
            throw r.error("world root count " + rootCount + " exceeds " + ROOTS_MAX);
        }
        List<Root> roots = new ArrayList<>(rootCount);
        for (int i = 0; i < rootCount; i++) {
            Identity identity = Identity.decode(r);
            int n = r.readU8("world root stable endpoint count");
            if (n > STABLE_ENDPOINTS_MAX) {
                throw r.error("world root stable endpoint count " + n + " exceeds " + STABLE_ENDPOINTS_MAX);
            }
            List<InetEndpoint> endpoints = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                endpoints.add(InetEndpoint.decode(r, "world root stable endpoint"));
            }
            roots.add(new Root(identity, endpoints));
        }
        if (type == Type.MOON) {
            // A reserved dictionary: 1.14.1 skips it without checking that it is there; we do check.
            r.skip(r.readU16("moon dictionary length"), "moon dictionary");
        }
        return new World(type, id, ts, key, sig, roots);
    }

    public void encode(ByteWriter w) {
        writeBody(w, true);
    }

    public byte[] toBytes() {
        ByteWriter w = new ByteWriter(256 + 100 * roots.size());
        encode(w);
        return w.toByteArray();
    }

    /** The signed bytes: 7f×8 ‖ the world without its signature ‖ f7×8 (ZT1-07 §3.2). */
    public byte[] signInput() {
        ByteWriter w = new ByteWriter(256 + 100 * roots.size());
        w.u64(SIGN_PREFIX);
        writeBody(w, false);
        w.u64(SIGN_SUFFIX);
        return w.toByteArray();
    }

    private void writeBody(ByteWriter w, boolean withSignature) {
        w.u8(type.code()).u64(id).u64(timestampMs).bytes(updatesMustBeSignedBy);
        if (withSignature) {
            w.bytes(signature);
        }
        w.u8(roots.size());
        for (Root root : roots) {
            root.identity().encode(w, false);
            w.u8(root.stableEndpoints().size());
            for (InetEndpoint ep : root.stableEndpoints()) {
                ep.encode(w);
            }
        }
        if (type == Type.MOON) {
            w.u16(0);
        }
    }

    /** Whether this world's signature verifies with {@code publicKey} (64 bytes). */
    public boolean signatureVerifiesWith(byte[] publicKey) {
        return C25519.verify(publicKey, signInput(), signature);
    }

    /** A null world (type 0 or id 0) is replaced by anything. */
    public boolean isNull() {
        return type == Type.NULL || id == 0;
    }

    /**
     * The update rule (ZT1-07 §3.5, {@code World::shouldBeReplacedBy}): a null world is replaced by
     * anything; otherwise {@code update} must have the same id and type, a strictly newer
     * timestamp (unsigned), and a signature that verifies with THIS world's update key (so a key
     * rotation is signed by the old key). Whether {@code update} may be offered at all (type
     * planet or moon, received from an upstream) is the caller's business.
     */
    public boolean shouldBeReplacedBy(World update) {
        if (isNull()) {
            return true;
        }
        return update.id == id && update.type == type && Long.compareUnsigned(timestampMs, update.timestampMs) < 0
                && update.signatureVerifiesWith(updatesMustBeSignedBy);
    }

    /** Equal when type, id, timestamp, update key, signature and roots (in order) are equal. */
    @Override
    public boolean equals(Object o) {
        return o instanceof World w && w.type == type && w.id == id && w.timestampMs == timestampMs
                && Arrays.equals(w.updatesMustBeSignedBy, updatesMustBeSignedBy) && Arrays.equals(w.signature, signature)
                && w.roots.equals(roots);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, id, timestampMs, roots) * 31 + Arrays.hashCode(signature);
    }

    @Override
    public String toString() {
        return "World[" + type + " id=" + Long.toUnsignedString(id) + " ts=" + Long.toUnsignedString(timestampMs)
                + " key=" + HexFormat.of().formatHex(updatesMustBeSignedBy, 0, 8) + "… roots=" + roots + "]";
    }
}
