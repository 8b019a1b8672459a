package dev.zerokube.overlay.identity;

/**
 * Identity text that ZeroTier One 1.14.1 would not accept either (ZT1-01 §6), for example a
 * reserved address, a type field other than {@code 0} (P-384 identities, type 1, are refused with
 * a message saying so), a key field that does not yield 64 bytes, or a wrong number of fields.
 *
 * <p>The message names the field and what is wrong with it; it never repeats key material. Text
 * identities come from users, files and join requests, so this is a checked exception that the
 * caller turns into a clear answer (a 4xx, a condition, an exit code). It carries no stack trace:
 * it describes the input, not our code.
 */
public final class InvalidIdentityException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidIdentityException(String message) {
        super(message, null, false, false);
    }
}
