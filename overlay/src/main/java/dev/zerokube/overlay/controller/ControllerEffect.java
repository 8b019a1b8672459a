package dev.zerokube.overlay.controller;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.credentials.Revocation;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import dev.zerokube.overlay.wire.verbs.NetworkCredentials;
import java.util.Objects;

/** Something the node layer must send because policy changed (ZT1-09 §5). */
public sealed interface ControllerEffect {
    /** Address the packet goes to. */
    Address recipient();

    /**
     * Push a fresh config as unsolicited NETWORK_CONFIG chunks ({@link ConfigChunker#pushPayloads}).
     */
    record PushConfig(Address recipient, NetworkConfig config) implements ControllerEffect {
        public PushConfig {
            Objects.requireNonNull(recipient, "recipient");
            Objects.requireNonNull(config, "config");
        }
    }

    /**
     * Send a revocation as NETWORK_CREDENTIALS {@code 00 0000 0000 0001 <revocation> 0000}, encrypted
     * and not compressed (ZT1-09 §1.4).
     */
    record SendRevocation(Address recipient, Revocation revocation) implements ControllerEffect {
        public SendRevocation {
            Objects.requireNonNull(recipient, "recipient");
            Objects.requireNonNull(revocation, "revocation");
        }

        /** The NETWORK_CREDENTIALS payload carrying the revocation. */
        public NetworkCredentials payload() {
            return NetworkCredentials.ofRevocation(revocation);
        }
    }
}
