package dev.zerokube.overlay.wire.credentials;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;

/**
 * Finds the identity of a credential's signer among those the node already knows (its topology
 * or cache). Verification never fetches anything itself: an unknown signer yields
 * {@link VerifyResult#SIGNER_UNKNOWN}.
 */
@FunctionalInterface
public interface SignerLookup {
    /** The known identity with this address, or {@code null}. */
    Identity identityOf(Address address);
}
