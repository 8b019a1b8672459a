package dev.zerokube.overlay.rules;

/**
 * One Ethernet frame as the rule evaluator sees it (ZT1-06 §6.1, §6.3), parsed once into primitive
 * fields. Reusable: {@link #set} overwrites everything and allocates nothing; the frame bytes are
 * referenced, not copied, so they must not change while the frame is being filtered.
 *
 * <p>The frame is the Ethernet <em>payload</em> (everything after the 14-byte header; 1.14.1 parses
 * no VLAN tag, so a tagged frame's payload starts at the tag), with the header's ethertype and
 * MACs given separately. All offsets below are into that payload. Fields that 1.14.1 reads only
 * under conditions (protocol, length) are marked absent with -1 when the conditions fail, so each
 * match is a comparison of ready fields.
 */
public final class FrameView {
    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int ETHERTYPE_ARP = 0x0806;
    static final int ETHERTYPE_IPV6 = 0x86dd;
    static final long BROADCAST_MAC = 0xffff_ffff_ffffL;

    static final long CHR_MULTICAST = 0x4000_0000_0000_0000L;
    static final long CHR_BROADCAST = 0x2000_0000_0000_0000L;

    byte[] buf;
    int off;
    /** Payload length ({@code frameLen}). */
    int len;
    int etherType;
    long macSource;
    long macDest;
    int vlanId;

    /** IPv4 frame: ethertype 0x0800 and at least 20 bytes. */
    boolean ipv4;
    /** IPv6 frame: ethertype 0x86dd and at least 40 bytes. */
    boolean ipv6;
    /** IPv6 extension-header walk (§6.3.1) succeeded; then {@link #v6Pos}, {@link #v6Proto}. */
    boolean v6Walked;
    int v6Pos;
    int v6Proto;
    long ipv4Source;
    long ipv4Dest;
    long v6SourceHi;
    long v6SourceLo;
    long v6DestHi;
    long v6DestLo;
    /** Raw TOS byte / IPv6 traffic class, or -1 (IP_TOS is a hard no). */
    int tos;
    /** Protocol IP_PROTOCOL compares, or -1 (hard no). */
    int ipProtocol;
    /** ICMP type and code (IPv4 or ICMPv6 after the walk), or -1 (ICMP is a hard no). */
    int icmpType;
    int icmpCode;
    /** Whether port matches have an answer at all (false: hard no). */
    boolean portsDefined;
    /** Source and destination port, or -1 when the frame carries none a port match accepts. */
    int sourcePort;
    int destPort;
    /** Characteristics bits that depend on the frame only: multicast, broadcast, TCP flags. */
    long frameCharacteristics;
    /** Where the claimed sender IP is, or -1; its length (4 or 16). */
    int claimedIpOffset;
    int claimedIpLength;
    /** An IPv6 neighbor solicitation: IP-authenticated whatever the certificates say. */
    boolean ipAuthenticatedAlways;

    /**
     * Points this view at a frame and parses it.
     *
     * @param payload bytes holding the Ethernet payload at {@code offset}
     * @param length payload length in bytes (without the 14-byte Ethernet header)
     * @param etherType the Ethernet type from the header
     * @param macSource source MAC (48 bits)
     * @param macDest destination MAC (48 bits)
     * @param vlanId VLAN id (1.14.1 always passes 0)
     */
    public FrameView set(byte[] payload, int offset, int length, int etherType, long macSource, long macDest, int vlanId) {
        if (offset < 0 || length < 0 || offset > payload.length - length) {
            throw new IndexOutOfBoundsException("frame [" + offset + ", +" + length + ") outside " + payload.length);
        }
        this.buf = payload;
        this.off = offset;
        this.len = length;
        this.etherType = etherType & 0xffff;
        this.macSource = macSource & BROADCAST_MAC;
        this.macDest = macDest & BROADCAST_MAC;
        this.vlanId = vlanId & 0xffff;
        parse();
        return this;
    }

    /** The payload length. */
    public int length() {
        return len;
    }

    /** The ethertype. */
    public int etherType() {
        return etherType;
    }

    private int u8(int i) {
        return buf[off + i] & 0xff;
    }

    /** A byte 1.14.1 reads without a bounds check; beyond the payload it counts as 0. */
    private int u8OrZero(int i) {
        return i < len ? u8(i) : 0;
    }

    private int u16(int i) {
        return (u8(i) << 8) | u8(i + 1);
    }

