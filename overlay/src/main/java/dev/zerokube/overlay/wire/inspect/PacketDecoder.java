package dev.zerokube.overlay.wire.inspect;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.crypto.Salsa20;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.Armor;
import dev.zerokube.overlay.wire.Compression;
import dev.zerokube.overlay.wire.Fragment;
import dev.zerokube.overlay.wire.PacketHeader;
import dev.zerokube.overlay.wire.Verb;
import dev.zerokube.overlay.wire.inspect.DatagramRecord.Kind;
import dev.zerokube.overlay.wire.inspect.Dissector.Captured;
import dev.zerokube.overlay.wire.verbs.Hello;
import dev.zerokube.overlay.wire.verbs.OkReply;
import dev.zerokube.overlay.wire.verbs.VerbPayload;
import dev.zerokube.overlay.wire.verbs.WhoisOk;
import java.util.Arrays;

/**
 * Turns one whole packet (a datagram, or a reassembled fragmented packet) into a record: header
 * fields, key choice, dearmor, LZ4, the OK/ERROR envelope and the payload summary. Also builds the
 * records of fragments from their packet's. Learns identities from HELLOs that authenticate and
 * from OK(WHOIS) replies.
 */
final class PacketDecoder {
    /** Payload offsets of the OK/ERROR envelope (ZT1-03 §3): in-re verb, in-re packet id, then data. */
    private static final int IN_RE_VERB_AT = 0;
    /** ERROR's code, and where OK's verb-specific data starts. */
    private static final int ERROR_CODE_AT = 9;

    private final Keyring keyring;
    /** Salsa20/12 for unmasking HELLO tails; reused. */
    private final Salsa20 salsa = new Salsa20(12);

    PacketDecoder(Keyring keyring) {
        this.keyring = keyring;
    }

    /**
     * The record of a packet head: {@code whole} is the datagram itself, or the reassembled packet
     * when {@code fragmentsTotal} is not null (then the head's record describes the whole packet).
     */
    DatagramRecord packet(Captured d, byte[] whole, Integer fragmentsTotal) {
        long src = PacketHeader.source(whole, 0);
        long dst = PacketHeader.destination(whole, 0);
        int cipher = PacketHeader.cipher(whole, 0);
        Decoded r = decode(whole, src, dst, cipher);
        boolean fragmented = fragmentsTotal != null;
        return new DatagramRecord(d.index(), d.timeUs(), d.src(), d.dst(), d.bytes().length, Kind.PACKET, fragmented,
                PacketHeader.packetId(whole, 0), src, dst, PacketHeader.hops(d.bytes(), 0), cipher,
                r.verb, r.inReVerb, r.errorCode, whole.length - PacketHeader.IDX_PAYLOAD, r.compressed,
                r.uncompressedLength, r.authOk, fragmented ? 0 : null, fragmentsTotal,
                fragmented ? whole.length : null, null, r.summary);
    }

    /** The record of a fragmented packet's head that was not reassembled, saying {@code why}. */
    DatagramRecord unassembled(Captured d, Integer fragmentsTotal, String why) {
        byte[] b = d.bytes();
        return new DatagramRecord(d.index(), d.timeUs(), d.src(), d.dst(), b.length, Kind.PACKET, true,
                PacketHeader.packetId(b, 0), PacketHeader.source(b, 0), PacketHeader.destination(b, 0),
                PacketHeader.hops(b, 0), PacketHeader.cipher(b, 0), null, null, null, null, null, null, false,
                0, fragmentsTotal, null, null, why);
    }

    /**
     * The record of a fragment; {@code packet} is its head's record (null if never seen), whose
     * source, cipher, verb and verdict the fragment shares.
     */
    DatagramRecord fragment(Captured d, DatagramRecord packet, Long headIndex, String summary) {
        byte[] b = d.bytes();
        return new DatagramRecord(d.index(), d.timeUs(), d.src(), d.dst(), b.length, Kind.FRAGMENT, true,
                Fragment.packetIdAt(b, 0), packet == null ? null : packet.headerSrc(), Fragment.destinationAt(b, 0),
                Fragment.hopsAt(b, 0), packet == null ? null : packet.cipher(), packet == null ? null : packet.verb(),
                null, null, b.length - Fragment.HEADER_LENGTH, null, null, packet != null && packet.authOk(),
                Fragment.numberAt(b, 0), Fragment.totalAt(b, 0), null, headIndex, summary);
    }

    /** The packet-level findings. */
    private record Decoded(boolean authOk, Integer verb, Boolean compressed, Integer uncompressedLength,
            Integer inReVerb, Integer errorCode, String summary) {
        static Decoded failed(String why) {
            return new Decoded(false, null, null, null, null, null, why);
        }
    }

