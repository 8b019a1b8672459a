package dev.zerokube.overlay.wire.credentials;

/**
 * Outcome of verifying a credential (ZT1-05 §1.5). 1.14.1 folds the failures into one result
 * (−1); they are told apart here for logs and metrics, and {@link #zt1Code()} gives 1.14.1's
 * number. {@link #SIGNER_UNKNOWN} is neither valid nor invalid: the node should ask WHOIS for the
 * signer and verify again when the identity arrives.
 */
public enum VerifyResult {
    /** Signed by the network's controller (or a valid custody chain), signature good. */
    OK(0),
    /** The signer's identity is not known locally: WHOIS it and retry (1.14.1: 1). */
    SIGNER_UNKNOWN(1),
    /** Unsigned, or signed by someone other than the network's controller. */
    NOT_CONTROLLER(-1),
    /** A capability's custody chain is malformed (bad length, zero or unlinked addresses). */
    BAD_CUSTODY_CHAIN(-1),
    /** The signature does not verify with the signer's public key. */
    BAD_SIGNATURE(-1);

    private final int zt1Code;

    VerifyResult(int zt1Code) {
        this.zt1Code = zt1Code;
    }

    /** 1.14.1's verify() result: 0 valid, 1 signer unknown, −1 invalid. */
    public int zt1Code() {
        return zt1Code;
    }

    public boolean isValid() {
        return this == OK;
    }

    /** Definitely invalid (as opposed to valid or not decidable yet). */
    public boolean isInvalid() {
        return zt1Code < 0;
    }
}