    private long u32(int i) {
        return ((long) u16(i) << 16) | u16(i + 2);
    }

    private long u64(int i) {
        return (u32(i) << 32) | u32(i + 4);
    }

    private static boolean hasPorts(int protocol) {
        return protocol == 6 || protocol == 17 || protocol == 132 || protocol == 136;
    }

    private void parse() {
        ipv4 = etherType == ETHERTYPE_IPV4 && len >= 20;
        ipv6 = etherType == ETHERTYPE_IPV6 && len >= 40;
        v6Walked = false;
        tos = -1;
        ipProtocol = -1;
        icmpType = -1;
        icmpCode = -1;
        portsDefined = false;
        sourcePort = -1;
        destPort = -1;
        claimedIpOffset = -1;
        claimedIpLength = 0;
        ipAuthenticatedAlways = false;
        long chr = 0;
        if ((macDest & 0x0100_0000_0000L) != 0) {
            chr |= CHR_MULTICAST;
        }
        if (macDest == BROADCAST_MAC) {
            chr |= CHR_BROADCAST;
        }
        if (etherType == ETHERTYPE_IPV6) {
            walkIpv6();
        }
        if (ipv4) {
            int hl = (u8(0) & 0x0f) * 4;
            int proto = u8(9);
            ipv4Source = u32(12);
            ipv4Dest = u32(16);
            tos = u8(1);
            ipProtocol = proto;
            if (proto == 1 && len >= hl + 2) {
                icmpType = u8(hl);
                icmpCode = u8(hl + 1);
            }
            portsDefined = true;
            if (hasPorts(proto) && len > hl + 4) {
                sourcePort = u16(hl);
                destPort = u16(hl + 2);
            }
            if (proto == 6) {
                chr |= u8OrZero(hl + 13) | ((u8OrZero(hl + 12) & 0x0f) << 8);
            }
            claimedIpOffset = 12;
            claimedIpLength = 4;
        } else if (etherType == ETHERTYPE_IPV6) {
            if (ipv6) {
                v6SourceHi = u64(8);
                v6SourceLo = u64(16);
                v6DestHi = u64(24);
                v6DestLo = u64(32);
                tos = ((u8(0) << 4) & 0xf0) | (u8(1) >> 4);
                claimedIpOffset = 8;
                claimedIpLength = 16;
                if (len >= 64 && u8(6) == 58) {
                    if (u8(40) == 135) {
                        ipAuthenticatedAlways = true;
                        claimedIpOffset = -1;
                        claimedIpLength = 0;
                    } else if (u8(40) == 136) {
                        claimedIpOffset = 48;
                    }
                }
            }
            if (v6Walked) {
                int pos = v6Pos;
                int proto = v6Proto;
                ipProtocol = proto;
                if (proto == 58 && len >= pos + 2) {
                    icmpType = u8(pos);
                    icmpCode = u8(pos + 1);
                }
                portsDefined = true;
                if (hasPorts(proto) && len > pos + 4) {
                    // Over IPv6, 1.14.1 treats port 0 as "no port".
                    int sp = u16(pos);
                    int dp = u16(pos + 2);
                    sourcePort = sp > 0 ? sp : -1;
                    destPort = dp > 0 ? dp : -1;
                }
                if (proto == 6 && len > pos + 14) {
                    chr |= u8(pos + 13) | ((u8(pos + 12) & 0x0f) << 8);
                }
            }
        } else if (etherType == ETHERTYPE_ARP && len >= 28) {
            claimedIpOffset = 14;
            claimedIpLength = 4;
        }
        frameCharacteristics = chr;
    }

    /** ZT1-06 §6.3.1: skips hop-by-hop, routing, destination-options and mobility headers. */
    private void walkIpv6() {
        if (len < 40) {
            return;
        }
        int pos = 40;
        int proto = u8(6);
        while (pos <= len) {
            if (proto == 0 || proto == 43 || proto == 60 || proto == 135) {
                if (pos + 8 > len) {
                    return;
                }
                int next = u8(pos);
                pos += u8(pos + 1) * 8 + 8;
                proto = next;
            } else {
                v6Walked = true;
                v6Pos = pos;
                v6Proto = proto;
                return;
            }
        }
    }

    /** Reads the frame byte at payload offset {@code i} (for INTEGER_RANGE). */
    int byteAt(int i) {
        return u8(i);
    }
}
