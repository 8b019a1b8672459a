package dev.zerokube.overlay.rules;

import dev.zerokube.overlay.wire.rules.RuleEntry;
import dev.zerokube.overlay.wire.rules.RuleType;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Slow, obvious reference model of 1.14.1 rule evaluation, written from the pseudo-code of ZT1-06
 * §6–§7 independently of {@link RuleEvaluator}: it interprets the {@link RuleEntry} records
 * directly, re-reads the frame bytes for every match and allocates freely. Tests compare the two.
 */
final class RuleModel {
    /** A match outcome before NOT is applied; hard outcomes ignore NOT. */
    enum M { NO, YES, HARD_NO, HARD_YES }

    /** Everything the model needs about one frame and the parties. */
    record Input(byte[] payload, int etherType, long macSource, long macDest, int vlanId, long self, long remote,
            boolean inbound, Map<Long, Long> localTags, Map<Long, Long> remoteTags, SenderOwnership ownership,
            boolean unsupportedMatchResult) {}

    /** The outcome, field for field comparable with {@link Verdict}. */
    record Outcome(boolean deliver, boolean superAccept, TableResult base, long capabilityId, long tee, int teeLength,
            boolean teeWatch, long capTee, int capTeeLength, boolean capTeeWatch, long redirect) {
        static Outcome of(Verdict v) {
            return new Outcome(v.deliver(), v.superAccept(), v.baseResult(), v.capabilityId(), v.teeAddress(),
                    v.teeLength(), v.teeWatch(), v.capabilityTeeAddress(), v.capabilityTeeLength(),
                    v.capabilityTeeWatch(), v.redirectAddress());
        }
    }

    private final RandomGenerator random;

    RuleModel(RandomGenerator random) {
        this.random = random;
    }

    /** State of one table evaluation. */
    private final class Run {
        final Input in;
        final long source;
        long dest;
        long cc;
        int ccLength;
        boolean ccWatch;
        boolean skipDrop;
        boolean superAccept;
        final Map<Long, Long> remoteTags;

        Run(Input in, long dest) {
            this.in = in;
            this.source = in.inbound ? in.remote : in.self;
            this.dest = dest;
            // outbound to a nil destination: there is no membership, so no remote tags
            this.remoteTags = (!in.inbound && in.remote == 0) ? Map.of() : in.remoteTags;
        }

        TableResult table(List<RuleEntry> rules) {
            boolean set = true;
            for (RuleEntry e : rules) {
                if (e.isAction()) {
                    long target = e instanceof RuleEntry.Forward f ? f.address() & 0xff_ffff_ffffL : -1;
                    if (!set) {
                        if (in.inbound && e instanceof RuleEntry.Forward && target == in.self) {
                            superAccept = true;
                        }
                        set = true;
                        continue;
                    }
                    RuleType t = e.type();
                    if (t == null) {
                        continue;
                    }
                    switch (t) {
                        case ACTION_PRIORITY:
                            return TableResult.ACCEPT;
                        case ACTION_DROP:
                            if (skipDrop) {
                                skipDrop = false;
                                continue;
                            }
                            return TableResult.DROP;
                        case ACTION_ACCEPT:
                            return superAccept ? TableResult.SUPER_ACCEPT : TableResult.ACCEPT;
                        case ACTION_BREAK:
                            return TableResult.NO_MATCH;
                        default: {
                            RuleEntry.Forward f = (RuleEntry.Forward) e;
                            if (target == source) {
                                continue;
                            }
                            if (target == in.self) {
                                if (in.inbound) {
                                    return TableResult.SUPER_ACCEPT;
                                }
                                continue;
                            }
                            if (target == dest) {
                                continue;
                            }
                            if (t == RuleType.ACTION_REDIRECT) {
                                dest = target;
                                return TableResult.REDIRECT;
                            }
                            cc = target;
                            int n = in.payload.length;
                            ccLength = f.length() == 0 ? n : Math.min(n, f.length());
                            ccWatch = t == RuleType.ACTION_WATCH;
                            continue;
                        }
                    }
                }
                if (!set && !e.or()) {
                    continue;
                }
                M m = match(e);
                boolean value = switch (m) {
                    case HARD_NO -> false;
                    case HARD_YES -> true;
                    case YES -> !e.not();
                    case NO -> e.not();
                };
                set = e.or() ? set | value : set & value;
            }
            return TableResult.NO_MATCH;
        }

