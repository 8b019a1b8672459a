package dev.zerokube.overlay.wire.netconf;

import static dev.zerokube.overlay.wire.netconf.NetconfBlobs.require;
import static dev.zerokube.overlay.wire.netconf.NetconfBlobs.u16;
import static dev.zerokube.overlay.wire.netconf.NetconfBlobs.u40;
import static dev.zerokube.overlay.wire.netconf.NetconfBlobs.u64;
import static dev.zerokube.overlay.wire.netconf.NetconfBlobs.u8;

import dev.zerokube.overlay.codec.WireFormatException;

/**
 * Length and validity of the serialized credentials and rule entries inside a network config,
 * checked as 1.14.1's deserializers check them (ZT1-05, ZT1-06 §4.1), while the typed codecs of
 * {@code wire.credentials} and {@code wire.rules} are not yet available. TODO(netconf issue):
 * replace with those codecs when they land.
 */
final class InterimCredentials {
    private static final int SIGNATURE_LENGTH = 96;
    private static final int COM_QUALIFIERS_MAX = 8;
    private static final int CAPABILITY_RULES_MAX = 64;
    private static final int CUSTODY_CHAIN_MAX = 7;
    private static final int COO_THINGS_MAX = 16;
    private static final int COO_THING_VALUE_LENGTH = 16;

    private InterimCredentials() {}

    /** Bytes of the COM at {@code start} (ZT1-05 §2.1). */
    static int comLength(byte[] b, int start) throws WireFormatException {
        int p = start;
        if (u8(b, p, "COM format byte") != 1) {
            throw new WireFormatException("NetworkConfig: COM format byte is " + (b[p] & 0xff) + ", not 1");
        }
        p++;
        int n = u16(b, p, "COM qualifier count");
        p += 2;
        long lastId = 0;
        for (int i = 0; i < n; i++) {
            long id = u64(b, p, "COM qualifier id");
            if (Long.compareUnsigned(id, lastId) < 0) {
                throw new WireFormatException("NetworkConfig: COM qualifier ids out of order");
            }
            lastId = id;
            if (i >= COM_QUALIFIERS_MAX) {
                throw new WireFormatException("NetworkConfig: COM has " + n + " qualifiers, at most "
                        + COM_QUALIFIERS_MAX);
            }
            u64(b, p + 16, "COM qualifier");
            p += 24;
        }
        long signedBy = u40(b, p, "COM signer");
        p += 5;
        if (signedBy != 0) {
            require(b, p, SIGNATURE_LENGTH, "COM signature");
            p += SIGNATURE_LENGTH;
        }
        return p - start;
    }

    /** Bytes of the capability at {@code start} (ZT1-05 §3.1). */
    static int capabilityLength(byte[] b, int start) throws WireFormatException {
        int p = start;
        require(b, p, 20, "capability network id, timestamp and id");
        p += 20;
        int rc = u16(b, p, "capability rule count");
        p += 2;
        if (rc > CAPABILITY_RULES_MAX) {
            throw new WireFormatException("NetworkConfig: capability has " + rc + " rules, at most "
                    + CAPABILITY_RULES_MAX);
        }
        p = scanRules(b, p, rc)[0];
        int maxChain = u8(b, p, "capability max custody chain length");
        p++;
        if (maxChain < 1 || maxChain > CUSTODY_CHAIN_MAX) {
            throw new WireFormatException("NetworkConfig: capability custody chain length " + maxChain);
        }
        for (int i = 0;; i++) {
            long to = u40(b, p, "capability custody to");
            p += 5;
            if (to == 0) {
                break;
            }
            if (i >= maxChain) {
                throw new WireFormatException("NetworkConfig: capability custody chain longer than " + maxChain);
            }
            u40(b, p, "capability custody from");
            p += 5;
            p = signature(b, p, "capability custody");
        }
        return trailer(b, p, "capability") - start;
    }

    /** Bytes of the tag at {@code start} (ZT1-05 §4.1). */
    static int tagLength(byte[] b, int start) throws WireFormatException {
        int p = start;
        require(b, p, 34, "tag fields");
        p = signature(b, p + 34, "tag");
        return trailer(b, p, "tag") - start;
    }

    /** Bytes of the certificate of ownership at {@code start} (ZT1-05 §5.1). */
    static int certificateOfOwnershipLength(byte[] b, int start) throws WireFormatException {
        int p = start;
        require(b, p, 28, "COO fields");
        int k = u16(b, p + 28, "COO thing count");
        p += 30;
        for (int i = 0; i < Math.min(k, COO_THINGS_MAX); i++) {
            require(b, p, 1 + COO_THING_VALUE_LENGTH, "COO thing");
            p += 1 + COO_THING_VALUE_LENGTH;
        }
        require(b, p, 10, "COO issued-to and signer");
        p = signature(b, p + 10, "COO");
        return trailer(b, p, "COO") - start;
    }

    /** The credential id (u32 at offset 16 of a capability or a tag). */
    static long idAt(byte[] credential) {
        return ((credential[16] & 0xffL) << 24) | ((credential[17] & 0xff) << 16)
                | ((credential[18] & 0xff) << 8) | (credential[19] & 0xff);
    }

    /**
     * Walks up to {@code max} rule entries from {@code p} while inside the value: {end, count}.
     * A known type's fields must be present; its length byte is then skipped unchecked.
     */
    static int[] scanRules(byte[] b, int p, int max) throws WireFormatException {
        int count = 0;
        while (count < max && p < b.length) {
            int type = u8(b, p, "rule type") & 0x3f;
            int len = u8(b, p + 1, "rule length");
            p += 2;
            int fields = fieldBytes(type);
            if (fields > 0) {
                require(b, p, fields, "rule " + type + " fields");
            }
            p += len;
            count++;
        }
        return new int[] {p, count};
    }

    // Bytes 1.14.1 reads from the payload of each rule type (ZT1-06 §4.1).
    private static int fieldBytes(int type) {
        return switch (type) {
            case 2, 3, 4 -> 14;
            case 24, 25, 31, 32 -> 5;
            case 26, 37 -> 2;
            case 27, 28, 36 -> 1;
            case 29, 30 -> 6;
            case 33, 34 -> 17;
            case 35, 38 -> 3;
            case 39, 40, 42, 43 -> 4;
            case 41, 44, 45, 46, 47, 48, 49, 50 -> 8;
            case 51 -> 19;
            default -> 0;
        };
    }

    private static int signature(byte[] b, int p, String what) throws WireFormatException {
        int type = u8(b, p, what + " signature type");
        p++;
        if (type == 1) {
            int len = u16(b, p, what + " signature length");
            if (len != SIGNATURE_LENGTH) {
                throw new WireFormatException("NetworkConfig: " + what + " signature length " + len);
            }
            p += 2;
            require(b, p, SIGNATURE_LENGTH, what + " signature");
            return p + SIGNATURE_LENGTH;
        }
        return p + 2 + u16(b, p, what + " signature length");
    }

    private static int trailer(byte[] b, int p, String what) throws WireFormatException {
        p += 2 + u16(b, p, what + " extension length");
        if (p > b.length) {
            throw new WireFormatException("NetworkConfig: " + what + " extends past the end of its value");
        }
        return p;
    }
}
