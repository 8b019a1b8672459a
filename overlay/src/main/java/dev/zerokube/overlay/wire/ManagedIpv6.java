package dev.zerokube.overlay.wire;

import dev.zerokube.overlay.identity.Address;

/**
 * The two IPv6 addresses ZeroTier derives from a network id and a member address, without any
 * assignment state (ZT1-09 §4.7). A controller issues them as static IPs when the network's
 * {@code v6AssignMode} asks for them; a node answers NDP for them locally.
 *
 * <pre>
 * byte   RFC 4193 (prefix /88)          6PLANE (prefix /40)
 * 0      0xfd                           0xfc
 * 1..8   network id, big-endian         1..4: low 32 bits of (nwid XOR nwid >>> 32); 5..9: address
 * 9..10  0x99 0x93                      10..14: zero
 * 11..15 member address (5 bytes)       15: 0x01
 * </pre>
 * The 6PLANE member owns the whole /80 in front of its address; the /40 is shared by the network.
 * Each result is an {@link InetEndpoint} whose port is the prefix length, as in a config's
 * {@code I} list.
 */
public final class ManagedIpv6 {
    /** Prefix length of an RFC 4193 address: 0xfd and the network id. */
    public static final int RFC4193_PREFIX_BITS = 88;
    /** Prefix length of a 6PLANE address: 0xfc and the folded network id. */
    public static final int SIX_PLANE_PREFIX_BITS = 40;

    private ManagedIpv6() {}

    /** {@code fd<nwid>9993<address>/88}. */
    public static InetEndpoint rfc4193(NetworkId networkId, Address member) {
        byte[] ip = new byte[16];
        ip[0] = (byte) 0xfd;
        putBigEndian(ip, 1, networkId.value(), 8);
        ip[9] = (byte) 0x99;
        ip[10] = (byte) 0x93;
        putBigEndian(ip, 11, member.value(), 5);
        return InetEndpoint.of(ip, RFC4193_PREFIX_BITS);
    }

    /** {@code fc<folded nwid><address>:0:0:1/40}. */
    public static InetEndpoint sixPlane(NetworkId networkId, Address member) {
        long folded = networkId.value() ^ (networkId.value() >>> 32);
        byte[] ip = new byte[16];
        ip[0] = (byte) 0xfc;
        putBigEndian(ip, 1, folded, 4);
        putBigEndian(ip, 5, member.value(), 5);
        ip[15] = 0x01;
        return InetEndpoint.of(ip, SIX_PLANE_PREFIX_BITS);
    }

    private static void putBigEndian(byte[] out, int offset, long value, int length) {
        for (int i = 0; i < length; i++) {
            out[offset + i] = (byte) (value >>> (8 * (length - 1 - i)));
        }
    }
}
