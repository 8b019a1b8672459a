package dev.zerokube.overlay.testing;

/** Ethernet, ARP and ICMP frames built by hand for node and runtime tests. */
public final class Frames {
    private Frames() {}

    public static byte[] ethernet(long dst, long src, int etherType, byte[] payload) {
        byte[] f = new byte[14 + payload.length];
        for (int i = 0; i < 6; i++) {
            f[i] = (byte) (dst >>> (40 - 8 * i));
            f[6 + i] = (byte) (src >>> (40 - 8 * i));
        }
        f[12] = (byte) (etherType >>> 8);
        f[13] = (byte) etherType;
        System.arraycopy(payload, 0, f, 14, payload.length);
        return f;
    }

    /** An ARP packet (opcode 1 request, 2 reply) for IPv4 over Ethernet. */
    public static byte[] arp(int opcode, long senderMac, byte[] senderIp, long targetMac, byte[] targetIp) {
        byte[] a = new byte[28];
        a[1] = 1;
        a[2] = 0x08;
        a[4] = 6;
        a[5] = 4;
        a[7] = (byte) opcode;
        for (int i = 0; i < 6; i++) {
            a[8 + i] = (byte) (senderMac >>> (40 - 8 * i));
            a[18 + i] = (byte) (targetMac >>> (40 - 8 * i));
        }
        System.arraycopy(senderIp, 0, a, 14, 4);
        System.arraycopy(targetIp, 0, a, 24, 4);
        return a;
    }

    /** An IPv4 ICMP echo (type 8) or echo reply (type 0) with 32 bytes of data and valid checksums. */
    public static byte[] icmpEcho(int type, byte[] src, byte[] dst, int identifier, int sequence) {
        int icmpLen = 8 + 32;
        byte[] p = new byte[20 + icmpLen];
        p[0] = 0x45;
        p[2] = (byte) (p.length >>> 8);
        p[3] = (byte) p.length;
        p[8] = 64;
        p[9] = 1;
        System.arraycopy(src, 0, p, 12, 4);
        System.arraycopy(dst, 0, p, 16, 4);
        int ipSum = checksum(p, 0, 20);
        p[10] = (byte) (ipSum >>> 8);
        p[11] = (byte) ipSum;
        p[20] = (byte) type;
        p[24] = (byte) (identifier >>> 8);
        p[25] = (byte) identifier;
        p[26] = (byte) (sequence >>> 8);
        p[27] = (byte) sequence;
        for (int i = 28; i < p.length; i++) {
            p[i] = (byte) i;
        }
        int icmpSum = checksum(p, 20, icmpLen);
        p[22] = (byte) (icmpSum >>> 8);
        p[23] = (byte) icmpSum;
        return p;
    }

    private static int checksum(byte[] b, int off, int len) {
        long sum = 0;
        for (int i = 0; i + 1 < len; i += 2) {
            sum += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
        }
        if ((len & 1) != 0) {
            sum += (b[off + len - 1] & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }
}
