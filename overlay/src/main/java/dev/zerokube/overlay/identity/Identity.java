package dev.zerokube.overlay.identity;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import java.util.Arrays;

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
 * as in 1.14.1; the private key takes no part.
 */
public final class Identity {
    /** Type byte of a C25519 identity, the only type in ZeroTier 1.x. */
    public static final int TYPE_C25519 = 0;
    /** Type byte of a 2.x P-384 identity: recognised only to refuse it. */
    public static final int TYPE_P384 = 1;
    /** Length of the public key and of the private key. */
    public static final int KEY_LENGTH = 64;
    /** Length of the binary form without the private key. */
    public static final int ENCODED_PUBLIC_LENGTH = Address.LENGTH + 1 + KEY_LENGTH + 1;
    /** Length of the binary form with the private key. */
    public static final int ENCODED_PRIVATE_LENGTH = ENCODED_PUBLIC_LENGTH + KEY_LENGTH;

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
