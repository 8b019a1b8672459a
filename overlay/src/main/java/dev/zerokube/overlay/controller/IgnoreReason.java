package dev.zerokube.overlay.controller;

/** Why a config request gets no answer at all (the member keeps asking). */
public enum IgnoreReason {
    /** The network id does not carry this controller's address (1.14.1 stays silent too). */
    FOREIGN_NETWORK,
    /** Less than 1 s after the member's previous accepted request for this network (quirk Q17). */
    RATE_LIMITED,
    /** The member record kept changing under the controller's compare-and-set writes. */
    STORE_CONFLICT,
    /** The config does not fit a member's 484 520-byte dictionary (1.14.1 sends nothing either). */
    CONFIG_TOO_LARGE
}