    private Decoded decode(byte[] whole, long src, long dst, int cipher) {
        if (whole.length > PacketHeader.MAX_LENGTH) {
            return Decoded.failed("longer than " + PacketHeader.MAX_LENGTH + " bytes: 1.14.1 drops it");
        }
        boolean trusted = cipher == PacketHeader.CIPHER_TRUSTED_PATH;
        if (cipher > PacketHeader.CIPHER_AES_GMAC_SIV) {
            return Decoded.failed("undefined cipher suite " + cipher + ": 1.14.1 drops it");
        }
        Keyring.PeerKey key = keyring.key(src, dst);
        if (trusted) {
            // plaintext with no MAC: readable by anyone, accepted only from a configured trusted network
            String prefix = String.format("trusted path %016x, no MAC: ", PacketHeader.trustedPathId(whole, 0));
            Decoded d = payload(whole.clone(), src, dst, key);
            return new Decoded(false, d.verb, d.compressed, d.uncompressedLength, d.inReVerb, d.errorCode,
                    prefix + d.summary);
        }
        Identity helloSender = null;
        if (key == null && cipher == PacketHeader.CIPHER_POLY1305_NONE
                && (PacketHeader.verbByte(whole, 0) & Verb.CODE_MASK) == Verb.HELLO.code()) {
            // A HELLO carries its sender's identity in clear: the one packet that may be read
            // before its key is known (ZT1-02 §4.9). It is learned only if the MAC then checks.
            helloSender = helloIdentity(whole, src);
            byte[] raw = helloSender == null ? null : Keyring.agree(helloSender, keyring.get(dst));
            key = raw == null ? null : Keyring.PeerKey.of(raw);
        }
        if (key == null) {
            return Decoded.failed(noKey(src, dst));
        }
        byte[] packet = whole.clone();
        Armor.Verdict verdict = key.armor().dearmor(packet, 0, packet.length);
        if (verdict != Armor.Verdict.AUTHENTICATED) {
            return Decoded.failed(String.format("does not authenticate with the key of %010x and %010x (%s)",
                    src, dst, verdict));
        }
        if (helloSender != null && helloSender.locallyValidate()) {
            keyring.add(helloSender);
        }
        return payload(packet, src, dst, key);
    }

    /** Verb, LZ4, the OK/ERROR envelope and the payload summary of a dearmored (or plain) packet. */
    private Decoded payload(byte[] packet, long src, long dst, Keyring.PeerKey key) {
        int verbByte = PacketHeader.verbByte(packet, 0);
        int verb = verbByte & Verb.CODE_MASK;
        boolean compressed = (verbByte & PacketHeader.VERB_FLAG_COMPRESSED) != 0;
        Integer uncompressedLength = null;
        if (compressed) {
            byte[] out = new byte[PacketHeader.MAX_LENGTH];
            int n = Compression.uncompress(packet, 0, packet.length, out, 0);
            if (n < 0) {
                return new Decoded(true, verb, true, null, null, null, "LZ4 decompression failed: 1.14.1 drops it");
            }
            packet = Arrays.copyOf(out, n);
            uncompressedLength = n - PacketHeader.IDX_PAYLOAD;
        }
        int payloadLength = packet.length - PacketHeader.IDX_PAYLOAD;
        Integer inReVerb = null;
        Integer errorCode = null;
        if ((verb == Verb.OK.code() || verb == Verb.ERROR.code()) && payloadLength > IN_RE_VERB_AT) {
            inReVerb = packet[PacketHeader.IDX_PAYLOAD + IN_RE_VERB_AT] & 0xff;
        }
        if (verb == Verb.ERROR.code() && payloadLength > ERROR_CODE_AT) {
            errorCode = packet[PacketHeader.IDX_PAYLOAD + ERROR_CODE_AT] & 0xff;
        }
        String summary;
        try {
            if (verb == Verb.HELLO.code()) {
                if (key == null) {
                    throw new WireFormatException("HELLO tail masked with a key the capture's homes do not give");
                }
                Hello.cryptTail(packet, 0, packet.length, key.key(), salsa);
            }
            VerbPayload payload = VerbPayload.decode(verb, packet, PacketHeader.IDX_PAYLOAD, payloadLength);
            if (payload instanceof OkReply ok && ok.body() instanceof WhoisOk whois) {
                learn(whois);
            }
            summary = PayloadSummary.of(payload, src, dst);
        } catch (WireFormatException e) {
            summary = "payload does not decode: " + e.what();
        }
        return new Decoded(true, verb, compressed, uncompressedLength, inReVerb, errorCode, summary);
    }

    /**
     * Learns the identities of an OK(WHOIS). A node trusts them because they come from its root;
     * the dissector cannot tell a root from anyone else, so it checks each new one's proof of work.
     */
    private void learn(WhoisOk whois) {
        for (Identity id : whois.identities()) {
            if (keyring.get(id.address().value()) == null && id.locallyValidate()) {
                keyring.add(id);
            }
        }
    }

    /** The identity a HELLO claims, if it decodes and has the header's source address. */
    private static Identity helloIdentity(byte[] packet, long src) {
        int at = PacketHeader.IDX_PAYLOAD + Hello.IDENTITY_OFFSET;
        if (packet.length <= at) {
            return null;
        }
        try {
            Identity id = Identity.decode(new ByteReader(packet, at, packet.length - at, "HELLO identity"));
            return id.address().value() == src ? id : null;
        } catch (WireFormatException e) {
            return null;
        }
    }

    private String noKey(long src, long dst) {
        Identity a = keyring.get(src);
        Identity b = keyring.get(dst);
        StringBuilder why = new StringBuilder(String.format("no key for %010x and %010x: ", src, dst));
        if (a == null && b == null) {
            why.append("neither identity is known");
        } else if (a == null || b == null) {
            why.append(String.format("identity of %010x unknown (no home, HELLO or WHOIS reply gave it)", a == null ? src : dst));
        } else {
            why.append("no secret identity for either");
        }
        return why.toString();
    }
}
