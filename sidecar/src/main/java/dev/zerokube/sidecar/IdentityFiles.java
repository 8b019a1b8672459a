package dev.zerokube.sidecar;

import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.identity.InvalidIdentityException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Identities in files and on the command line, read the way ZeroTier One 1.14.1 reads them
 * (identity.secret / identity.public: the text form, whole file, up to a NUL byte).
 */
public final class IdentityFiles {
    private IdentityFiles() {}

    /**
     * The identity {@code arg} stands for, or empty if the file cannot be read or its text does not
     * parse. Like idtool, an argument longer than 32 characters with ':' at index 10 is taken as
     * the identity text itself; anything else is a file name. A file is read whole; its text ends at
     * the first NUL byte, and each byte is one character (ISO-8859-1), so nothing is lost before
     * the parser sees it.
     */
    public static Optional<Identity> fromArgument(String arg) {
        if (arg.length() > 32 && arg.charAt(10) == ':') {
            return parse(arg);
        }
        try {
            return parse(textUpToNul(Files.readAllBytes(Path.of(arg))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The identity in the file, or empty if it does not parse.
     *
     * @throws IOException if the file cannot be read
     */
    public static Optional<Identity> read(Path file) throws IOException {
        return parse(textUpToNul(Files.readAllBytes(file)));
    }

    /** The identity in {@code text} (1.14.1's lenient text form), or empty if it does not parse. */
    public static Optional<Identity> parse(String text) {
        try {
            return Optional.of(Identity.parse(text));
        } catch (InvalidIdentityException e) {
            return Optional.empty();
        }
    }

    /** {@code bytes} as ISO-8859-1 text up to (not including) the first NUL byte. */
    public static String textUpToNul(byte[] bytes) {
        int n = 0;
        while (n < bytes.length && bytes[n] != 0) {
            n++;
        }
        return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
    }
}
