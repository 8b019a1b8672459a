package dev.zerokube.overlay.wire.inspect;

import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.Fragment;
import dev.zerokube.overlay.wire.PacketHeader;
import dev.zerokube.overlay.wire.Reassembler;
import dev.zerokube.overlay.wire.inspect.DatagramRecord.Kind;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;

/**
 * Dissects captured ZeroTier 1.x datagrams ("tcpdump for ZeroTier"): feed each datagram with its
 * capture time and underlay endpoints to {@link #onDatagram}, call {@link #finish} at the end, and
 * get back one {@link DatagramRecord} per datagram, in input order.
 *
 * <p><b>Keys.</b> A packet is authenticated and decrypted with the per-peer key of its header source
 * and destination, which needs one side's secret identity and the other side's public one. Give the
 * dissector every identity known ({@link #addIdentity}: node homes' identity.secret and
 * identity.public); it also learns public identities from HELLOs that authenticate and from
 * OK(WHOIS) replies, as a node does, so a capture taken next to one node can be read with that node's
 * secret alone.
 *
 * <p><b>Buffering (why records can come out later than their datagram).</b> A fragment's
 * annotations come from its head (source, cipher, verb, whether the packet authenticated), and a
 * head's come from its fragments (total, reassembled length). So the datagrams of a fragmented
 * packet are held until it is complete, and since records leave in input order, so is everything
 * after the oldest incomplete packet. This is one streaming pass, bounded: at most
 * {@link #PENDING_PACKETS_MAX} incomplete packets (ZeroTier's own reassembly queue size) and
 * {@link #HELD_RECORDS_MAX} held records; a packet still incomplete after
 * {@link #REASSEMBLY_TIMEOUT_US} of capture time, evicted by those limits, or open at
 * {@link #finish} is reported as it is (not authenticated, with what was seen). Reassembly is per
 * underlay hop (endpoints, packet id, destination), so a relayed packet seen on both of its hops is
 * two packets.
 *
 * <p>Not thread-safe; one instance per capture.
 */
public final class Dissector {
    /** Incomplete fragmented packets held at once (ZT_RX_QUEUE_SIZE in 1.14.1). */
    public static final int PENDING_PACKETS_MAX = 32;
    /** How long (capture time) a fragmented packet may take to complete (ZT_RECEIVE_QUEUE_TIMEOUT). */
    public static final long REASSEMBLY_TIMEOUT_US = 5_000_000L;
    /** Records held back behind incomplete packets before the oldest is given up. */
    public static final int HELD_RECORDS_MAX = 4096;

    private final Keyring keyring = new Keyring();
    private final PacketDecoder decoder = new PacketDecoder(keyring);
    /** Every datagram not yet returned, in input order; a slot's record is null while pending. */
    private final ArrayDeque<Slot> held = new ArrayDeque<>();
    /** Scratch for {@link #assemble}: the packets helper's reassembler and its output buffer. */
    private Reassembler<Boolean> assembler = new Reassembler<>(1, Reassembler.MIN_BYTES_MAX, Long.MAX_VALUE);
    private final byte[] assembled = new byte[PacketHeader.MAX_LENGTH];
    /** Incomplete packets, oldest first. */
    private final LinkedHashMap<FlowKey, Pending> pending = new LinkedHashMap<>();

    /** Adds an identity (secret or public) whose keys may be used. */
    public void addIdentity(Identity identity) {
        keyring.add(Objects.requireNonNull(identity));
    }