        M match(RuleEntry e) {
            byte[] p = in.payload;
            int len = p.length;
            int et = in.etherType;
            boolean v4 = et == 0x0800 && len >= 20;
            boolean v6 = et == 0x86dd && len >= 40;
            return switch (e) {
                case RuleEntry.AddressMatch a -> of(a.type() == RuleType.MATCH_SOURCE_ZEROTIER_ADDRESS
                        ? a.address().value() == source : a.address().value() == dest);
                case RuleEntry.ValueMatch v -> switch (v.type()) {
                    case MATCH_VLAN_ID -> of(v.value() == in.vlanId);
                    case MATCH_VLAN_PCP, MATCH_VLAN_DEI -> of(v.value() == 0);
                    case MATCH_ETHERTYPE -> of(v.value() == et);
                    case MATCH_IP_PROTOCOL -> {
                        if (v4) {
                            yield of(v.value() == (p[9] & 0xff));
                        }
                        if (et == 0x86dd) {
                            Optional<int[]> w = walk(p);
                            yield w.isPresent() ? of(v.value() == w.get()[1]) : M.HARD_NO;
                        }
                        yield M.HARD_NO;
                    }
                    case MATCH_CHARACTERISTICS -> of((characteristics() & v.value()) != 0);
                    case MATCH_RANDOM -> of(Integer.toUnsignedLong(random.nextInt()) <= v.value());
                    default -> throw new IllegalStateException();
                };
                case RuleEntry.MacMatch m -> of(m.mac().value()
                        == (m.type() == RuleType.MATCH_MAC_SOURCE ? in.macSource : in.macDest));
                case RuleEntry.IpMatch ip -> {
                    boolean source = ip.type() == RuleType.MATCH_IPV4_SOURCE || ip.type() == RuleType.MATCH_IPV6_SOURCE;
                    if (!ip.isIpv6()) {
                        if (!v4) {
                            yield M.HARD_NO;
                        }
                        byte[] addr = Arrays.copyOfRange(p, source ? 12 : 16, source ? 16 : 20);
                        int bits = Math.min(ip.prefixBits(), 32);
                        if (bits == 0) {
                            yield M.YES;
                        }
                        BigInteger a = new BigInteger(1, addr).shiftRight(32 - bits);
                        BigInteger r = new BigInteger(1, ip.ip()).shiftRight(32 - bits);
                        yield of(a.equals(r));
                    }
                    if (!v6) {
                        yield M.HARD_NO;
                    }
                    byte[] addr = Arrays.copyOfRange(p, source ? 8 : 24, source ? 24 : 40);
                    byte[] rule = ip.ip();
                    int bits = Math.min(ip.prefixBits(), 128);
                    boolean ok = true;
                    for (int i = 0; i < 16; i++) {
                        int maskBits = Math.max(0, Math.min(8, bits - 8 * i));
                        int mask = (0xff00 >> maskBits) & 0xff;
                        ok &= ((addr[i] & mask) & 0xff) == (rule[i] & 0xff);
                    }
                    yield of(ok);
                }
                case RuleEntry.IpTosMatch t -> {
                    int tos;
                    if (v4) {
                        tos = p[1] & 0xff;
                    } else if (v6) {
                        tos = (((p[0] & 0xff) << 4) & 0xf0) | ((p[1] & 0xff) >> 4);
                    } else {
                        yield M.HARD_NO;
                    }
                    tos &= t.mask();
                    yield of(t.start() <= tos && tos <= t.end());
                }
                case RuleEntry.IcmpMatch icmp -> {
                    int at;
                    if (v4) {
                        if ((p[9] & 0xff) != 1) {
                            yield M.HARD_NO;
                        }
                        at = (p[0] & 0x0f) * 4;
                    } else if (et == 0x86dd) {
                        Optional<int[]> w = walk(p);
                        if (w.isEmpty() || w.get()[1] != 58) {
                            yield M.HARD_NO;
                        }
                        at = w.get()[0];
                    } else {
                        yield M.HARD_NO;
                    }
                    if (len < at + 2 || (p[at] & 0xff) != icmp.icmpType()) {
                        yield M.HARD_NO;
                    }
                    yield icmp.checksCode() ? of((p[at + 1] & 0xff) == icmp.icmpCode()) : M.HARD_YES;
                }
                case RuleEntry.RangeMatch r -> {
                    if (r.type() == RuleType.MATCH_FRAME_SIZE_RANGE) {
                        yield of(r.start() <= len && len <= r.end());
                    }
                    int add = r.type() == RuleType.MATCH_IP_DEST_PORT_RANGE ? 2 : 0;
                    java.util.Set<Integer> withPorts = java.util.Set.of(6, 17, 132, 136);
                    if (v4) {
                        int hl = (p[0] & 0x0f) * 4;
                        int port = -1;
                        if (withPorts.contains(p[9] & 0xff) && len > hl + 4) {
                            port = ByteBuffer.wrap(p).getShort(hl + add) & 0xffff;
                        }
                        yield of(port >= 0 && r.start() <= port && port <= r.end());
                    }
                    if (et == 0x86dd) {
                        Optional<int[]> w = walk(p);
                        if (w.isEmpty()) {
                            yield M.HARD_NO;
                        }
                        int pos = w.get()[0];
                        int port = -1;
                        if (withPorts.contains(w.get()[1]) && len > pos + 4) {
                            port = ByteBuffer.wrap(p).getShort(pos + add) & 0xffff;
                        }
                        yield of(port > 0 && r.start() <= port && port <= r.end());
                    }
                    yield M.HARD_NO;
                }
                case RuleEntry.TagMatch t -> tag(t);
                case RuleEntry.IntegerRangeMatch r -> {
                    int bits = (r.format() & 63) + 1;
                    int bytes = (bits + 7) / 8;
                    BigInteger x = BigInteger.ZERO;
                    if ((r.format() & 0x80) == 0) {
                        int i = r.index() + 8 - bytes;
                        if (i + bytes <= len) {
                            x = new BigInteger(1, Arrays.copyOfRange(p, i, i + bytes));
                        }
                        x = x.and(BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE));
                    } else {
                        if (r.index() + bytes <= len) {
                            // each byte is shifted in at the top, so the last one read ends up highest
                            byte[] top = new byte[8];
                            for (int k = 0; k < bytes; k++) {
                                top[bytes - 1 - k] = p[r.index() + k];
                            }
                            x = new BigInteger(1, top);
                        }
                        x = x.shiftRight(64 - bits);
                    }
                    BigInteger start = new BigInteger(Long.toUnsignedString(r.start()));
                    BigInteger end = start.add(BigInteger.valueOf((r.end() - r.start()) & 0xffff_ffffL))
                            .mod(BigInteger.ONE.shiftLeft(64));
                    yield of(x.compareTo(start) >= 0 && x.compareTo(end) <= 0);
                }
                case RuleEntry.Unknown u -> of(in.unsupportedMatchResult);
                case RuleEntry.Action a -> throw new IllegalStateException();
                case RuleEntry.Forward f -> throw new IllegalStateException();
            };
        }

