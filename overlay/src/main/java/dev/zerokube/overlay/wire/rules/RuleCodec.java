package dev.zerokube.overlay.wire.rules;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.Mac;
import java.util.ArrayList;
import java.util.List;

/**
 * Binary codec of rule table entries (ZT1-06 §4.1), byte-exact with 1.14.1.
 *
 * <pre>
 * entry := type u8 (NOT 0x80 | OR 0x40 | code 0x3f) ‖ len u8 ‖ payload[len]
 *
 * code  type                     len  payload (big-endian)
 *  0,1,5,6 DROP ACCEPT BREAK PRIORITY 0 —
 *  2..4 TEE WATCH REDIRECT       14   address u64 ‖ flags u32 ‖ length u16
 * 24,25 ZT SOURCE / DEST          5   address 5 bytes
 * 26    VLAN_ID                   2   u16
 * 27,28 VLAN_PCP, VLAN_DEI        1   u8
 * 29,30 MAC SOURCE / DEST         6   mac 6 bytes
 * 31,32 IPV4 SOURCE / DEST        5   ip 4 bytes ‖ prefix u8
 * 33,34 IPV6 SOURCE / DEST       17   ip 16 bytes ‖ prefix u8
 * 35    IP_TOS                    3   mask u8 ‖ start u8 ‖ end u8
 * 36    IP_PROTOCOL               1   u8
 * 37    ETHERTYPE                 2   u16
 * 38    ICMP                      3   type u8 ‖ code u8 ‖ flags u8
 * 39,40 SOURCE / DEST PORT RANGE  4   start u16 ‖ end u16
 * 41    CHARACTERISTICS           8   mask u64
 * 42    FRAME_SIZE_RANGE          4   start u16 ‖ end u16
 * 43    RANDOM                    4   probability u32
 * 44..50 tag matches              8   id u32 ‖ value u32
 * 51    INTEGER_RANGE            19   start u64 ‖ absolute end u64 ‖ index u16 ‖ format u8
 * other reserved                any   skipped; written with len 0
 * </pre>
 *
 * <p>Like 1.14.1, the decoder reads a known type's fields at their fixed offsets from the start of
 * the payload and then advances by the length byte, whatever it says. Unlike 1.14.1 it never reads
 * past the end of its input: the fields and the {@code len} bytes must both be present, otherwise
 * the entry is a {@link WireFormatException}. A list has no count and no terminator; where it is
 * counted (inside a capability) the caller reads the count.
 */
public final class RuleCodec {
    /** Entries of a network config's base table ({@code ZT_MAX_NETWORK_RULES}); more are ignored. */
    public static final int BASE_TABLE_ENTRIES_MAX = 1024;
    /** Entries of one capability ({@code ZT_MAX_CAPABILITY_RULES}); more reject the capability. */
    public static final int CAPABILITY_ENTRIES_MAX = 64;

    private RuleCodec() {}

    /** Reads one entry. */
    public static RuleEntry decodeEntry(ByteReader r) throws WireFormatException {
        int t = r.readU8("rule type byte");
        int len = r.readU8("rule length byte");
        int code = t & RuleType.CODE_MASK;
        boolean not = (t & RuleType.NOT_BIT) != 0;
        boolean or = (t & RuleType.OR_BIT) != 0;
        RuleType type = RuleType.ofCode(code);
        if (type == null) {
            r.skip(len, "payload of reserved rule type " + code);
            return new RuleEntry.Unknown(code, not, or);
        }
        int fixed = type.payloadLength();
        r.require(Math.max(fixed, len), type + " payload (length byte " + len + ")");
        ByteReader p = new ByteReader(r.array(), r.position(), fixed, "rule " + type);
        RuleEntry entry = switch (type) {
            case ACTION_DROP, ACTION_ACCEPT, ACTION_BREAK, ACTION_PRIORITY -> new RuleEntry.Action(type, not, or);
            case ACTION_TEE, ACTION_WATCH, ACTION_REDIRECT -> new RuleEntry.Forward(type, not, or,
                    p.readU64("address"), p.readU32("flags"), p.readU16("length"));
            case MATCH_SOURCE_ZEROTIER_ADDRESS, MATCH_DEST_ZEROTIER_ADDRESS ->
                    new RuleEntry.AddressMatch(type, not, or, Address.decode(p, "address"));
            case MATCH_VLAN_PCP, MATCH_VLAN_DEI, MATCH_IP_PROTOCOL ->
                    new RuleEntry.ValueMatch(type, not, or, p.readU8("value"));
            case MATCH_VLAN_ID, MATCH_ETHERTYPE -> new RuleEntry.ValueMatch(type, not, or, p.readU16("value"));
            case MATCH_RANDOM -> new RuleEntry.ValueMatch(type, not, or, p.readU32("probability"));
            case MATCH_CHARACTERISTICS -> new RuleEntry.ValueMatch(type, not, or, p.readU64("mask"));
            case MATCH_MAC_SOURCE, MATCH_MAC_DEST -> new RuleEntry.MacMatch(type, not, or, Mac.decode(p, "mac"));
            case MATCH_IPV4_SOURCE, MATCH_IPV4_DEST ->
                    new RuleEntry.IpMatch(type, not, or, p.readBytes(4, "ip"), p.readU8("prefix"));
            case MATCH_IPV6_SOURCE, MATCH_IPV6_DEST ->
                    new RuleEntry.IpMatch(type, not, or, p.readBytes(16, "ip"), p.readU8("prefix"));
            case MATCH_IP_TOS -> new RuleEntry.IpTosMatch(not, or, p.readU8("mask"), p.readU8("start"), p.readU8("end"));
            case MATCH_ICMP -> new RuleEntry.IcmpMatch(not, or, p.readU8("icmp type"), p.readU8("icmp code"),
                    p.readU8("flags"));
            case MATCH_IP_SOURCE_PORT_RANGE, MATCH_IP_DEST_PORT_RANGE, MATCH_FRAME_SIZE_RANGE ->
                    new RuleEntry.RangeMatch(type, not, or, p.readU16("start"), p.readU16("end"));
            case MATCH_TAGS_DIFFERENCE, MATCH_TAGS_BITWISE_AND, MATCH_TAGS_BITWISE_OR, MATCH_TAGS_BITWISE_XOR,
                    MATCH_TAGS_EQUAL, MATCH_TAG_SENDER, MATCH_TAG_RECEIVER ->
                    new RuleEntry.TagMatch(type, not, or, p.readU32("tag id"), p.readU32("tag value"));
            case MATCH_INTEGER_RANGE -> {
                long start = p.readU64("start");
                // 1.14.1 keeps only a 32-bit offset from start, so the end is normalised the same way.
                long end = start + ((p.readU64("end") - start) & 0xffffffffL);
                yield new RuleEntry.IntegerRangeMatch(not, or, start, end, p.readU16("index"), p.readU8("format"));
            }
        };
        r.skip(len, type + " payload");
        return entry;
    }