    /**
     * Dissects one datagram; returns the records that are now complete, oldest first (possibly
     * none while a fragmented packet is incomplete, possibly several when one completes).
     *
     * @param index the caller's position of this datagram (echoed, and used as a head's index in its
     *     fragments' records)
     * @param timeUs capture time in microseconds (non-decreasing for the timeout to mean anything)
     * @param src underlay sender, shown as given (e.g. "198.18.0.1/9993")
     * @param dst underlay receiver, shown as given
     * @param datagram the UDP payload (not kept: copied where needed)
     */
    public List<DatagramRecord> onDatagram(long index, long timeUs, String src, String dst, byte[] datagram) {
        Objects.requireNonNull(src);
        Objects.requireNonNull(dst);
        expire(timeUs);
        Slot slot = new Slot();
        held.add(slot);
        Captured d = new Captured(index, timeUs, src, dst, datagram.clone());
        switch (dev.zerokube.overlay.wire.Datagram.classify(datagram, 0, datagram.length)) {
            case FRAGMENT -> onFragment(slot, d);
            case PACKET -> onHead(slot, d);
            // A beacon's bytes 8..12 (where a packet has its destination) are the sender's address.
            case BEACON -> slot.record = shortRecord(d, String.format(
                    "legacy LAN beacon of %010x", PacketHeader.destination(datagram, 0)));
            case TOO_SHORT -> slot.record = shortRecord(d, "short datagram of " + datagram.length
                    + " bytes: not a packet or fragment, ignored (e.g. NAT-opening junk after RENDEZVOUS)");
            case TOO_LONG -> slot.record = tooLong(d);
        }
        while (held.size() > HELD_RECORDS_MAX && !pending.isEmpty()) {
            giveUp(pending.values().iterator().next());
        }
        return release();
    }

    /** Reports every packet still incomplete and returns all remaining records. */
    public List<DatagramRecord> finish() {
        while (!pending.isEmpty()) {
            giveUp(pending.values().iterator().next());
        }
        return release();
    }

    private void onHead(Slot slot, Captured d) {
        if (!PacketHeader.isFragmented(d.bytes, 0)) {
            slot.record = decoder.packet(d, d.bytes, null);
            return;
        }
        FlowKey key = new FlowKey(d.src, d.dst, PacketHeader.packetId(d.bytes, 0), PacketHeader.destination(d.bytes, 0));
        Pending p = pending.get(key);
        if (p != null && p.head != null) {
            slot.record = decoder.unassembled(d, null, "duplicate head of a packet already being reassembled");
            return;
        }
        if (p == null) {
            p = open(key, d.timeUs);
        }
        p.head = new Part(slot, d);
        completeIfReady(p);
    }

    private void onFragment(Slot slot, Captured d) {
        int number = Fragment.numberAt(d.bytes, 0);
        int total = Fragment.totalAt(d.bytes, 0);
        if (number < 1 || number >= total || total > Fragment.MAX_PIECES) {
            slot.record = decoder.fragment(d, null, null, "invalid fragment " + number + " of " + total + ": dropped");
            return;
        }
        FlowKey key = new FlowKey(d.src, d.dst, Fragment.packetIdAt(d.bytes, 0), Fragment.destinationAt(d.bytes, 0));
        Pending p = pending.get(key);
        if (p != null && p.fragments[number] != null) {
            slot.record = decoder.fragment(d, null, null, "duplicate fragment " + number + ": ignored");
            return;
        }
        if (p != null && p.total != 0 && p.total != total) {
            slot.record = decoder.fragment(d, null, null, "fragment says " + total + " pieces, earlier ones "
                    + p.total + ": ignored");
            return;
        }
        if (p == null) {
            p = open(key, d.timeUs);
        }
        p.fragments[number] = new Part(slot, d);
        p.total = total;
        completeIfReady(p);
    }

    private Pending open(FlowKey key, long timeUs) {
        if (pending.size() >= PENDING_PACKETS_MAX) {
            giveUp(pending.values().iterator().next());
        }
        Pending p = new Pending(key, timeUs);
        pending.put(key, p);
        return p;
    }

    private void completeIfReady(Pending p) {
        if (p.head == null || p.total == 0) {
            return;
        }
        for (int f = 1; f < p.total; f++) {
            if (p.fragments[f] == null) {
                return;
            }
        }
        pending.remove(p.key);
        Reassembler.Status status = assemble(p);
        if (status != Reassembler.Status.COMPLETE) {
            assembler = new Reassembler<>(1, Reassembler.MIN_BYTES_MAX, Long.MAX_VALUE);
            report(p, "pieces refused by reassembly (" + status + "): 1.14.1 drops the packet");
            return;
        }
        byte[] whole = Arrays.copyOf(assembled, assembler.assembledLength());
        DatagramRecord head = decoder.packet(p.head.datagram, whole, p.total);
        p.head.slot.record = head;
        for (int f = 1; f < p.total; f++) {
            Part part = p.fragments[f];
            part.slot.record = decoder.fragment(part.datagram, head, p.head.datagram.index,
                    "fragment " + f + " of " + p.total + " of the packet at #" + p.head.datagram.index);
        }
    }

