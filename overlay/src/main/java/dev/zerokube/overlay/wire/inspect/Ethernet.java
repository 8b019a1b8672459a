package dev.zerokube.overlay.wire.inspect;

import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.Mac;
import java.util.Arrays;

/**
 * A few words about an Ethernet payload carried by FRAME, EXT_FRAME or MULTICAST_FRAME: the
 * ethertype, and for IPv4, IPv6 and ARP the addresses and protocol, as tcpdump would start. Reads
 * only what is present; anything shorter than a header is just counted.
 */
final class Ethernet {
    static final int IPV4 = 0x0800;
    static final int ARP = 0x0806;
    static final int IPV6 = 0x86dd;

    private static final int IPV4_HEADER_MIN = 20;
    private static final int IPV6_HEADER = 40;
    private static final int ARP_IPV4_LENGTH = 28;

    private Ethernet() {}

    static String describe(int etherType, byte[] data) {
        String detail = switch (etherType) {
            case IPV4 -> ipv4(data);
            case IPV6 -> ipv6(data);
            case ARP -> arp(data);
            default -> "";
        };
        return String.format("ethertype 0x%04x%s%s, %d bytes", etherType, name(etherType),
                detail.isEmpty() ? "" : " " + detail, data.length);
    }

    private static String name(int etherType) {
        return switch (etherType) {
            case IPV4 -> " IPv4";
            case IPV6 -> " IPv6";
            case ARP -> " ARP";
            default -> "";
        };
    }

    private static String ipv4(byte[] d) {
        if (d.length < IPV4_HEADER_MIN || (d[0] & 0xf0) != 0x40) {
            return "";
        }
        int headerLength = (d[0] & 0x0f) * 4;
        return ip(d, 12, 16, 4) + " " + transport(d[9] & 0xff, d, headerLength);
    }

    private static String ipv6(byte[] d) {
        if (d.length < IPV6_HEADER || (d[0] & 0xf0) != 0x60) {
            return "";
        }
        return ip(d, 8, 24, 16) + " " + transport(d[6] & 0xff, d, IPV6_HEADER);
    }

    private static String ip(byte[] d, int srcAt, int dstAt, int length) {
        return text(Arrays.copyOfRange(d, srcAt, srcAt + length)) + " > " + text(Arrays.copyOfRange(d, dstAt, dstAt + length));
    }

    private static String text(byte[] ip) {
        return InetEndpoint.of(ip, 0).ipString();
    }

    /** Protocol name, with ports for TCP and UDP when the header is there. */
    private static String transport(int protocol, byte[] d, int at) {
        String name = switch (protocol) {
            case 1 -> "ICMP";
            case 6 -> "TCP";
            case 17 -> "UDP";
            case 58 -> "ICMPv6";
            default -> "protocol " + protocol;
        };
        if ((protocol == 6 || protocol == 17) && at >= 0 && d.length >= at + 4) {
            int sport = ((d[at] & 0xff) << 8) | (d[at + 1] & 0xff);
            int dport = ((d[at + 2] & 0xff) << 8) | (d[at + 3] & 0xff);
            return name + " " + sport + " > " + dport;
        }
        return name;
    }

    private static String arp(byte[] d) {
        // Ethernet/IPv4 ARP: htype 1, ptype 0x0800, hlen 6, plen 4.
        if (d.length < ARP_IPV4_LENGTH || d[4] != 6 || d[5] != 4) {
            return "";
        }
        int op = ((d[6] & 0xff) << 8) | (d[7] & 0xff);
        String sender = text(Arrays.copyOfRange(d, 14, 18));
        String target = text(Arrays.copyOfRange(d, 24, 28));
        return switch (op) {
            case 1 -> "who-has " + target + " tell " + sender;
            case 2 -> sender + " is-at " + mac(d, 8);
            default -> "op " + op;
        };
    }

    private static Mac mac(byte[] d, int at) {
        long v = 0;
        for (int i = 0; i < Mac.LENGTH; i++) {
            v = (v << 8) | (d[at + i] & 0xff);
        }
        return new Mac(v);
    }
}
