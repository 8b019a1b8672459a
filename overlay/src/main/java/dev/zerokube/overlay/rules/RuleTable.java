package dev.zerokube.overlay.rules;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.credentials.Capability;
import dev.zerokube.overlay.wire.rules.RuleEntry;
import dev.zerokube.overlay.wire.rules.RuleType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One rule table (a network's base table or one capability's rules) flattened into primitive
 * arrays for {@link RuleEvaluator}, so evaluating a frame touches no objects and allocates
 * nothing. Built once per config or credential; immutable.
 *
 * <p>Per entry {@code i}: {@code typeByte[i]} as on the wire, and operands in {@code a}, {@code b},
 * {@code c}, {@code d} whose meaning depends on the type (see {@link #of}). Reserved codes stay in
 * the table, as 1.14.1 keeps them (ZT1-06 §6.5).
 */
public final class RuleTable {
    /** Capability id of a base table. */
    public static final long BASE = -1;

    final long capabilityId;
    final int[] typeByte;
    final long[] a;
    final long[] b;
    final int[] c;
    final int[] d;
    private final List<RuleEntry> entries;

    private RuleTable(long capabilityId, List<RuleEntry> entries) {
        this.capabilityId = capabilityId;
        this.entries = List.copyOf(entries);
        int n = entries.size();
        typeByte = new int[n];
        a = new long[n];
        b = new long[n];
        c = new int[n];
        d = new int[n];
        for (int i = 0; i < n; i++) {
            RuleEntry e = entries.get(i);
            typeByte[i] = e.typeByte();
            switch (e) {
                case RuleEntry.Action x -> { }
                case RuleEntry.Unknown x -> { }
                // Only the low 40 bits name a node; 1.14.1 compares via its Address type, which masks.
                case RuleEntry.Forward x -> {
                    a[i] = x.address() & Address.MASK;
                    c[i] = x.length();
                }
                case RuleEntry.AddressMatch x -> a[i] = x.address().value();
                case RuleEntry.ValueMatch x -> a[i] = x.value();
                case RuleEntry.MacMatch x -> a[i] = x.mac().value();
                case RuleEntry.IpMatch x -> {
                    byte[] ip = x.ip();
                    if (x.isIpv6()) {
                        a[i] = longAt(ip, 0);
                        b[i] = longAt(ip, 8);
                    } else {
                        a[i] = ((ip[0] & 0xffL) << 24) | ((ip[1] & 0xff) << 16) | ((ip[2] & 0xff) << 8) | (ip[3] & 0xff);
                    }
                    c[i] = x.prefixBits();
                }
                case RuleEntry.IpTosMatch x -> {
                    a[i] = x.mask();
                    b[i] = x.start();
                    c[i] = x.end();
                }
                case RuleEntry.IcmpMatch x -> {
                    a[i] = x.icmpType();
                    b[i] = x.icmpCode();
                    c[i] = x.flags();
                }
                case RuleEntry.RangeMatch x -> {
                    a[i] = x.start();
                    b[i] = x.end();
                }
                case RuleEntry.TagMatch x -> {
                    a[i] = x.id();
                    b[i] = x.value();
                }
                // 1.14.1 holds the end as a 32-bit offset from start.
                case RuleEntry.IntegerRangeMatch x -> {
                    a[i] = x.start();
                    b[i] = (x.end() - x.start()) & 0xffff_ffffL;
                    c[i] = x.index();
                    d[i] = x.format();
                }
            }
        }
    }

    /** A network's base rule table. */
    public static RuleTable of(List<RuleEntry> entries) {
        return new RuleTable(BASE, entries);
    }

    /** The rules of capability {@code id} (u32). */
    public static RuleTable ofCapability(long id, List<RuleEntry> entries) {
        if ((id >>> 32) != 0) {
            throw new IllegalArgumentException("capability id exceeds 32 bits: " + id);
        }
        return new RuleTable(id, entries);
    }

    /** The rules of a capability credential. */
    public static RuleTable of(Capability capability) {
        return ofCapability(capability.id(), capability.rules());
    }

    /** These capability tables in ascending id order, as the outbound driver consults our own. */
    public static List<RuleTable> sortedById(List<RuleTable> capabilities) {
        List<RuleTable> sorted = new ArrayList<>(capabilities);
        sorted.sort(Comparator.comparingLong(RuleTable::capabilityId));
        return List.copyOf(sorted);
    }

    /** The capability id, or {@link #BASE} for a base table. */
    public long capabilityId() {
        return capabilityId;
    }

    /** The entries this table was built from. */
    public List<RuleEntry> entries() {
        return entries;
    }

    public int size() {
        return typeByte.length;
    }

    private static long longAt(byte[] bytes, int offset) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (bytes[offset + i] & 0xff);
        }
        return v;
    }

    @Override
    public String toString() {
        return "RuleTable[" + (capabilityId == BASE ? "base" : "capability " + capabilityId) + ", " + entries + "]";
    }
}