    /**
     * Offers a complete set of pieces to the packets helper's reassembler; on COMPLETE the whole
     * packet is in {@link #assembled}. The scratch reassembler only ever holds the pieces of this
     * one packet, so its own eviction and timeout never act: which pieces belong together is
     * decided here, per underlay hop.
     */
    private Reassembler.Status assemble(Pending p) {
        Reassembler.Status status = assembler.onHead(p.head.datagram.bytes, 0, p.head.datagram.bytes.length,
                Boolean.TRUE, 0, assembled, 0);
        for (int f = 1; f < p.total && status == Reassembler.Status.PENDING; f++) {
            byte[] b = p.fragments[f].datagram.bytes;
            status = assembler.onFragment(b, 0, b.length, 0, assembled, 0);
        }
        return status;
    }

    private void giveUp(Pending p) {
        pending.remove(p.key);
        StringBuilder have = new StringBuilder();
        if (p.head != null) {
            have.append("head");
        }
        for (int f = 1; f < p.fragments.length; f++) {
            if (p.fragments[f] != null) {
                have.append(have.isEmpty() ? "" : ", ").append("fragment ").append(f);
            }
        }
        report(p, "incomplete packet (have " + have + (p.total == 0 ? "" : " of " + p.total + " pieces") + ")");
    }

    /** Reports the pieces of a packet that was not reassembled, saying why. */
    private void report(Pending p, String why) {
        DatagramRecord head = null;
        if (p.head != null) {
            head = decoder.unassembled(p.head.datagram, p.total == 0 ? null : p.total, why);
            p.head.slot.record = head;
        }
        for (int f = 1; f < p.fragments.length; f++) {
            Part part = p.fragments[f];
            if (part != null) {
                part.slot.record = decoder.fragment(part.datagram, head, head == null ? null : p.head.datagram.index, why);
            }
        }
    }

    private void expire(long nowUs) {
        while (!pending.isEmpty()) {
            Pending oldest = pending.values().iterator().next();
            if (nowUs - oldest.firstUs <= REASSEMBLY_TIMEOUT_US) {
                break;
            }
            giveUp(oldest);
        }
    }

    private List<DatagramRecord> release() {
        List<DatagramRecord> out = new ArrayList<>();
        while (!held.isEmpty() && held.peekFirst().record != null) {
            out.add(held.pollFirst().record);
        }
        return out;
    }

    private static DatagramRecord shortRecord(Captured d, String summary) {
        return new DatagramRecord(d.index, d.timeUs, d.src, d.dst, d.bytes.length, Kind.SHORT, false,
                null, null, null, null, null, null, null, null, null, null, null, false,
                null, null, null, null, summary);
    }

    /** Too long for a 1.14.1 packet buffer: classified by its indicator byte, never decoded. */
    private DatagramRecord tooLong(Captured d) {
        String why = "longer than " + PacketHeader.MAX_LENGTH + " bytes: 1.14.1 drops it";
        return Fragment.isFragment(d.bytes, 0) ? decoder.fragment(d, null, null, why)
                : decoder.packet(d, d.bytes, null);
    }

    /** One datagram as received (bytes owned by the dissector). */
    record Captured(long index, long timeUs, String src, String dst, byte[] bytes) {}

    /** A place in the output order; {@code record} is set once the datagram is fully known. */
    private static final class Slot {
        DatagramRecord record;
    }

    private record Part(Slot slot, Captured datagram) {}

    /** A fragmented packet is identified per underlay hop by its id and destination. */
    private record FlowKey(String src, String dst, long packetId, long destination) {}

    private static final class Pending {
        final FlowKey key;
        final long firstUs;
        Part head;
        final Part[] fragments = new Part[Fragment.MAX_PIECES];
        int total;

        Pending(FlowKey key, long firstUs) {
            this.key = key;
            this.firstUs = firstUs;
        }
    }
}
