package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.Verb;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * PUSH_DIRECT_PATHS (0x10): physical addresses where the sender may be reached (ZT1-03 §4.16).
 * Note its own address encoding, unlike InetAddress.
 *
 * <pre>
 * P+0  [2]  count of records
 * repeat count times:
 *   [1]  flags: 0x01 forget this path, 0x02 cluster redirect
 *   [2]  X = length of extended attributes (1.14.1 sends 0)
 *   [X]  extended attributes (skipped)
 *   [1]  address type: 4 = IPv4, 6 = IPv6 (others skipped using the length)
 *   [1]  address length including the port: 6 for IPv4, 18 for IPv6
 *   [..] address: [4|16] ip, [2] port
 * </pre>
 * Bytes after the last record are ignored.
 */
public record PushDirectPaths(List<PathRecord> paths) implements VerbPayload {
    public static final int FLAG_FORGET_PATH = 0x01;
    public static final int FLAG_CLUSTER_REDIRECT = 0x02;
    public static final int ADDRESS_TYPE_IPV4 = 4;
    public static final int ADDRESS_TYPE_IPV6 = 6;

    /**
     * One record.
     *
     * @param extensions the extended attribute bytes (1.14.1: none)
     * @param addressType 4, 6, or a type receivers skip
     * @param address the address bytes as sent (ip then port for types 4 and 6)
     */
    public record PathRecord(int flags, byte[] extensions, int addressType, byte[] address) {
        public PathRecord {
            Bytes.requireU8(flags, "flags");
            Bytes.requireU16Length(extensions, "extensions");
            Bytes.requireU8(addressType, "address type");
            if (address.length > 0xff) {
                throw new IllegalArgumentException("address length must fit in a byte");
            }
            extensions = extensions.clone();
            address = address.clone();
        }

        /** The record 1.14.1 writes for an endpoint: no extensions, type 4 or 6. */
        public static PathRecord of(int flags, InetEndpoint endpoint) {
            if (endpoint.isNil()) {
                throw new IllegalArgumentException("a path needs an IP address");
            }
            byte[] ip = endpoint.ip();
            byte[] address = Arrays.copyOf(ip, ip.length + 2);
            address[ip.length] = (byte) (endpoint.port() >>> 8);
            address[ip.length + 1] = (byte) endpoint.port();
            return new PathRecord(flags, new byte[0], endpoint.isIpv4() ? ADDRESS_TYPE_IPV4 : ADDRESS_TYPE_IPV6,
                    address);
        }

        /**
         * The endpoint of a type 4 or 6 record long enough to hold address and port, else null
         * (receivers skip those).
         */
        public InetEndpoint endpoint() {
            int ipLength = addressType == ADDRESS_TYPE_IPV4 ? 4 : addressType == ADDRESS_TYPE_IPV6 ? 16 : -1;
            if (ipLength < 0 || address.length < ipLength + 2) {
                return null;
            }
            int port = ((address[ipLength] & 0xff) << 8) | (address[ipLength + 1] & 0xff);
            return InetEndpoint.of(Arrays.copyOf(address, ipLength), port);
        }

        public boolean forget() {
            return (flags & FLAG_FORGET_PATH) != 0;
        }

        public boolean clusterRedirect() {
            return (flags & FLAG_CLUSTER_REDIRECT) != 0;
        }

        @Override
        public byte[] extensions() {
            return extensions.clone();
        }

        @Override
        public byte[] address() {
            return address.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PathRecord x && x.flags == flags && Arrays.equals(x.extensions, extensions)
                    && x.addressType == addressType && Arrays.equals(x.address, address);
        }

        @Override
        public int hashCode() {
            return (Objects.hash(flags, addressType) * 31 + Arrays.hashCode(extensions)) * 31
                    + Arrays.hashCode(address);
        }

        @Override
        public String toString() {
            InetEndpoint e = endpoint();
            return "PathRecord[flags=" + flags + ", extensions=" + Bytes.hex(extensions) + ", addressType="
                    + addressType + ", address=" + (e != null ? e : Bytes.hex(address)) + "]";
        }
    }

    public PushDirectPaths {
        paths = List.copyOf(paths);
        if (paths.size() > 0xffff) {
            throw new IllegalArgumentException("at most 65535 paths");
        }
    }

    @Override
    public int verbCode() {
        return Verb.PUSH_DIRECT_PATHS.code();
    }

    public static PushDirectPaths decode(ByteReader r) throws WireFormatException {
        int count = r.readU16("path count");
        List<PathRecord> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int flags = r.readU8("path flags");
            byte[] ext = r.readBytes(r.readU16("extensions length"), "extensions");
            int type = r.readU8("address type");
            byte[] address = r.readBytes(r.readU8("address length"), "address");
            list.add(new PathRecord(flags, ext, type, address));
        }
        return new PushDirectPaths(list);
    }

    @Override
    public void encode(ByteWriter w) {
        w.u16(paths.size());
        for (PathRecord p : paths) {
            w.u8(p.flags()).u16(p.extensions.length).bytes(p.extensions).u8(p.addressType())
                    .u8(p.address.length).bytes(p.address);
        }
    }
}
