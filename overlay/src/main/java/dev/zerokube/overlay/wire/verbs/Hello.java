package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.crypto.Salsa20;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.PacketHeader;
import dev.zerokube.overlay.wire.Verb;
import java.util.ArrayList;
import java.util.List;

/**
 * HELLO (0x01): the sender's identity, versions, clock, what it believes our physical address
 * is, and which worlds it holds (ZT1-03 §4.2).
 *
 * <pre>
 * P+0   [1]  protocol version            (1.14.1: 12)
 * P+1   [1]  software major
 * P+2   [1]  software minor
 * P+3   [2]  software revision
 * P+5   [8]  timestamp, sender's clock in ms (echoed in OK(HELLO))
 * P+13  [71] identity, public form (parsed, so a private part would be read too)
 * ---- optional from here: a sender may stop before any of these ----
 *       [1/7/19] InetAddress the HELLO was sent to (nil when relayed)       sentTo
 *       [8]  planet id, [8] planet timestamp (read only if 16 bytes remain)  planet
 * ---- masked with Salsa20/12 ({@link #cryptTail}) from here to the end ----
 *       [2]  N moons, N x { [1] world type (127 = moon), [8] id, [8] timestamp (0 = wanted) }
 * </pre>
 *
 * <p>{@link #decode} reads the payload after the tail has been unmasked; {@link #encode} writes
 * it before masking. Optional parts are present as a prefix: no planet without {@code sentTo},
 * no moon list without a planet ({@code null} = absent). 1.14.1 reads the moon count also when
 * fewer than 16 bytes followed {@code sentTo}; such a HELLO can only carry zero moons, which
 * this decoder treats as absent. One trailing byte after the planet is ignored, as in 1.14.1.
 *
 * @param protocolVersion 0..255 (1.14.1 drops a HELLO below 4)
 * @param identity the sender's identity (its public part is what gets encoded)
 * @param sentTo the physical address the HELLO was sent to, nil if relayed, null if absent
 * @param planet the sender's planet, null if absent
 * @param moons the sender's moons and wanted moons, null if absent
 */
