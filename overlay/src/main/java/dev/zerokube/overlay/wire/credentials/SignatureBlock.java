package dev.zerokube.overlay.wire.credentials;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.crypto.C25519;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.NetworkId;

/**
 * The conventions Tag, Capability custody entries, COO and Revocation share (ZT1-05 §1.6): the
 * signature block {@code sigType u8 ‖ sigLen u16 ‖ sig}, the trailing extension block
 * {@code extLen u16 ‖ ext}, the {@code 7f×8} sentinels of the sign input, and signing and
 * verification by the network's controller.
 */
final class SignatureBlock {
    /** The 8-byte marker at both ends of a sign input. */
    static final long SENTINEL = 0x7f7f_7f7f_7f7f_7f7fL;
    /** The only signature type 1.14.1 writes and checks: the 96-byte C25519 signature. */
    static final int TYPE_C25519 = 1;
    static final int LENGTH = C25519.SIGNATURE_LENGTH;

    private SignatureBlock() {}

    /**
     * Reads a signature block. Type 1 must have length 96. Any other type is skipped by its length
     * and gives an all-zero signature, which never verifies (as in 1.14.1).
     */
    static byte[] read(ByteReader r, String what) throws WireFormatException {
        int type = r.readU8(what + " signature type");
        int len = r.readU16(what + " signature length");
        if (type == TYPE_C25519) {
            if (len != LENGTH) {
                throw r.error(what + " signature of type 1 has length " + len + ", not " + LENGTH);
            }
            return r.readBytes(LENGTH, what + " signature");
        }
        r.skip(len, what + " signature of unknown type " + type);
        return new byte[LENGTH];
    }

    static void write(ByteWriter w, byte[] signature) {
        w.u8(TYPE_C25519).u16(LENGTH).bytes(signature);
    }

    /** Skips the extension block; its bytes are never kept, re-sent or signed. */
    static void skipExtension(ByteReader r, String what) throws WireFormatException {
        int len = r.readU16(what + " extension length");
        r.skip(len, what + " extension");
    }

    /** A copy of a 96-byte signature, checked. */
    static byte[] copyOf(byte[] signature, String what) {
        if (signature == null || signature.length != LENGTH) {
            throw new IllegalArgumentException(what + " signature must be " + LENGTH + " bytes");
        }
        return signature.clone();
    }


    /**
     * 1.14.1's verify for credentials with one signer: the signer must be the network's controller
     * ({@code networkId >> 24}, not zero), known locally, and its signature must verify.
     */
    static VerifyResult verifyByController(NetworkId networkId, Address signedBy, byte[] message, byte[] signature,
            SignerLookup lookup) {
        if (signedBy.value() == 0 || signedBy.value() != networkId.controllerAddress()) {
            return VerifyResult.NOT_CONTROLLER;
        }
        Identity signer = lookup.identityOf(signedBy);
        if (signer == null) {
            return VerifyResult.SIGNER_UNKNOWN;
        }
        return signer.verify(message, signature) ? VerifyResult.OK : VerifyResult.BAD_SIGNATURE;
    }

    static boolean isZero(byte[] b) {
        int acc = 0;
        for (byte x : b) {
            acc |= x;
        }
        return acc == 0;
    }
}
