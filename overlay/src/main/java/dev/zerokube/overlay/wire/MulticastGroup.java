package dev.zerokube.overlay.wire;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;

/**
 * A multicast group: a MAC and a 32-bit "additional distinguishing information" (ADI)
 * (ZT1-08 §3.1). On the wire: {@code MAC[6] ADI[4]}, big-endian. The ADI is 0 except for the
 * IPv4 address-resolution groups, where it is the IPv4 address that an ARP request asks for.
 * Ordered by MAC, then ADI (unsigned), as 1.14.1 sorts its announcements.
 */
public record MulticastGroup(Mac mac, long adi) implements Comparable<MulticastGroup> {
    /** Length on the wire. */
    public static final int LENGTH = 10;
    /** {@code ff:ff:ff:ff:ff:ff/0}: broadcast, when the network enables it. */
    public static final MulticastGroup BROADCAST = new MulticastGroup(Mac.BROADCAST, 0);

    public MulticastGroup {
        if (mac == null) {
            throw new IllegalArgumentException("mac is required");
        }
        if ((adi & ~0xffff_ffffL) != 0) {
            throw new IllegalArgumentException("ADI must fit in 32 bits: " + adi);
        }
    }

    /**
     * The group a node subscribes to so that address resolution for {@code ip} reaches it
     * ({@code MulticastGroup::deriveMulticastGroupForAddressResolution}): for IPv4 (ARP) the
     * broadcast MAC with ADI = the address; for IPv6 (NDP) the solicited-node MAC
     * {@code 33:33:ff:a13:a14:a15} with ADI 0.
     *
     * @param ip 4 or 16 address bytes
     */
    public static MulticastGroup forAddressResolution(byte[] ip) {
        if (ip.length == 4) {
            long v = ((ip[0] & 0xffL) << 24) | ((ip[1] & 0xff) << 16) | ((ip[2] & 0xff) << 8) | (ip[3] & 0xff);
            return new MulticastGroup(Mac.BROADCAST, v);
        }
        if (ip.length == 16) {
            long mac = 0x3333_ff00_0000L | ((ip[13] & 0xffL) << 16) | ((ip[14] & 0xff) << 8) | (ip[15] & 0xff);
            return new MulticastGroup(new Mac(mac), 0);
        }
        throw new IllegalArgumentException("IP address must be 4 or 16 bytes, got " + ip.length);
    }

    /** {@link #forAddressResolution(byte[])} of an endpoint's IP; nil has no group. */
    public static MulticastGroup forAddressResolution(InetEndpoint ip) {
        if (ip.isNil()) {
            throw new IllegalArgumentException("nil address has no address-resolution group");
        }
        return forAddressResolution(ip.ip());
    }

    public static MulticastGroup decode(ByteReader r, String field) throws WireFormatException {
        Mac mac = Mac.decode(r, field + " MAC");
        return new MulticastGroup(mac, r.readU32(field + " ADI"));
    }

    public void encode(ByteWriter w) {
        mac.encode(w);
        w.u32(adi);
    }

    /** {@code mac/adi}, the ADI in lower-case hex (the form ZeroTier prints). */
    @Override
    public String toString() {
        return mac + "/" + Long.toHexString(adi);
    }

    @Override
    public int compareTo(MulticastGroup o) {
        int c = mac.compareTo(o.mac);
        return c != 0 ? c : Long.compare(adi, o.adi);
    }
}
