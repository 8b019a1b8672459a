package dev.zerokube.overlay.rules;

/** The outcome of evaluating one rule table on a frame (ZT1-06 §6.4). */
public enum TableResult {
    /** The table ran out, or BREAK: capabilities are consulted next, default drop. */
    NO_MATCH,
    /** Dropped; capabilities are not consulted. */
    DROP,
    /** Accepted, to be delivered to a new destination. */
    REDIRECT,
    ACCEPT,
    /** Accepted, bypassing the receive side's MAC and bridging checks. */
    SUPER_ACCEPT
}
