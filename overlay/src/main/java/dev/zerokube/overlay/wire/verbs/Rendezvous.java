package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.Verb;
import java.util.Arrays;
import java.util.Objects;

/**
 * RENDEZVOUS (0x05): a relaying root tells each end of a relayed conversation where the other
 * end is, so they can punch through NAT (ZT1-03 §4.6). Note its own address encoding, unlike
 * InetAddress.
 *
 * <pre>
 * P+0  [1]  flags (0; ignored)
 * P+1  [5]  ZeroTier address of the other peer
 * P+6  [2]  UDP port of the other peer
 * P+8  [1]  address length: 4 (IPv4) or 16 (IPv6)
 * P+9  [..] IP address, network byte order
 * </pre>
 * Other lengths decode (1.14.1 ignores such a RENDEZVOUS); {@link #endpoint()} is then null.
 *
 * @param ip the address bytes, as many as the length byte says
 */
public record Rendezvous(int flags, Address with, int port, byte[] ip) implements VerbPayload {
    public Rendezvous {
        Bytes.requireU8(flags, "flags");
        Bytes.requireU16(port, "port");
        if (with == null) {
            throw new IllegalArgumentException("peer address is required");
        }
        if (ip.length > 0xff) {
            throw new IllegalArgumentException("address length must fit in a byte");
        }
        ip = ip.clone();
    }

    /** The RENDEZVOUS a root sends: flags 0, the other peer's address and physical endpoint. */
    public static Rendezvous of(Address with, InetEndpoint endpoint) {
        if (endpoint.isNil()) {
            throw new IllegalArgumentException("a rendezvous needs an IP address");
        }
        return new Rendezvous(0, with, endpoint.port(), endpoint.ip());
    }

    /** The other peer's endpoint, or null when the address length is neither 4 nor 16. */
    public InetEndpoint endpoint() {
        return ip.length == 4 || ip.length == 16 ? InetEndpoint.of(ip, port) : null;
    }

    @Override
    public byte[] ip() {
        return ip.clone();
    }

    @Override
    public int verbCode() {
        return Verb.RENDEZVOUS.code();
    }

    public static Rendezvous decode(ByteReader r) throws WireFormatException {
        int flags = r.readU8("flags");
        Address with = Address.decode(r, "peer address");
        int port = r.readU16("port");
        byte[] ip = r.readBytes(r.readU8("address length"), "IP address");
        return new Rendezvous(flags, with, port, ip);
    }

    @Override
    public void encode(ByteWriter w) {
        w.u8(flags);
        with.encode(w);
        w.u16(port).u8(ip.length).bytes(ip);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rendezvous x && x.flags == flags && x.with.equals(with) && x.port == port
                && Arrays.equals(x.ip, ip);
    }

    @Override
    public int hashCode() {
        return Objects.hash(flags, with, port) * 31 + Arrays.hashCode(ip);
    }

    @Override
    public String toString() {
        return "Rendezvous[flags=" + flags + ", with=" + with + ", port=" + port + ", ip=" + Bytes.hex(ip) + "]";
    }
}