    /** Writes one entry with the length byte 1.14.1 writes for its type. */
    public static void encodeEntry(ByteWriter w, RuleEntry entry) {
        w.u8(entry.typeByte());
        switch (entry) {
            case RuleEntry.Action a -> w.u8(0);
            case RuleEntry.Unknown u -> w.u8(0);
            case RuleEntry.Forward f -> w.u8(14).u64(f.address()).u32(f.flags()).u16(f.length());
            case RuleEntry.AddressMatch m -> {
                w.u8(5);
                m.address().encode(w);
            }
            case RuleEntry.ValueMatch m -> {
                switch (RuleEntry.ValueMatch.bits(m.type())) {
                    case 8 -> w.u8(1).u8((int) m.value());
                    case 16 -> w.u8(2).u16((int) m.value());
                    case 32 -> w.u8(4).u32(m.value());
                    default -> w.u8(8).u64(m.value());
                }
            }
            case RuleEntry.MacMatch m -> {
                w.u8(6);
                m.mac().encode(w);
            }
            case RuleEntry.IpMatch m -> w.u8(m.isIpv6() ? 17 : 5).bytes(m.ip()).u8(m.prefixBits());
            case RuleEntry.IpTosMatch m -> w.u8(3).u8(m.mask()).u8(m.start()).u8(m.end());
            case RuleEntry.IcmpMatch m -> w.u8(3).u8(m.icmpType()).u8(m.icmpCode()).u8(m.flags());
            case RuleEntry.RangeMatch m -> w.u8(4).u16(m.start()).u16(m.end());
            case RuleEntry.TagMatch m -> w.u8(8).u32(m.id()).u32(m.value());
            case RuleEntry.IntegerRangeMatch m ->
                    w.u8(19).u64(m.start()).u64(m.end()).u16(m.index()).u8(m.format());
        }
    }

    /**
     * Reads entries until the input ends or {@code entriesMax} were read; bytes after the
     * {@code entriesMax}-th entry are left unread (1.14.1 ignores them in key {@code R}).
     */
    public static List<RuleEntry> decodeTable(ByteReader r, int entriesMax) throws WireFormatException {
        List<RuleEntry> out = new ArrayList<>();
        while (r.hasRemaining() && out.size() < entriesMax) {
            out.add(decodeEntry(r));
        }
        return List.copyOf(out);
    }

    /** Reads exactly {@code count} entries (a capability's counted list). */
    public static List<RuleEntry> decodeCounted(ByteReader r, int count) throws WireFormatException {
        // Each entry is at least two bytes: check before allocating anything sized by the count.
        r.require(2 * count, count + " rule entries");
        List<RuleEntry> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(decodeEntry(r));
        }
        return List.copyOf(out);
    }

    /** Writes the entries back to back, without a count. */
    public static void encodeTable(ByteWriter w, List<RuleEntry> entries) {
        for (RuleEntry e : entries) {
            encodeEntry(w, e);
        }
    }

    /** The entries as a byte string, e.g. the value of key {@code R}. */
    public static byte[] encodeTable(List<RuleEntry> entries) {
        ByteWriter w = new ByteWriter(entries.size() * 8);
        encodeTable(w, entries);
        return w.toByteArray();
    }
}
