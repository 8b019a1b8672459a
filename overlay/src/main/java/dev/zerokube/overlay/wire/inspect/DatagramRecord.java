package dev.zerokube.overlay.wire.inspect;

import dev.zerokube.overlay.wire.Verb;
import dev.zerokube.overlay.wire.verbs.ErrorCode;

/**
 * What the {@link Dissector} found in one datagram. Field names follow the annotations of the
 * capture vectors (README-capture-rules.md §2.4); a {@code null} means "not known" or "does not
 * apply" (e.g. no verb for a packet that did not authenticate, no header source for a fragment whose
 * head was never seen).
 *
 * @param index the caller's position of the datagram in its input (e.g. 0-based line number)
 * @param timeUs capture time in microseconds, as given
 * @param src underlay sender ("ip/port"), as given
 * @param dst underlay receiver, as given
 * @param length UDP payload length in bytes
 * @param kind packet, fragment, or short (too small to be either)
 * @param fragment true for the head of a fragmented packet and for every fragment
 * @param packetId bytes 0..7 as an unsigned 64-bit value (for fragments: their packet's id)
 * @param headerSrc ZeroTier source address (fragments: copied from their head)
 * @param headerDst ZeroTier destination address
 * @param hops hop count of this datagram
 * @param cipher cipher suite 0..7 (fragments: their head's)
 * @param verb verb number 0..31 after dearmor (fragments: their packet's); null unless authenticated
 * @param inReVerb OK and ERROR: the verb answered
 * @param errorCode ERROR: the error code
 * @param payloadLength bytes after the verb byte as on the wire (head: of the reassembled packet;
 *     fragment: its own share)
 * @param compressed packets: whether the payload is LZ4-compressed (null unless authenticated)
 * @param uncompressedPayloadLength compressed packets: payload length after decompression
 * @param authOk whether the (reassembled) packet authenticated; fragments carry their packet's
 * @param fragmentNo heads: 0; fragments: their number
 * @param fragmentsTotal heads: the total learned from the fragments; fragments: their total field
 * @param reassembledLength heads: total length of the reassembled packet
 * @param headIndex fragments: the {@code index} of their head
 * @param summary one line saying what the payload holds, or why it could not be read
 */
public record DatagramRecord(
        long index, long timeUs, String src, String dst, int length,
        Kind kind, boolean fragment, Long packetId, Long headerSrc, Long headerDst, Integer hops,
        Integer cipher, Integer verb, Integer inReVerb, Integer errorCode, Integer payloadLength,
        Boolean compressed, Integer uncompressedPayloadLength, boolean authOk,
        Integer fragmentNo, Integer fragmentsTotal, Integer reassembledLength, Long headIndex,
        String summary) {

    private static final String[] CIPHER_NAMES = {
        "POLY1305_NONE", "POLY1305_SALSA2012", "NONE_TRUSTED_PATH", "AES_GMAC_SIV",
    };

    /** The capture's name of a cipher suite (0..3), {@code CIPHER_n} for the undefined 4..7. */
    public static String cipherName(int cipher) {
        return cipher >= 0 && cipher < CIPHER_NAMES.length ? CIPHER_NAMES[cipher] : "CIPHER_" + cipher;
    }

    /** The name of a verb number (0..255), {@code VERB_0xNN} for one 1.14.1 does not assign. */
    public static String verbName(int code) {
        Verb verb = (code & ~Verb.CODE_MASK) == 0 ? Verb.ofCode(code) : null;
        return verb != null ? verb.name() : String.format("VERB_0x%02x", code);
    }

    /** The name of an ERROR code (ZT1-03 §3.2), {@code ERROR_0xNN} for one 1.14.1 does not define. */
    public static String errorCodeName(int code) {
        ErrorCode known = ErrorCode.ofCode(code);
        return known != null ? known.name() : String.format("ERROR_0x%02x", code);
    }

    /** How a datagram is classified (README-capture-rules.md §2.4). */
    public enum Kind {
        /** A packet head (whole packet or fragment 0): byte 13 is not 0xff and at least 28 bytes. */
        PACKET,
        /** A fragment 1..n: byte 13 is 0xff and at least 16 bytes. */
        FRAGMENT,
        /** Anything else (e.g. the 4-byte NAT-opening datagram sent after RENDEZVOUS). */
        SHORT
    }
}
