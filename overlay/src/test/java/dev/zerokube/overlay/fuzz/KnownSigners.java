package dev.zerokube.overlay.fuzz;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.identity.InvalidIdentityException;
import dev.zerokube.overlay.testing.Vectors;
import dev.zerokube.overlay.wire.credentials.SignerLookup;

/**
 * The signer the credential targets verify against: the controller gen03 of the vectors'
 * credentials, so that seeds verify and mutated ones exercise every way verification fails
 * (including C25519 verification of hostile keys and signatures).
 */
final class KnownSigners {
    static final Identity CONTROLLER = controller();
    /** Knows only the controller: any other signer is unknown. */
    static final SignerLookup LOOKUP = (Address a) -> a.equals(CONTROLLER.address()) ? CONTROLLER : null;

    private KnownSigners() {}

    private static Identity controller() {
        try {
            return Identity.parse(Vectors.read("credentials.jsonl").getFirst().get("controller_identity").asText());
        } catch (InvalidIdentityException e) {
            throw new IllegalStateException(e);
        }
    }
}
