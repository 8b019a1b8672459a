package dev.zerokube.overlay.testing;

import dev.zerokube.overlay.runtime.port.UserspaceHost;

/**
 * Ethernet, ARP and ICMP frames for node and runtime tests; built by the main code's
 * {@link UserspaceHost} builders (one place for the layouts), with the fixed echo data the tests
 * compare byte for byte.
 */
public final class Frames {
    private Frames() {}

    public static byte[] ethernet(long dst, long src, int etherType, byte[] payload) {
        return UserspaceHost.ethernet(dst, src, etherType, payload);
    }

    /** An ARP packet (opcode 1 request, 2 reply) for IPv4 over Ethernet. */
    public static byte[] arp(int opcode, long senderMac, byte[] senderIp, long targetMac, byte[] targetIp) {
        return UserspaceHost.arp(opcode, senderMac, senderIp, targetMac, targetIp);
    }

    /** An IPv4 ICMP echo (type 8) or echo reply (type 0) with 32 bytes of data and valid checksums. */
    public static byte[] icmpEcho(int type, byte[] src, byte[] dst, int identifier, int sequence) {
        byte[] data = new byte[32];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (28 + i);
        }
        return UserspaceHost.icmpEcho(type, src, dst, identifier, sequence, data);
    }
}
