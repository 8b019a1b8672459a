package dev.zerokube.overlay.wire;

/**
 * The ZeroTier 1.x protocol verbs: the low 5 bits of the verb byte at packet offset 27 (ZT1-03 §1).
 *
 * <p>This enum is the one place verb numbers live. The verb byte's 0x80 bit (LZ4-compressed
 * payload) and the unused bits 0x20/0x40 belong to the packet layer and are not part of a verb.
 * Codes 0x0f, 0x11 and 0x17..0x1f are unassigned in 1.14.1: {@link #ofCode} returns {@code null}
 * for them, and a receiver accepts such packets silently (never an ERROR), as 1.14.1 does.
 */
public enum Verb {
    /** Empty payload; legacy beacon reply. */
    NOP(0x00),
    /** Identity and version announcement; the only verb an unknown sender may use. */
    HELLO(0x01),
    /** Negative reply: in-re verb, in-re packet id, error code, code-specific data. */
    ERROR(0x02),
    /** Positive reply: in-re verb, in-re packet id, verb-specific data. */
    OK(0x03),
    /** Identity lookup sent to an upstream. */
    WHOIS(0x04),
    /** NAT traversal hint from a relaying root. */
    RENDEZVOUS(0x05),
    /** Unicast Ethernet frame between members with derived MACs. */
    FRAME(0x06),
    /** Ethernet frame with explicit MACs and flags (bridging, rule TEE/REDIRECT/WATCH). */
    EXT_FRAME(0x07),
    /** Echo request; keepalive probe. */
    ECHO(0x08),
    /** Multicast subscription announcement. */
    MULTICAST_LIKE(0x09),
    /** Credential push (COMs, capabilities, tags, revocations, COOs). */
    NETWORK_CREDENTIALS(0x0a),
    /** Member asks the controller for its network config. */
    NETWORK_CONFIG_REQUEST(0x0b),
    /** Unsolicited or fast-propagated network config chunk. */
    NETWORK_CONFIG(0x0c),
    /** Request for members of a multicast group. */
    MULTICAST_GATHER(0x0d),
    /** Multicast Ethernet frame. */
    MULTICAST_FRAME(0x0e),
    /** The sender's physical addresses. */
    PUSH_DIRECT_PATHS(0x10),
    /** Multipath acknowledgement; disabled in 1.14.1 (accept and ignore). */
    ACK(0x12),
    /** Multipath link quality records (host byte order). */
    QOS_MEASUREMENT(0x13),
    /** Application message with a 64-bit type id. */
    USER_MESSAGE(0x14),
    /** Diagnostic trace dictionaries. */
    REMOTE_TRACE(0x15),
    /** Multipath active-backup link negotiation. */
    PATH_NEGOTIATION_REQUEST(0x16);

    /** The verb field is the low 5 bits of the verb byte. */
    public static final int CODE_MASK = 0x1f;

    private static final Verb[] BY_CODE = new Verb[CODE_MASK + 1];

    static {
        for (Verb v : values()) {
            BY_CODE[v.code] = v;
        }
    }

    private final int code;

    Verb(int code) {
        this.code = code;
    }

    /** The 5-bit verb number. */
    public int code() {
        return code;
    }

    /**
     * The verb numbered {@code code & 0x1f}, or {@code null} when 1.14.1 assigns no verb to it
     * (the packet must then be accepted and ignored, not answered).
     */
    public static Verb ofCode(int code) {
        return BY_CODE[code & CODE_MASK];
    }
}
