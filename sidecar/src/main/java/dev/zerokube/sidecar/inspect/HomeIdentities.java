package dev.zerokube.sidecar.inspect;

import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.sidecar.IdentityFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The identities in a ZeroTier node home directory (identity.secret and identity.public). */
final class HomeIdentities {
    static final String SECRET = "identity.secret";
    static final String PUBLIC = "identity.public";

    /** A home that cannot be used, with a message naming the file and the problem. */
    static final class BadHomeException extends Exception {
        private static final long serialVersionUID = 1L;

        BadHomeException(String message) {
            super(message, null, false, false);
        }
    }

    private HomeIdentities() {}

    /**
     * The identities of {@code home}: identity.secret and identity.public when present (at least
     * one must be); a file that is present but unreadable or not an identity is an error.
     */
    static List<Identity> load(Path home) throws BadHomeException {
        if (!Files.isDirectory(home)) {
            throw new BadHomeException("home " + home + " is not a directory");
        }
        List<Identity> out = new ArrayList<>();
        for (String name : new String[] {SECRET, PUBLIC}) {
            Path file = home.resolve(name);
            if (!Files.exists(file)) {
                continue;
            }
            Optional<Identity> id;
            try {
                id = IdentityFiles.read(file);
            } catch (IOException | RuntimeException e) {
                throw new BadHomeException("cannot read " + file + ": " + e.getMessage());
            }
            if (id.isEmpty()) {
                throw new BadHomeException(file + " does not hold a valid identity");
            }
            out.add(id.get());
        }
        if (out.isEmpty()) {
            throw new BadHomeException("home " + home + " has no " + SECRET + " or " + PUBLIC);
        }
        return out;
    }
}
