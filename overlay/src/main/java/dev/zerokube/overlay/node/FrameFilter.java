package dev.zerokube.overlay.node;

import dev.zerokube.overlay.rules.FrameView;
import dev.zerokube.overlay.rules.NetworkRules;
import dev.zerokube.overlay.rules.RuleEvaluator;
import dev.zerokube.overlay.rules.RuleTable;
import dev.zerokube.overlay.rules.SenderOwnership;
import dev.zerokube.overlay.rules.TagValues;
import dev.zerokube.overlay.rules.Verdict;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The two rule drivers of ZT1-06 §7 around {@link RuleEvaluator}: 1.14.1's
 * {@code filterOutgoingPacket} and {@code filterIncomingPacket}, including the copies their
 * TEE, WATCH and REDIRECT results make. The evaluator decides; this class acts on the
 * {@link Verdict}: copies go out as EXT_FRAMEs through {@link Copies} in 1.14.1's order (the
 * accepting capability's TEE/WATCH, then the base table's, then the REDIRECT with the whole frame),
 * each with the flags of ZT1-06 §7.3 and cut to the rule's length.
 *
 * <p>Holds one frame view and one verdict, reused: a call allocates nothing. Not thread-safe, like
 * the node.
 */
final class FrameFilter {
    /** Where rule-made copies go: an EXT_FRAME to {@code to} (ZT1-06 §7.3). */
    interface Copies {
        void sendCopy(long to, int flags, long macDest, long macSource, int etherType, byte[] payload, int off, int len);
    }

    /** Inbound results, as 1.14.1's {@code filterIncomingPacket} returns them. */
    static final int DROP = 0;
    static final int ACCEPT = 1;
    static final int SUPER_ACCEPT = 2;

    private final RuleEvaluator evaluator;
    private final FrameView view = new FrameView();
    private final Verdict verdict = new Verdict();

    FrameFilter(RandomGenerator random) {
        this.evaluator = new RuleEvaluator(random);
    }

    /**
     * Filters a frame we are about to send (ZT1-06 §7.1).
     *
     * @param dest the planned recipient, or 0 for the first pass of a multicast or of a frame to a
     *     MAC behind unknown bridges
     * @param destTags the recipient's time-valid tags ({@link TagValues#EMPTY} when unknown)
     * @param ownership our own certificates of ownership
     * @param noTee the per-recipient second pass: no TEE/WATCH copies
     * @return whether the frame goes to {@code dest} as planned (false: dropped, or redirected
     *     elsewhere, the copy already sent)
     */
    boolean outbound(NetworkRules rules, long self, long dest, TagValues destTags, SenderOwnership ownership,
            boolean noTee, long macSource, long macDest, int etherType, byte[] payload, int off, int len,
            Copies copies) {
        view.set(payload, off, len, etherType, macSource, macDest, 0);
        Verdict v = evaluator.filterOutbound(rules, view, self, dest, destTags, ownership, noTee, verdict);
        sendCopies(v, false, macSource, macDest, etherType, payload, off, len, copies);
        return v.deliver();
    }

    /**
     * Filters a frame a member sent us (ZT1-06 §7.2).
     *
     * @param senderTags the sender's time-valid tags
     * @param senderCapabilities the time-valid capabilities the sender presented
     * @param senderOwnership the sender's certificates of ownership
     * @return {@link #DROP} (also when redirected: the copy was sent), {@link #ACCEPT} or
     *     {@link #SUPER_ACCEPT} (deliver without the MAC and bridging checks)
     */
    int inbound(NetworkRules rules, long self, long sender, TagValues senderTags, List<RuleTable> senderCapabilities,
            SenderOwnership senderOwnership, long macSource, long macDest, int etherType, byte[] payload, int off,
            int len, Copies copies) {
        view.set(payload, off, len, etherType, macSource, macDest, 0);
        Verdict v = evaluator.filterInbound(rules, view, self, sender, senderTags, senderCapabilities, senderOwnership,
                verdict);
        sendCopies(v, true, macSource, macDest, etherType, payload, off, len, copies);
        if (!v.deliver()) {
            return DROP;
        }
        return v.superAccept() ? SUPER_ACCEPT : ACCEPT;
    }

    private static void sendCopies(Verdict v, boolean inbound, long macSource, long macDest, int etherType,
            byte[] payload, int off, int len, Copies copies) {
        if (v.capabilityTeeAddress() != 0) {
            copies.sendCopy(v.capabilityTeeAddress(), Verdict.copyFlags(inbound, v.capabilityTeeWatch(), false), macDest,
                    macSource, etherType, payload, off, Math.min(len, v.capabilityTeeLength()));
        }
        if (v.teeAddress() != 0) {
            copies.sendCopy(v.teeAddress(), Verdict.copyFlags(inbound, v.teeWatch(), false), macDest, macSource,
                    etherType, payload, off, Math.min(len, v.teeLength()));
        }
        if (v.redirectAddress() != 0) {
            copies.sendCopy(v.redirectAddress(), Verdict.copyFlags(inbound, false, true), macDest, macSource, etherType,
                    payload, off, len);
        }
    }
}
