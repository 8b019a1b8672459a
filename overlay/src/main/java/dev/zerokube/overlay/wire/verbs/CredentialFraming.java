package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.WireFormatException;
import java.util.Arrays;

/**
 * Finds where one credential ends inside a verb payload, by the length rules of ZT1-05, and
 * returns its exact bytes. The structure checks 1.14.1's parsers make while reading (format
 * byte, counts, signature block, custody chain) are made here too, so that a packet 1.14.1
 * would drop is dropped; field meanings are left to the credential types.
 *
 * <pre>
 * COM        [1]=0x01 [2] n&lt;=8, n x {[8] id (non-decreasing), [8] value, [8] maxDelta}, [5] signedBy, [96] sig if signedBy != 0
 * Capability [8] nwid [8] ts [4] id [2] rc&lt;=64, rc x {[1] type [1] len [len]}, [1] maxCustody 1..7,
 *            chain {[5] to (0 ends it), [5] from, signature block}, ext block
 * Tag        [8] nwid [8] ts [4] id [4] value [5] issuedTo [5] signedBy, signature block, ext block
 * Revocation [4] [4] id [8] nwid [4] [4] credId [8] threshold [8] flags [5] target [5] signedBy [1] type, signature block, ext block
 * COO        [8] nwid [8] ts [8] flags [4] id [2] k, min(k,16) x [17] things, [5] issuedTo [5] signedBy, signature block, ext block
 * signature block = [1] type [2] len [len] (type 1 requires len 96);  ext block = [2] len [len]
 * </pre>
 * A COO with more than 16 things is read as 1.14.1 reads it: only 16 things are consumed.
 */
final class CredentialFraming {
    static final int COM_MAX_QUALIFIERS = 8;
    static final int CAPABILITY_MAX_RULES = 64;
    static final int CAPABILITY_MAX_CUSTODY = 7;
    static final int COO_MAX_THINGS = 16;
    static final int SIGNATURE_LENGTH = 96;

    /** The kinds of credential a NETWORK_CREDENTIALS packet carries. */
    enum Kind {
        COM, CAPABILITY, TAG, REVOCATION, COO
    }

    private CredentialFraming() {}

    /** Reads one credential of {@code kind} and returns its bytes. */
    static byte[] read(Kind kind, ByteReader r) throws WireFormatException {
        int start = r.position();
        switch (kind) {
            case COM -> skipCom(r);
            case CAPABILITY -> skipCapability(r);
            case TAG -> skipTag(r);
            case REVOCATION -> skipRevocation(r);
            case COO -> skipCoo(r);
        }
        return Arrays.copyOfRange(r.array(), start, r.position());
    }

    /** Checks that {@code bytes} is exactly one well-framed credential; for constructors. */
    static void requireOne(Kind kind, byte[] bytes, String what) {
        ByteReader r = new ByteReader(bytes, what);
        try {
            read(kind, r);
            r.expectEnd(kind.name());
        } catch (WireFormatException e) {
            throw new IllegalArgumentException(what + " is not one " + kind + ": " + e.what());
        }
    }

    private static void skipCom(ByteReader r) throws WireFormatException {
        int format = r.readU8("COM format");
        if (format != 1) {
            throw r.error("COM format byte " + format + " is not 1");
        }
        int n = r.readU16("COM qualifier count");
        if (n > COM_MAX_QUALIFIERS) {
            throw r.error("COM qualifier count " + n + " exceeds the " + COM_MAX_QUALIFIERS + " allowed");
        }
        long previous = 0;
        for (int i = 0; i < n; i++) {
            long id = r.readU64("COM qualifier id");
            if (i > 0 && Long.compareUnsigned(id, previous) < 0) {
                throw r.error("COM qualifier ids are not in ascending order");
            }
            previous = id;
            r.skip(16, "COM qualifier value and max delta");
        }
        if (r.readU40("COM signed-by") != 0) {
            r.skip(SIGNATURE_LENGTH, "COM signature");
        }
    }

    private static void skipCapability(ByteReader r) throws WireFormatException {
        r.skip(20, "capability network id, timestamp and id");
        int rules = r.readU16("capability rule count");
        if (rules > CAPABILITY_MAX_RULES) {
            throw r.error("capability rule count " + rules + " exceeds " + CAPABILITY_MAX_RULES);
        }
        for (int i = 0; i < rules; i++) {
            r.skip(1, "capability rule type");
            r.skip(r.readU8("capability rule length"), "capability rule");
        }
        int maxCustody = r.readU8("capability max custody chain length");
        if (maxCustody < 1 || maxCustody > CAPABILITY_MAX_CUSTODY) {
            throw r.error("capability max custody chain length " + maxCustody + " is not 1.." + CAPABILITY_MAX_CUSTODY);
        }
        for (int i = 0; ; i++) {
            if (r.readU40("capability custody to") == 0) {
                break;
            }
            if (i >= maxCustody) {
                throw r.error("capability custody chain longer than " + maxCustody);
            }
            r.skip(5, "capability custody from");
            skipSignature(r, "capability custody");
        }
        skipExtension(r, "capability");
    }

    private static void skipTag(ByteReader r) throws WireFormatException {
        r.skip(34, "tag fields");
        skipSignature(r, "tag");
        skipExtension(r, "tag");
    }

    private static void skipRevocation(ByteReader r) throws WireFormatException {
        r.skip(51, "revocation fields");
        skipSignature(r, "revocation");
        skipExtension(r, "revocation");
    }

    private static void skipCoo(ByteReader r) throws WireFormatException {
        r.skip(28, "COO network id, timestamp, flags and id");
        int things = r.readU16("COO thing count");
        r.skip(17 * Math.min(things, COO_MAX_THINGS), "COO things");
        r.skip(10, "COO issued-to and signed-by");
        skipSignature(r, "COO");
        skipExtension(r, "COO");
    }

    private static void skipSignature(ByteReader r, String what) throws WireFormatException {
        int type = r.readU8(what + " signature type");
        int length = r.readU16(what + " signature length");
        if (type == 1 && length != SIGNATURE_LENGTH) {
            throw r.error(what + " signature of type 1 has length " + length + ", not 96");
        }
        r.skip(length, what + " signature");
    }

    private static void skipExtension(ByteReader r, String what) throws WireFormatException {
        r.skip(r.readU16(what + " extension length"), what + " extension");
    }
}
