package dev.zerokube.overlay.controller;

import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import java.util.Objects;

/**
 * The controller's answer to one genuine NETWORK_CONFIG_REQUEST. The node layer turns a
 * {@link Reply} into OK(NETWORK_CONFIG_REQUEST) chunks ({@link ConfigChunker}), a {@link Refuse}
 * into an ERROR ({@link RefusalCode#errorReply}), and sends nothing for {@link Ignore}.
 */
public sealed interface ConfigDecision {
    /** Send this config, signed and chunked. */
    record Reply(NetworkConfig config) implements ConfigDecision {
        public Reply {
            Objects.requireNonNull(config, "config");
        }
    }

    /** Send ERROR with this code. */
    record Refuse(RefusalCode code) implements ConfigDecision {
        public Refuse {
            Objects.requireNonNull(code, "code");
        }
    }

    /** Send nothing. */
    record Ignore(IgnoreReason reason) implements ConfigDecision {
        public Ignore {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
