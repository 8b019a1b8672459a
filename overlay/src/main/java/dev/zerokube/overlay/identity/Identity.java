package dev.zerokube.overlay.identity;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.crypto.C25519;
import dev.zerokube.overlay.crypto.MemoryHardHash;
import dev.zerokube.overlay.crypto.Sha;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * A ZeroTier 1.x identity (ZT1-01 §3–§11): a 40-bit {@link Address} bound by proof of work to a
 * C25519 public key (X25519 32 bytes ‖ Ed25519 32 bytes), optionally with its private key
 * (X25519 scalar 32 ‖ Ed25519 seed 32). Only type 0 (C25519) exists in 1.x; type 1 (P-384, from
 * the abandoned 2.x line) is recognised and refused in both forms.
 *
 * <p>Binary form (ZT1-01 §5), inside HELLO, OK(WHOIS), worlds and the peer cache:
 * <pre>
 *   offset size
 *   0      5    address, big-endian
 *   5      1    type = 0x00
 *   6      64   public key
 *   70     1    private key length L: 0x00 or 0x40
 *   71     L    private key (only when L = 64)
 * </pre>
 * 71 bytes public-only, 135 with the private key; packets never carry the private key.
 *
 * <p>Text form (ZT1-01 §6): {@code address:0:public[:private]}, lowercase hex, 141 or 270
 * characters; read as leniently as 1.14.1 reads it (see {@link #parse}).
 *
 * <p>Instances are immutable (arrays are copied in and out) and never hold a reserved address.
 * Parsing checks the format only: whether the address really belongs to the key is
 * {@link #locallyValidate()}, which callers run where 1.14.1 does (own identity at start,
 * HELLO from an unknown peer). Two identities are equal when address and public key are equal,
 * as in 1.14.1; the private key takes no part, and {@link #toString()} never shows it.
 *
 * <p>The operations ({@link #agree}, {@link #sign}, {@link #verify}, {@link #publicKeyHashSha384})
 * are ZT1-01 §10, §11 and §17 delegated to {@code crypto}; callers cache their results (the
 * per-peer key, the COM hash) where they need them repeatedly. Thread-safe, except that a
 * {@link MemoryHardHash} scratch passed in must not be shared between threads.
 */
public final class Identity {
    /** Type byte of a C25519 identity, the only type in ZeroTier 1.x. */
    public static final int TYPE_C25519 = 0;
    /** Type byte of a 2.x P-384 identity: recognised only to refuse it. */
    public static final int TYPE_P384 = 1;
    /** Length of the public key and of the private key. */
    public static final int KEY_LENGTH = C25519.PUBLIC_KEY_LENGTH;
    /** Length of the binary form without the private key. */
    public static final int ENCODED_PUBLIC_LENGTH = Address.LENGTH + 1 + KEY_LENGTH + 1;
    /** Length of the binary form with the private key. */
    public static final int ENCODED_PRIVATE_LENGTH = ENCODED_PUBLIC_LENGTH + KEY_LENGTH;
    /** Length of the per-peer key that {@link #agree} returns ({@code ZT_SYMMETRIC_KEY_SIZE}). */
    public static final int AGREED_KEY_LENGTH = C25519.SHARED_KEY_LENGTH;
    /** Length of a ZeroTier signature. */
    public static final int SIGNATURE_LENGTH = C25519.SIGNATURE_LENGTH;
    /** Where the address sits in the memory-hard digest: its last five bytes (ZT1-01 §7). */
    private static final int DIGEST_ADDRESS_OFFSET = MemoryHardHash.DIGEST_LENGTH - Address.LENGTH;

    private final Address address;
    private final byte[] publicKey;
    private final byte[] privateKey; // null when public only

    /**
     * An identity from its parts; no cryptographic check is made.
     *
     * @param privateKey the 64-byte private key, or {@code null} for a public-only identity
     * @throws IllegalArgumentException if the address is reserved or a key is not 64 bytes
     */
    public Identity(Address address, byte[] publicKey, byte[] privateKey) {
        if (address.isReserved()) {
            throw new IllegalArgumentException("address " + address + " is reserved and cannot be an identity's");
        }
        if (publicKey.length != KEY_LENGTH) {
            throw new IllegalArgumentException("public key is " + publicKey.length + " bytes, not 64");
        }
        if (privateKey != null && privateKey.length != KEY_LENGTH) {
            throw new IllegalArgumentException("private key is " + privateKey.length + " bytes, not 64");
        }
        this.address = address;
        this.publicKey = publicKey.clone();
        this.privateKey = privateKey == null ? null : privateKey.clone();
    }

    /**
     * A new identity: key pairs drawn from {@code random} until one passes the proof of work and
     * derives a non-reserved address (ZT1-01 §8; about 15 runs of the memory-hard hash on
     * average). The same seeded generator gives the same identity. Uses a fresh 2 MiB scratch;
     * see {@link #generate(RandomGenerator, MemoryHardHash)} to reuse one.
     *
     * @param random a {@link java.security.SecureRandom} for real identities
     */
    public static Identity generate(RandomGenerator random) {
        return generate(random, new MemoryHardHash());
    }

    /**
     * {@link #generate(RandomGenerator)} with a caller's scratch, reused across all attempts.
     * ZeroTier tweaks the X25519 half between attempts; only the result matters for
     * interoperability, so each attempt here simply draws a fresh key pair.
     */
    public static Identity generate(RandomGenerator random, MemoryHardHash scratch) {
        byte[] digest = new byte[MemoryHardHash.DIGEST_LENGTH];
        while (true) {
            C25519.KeyPair pair = C25519.generate(random);
            byte[] publicKey = pair.publicKey();
            scratch.digest(publicKey, digest);
            if (!provesWork(digest)) {
                continue;
            }
            Address address = Address.fromBytes(digest, DIGEST_ADDRESS_OFFSET);
            if (!address.isReserved()) {
                return new Identity(address, publicKey, pair.privateKey());
            }
        }
    }

    /**
     * Reads the text form as ZeroTier One 1.14.1 does, including its leniencies: hex of either
     * case; key characters that are not hex digits read as 0 (such a key then fails validation);
     * hex after the 64th key byte, such as a trailing newline, ignored; empty fields skipped; the
     * address read like C {@code strtoull} (so 9 digits name a different address). A private key
     * that does not belong to the public key is accepted, as in 1.14.1.
     *
     * @throws InvalidIdentityException if 1.14.1 would refuse the text (reserved address, type
     *     other than {@code 0} — type 1 with a message that P-384 is not supported —, a key field
     *     giving fewer than 64 bytes, fewer than 3 or more than 4 fields, 384 bytes or longer)
     */
    public static Identity parse(String text) throws InvalidIdentityException {
        return IdentityText.parse(text);
    }

    /**
     * Reads the binary form at the reader's position, leaving it after the identity.
     *
     * @throws WireFormatException on a truncated identity, a type other than 0 (type 1 with a
     *     message that P-384 is not supported; its length is unknowable in the 1.x format, so the
     *     enclosing object must be dropped), a private key length other than 0 or 64, or a
     *     reserved address (1.14.1 defers that check to validation; refusing it here is the same
     *     outcome one step earlier)
     */
    public static Identity decode(ByteReader reader) throws WireFormatException {
        long address = reader.readU40("identity address");
        int type = reader.readU8("identity type");
        if (type == TYPE_P384) {
            throw reader.error("identity type 1 (P-384) is not supported: ZeroTier 1.x knows only type 0 (C25519)");
        }
        if (type != TYPE_C25519) {
            throw reader.error("identity type " + type + " is unknown (only type 0, C25519, exists in ZeroTier 1.x)");
        }
        byte[] publicKey = reader.readBytes(KEY_LENGTH, "identity public key");
        int privateLength = reader.readU8("identity private key length");
        byte[] privateKey = null;
        if (privateLength == KEY_LENGTH) {
            privateKey = reader.readBytes(KEY_LENGTH, "identity private key");
        } else if (privateLength != 0) {
            throw reader.error("identity private key length " + privateLength + " is neither 0 nor 64");
        }
        Address a = new Address(address);
        if (a.isReserved()) {
            throw reader.error("identity address " + a + " is reserved");
        }
        return new Identity(a, publicKey, privateKey);
    }

    /**
     * Writes the binary form; the private key is written only when {@code includePrivate} is set
     * and this identity has one (as 1.14.1 does), so the result is 71 or 135 bytes.
     */
    public void encode(ByteWriter writer, boolean includePrivate) {
        address.encode(writer);
        writer.u8(TYPE_C25519).bytes(publicKey);
        if (includePrivate && privateKey != null) {
            writer.u8(KEY_LENGTH).bytes(privateKey);
        } else {
            writer.u8(0);
        }
    }

    /**
     * The text form: 10 + 1 + 1 + 1 + 128 characters, plus {@code ':'} and 128 more when
     * {@code includePrivate} is set and this identity has a private key; lowercase, no newline.
     */
    public String toString(boolean includePrivate) {
        return IdentityText.format(address, publicKey, includePrivate ? privateKey : null);
    }

    /** The public text form; a private key is never put in a string by accident. */
    @Override
    public String toString() {
        return toString(false);
    }

    /**
     * 1.14.1's identity validation (ZT1-01 §9): the memory-hard digest of the public key has a
     * first byte below 17 and ends in this identity's address (which is never reserved). Nothing
     * else is checked, in particular not that a private key belongs to the public key. Costs one
     * 2 MiB hash run, with a fresh scratch; see {@link #locallyValidate(MemoryHardHash)}.
     */
    public boolean locallyValidate() {
        return locallyValidate(new MemoryHardHash());
    }

    /** {@link #locallyValidate()} with a caller's scratch (not thread-safe: one per thread). */
    public boolean locallyValidate(MemoryHardHash scratch) {
        byte[] digest = new byte[MemoryHardHash.DIGEST_LENGTH];
        scratch.digest(publicKey, digest);
        return provesWork(digest) && Address.fromBytes(digest, DIGEST_ADDRESS_OFFSET).equals(address);
    }

    private static boolean provesWork(byte[] digest) {
        return (digest[0] & 0xff) < MemoryHardHash.PROOF_OF_WORK_LIMIT;
    }

    /**
     * The 48-byte per-peer key shared with {@code other} (ZT1-01 §10): the first 48 bytes of
     * SHA-512 of the X25519 result. Symmetric: {@code a.agree(b)} equals {@code b.agree(a)}.
     * Like 1.14.1 it does not refuse a small-order peer key (the result is then the hash of zeros).
     *
     * @throws IllegalStateException if this identity has no private key
     */
    public byte[] agree(Identity other) {
        return C25519.agree(requirePrivate("agree"), other.publicKey);
    }

    /**
     * ZeroTier's 96-byte signature of {@code msg} (ZT1-01 §11): Ed25519 over the first 32 bytes of
     * SHA-512(msg), followed by those 32 bytes. Deterministic.
     *
     * @throws IllegalStateException if this identity has no private key
     */
    public byte[] sign(byte[] msg) {
        return sign(msg, 0, msg.length);
    }

    /** {@link #sign(byte[])} of {@code msg[offset, offset+length)}. */
    public byte[] sign(byte[] msg, int offset, int length) {
        return C25519.sign(requirePrivate("sign"), publicKey, msg, offset, length);
    }

    /**
     * Whether {@code signature} is this identity's signature of {@code msg}, with exactly
     * 1.14.1's verdict: anything but 96 bytes is invalid, and a non-canonical S (S + L) is
     * accepted as 1.14.1 accepts it.
     */
    public boolean verify(byte[] msg, byte[] signature) {
        return verify(msg, 0, msg.length, signature, 0, signature.length);
    }

    /** {@link #verify(byte[], byte[])} over array ranges. */
    public boolean verify(byte[] msg, int offset, int length, byte[] signature, int signatureOffset, int signatureLength) {
        return C25519.verify(publicKey, msg, offset, length, signature, signatureOffset, signatureLength);
    }

    /**
     * SHA-384 of the 5 address bytes followed by the 64-byte public key (1.14.1's
     * {@code publicKeyHash}); its first 32 bytes are qualifiers 3–6 of a certificate of membership
     * (ZT1-05).
     */
    public byte[] publicKeyHashSha384() {
        return Sha.sha384(address.toBytes(), publicKey);
    }

    public Address address() {
        return address;
    }

    /** A copy of the 64-byte public key (X25519 32 ‖ Ed25519 32). */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    public boolean hasPrivate() {
        return privateKey != null;
    }

    /**
     * A copy of the 64-byte private key (X25519 scalar 32 ‖ Ed25519 seed 32).
     *
     * @throws IllegalStateException if this identity is public only
     */
    public byte[] privateKey() {
        return requirePrivate("privateKey").clone();
    }

    /** This identity without its private key (itself when it has none). */
    public Identity publicOnly() {
        return privateKey == null ? this : new Identity(address, publicKey, null);
    }

    private byte[] requirePrivate(String operation) {
        if (privateKey == null) {
            throw new IllegalStateException(operation + " needs the private key of " + address + ", which this identity lacks");
        }
        return privateKey;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Identity other && address.equals(other.address) && Arrays.equals(publicKey, other.publicKey);
    }

    @Override
    public int hashCode() {
        return address.hashCode() * 31 + Arrays.hashCode(publicKey);
    }
}
