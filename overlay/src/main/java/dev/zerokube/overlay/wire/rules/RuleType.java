package dev.zerokube.overlay.wire.rules;

/**
 * The rule entry types 1.14.1 knows (ZT1-06 §3.1): the low six bits of an entry's type byte.
 *
 * <p>Codes 0..15 are actions and 16..63 matches; the codes not listed here (7..23, 52..63) are
 * reserved and decode to {@link RuleEntry.Unknown}. {@link #payloadLength()} is the length byte
 * the 1.14.1 serializer writes for the type; {@link #jsonName()} the controller's {@code type}
 * string, or {@code null} for PRIORITY, which the controller cannot express.
 */
public enum RuleType {
    ACTION_DROP(0, "ACTION_DROP", 0),
    ACTION_ACCEPT(1, "ACTION_ACCEPT", 0),
    ACTION_TEE(2, "ACTION_TEE", 14),
    ACTION_WATCH(3, "ACTION_WATCH", 14),
    ACTION_REDIRECT(4, "ACTION_REDIRECT", 14),
    ACTION_BREAK(5, "ACTION_BREAK", 0),
    /** Its QoS bucket lives only in memory: the serializer writes no payload (ZT1-06 §3.1). */
    ACTION_PRIORITY(6, null, 0),
    MATCH_SOURCE_ZEROTIER_ADDRESS(24, "MATCH_SOURCE_ZEROTIER_ADDRESS", 5),
    MATCH_DEST_ZEROTIER_ADDRESS(25, "MATCH_DEST_ZEROTIER_ADDRESS", 5),
    MATCH_VLAN_ID(26, "MATCH_VLAN_ID", 2),
    MATCH_VLAN_PCP(27, "MATCH_VLAN_PCP", 1),
    MATCH_VLAN_DEI(28, "MATCH_VLAN_DEI", 1),
    MATCH_MAC_SOURCE(29, "MATCH_MAC_SOURCE", 6),
    MATCH_MAC_DEST(30, "MATCH_MAC_DEST", 6),
    MATCH_IPV4_SOURCE(31, "MATCH_IPV4_SOURCE", 5),
    MATCH_IPV4_DEST(32, "MATCH_IPV4_DEST", 5),
    MATCH_IPV6_SOURCE(33, "MATCH_IPV6_SOURCE", 17),
    MATCH_IPV6_DEST(34, "MATCH_IPV6_DEST", 17),
    MATCH_IP_TOS(35, "MATCH_IP_TOS", 3),
    MATCH_IP_PROTOCOL(36, "MATCH_IP_PROTOCOL", 1),
    MATCH_ETHERTYPE(37, "MATCH_ETHERTYPE", 2),
    MATCH_ICMP(38, "MATCH_ICMP", 3),
    MATCH_IP_SOURCE_PORT_RANGE(39, "MATCH_IP_SOURCE_PORT_RANGE", 4),
    MATCH_IP_DEST_PORT_RANGE(40, "MATCH_IP_DEST_PORT_RANGE", 4),
    MATCH_CHARACTERISTICS(41, "MATCH_CHARACTERISTICS", 8),
    MATCH_FRAME_SIZE_RANGE(42, "MATCH_FRAME_SIZE_RANGE", 4),
    MATCH_RANDOM(43, "MATCH_RANDOM", 4),
    MATCH_TAGS_DIFFERENCE(44, "MATCH_TAGS_DIFFERENCE", 8),
    MATCH_TAGS_BITWISE_AND(45, "MATCH_TAGS_BITWISE_AND", 8),
    MATCH_TAGS_BITWISE_OR(46, "MATCH_TAGS_BITWISE_OR", 8),
    MATCH_TAGS_BITWISE_XOR(47, "MATCH_TAGS_BITWISE_XOR", 8),
    MATCH_TAGS_EQUAL(48, "MATCH_TAGS_EQUAL", 8),
    MATCH_TAG_SENDER(49, "MATCH_TAG_SENDER", 8),
    MATCH_TAG_RECEIVER(50, "MATCH_TAG_RECEIVER", 8),
    /** Written with the absolute end; the 1.14.1 controller parses but never issues it (ZT1-06 §5.3). */
    MATCH_INTEGER_RANGE(51, "INTEGER_RANGE", 19);

    /** Codes below this are actions (ZT1-06 §2). */
    public static final int FIRST_MATCH_CODE = 16;
    /** Type byte bit that inverts a match. */
    public static final int NOT_BIT = 0x80;
    /** Type byte bit that ORs a match into the running result instead of ANDing it. */
    public static final int OR_BIT = 0x40;
    /** Mask of the type code within the type byte. */
    public static final int CODE_MASK = 0x3f;

    private static final RuleType[] BY_CODE = new RuleType[CODE_MASK + 1];

    static {
        for (RuleType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;
    private final String jsonName;
    private final int payloadLength;

    RuleType(int code, String jsonName, int payloadLength) {
        this.code = code;
        this.jsonName = jsonName;
        this.payloadLength = payloadLength;
    }

    /** The six-bit type code. */
    public int code() {
        return code;
    }

    /** The controller JSON {@code type} string, or {@code null} if the controller has none. */
    public String jsonName() {
        return jsonName;
    }

    /** The value of the length byte 1.14.1 writes for this type. */
    public int payloadLength() {
        return payloadLength;
    }

    public boolean isAction() {
        return isAction(code);
    }

    /** Whether a six-bit code (known or not) is an action. */
    public static boolean isAction(int code) {
        return code < FIRST_MATCH_CODE;
    }

    /** The known type for a six-bit code, or {@code null} for a reserved code. */
    public static RuleType ofCode(int code) {
        if (code < 0 || code > CODE_MASK) {
            throw new IllegalArgumentException("rule type code " + code + " is not six bits");
        }
        return BY_CODE[code];
    }

    /** The type whose controller JSON name is {@code name}, or {@code null}. */
    public static RuleType ofJsonName(String name) {
        for (RuleType t : values()) {
            if (t.jsonName != null && t.jsonName.equals(name)) {
                return t;
            }
        }
        return null;
    }
}