public record Hello(int protocolVersion, int majorVersion, int minorVersion, int revision, long timestamp,
        Identity identity, InetEndpoint sentTo, Planet planet, List<Moon> moons) implements VerbPayload {

    /** Bytes of one moon record. */
    public static final int MOON_LENGTH = 17;
    /** World type of a moon. */
    public static final int WORLD_TYPE_MOON = 127;
    /** Offset in the payload of the identity. */
    public static final int IDENTITY_OFFSET = 13;

    /** The planet (world id and timestamp) a HELLO's sender holds. */
    public record Planet(long id, long timestamp) {}

    /**
     * A moon record: a world the sender holds (or wants: timestamp 0).
     *
     * @param type world type byte; 1.14.1 keeps records of type 127 only
     */
    public record Moon(int type, long id, long timestamp) {
        public Moon {
            Bytes.requireU8(type, "moon world type");
        }
    }

    public Hello {
        Bytes.requireU8(protocolVersion, "protocol version");
        Bytes.requireU8(majorVersion, "major version");
        Bytes.requireU8(minorVersion, "minor version");
        Bytes.requireU16(revision, "revision");
        if (identity == null) {
            throw new IllegalArgumentException("identity is required");
        }
        if (sentTo == null && planet != null) {
            throw new IllegalArgumentException("a planet cannot be sent without the sent-to address before it");
        }
        if (planet == null && moons != null) {
            throw new IllegalArgumentException("moons cannot be sent without the planet before them");
        }
        if (moons != null) {
            if (moons.size() > 0xffff) {
                throw new IllegalArgumentException("at most 65535 moons");
            }
            moons = List.copyOf(moons);
        }
    }

    @Override
    public int verbCode() {
        return Verb.HELLO.code();
    }

    /** Decodes an unmasked HELLO payload. */
    public static Hello decode(ByteReader r) throws WireFormatException {
        int protocolVersion = r.readU8("protocol version");
        int major = r.readU8("major version");
        int minor = r.readU8("minor version");
        int revision = r.readU16("revision");
        long timestamp = r.readU64("timestamp");
        Identity identity = Identity.decode(r);
        InetEndpoint sentTo = null;
        Planet planet = null;
        List<Moon> moons = null;
        if (r.hasRemaining()) {
            sentTo = InetEndpoint.decode(r, "sent-to address");
            if (r.remaining() >= 16) {
                planet = new Planet(r.readU64("planet id"), r.readU64("planet timestamp"));
            }
            if (r.remaining() >= 2) {
                int n = r.readU16("moon count");
                r.require(n * MOON_LENGTH, n + " moon records");
                if (planet != null) {
                    moons = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        moons.add(new Moon(r.readU8("moon type"), r.readU64("moon id"), r.readU64("moon timestamp")));
                    }
                }
            }
        }
        return new Hello(protocolVersion, major, minor, revision, timestamp, identity, sentTo, planet, moons);
    }

    @Override
    public void encode(ByteWriter w) {
        w.u8(protocolVersion).u8(majorVersion).u8(minorVersion).u16(revision).u64(timestamp);
        identity.encode(w, false);
        if (sentTo == null) {
            return;
        }
        sentTo.encode(w);
        if (planet == null) {
            return;
        }
        w.u64(planet.id()).u64(planet.timestamp());
        if (moons == null) {
            return;
        }
        w.u16(moons.size());
        for (Moon m : moons) {
            w.u8(m.type()).u64(m.id()).u64(m.timestamp());
        }
    }

    /**
     * Offset (absolute in {@code payload}) where the masked tail of a HELLO payload
     * {@code payload[off, off+len)} begins: right after the planet fields, or at the end when
     * nothing follows them. Only the clear part is read.
     */
    public static int maskedTailOffset(byte[] payload, int off, int len) throws WireFormatException {
        ByteReader r = new ByteReader(payload, off, len, "HELLO");
        r.skip(IDENTITY_OFFSET, "versions and timestamp");
        Identity.decode(r);
        if (r.hasRemaining()) {
            InetEndpoint.decode(r, "sent-to address");
            if (r.remaining() >= 16) {
                r.skip(16, "planet");
            }
        }
        return r.position();
    }

    /**
     * Masks or unmasks (the same XOR) the tail of a HELLO packet in place
     * ({@code node/Packet.cpp: cryptField}, ZT1-03 §4.2.2): Salsa20/12 keyed with the first 32
     * bytes of the 48-byte per-peer key (not the per-packet mangled key), nonce = the packet id
     * with the low 3 bits of its last byte cleared, keystream from block 0. The sender applies it
     * before armoring, the receiver after the MAC has verified; it must run once per packet.
     *
     * @param packet an uncompressed HELLO packet {@code packet[off, off+len)}, header included
     * @param sharedKey the 48-byte per-peer key (only its first 32 bytes are used)
     * @param salsa a reusable 12-round cipher
     */
    public static void cryptTail(byte[] packet, int off, int len, byte[] sharedKey, Salsa20 salsa)
            throws WireFormatException {
        if (salsa.rounds() != 12) {
            throw new IllegalArgumentException("HELLO masking uses Salsa20/12, not " + salsa.rounds() + " rounds");
        }
        if (len < PacketHeader.MIN_LENGTH) {
            throw new WireFormatException("HELLO: packet of " + len + " bytes is shorter than its header");
        }
        int payloadOff = off + PacketHeader.IDX_PAYLOAD;
        int tail = maskedTailOffset(packet, payloadOff, len - PacketHeader.IDX_PAYLOAD);
        int end = off + len;
        if (tail == end) {
            return;
        }
        byte[] iv = new byte[Salsa20.IV_LENGTH];
        System.arraycopy(packet, off + PacketHeader.IDX_PACKET_ID, iv, 0, Salsa20.IV_LENGTH);
        iv[7] &= (byte) 0xf8;
        salsa.init(sharedKey, 0, iv, 0);
        salsa.crypt(packet, tail, packet, tail, end - tail);
    }
}