        M tag(RuleEntry.TagMatch t) {
            Long local = in.localTags.get(t.id());
            Long remote = remoteTags.get(t.id());
            RuleType type = t.type();
            if (type == RuleType.MATCH_TAG_SENDER || type == RuleType.MATCH_TAG_RECEIVER) {
                if (superAccept) {
                    skipDrop = true;
                    return M.HARD_YES;
                }
                boolean theirs = (type == RuleType.MATCH_TAG_SENDER) == in.inbound;
                if (theirs) {
                    if (remote != null) {
                        return of(remote == t.value());
                    }
                    if (type == RuleType.MATCH_TAG_RECEIVER) {
                        skipDrop = true;
                        return M.HARD_YES;
                    }
                    return M.HARD_NO;
                }
                return local == null ? M.HARD_NO : of(local == t.value());
            }
            if (local == null) {
                return M.HARD_NO;
            }
            if (remote == null) {
                if (in.inbound && !superAccept) {
                    return M.HARD_NO;
                }
                skipDrop = true;
                return M.HARD_YES;
            }
            long l = local;
            long r = remote;
            return of(switch (type) {
                case MATCH_TAGS_DIFFERENCE -> Math.abs(l - r) <= t.value();
                case MATCH_TAGS_BITWISE_AND -> (l & r) == t.value();
                case MATCH_TAGS_BITWISE_OR -> (l | r) == t.value();
                case MATCH_TAGS_BITWISE_XOR -> (l ^ r) == t.value();
                default -> l == t.value() && r == t.value();
            });
        }

