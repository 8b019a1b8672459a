package dev.zerokube.overlay.wire.netconf;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.InetEndpoint;
import java.util.List;

/**
 * Readers for the binary values inside a network config, with 1.14.1's bounds: like its
 * {@code Buffer}, every read is checked against the end of the whole value (not of the item),
 * while lengths it skips are not, so a position may pass the end and simply stop a loop.
 */
final class NetconfBlobs {
    private NetconfBlobs() {}

    /**
     * Reads one InetAddress at {@code p} into {@code out} and returns the position after it. The
     * reserved types 1 and 2 are skipped as 7 bytes and 3 by its length without checking that
     * those bytes are present (1.14.1 does not), giving nil.
     */
    static int readEndpoint(byte[] blob, int p, List<InetEndpoint> out, String field) throws WireFormatException {
        if (p >= blob.length) {
            throw new WireFormatException("NetworkConfig: " + field + " missing (value ends at " + blob.length + ")");
        }
        int type = blob[p] & 0xff;
        switch (type) {
            case 0x01, 0x02 -> {
                out.add(InetEndpoint.NIL);
                return p + 7;
            }
            case 0x03 -> {
                int len = u16(blob, p + 1, field + " reserved-type length");
                out.add(InetEndpoint.NIL);
                return p + 3 + len;
            }
            default -> {
                ByteReader r = new ByteReader(blob, p, blob.length - p, "NetworkConfig");
                out.add(InetEndpoint.decode(r, field));
                return r.position();
            }
        }
    }

    static int u8(byte[] b, int p, String field) throws WireFormatException {
        require(b, p, 1, field);
        return b[p] & 0xff;
    }

    static int u16(byte[] b, int p, String field) throws WireFormatException {
        require(b, p, 2, field);
        return ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff);
    }

    static long u32(byte[] b, int p, String field) throws WireFormatException {
        require(b, p, 4, field);
        return ((long) u16(b, p, field) << 16) | u16(b, p + 2, field);
    }

    static long u64(byte[] b, int p, String field) throws WireFormatException {
        require(b, p, 8, field);
        return (u32(b, p, field) << 32) | u32(b, p + 4, field);
    }

    static long u40(byte[] b, int p, String field) throws WireFormatException {
        require(b, p, 5, field);
        return ((long) u8(b, p, field) << 32) | u32(b, p + 1, field);
    }

    /** Fails unless {@code n} bytes at {@code p} are inside the value. */
    static void require(byte[] b, int p, int n, String field) throws WireFormatException {
        if (p < 0 || p > b.length - n) {
            throw new WireFormatException("NetworkConfig: " + field + " needs " + n + " bytes at offset " + p
                    + ", the value has " + b.length);
        }
    }
}
