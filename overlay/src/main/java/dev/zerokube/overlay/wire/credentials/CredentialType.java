package dev.zerokube.overlay.wire.credentials;

/**
 * Credential type numbers (ZT1-05 §1.1). On the wire they appear only as a Revocation's target
 * type byte; 5 is unassigned.
 */
public enum CredentialType {
    NULL(0),
    COM(1),
    CAPABILITY(2),
    TAG(3),
    COO(4),
    REVOCATION(6);

    private final int code;

    CredentialType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The type with this number, or {@code null} for an unassigned one. */
    public static CredentialType ofCode(int code) {
        for (CredentialType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