        long characteristics() {
            byte[] p = in.payload;
            int len = p.length;
            int et = in.etherType;
            long cf = in.inbound ? 1L << 63 : 0;
            if (((in.macDest >> 40) & 1) == 1) {
                cf |= 1L << 62;
            }
            if (in.macDest == 0xffff_ffff_ffffL) {
                cf |= 1L << 61;
            }
            byte[] src = null;
            if (et == 0x0800 && len >= 20) {
                src = Arrays.copyOfRange(p, 12, 16);
            } else if (et == 0x86dd && len >= 40) {
                int icmpType = len >= 64 && (p[6] & 0xff) == 58 ? p[40] & 0xff : -1;
                if (icmpType == 135) {
                    cf |= 1L << 60;
                } else if (icmpType == 136) {
                    src = Arrays.copyOfRange(p, 48, 64);
                } else {
                    src = Arrays.copyOfRange(p, 8, 24);
                }
            } else if (et == 0x0806 && len >= 28) {
                src = Arrays.copyOfRange(p, 14, 18);
            }
            if (src != null && in.ownership.ownsIp(src, 0, src.length)) {
                cf |= 1L << 60;
            }
            if (in.ownership.ownsMac(in.macSource)) {
                cf |= 1L << 59;
            }
            int tcpAt = -1;
            if (et == 0x0800 && len >= 20 && (p[9] & 0xff) == 6) {
                tcpAt = (p[0] & 0x0f) * 4;
            } else if (et == 0x86dd) {
                Optional<int[]> w = walk(p);
                if (w.isPresent() && w.get()[1] == 6 && len > w.get()[0] + 14) {
                    tcpAt = w.get()[0];
                }
            }
            if (tcpAt >= 0) {
                int b13 = tcpAt + 13 < len ? p[tcpAt + 13] & 0xff : 0;
                int b12 = tcpAt + 12 < len ? p[tcpAt + 12] & 0xff : 0;
                cf |= b13 | ((long) (b12 & 0x0f) << 8);
            }
            return cf;
        }
    }

    /** ZT1-06 §6.3.1: {pos, proto} of the upper-layer header, if found. */
    static Optional<int[]> walk(byte[] p) {
        if (p.length < 40) {
            return Optional.empty();
        }
        int pos = 40;
        int proto = p[6] & 0xff;
        while (pos <= p.length) {
            if (List.of(0, 43, 60, 135).contains(proto)) {
                if (pos + 8 > p.length) {
                    return Optional.empty();
                }
                int next = p[pos] & 0xff;
                pos += (p[pos + 1] & 0xff) * 8 + 8;
                proto = next;
            } else {
                return Optional.of(new int[] {pos, proto});
            }
        }
        return Optional.empty();
    }

    private static M of(boolean b) {
        return b ? M.YES : M.NO;
    }

    /** ZT1-06 §7.1 / §7.2. {@code capabilities}: outbound our own (sorted here), inbound the sender's as given. */
    Outcome filter(Input in, List<RuleEntry> base, List<Map.Entry<Long, List<RuleEntry>>> capabilities, boolean noTee) {
        long plannedDest = in.inbound ? in.self : in.remote;
        List<Map.Entry<Long, List<RuleEntry>>> caps = in.inbound ? capabilities
                : capabilities.stream().sorted(Map.Entry.comparingByKey()).toList();
        Run b = new Run(in, plannedDest);
        TableResult r = b.table(base);
        int accept = 0;
        long finalDest = plannedDest;
        long capId = -1;
        Run capRun = null;
        if (r == TableResult.DROP) {
            return new Outcome(false, false, r, -1, 0, 0, false, 0, 0, false, 0);
        }
        if (r == TableResult.NO_MATCH) {
            for (Map.Entry<Long, List<RuleEntry>> cap : caps) {
                Run c = new Run(in, plannedDest);
                TableResult r2 = c.table(cap.getValue());
                if (r2 == TableResult.ACCEPT || r2 == TableResult.REDIRECT || r2 == TableResult.SUPER_ACCEPT) {
                    accept = in.inbound && r2 == TableResult.SUPER_ACCEPT ? 2 : 1;
                    finalDest = c.dest;
                    capId = cap.getKey();
                    capRun = c;
                    break;
                }
            }
        } else {
            accept = r == TableResult.SUPER_ACCEPT ? 2 : 1;
            finalDest = b.dest;
        }
        if (accept == 0) {
            return new Outcome(false, false, r, -1, 0, 0, false, 0, 0, false, 0);
        }
        boolean copies = in.inbound || !noTee;
        boolean capCopy = copies && capRun != null && capRun.cc != 0;
        boolean baseCopy = copies && b.cc != 0;
        boolean redirected = finalDest != plannedDest && finalDest != 0;
        return new Outcome(!redirected, in.inbound && !redirected && accept == 2, r, capId,
                baseCopy ? b.cc : 0, baseCopy ? b.ccLength : 0, baseCopy && b.ccWatch,
                capCopy ? capRun.cc : 0, capCopy ? capRun.ccLength : 0, capCopy && capRun.ccWatch,
                redirected ? finalDest : 0);
    }
}
