package dev.zerokube.overlay.rules;

import java.io.ByteArrayOutputStream;
import java.util.HexFormat;

/** Builds Ethernet payloads (IPv4, IPv6 with extension headers, ARP) for rule evaluator tests. */
final class Frames {
    static final int IPV4 = 0x0800;
    static final int ARP = 0x0806;
    static final int IPV6 = 0x86dd;

    private Frames() {}

    static byte[] ip4(String dotted) {
        String[] p = dotted.split("\\.");
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            b[i] = (byte) Integer.parseInt(p[i]);
        }
        return b;
    }

    static byte[] ip6(String hex32) {
        return HexFormat.of().parseHex(hex32);
    }

    /** An IPv4 packet: {@code ihlWords} header words (5 = no options), then the L4 bytes. */
    static byte[] ipv4(int proto, byte[] src, byte[] dst, int tos, int ihlWords, byte[] l4) {
        int hl = Math.max(ihlWords, 5) * 4;
        byte[] p = new byte[hl + l4.length];
        p[0] = (byte) (0x40 | (ihlWords & 0x0f));
        p[1] = (byte) tos;
        p[2] = (byte) (p.length >> 8);
        p[3] = (byte) p.length;
        p[8] = 64;
        p[9] = (byte) proto;
        System.arraycopy(src, 0, p, 12, 4);
        System.arraycopy(dst, 0, p, 16, 4);
        System.arraycopy(l4, 0, p, hl, l4.length);
        return p;
    }

    static byte[] ipv4(int proto, byte[] l4) {
        return ipv4(proto, ip4("10.1.2.3"), ip4("10.9.8.7"), 0, 5, l4);
    }

    /** A TCP header with the flags byte (13) and the data-offset/reserved/NS byte (12). */
    static byte[] tcp(int sport, int dport, int flags, int byte12) {
        byte[] t = new byte[20];
        t[0] = (byte) (sport >> 8);
        t[1] = (byte) sport;
        t[2] = (byte) (dport >> 8);
        t[3] = (byte) dport;
        t[12] = (byte) byte12;
        t[13] = (byte) flags;
        return t;
    }

    static byte[] tcp(int sport, int dport, int flags) {
        return tcp(sport, dport, flags, 0x50);
    }

    static byte[] udp(int sport, int dport) {
        byte[] u = new byte[8];
        u[0] = (byte) (sport >> 8);
        u[1] = (byte) sport;
        u[2] = (byte) (dport >> 8);
        u[3] = (byte) dport;
        u[5] = 8;
        return u;
    }

    static byte[] icmp(int type, int code) {
        return new byte[] {(byte) type, (byte) code, 0, 0, 0, 0, 0, 0};
    }

    /**
     * An IPv6 packet. {@code chain} lists extension headers as {@code {type, lengthUnits}} pairs
     * applied in order; the last next-header is {@code proto}.
     */
    static byte[] ipv6(int proto, byte[] src, byte[] dst, int trafficClass, int[][] chain, byte[] l4) {
        ByteArrayOutputStream ext = new ByteArrayOutputStream();
        int first = chain.length == 0 ? proto : chain[0][0];
        for (int i = 0; i < chain.length; i++) {
            int next = i + 1 < chain.length ? chain[i + 1][0] : proto;
            byte[] h = new byte[chain[i][1] * 8 + 8];
            h[0] = (byte) next;
            h[1] = (byte) chain[i][1];
            ext.writeBytes(h);
        }
        byte[] e = ext.toByteArray();
        byte[] p = new byte[40 + e.length + l4.length];
        p[0] = (byte) (0x60 | (trafficClass >> 4));
        p[1] = (byte) (trafficClass << 4);
        int pl = e.length + l4.length;
        p[4] = (byte) (pl >> 8);
        p[5] = (byte) pl;
        p[6] = (byte) first;
        p[7] = 64;
        System.arraycopy(src, 0, p, 8, 16);
        System.arraycopy(dst, 0, p, 24, 16);
        System.arraycopy(e, 0, p, 40, e.length);
        System.arraycopy(l4, 0, p, 40 + e.length, l4.length);
        return p;
    }

    static byte[] ipv6(int proto, byte[] l4) {
        return ipv6(proto, ip6("fd00000000000000000000000000000a"), ip6("fd00000000000000000000000000000b"), 0,
                new int[0][], l4);
    }

    /** An IPv4-over-Ethernet ARP request from {@code spa} for {@code tpa}. */
    static byte[] arp(byte[] spa, byte[] tpa) {
        byte[] a = new byte[28];
        a[1] = 1;
        a[2] = 0x08;
        a[4] = 6;
        a[5] = 4;
        a[7] = 1;
        System.arraycopy(spa, 0, a, 14, 4);
        System.arraycopy(tpa, 0, a, 24, 4);
        return a;
    }
}
