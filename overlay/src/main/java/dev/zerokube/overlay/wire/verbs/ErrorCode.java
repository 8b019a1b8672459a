package dev.zerokube.overlay.wire.verbs;

/**
 * The error codes of an ERROR reply (ZT1-03 §3.2), with the shape of the data that follows the
 * code. Codes outside this table are legal on the wire (1.14.1 ignores them) and are kept as
 * numbers in {@link Error#errorCode()}.
 */
public enum ErrorCode {
    /** Never on the wire. */
    NONE(0x00),
    /** Not sent by the 1.14.1 core. */
    INVALID_REQUEST(0x01),
    /** Not sent by the 1.14.1 core. */
    BAD_PROTOCOL_VERSION(0x02),
    /** Network does not exist (also a controller's internal error); {@code [8] nwid} and optional error data. */
    OBJ_NOT_FOUND(0x03),
    /** HELLO from an address whose identity we know to be different; no data. */
    IDENTITY_COLLISION(0x04),
    /** NETWORK_CONFIG_REQUEST to a node that runs no controller; {@code [8] nwid}. */
    UNSUPPORTED_OPERATION(0x05),
    /** Our frame failed the receiver's gate: push credentials; {@code [8] nwid}. */
    NEED_MEMBERSHIP_CERTIFICATE(0x06),
    /** Member not authorized; {@code [8] nwid} and optional error data. */
    NETWORK_ACCESS_DENIED(0x07),
    /** Unsubscribe from a group; {@code [8] nwid [6] MAC [4] ADI}. */
    UNWANTED_MULTICAST(0x08),
    /** SSO required; {@code [8] nwid} and an optional {@code [2] len} auth-info dictionary. */
    NETWORK_AUTHENTICATION_REQUIRED(0x09);

    private static final ErrorCode[] BY_CODE = new ErrorCode[10];

    static {
        for (ErrorCode c : values()) {
            BY_CODE[c.code] = c;
        }
    }

    private final int code;

    ErrorCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The code with this number, or {@code null} if 1.14.1 defines none. */
    public static ErrorCode ofCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** Whether a network id follows this code on the wire. */
    public static boolean carriesNetworkId(int code) {
        return code == 0x03 || code == 0x05 || code == 0x06 || code == 0x07 || code == 0x08 || code == 0x09;
    }

    /**
     * Whether a {@code [2] length, data} block may follow the network id: the codes a 1.14.1
     * controller sends with error data ({@code node/Node.cpp: ncSendError}).
     */
    public static boolean carriesErrorData(int code) {
        return code == 0x03 || code == 0x07 || code == 0x09;
    }
}
