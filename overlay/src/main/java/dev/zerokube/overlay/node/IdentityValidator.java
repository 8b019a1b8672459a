package dev.zerokube.overlay.node;

import dev.zerokube.overlay.crypto.MemoryHardHash;
import dev.zerokube.overlay.identity.Identity;

/**
 * The identity check a node runs before it admits a peer it has not seen (a HELLO from an unknown
 * address, an OK(WHOIS) answer): 1.14.1's {@link Identity#locallyValidate} proof of work, which
 * costs one run of the 2 MiB memory-hard hash. It is a seam so that a host may share or cache
 * the work (a simulation of many nodes in one JVM checks each identity once); any implementation
 * must give the same answers as {@link #memoryHard()}.
 */
@FunctionalInterface
public interface IdentityValidator {
    /** Whether the identity's address is bound to its key by the proof of work (ZT1-01 §9). */
    boolean isValid(Identity identity);

    /**
     * The real check, with its 2 MiB scratch made on first use and then reused. Not
     * thread-safe: one per node.
     */
    static IdentityValidator memoryHard() {
        return new IdentityValidator() {
            private MemoryHardHash scratch;

            @Override
            public boolean isValid(Identity identity) {
                if (scratch == null) {
                    scratch = new MemoryHardHash();
                }
                return identity.locallyValidate(scratch);
            }
        };
    }
}
