package dev.zerokube.overlay.rules;

/**
 * What the rules decided for one frame (ZT1-06 §7), written by {@link RuleEvaluator} into a reused
 * instance. Addresses are 40-bit values in a long, 0 meaning none.
 *
 * <p>The frame goes to its planned destination iff {@link #deliver()}. Independently of that, the
 * caller sends the copies named here as EXT_FRAME packets: a TEE/WATCH copy from the capability that
 * accepted the frame, one from the base table (in that order, as 1.14.1 does), and a full-length
 * REDIRECT copy, with the flags of {@link #copyFlags}.
 */
public final class Verdict {
    boolean inbound;
    boolean deliver;
    boolean superAccept;
    TableResult baseResult = TableResult.NO_MATCH;
    long capabilityId = RuleTable.BASE;
    long teeAddress;
    int teeLength;
    boolean teeWatch;
    long capabilityTeeAddress;
    int capabilityTeeLength;
    boolean capabilityTeeWatch;
    long redirectAddress;

    void clear(boolean inbound) {
        this.inbound = inbound;
        deliver = false;
        superAccept = false;
        baseResult = TableResult.NO_MATCH;
        capabilityId = RuleTable.BASE;
        teeAddress = 0;
        teeLength = 0;
        teeWatch = false;
        capabilityTeeAddress = 0;
        capabilityTeeLength = 0;
        capabilityTeeWatch = false;
        redirectAddress = 0;
    }

    /** Whether this verdict is for a received frame. */
    public boolean inbound() {
        return inbound;
    }

    /**
     * Whether the frame proceeds as planned: sent to its destination (outbound) or delivered to the
     * tap (inbound). False when dropped or redirected.
     */
    public boolean deliver() {
        return deliver;
    }

    /** Inbound only: accepted with SUPER_ACCEPT, so delivered without the MAC/bridging checks. */
    public boolean superAccept() {
        return superAccept;
    }

    /** Whether some table accepted the frame (it may still be redirected rather than delivered). */
    public boolean accepted() {
        return deliver || redirectAddress != 0;
    }

    /** What the base table returned. */
    public TableResult baseResult() {
        return baseResult;
    }

    /** The id of the capability that accepted the frame, or {@link RuleTable#BASE} if none did. */
    public long capabilityId() {
        return capabilityId;
    }

    /** Target of the base table's TEE/WATCH copy, or 0. */
    public long teeAddress() {
        return teeAddress;
    }

    /** Payload bytes of the base table's copy. */
    public int teeLength() {
        return teeLength;
    }

    /** Whether the base table's copy is a WATCH (acknowledged) rather than a TEE. */
    public boolean teeWatch() {
        return teeWatch;
    }

    /** Target of the accepting capability's TEE/WATCH copy, or 0. */
    public long capabilityTeeAddress() {
        return capabilityTeeAddress;
    }

    public int capabilityTeeLength() {
        return capabilityTeeLength;
    }

    public boolean capabilityTeeWatch() {
        return capabilityTeeWatch;
    }

    /** Where the whole frame is sent instead of its destination, or 0. */
    public long redirectAddress() {
        return redirectAddress;
    }

    /**
     * The EXT_FRAME flags byte of a copy (ZT1-06 §7.3; follows the 1.14.1 code, not its comment).
     *
     * @param inbound whether the copy is made while filtering a received frame
     * @param watch a WATCH copy (adds the ACK request bit 0x10)
     * @param redirect a REDIRECT copy (then {@code watch} is ignored)
     */
    public static int copyFlags(boolean inbound, boolean watch, boolean redirect) {
        if (redirect) {
            return inbound ? 0x0a : 0x04;
        }
        if (watch) {
            return inbound ? 0x1c : 0x16;
        }
        return inbound ? 0x08 : 0x02;
    }

    @Override
    public String toString() {
        return "Verdict[" + (inbound ? "in" : "out") + " deliver=" + deliver + " super=" + superAccept + " base="
                + baseResult + " cap=" + capabilityId + " tee=" + Long.toHexString(teeAddress) + "/" + teeLength
                + (teeWatch ? "w" : "") + " capTee=" + Long.toHexString(capabilityTeeAddress) + "/"
                + capabilityTeeLength + (capabilityTeeWatch ? "w" : "") + " redirect="
                + Long.toHexString(redirectAddress) + "]";
    }
}
