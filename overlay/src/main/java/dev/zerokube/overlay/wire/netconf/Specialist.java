package dev.zerokube.overlay.wire.netconf;

import dev.zerokube.overlay.identity.Address;
import java.util.HexFormat;

/**
 * One entry of a network config's specialists ({@code S}, ZT1-04 §3.2): a node address in the low
 * 40 bits and role flags above it, kept as the raw 64-bit word so that bits without a meaning in
 * 1.14.1 survive a round trip.
 *
 * @param word the big-endian 64-bit value as carried in {@code S}
 */
public record Specialist(long word) {
    /** May bridge foreign MACs and receives frames for unknown MACs and all multicasts first. */
    public static final long ACTIVE_BRIDGE = 0x0000_0200_0000_0000L;
    /** An "always contact" peer and multicast gather target. */
    public static final long ANCHOR = 0x0000_0400_0000_0000L;
    /** Senders hand multicasts to it for replication. */
    public static final long MULTICAST_REPLICATOR = 0x0000_0800_0000_0000L;

    /** A specialist entry for {@code address} with {@code roles} (bits above the low 40). */
    public static Specialist of(Address address, long roles) {
        if ((roles & Address.MASK) != 0) {
            throw new IllegalArgumentException("roles overlap the address bits: " + Long.toHexString(roles));
        }
        return new Specialist(roles | address.value());
    }

    public Address address() {
        return Address.fromLow40Bits(word);
    }

    /** The bits above the address. */
    public long roles() {
        return word & ~Address.MASK;
    }

    public boolean isActiveBridge() {
        return (word & ACTIVE_BRIDGE) != 0;
    }

    public boolean isAnchor() {
        return (word & ANCHOR) != 0;
    }

    public boolean isMulticastReplicator() {
        return (word & MULTICAST_REPLICATOR) != 0;
    }

    /** 16 lower-case hex digits, as the vectors write specialists. */
    @Override
    public String toString() {
        return HexFormat.of().toHexDigits(word);
    }
}
