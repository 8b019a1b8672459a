package dev.zerokube.overlay.codec;

/**
 * Bytes from the network (or a file in a wire format) that do not decode.
 *
 * <p>This is the one typed error every decoder in {@code wire} reports: {@link #what()} names the
 * structure and field that was wrong ("COM: qualifier count 4000 exceeds the 8 allowed"). It is a
 * checked exception so that no caller can forget that network input may be bad. It carries no
 * stack trace: it describes the input, not our code, and a hostile peer must not be able to make
 * us spend time filling stack traces.
 */
public final class WireFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public WireFormatException(String what) {
        super(what, null, false, false);
    }

    /** What was wrong with the input, for a log line, an error reply or a test assertion. */
    public String what() {
        return getMessage();
    }
}
