package dev.zerokube.overlay.rules;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.rules.RuleType;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Evaluates a network's rules on a frame as ZeroTier One 1.14.1 does (ZT1-06 §6–§7): the base table,
 * then, if it neither accepted nor dropped, capabilities (outbound: our own in ascending id order;
 * inbound: those the sender presented), default drop.
 *
 * <p>Not thread-safe: it holds per-call state so that a call allocates nothing. Use one instance per
 * thread. The random generator feeds RANDOM matches, one 32-bit draw per RANDOM match actually
 * evaluated (a match skipped because its AND group is already false draws nothing).
 */
public final class RuleEvaluator {
    private static final int NOT = RuleType.NOT_BIT;
    private static final int OR = RuleType.OR_BIT;
    private static final int CODE = RuleType.CODE_MASK;
    /** Match results: 0/1 are ordinary and invertible; the hard ones ignore NOT (ZT1-06 §6.2). */
    private static final int NO = 0;
    private static final int YES = 1;
    private static final int HARD_NO = 2;
    private static final int HARD_YES = 3;

    private static final long CHR_INBOUND = 0x8000_0000_0000_0000L;
    private static final long CHR_IP_AUTH = 0x1000_0000_0000_0000L;
    private static final long CHR_MAC_AUTH = 0x0800_0000_0000_0000L;

    private final RandomGenerator random;

    // Per-call state (one filter call).
    private FrameView frame;
    private boolean inbound;
    private long self;
    private long ztSource;
    private TagValues localTags;
    private TagValues remoteTags;
    private SenderOwnership ownership;
    private boolean unsupportedMatchResult;
    private long authBits;
    private boolean authKnown;
    // Per-table state.
    private long ztDest;
    private long cc;
    private int ccLength;
    private boolean ccWatch;
    private boolean skipDrop;
    private boolean superAccept;

    public RuleEvaluator(RandomGenerator random) {
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * Filters a frame this node is about to send (1.14.1 {@code filterOutgoingPacket}).
     *
     * @param self our address
     * @param dest the destination member's address, or 0 for a multicast/broadcast or unknown
     *     bridged destination (then the destination has no tags)
     * @param destTags the destination's time-valid tags
     * @param ownership answers for our own certificates of ownership
     * @param noTee the second, per-recipient pass of a multicast: no TEE/WATCH copies are reported
     */
    public Verdict filterOutbound(NetworkRules rules, FrameView frame, long self, long dest, TagValues destTags,
            SenderOwnership ownership, boolean noTee, Verdict out) {
        begin(rules, frame, false, self, self, dest == 0 ? TagValues.EMPTY : destTags, ownership, out);
        boolean accepted = false;
        long finalDest = dest;
        TableResult r = evaluate(rules.base(), dest);
        out.baseResult = r;
        long baseCc = cc;
        int baseCcLength = ccLength;
        boolean baseCcWatch = ccWatch;
        switch (r) {
            case NO_MATCH -> {
                List<RuleTable> caps = rules.capabilities();
                for (int i = 0; i < caps.size(); i++) {
                    TableResult r2 = evaluate(caps.get(i), dest);
                    if (r2 == TableResult.ACCEPT || r2 == TableResult.SUPER_ACCEPT || r2 == TableResult.REDIRECT) {
                        accepted = true;
                        finalDest = ztDest;
                        out.capabilityId = caps.get(i).capabilityId;
                        if (!noTee && cc != 0) {
                            out.capabilityTeeAddress = cc;
                            out.capabilityTeeLength = ccLength;
                            out.capabilityTeeWatch = ccWatch;
                        }
                        break;
                    }
                }
            }
            case DROP -> {
                return out;
            }
            case ACCEPT, REDIRECT, SUPER_ACCEPT -> {
                accepted = true;
                finalDest = ztDest;
            }
        }
        if (!accepted) {
            return out;
        }
        if (!noTee && baseCc != 0) {
            out.teeAddress = baseCc;
            out.teeLength = baseCcLength;
            out.teeWatch = baseCcWatch;
        }
        if (finalDest != dest && finalDest != 0) {
            out.redirectAddress = finalDest;
        } else {
            out.deliver = true;
        }
        return out;
    }

    /**
     * Filters a frame received from another member (1.14.1 {@code filterIncomingPacket}).
     *
     * @param self our address
     * @param sender the sending member's address
     * @param senderTags the sender's time-valid tags
     * @param senderCapabilities the time-valid capabilities the sender presented, tried in this order
     * @param senderOwnership answers for the sender's certificates of ownership (and NDP emulation)
     */
    public Verdict filterInbound(NetworkRules rules, FrameView frame, long self, long sender, TagValues senderTags,
            List<RuleTable> senderCapabilities, SenderOwnership senderOwnership, Verdict out) {
        begin(rules, frame, true, self, sender, senderTags, senderOwnership, out);
        int accept = 0;
        long finalDest = self;
        TableResult r = evaluate(rules.base(), self);
        out.baseResult = r;
        long baseCc = cc;
        int baseCcLength = ccLength;
        boolean baseCcWatch = ccWatch;
        switch (r) {
            case NO_MATCH -> {
                for (int i = 0; i < senderCapabilities.size(); i++) {
                    RuleTable cap = senderCapabilities.get(i);
                    TableResult r2 = evaluate(cap, self);
                    if (r2 == TableResult.ACCEPT || r2 == TableResult.REDIRECT || r2 == TableResult.SUPER_ACCEPT) {
                        accept = r2 == TableResult.SUPER_ACCEPT ? 2 : 1;
                        finalDest = ztDest;
                        out.capabilityId = cap.capabilityId;
                        if (cc != 0) {
                            out.capabilityTeeAddress = cc;
                            out.capabilityTeeLength = ccLength;
                            out.capabilityTeeWatch = ccWatch;
                        }
                        break;
                    }
                }
            }
            case DROP -> {
                return out;
            }
            case ACCEPT, REDIRECT -> {
                accept = 1;
                finalDest = ztDest;
            }
            case SUPER_ACCEPT -> {
                accept = 2;
                finalDest = ztDest;
            }
        }
        if (accept == 0) {
            return out;
        }
        if (baseCc != 0) {
            out.teeAddress = baseCc;
            out.teeLength = baseCcLength;
            out.teeWatch = baseCcWatch;
        }
        if (finalDest != self && finalDest != 0) {
            out.redirectAddress = finalDest;
        } else {
            out.deliver = true;
            out.superAccept = accept == 2;
        }
        return out;
    }

    private void begin(NetworkRules rules, FrameView frame, boolean inbound, long self, long ztSource,
            TagValues remoteTags, SenderOwnership ownership, Verdict out) {
        this.frame = Objects.requireNonNull(frame, "frame");
        this.inbound = inbound;
        this.self = self & Address.MASK;
        this.ztSource = ztSource & Address.MASK;
        this.localTags = rules.tags();
        this.remoteTags = Objects.requireNonNull(remoteTags, "remote tags");
        this.ownership = Objects.requireNonNull(ownership, "ownership");
        this.unsupportedMatchResult = rules.unsupportedMatchResult();
        this.authKnown = false;
        out.clear(inbound);
    }

    /** ZT1-06 §6.2: one table; leaves the copy target in {@code cc} and the destination in {@code ztDest}. */
    private TableResult evaluate(RuleTable t, long dest) {
        ztDest = dest & Address.MASK;
        cc = 0;
        ccLength = 0;
        ccWatch = false;
        skipDrop = false;
        superAccept = false;
        boolean set = true;
        int n = t.typeByte.length;
        for (int i = 0; i < n; i++) {
            int tb = t.typeByte[i];
            int code = tb & CODE;
            if (code < RuleType.FIRST_MATCH_CODE) {
                if (set) {
                    switch (code) {
                        case 0 -> { // DROP
                            if (!skipDrop) {
                                return TableResult.DROP;
                            }
                            skipDrop = false;
                        }
                        case 1 -> {
                            return superAccept ? TableResult.SUPER_ACCEPT : TableResult.ACCEPT;
                        }
                        case 2, 3, 4 -> {
                            long f = t.a[i];
                            if (f == ztSource) {
                                // a copy to the sender is pointless
                            } else if (f == self) {
                                if (inbound) {
                                    return TableResult.SUPER_ACCEPT;
                                }
                            } else if (f == ztDest) {
                                // already going there
                            } else if (code == 4) {
                                ztDest = f;
                                return TableResult.REDIRECT;
                            } else {
                                cc = f;
                                int max = t.c[i];
                                ccLength = max != 0 ? Math.min(frame.len, max) : frame.len;
                                ccWatch = code == 3;
                            }
                        }
                        case 5 -> {
                            return TableResult.NO_MATCH;
                        }
                        case 6 -> {
                            return TableResult.ACCEPT; // PRIORITY: QoS is not modelled
                        }
                        default -> { } // reserved actions are ignored
                    }
                } else {
                    // A copy aimed at us that this node's own group did not trigger still marks us as
                    // the observer the sender's rules meant (ZT1-06 §6.2).
                    if (inbound && code >= 2 && code <= 4 && t.a[i] == self) {
                        superAccept = true;
                    }
                    set = true;
                }
                continue;
            }
            boolean or = (tb & OR) != 0;
            if (!set && !or) {
                continue;
            }
            int m = match(t, i, code);
            boolean v = m >= HARD_NO ? m == HARD_YES : (m == YES) != ((tb & NOT) != 0);
            set = or ? (set || v) : v;
        }
        return TableResult.NO_MATCH;
    }

    private int match(RuleTable t, int i, int code) {
        FrameView f = frame;
        long a = t.a[i];
        return switch (code) {
            case 24 -> bool(a == ztSource);
            case 25 -> bool(a == ztDest);
            case 26 -> bool(a == f.vlanId);
            case 27, 28 -> bool(a == 0); // VLAN PCP/DEI: not implemented by 1.14.1
            case 29 -> bool(a == f.macSource);
            case 30 -> bool(a == f.macDest);
            case 31 -> f.ipv4 ? bool(ipv4Contains(a, t.c[i], f.ipv4Source)) : HARD_NO;
            case 32 -> f.ipv4 ? bool(ipv4Contains(a, t.c[i], f.ipv4Dest)) : HARD_NO;
            case 33 -> f.ipv6 ? bool(ipv6Contains(a, t.b[i], t.c[i], f.v6SourceHi, f.v6SourceLo)) : HARD_NO;
            case 34 -> f.ipv6 ? bool(ipv6Contains(a, t.b[i], t.c[i], f.v6DestHi, f.v6DestLo)) : HARD_NO;
            case 35 -> {
                if (f.tos < 0) {
                    yield HARD_NO;
                }
                long tos = f.tos & a;
                yield bool(tos >= t.b[i] && tos <= t.c[i]);
            }
            case 36 -> f.ipProtocol < 0 ? HARD_NO : bool(a == f.ipProtocol);
            case 37 -> bool(a == f.etherType);
            case 38 -> {
                if (f.icmpType < 0 || a != f.icmpType) {
                    yield HARD_NO;
                }
                yield (t.c[i] & 0x01) != 0 ? bool(t.b[i] == f.icmpCode) : HARD_YES;
            }
            case 39, 40 -> {
                if (!f.portsDefined) {
                    yield HARD_NO;
                }
                int p = code == 39 ? f.sourcePort : f.destPort;
                yield bool(p >= 0 && p >= a && p <= t.b[i]);
            }
            case 41 -> bool(characteristicsMatch(a));
            case 42 -> bool(f.len >= a && f.len <= t.b[i]);
            case 43 -> bool((random.nextInt() & 0xffff_ffffL) <= a);
            case 44, 45, 46, 47, 48 -> tagPair(code, a, t.b[i]);
            case 49, 50 -> tagOne(code == 49, a, t.b[i]);
            case 51 -> bool(integerRange(a, t.b[i], t.c[i], t.d[i]));
            default -> bool(unsupportedMatchResult);
        };
    }

    private static int bool(boolean b) {
        return b ? YES : NO;
    }

    /** Top {@code bits} bits equal; the rule's host bits are ignored; 0 bits match everything. */
    private static boolean ipv4Contains(long rule, int bits, long ip) {
        int n = Math.min(bits, 32);
        return n == 0 || (rule >>> (32 - n)) == (ip >>> (32 - n));
    }

    /** ZT1-06 §6.3.4: only the packet address is masked, the rule address is compared as given. */
    private static boolean ipv6Contains(long ruleHi, long ruleLo, int bits, long ipHi, long ipLo) {
        int n = Math.min(bits, 128);
        long maskHi = prefixMask(Math.min(n, 64));
        long maskLo = prefixMask(Math.max(n - 64, 0));
        return (ipHi & maskHi) == ruleHi && (ipLo & maskLo) == ruleLo;
    }

    private static long prefixMask(int bits) {
        return bits == 0 ? 0 : -1L << (64 - bits);
    }

    private boolean characteristicsMatch(long mask) {
        long cf = frame.frameCharacteristics | (inbound ? CHR_INBOUND : 0);
        if ((cf & mask) != 0) {
            return true;
        }
        if ((mask & (CHR_IP_AUTH | CHR_MAC_AUTH)) == 0) {
            return false;
        }
        if (!authKnown) {
            long bits = 0;
            if (frame.ipAuthenticatedAlways
                    || (frame.claimedIpOffset >= 0
                            && ownership.ownsIp(frame.buf, frame.off + frame.claimedIpOffset, frame.claimedIpLength))) {
                bits |= CHR_IP_AUTH;
            }
            if (ownership.ownsMac(frame.macSource)) {
                bits |= CHR_MAC_AUTH;
            }
            authBits = bits;
            authKnown = true;
        }
        return (authBits & mask) != 0;
    }

    /** ZT1-06 §6.3.9, types 44..48: our tag against the other party's. */
    private int tagPair(int code, long id, long v) {
        int li = localTags.indexOf(id);
        if (li < 0) {
            return HARD_NO;
        }
        int ri = remoteTags.indexOf(id);
        if (ri >= 0) {
            long l = localTags.valueAt(li);
            long r = remoteTags.valueAt(ri);
            return bool(switch (code) {
                case 44 -> (l > r ? l - r : r - l) <= v;
                case 45 -> (l & r) == v;
                case 46 -> (l | r) == v;
                case 47 -> (l ^ r) == v;
                default -> l == v && r == v;
            });
        }
        if (inbound && !superAccept) {
            return HARD_NO;
        }
        skipDrop = true;
        return HARD_YES;
    }

    /** ZT1-06 §6.3.9, TAG_SENDER / TAG_RECEIVER: one party's tag against the rule value. */
    private int tagOne(boolean sender, long id, long v) {
        if (superAccept) {
            skipDrop = true;
            return HARD_YES;
        }
        if (sender == inbound) {
            int ri = remoteTags.indexOf(id);
            if (ri >= 0) {
                return bool(remoteTags.valueAt(ri) == v);
            }
            if (!sender) {
                skipDrop = true;
                return HARD_YES;
            }
            return HARD_NO;
        }
        int li = localTags.indexOf(id);
        return li >= 0 ? bool(localTags.valueAt(li) == v) : HARD_NO;
    }

    /** ZT1-06 §6.3.11, including the big-endian offset quirk. */
    private boolean integerRange(long start, long endOffset, int index, int format) {
        int bits = (format & 63) + 1;
        int bytes = (bits + 7) / 8;
        long x = 0;
        if ((format & 0x80) == 0) {
            int i = index + (8 - bytes);
            if (i + bytes <= frame.len) {
                for (int k = 0; k < bytes; k++) {
                    x = (x << 8) | frame.byteAt(i + k);
                }
            }
            x &= -1L >>> (64 - bits);
        } else {
            if (index + bytes <= frame.len) {
                for (int k = 0; k < bytes; k++) {
                    x = (x >>> 8) | ((long) frame.byteAt(index + k) << 56);
                }
            }
            x >>>= (64 - bits);
        }
        return Long.compareUnsigned(start, x) <= 0 && Long.compareUnsigned(x, start + endOffset) <= 0;
    }
}
