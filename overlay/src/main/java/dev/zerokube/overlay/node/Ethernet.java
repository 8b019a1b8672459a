package dev.zerokube.overlay.node;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.rules.TagValues;
import dev.zerokube.overlay.wire.Mac;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.PacketHeader;
import dev.zerokube.overlay.wire.Verb;
import dev.zerokube.overlay.wire.credentials.CertificateOfMembership;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import dev.zerokube.overlay.wire.verbs.ErrorCode;
import dev.zerokube.overlay.wire.verbs.ExtFrame;
import dev.zerokube.overlay.wire.verbs.MulticastFrame;
import dev.zerokube.overlay.wire.verbs.MulticastFrameOk;
import dev.zerokube.overlay.wire.verbs.MulticastGather;
import java.util.ArrayList;
import java.util.List;

/**
 * Ethernet over the overlay (ZT1-08, 1.14.1's {@code Switch::onLocalEthernet}, the frame and
 * multicast handlers of {@code IncomingPacket}, and the LIKE announcements of {@code Network}):
 * frames from the local port become FRAME, EXT_FRAME or MULTICAST_FRAME packets, and received
 * ones go through the membership gate, the source and bridging checks and the rules to
 * {@link NodeHost#deliverFrame}.
 *
 * <p><b>Outbound</b> ({@link #onLocalFrame}), in 1.14.1's order: a config must exist; a foreign
 * source MAC needs us to be an active bridge; a multicast destination goes to its group (an ARP
 * request for IPv4 address T to group (broadcast, T)), after the broadcast and multicast-limit
 * checks and one rules pass without a destination, to the {@link Multicaster}, which runs the
 * rules again per recipient; our own MAC loops back; a member MAC (the network's first octet)
 * goes as FRAME (EXT_FRAME when bridged) to the address it encodes, after the rules and a
 * credential push; any other MAC goes as EXT_FRAME to the bridge it was learned behind, or to
 * the network's active bridges.
 *
 * <p><b>Inbound</b> ({@link #onFrame}, {@link #onExtFrame}, {@link #onMulticastFrame}): for a
 * network we joined, a sender that fails the gate gets ERROR(NEED_MEMBERSHIP_CERTIFICATE) and its
 * frame is dropped; EXT_FRAME and MULTICAST_FRAME sources are checked as ZT1-08 §1.4 says, before
 * or after the rules exactly where 1.14.1 checks them; a rules result of SUPER_ACCEPT skips the
 * EXT_FRAME bridging checks. A multicast frame is delivered whatever groups we are in.
 *
 * <p><b>Allocation:</b> none per unicast frame either way once a peer and its network are known
 * (frames are composed in the node's send buffer and delivered from one scratch buffer); the
 * multicast path allocates only while its tables grow.
 */
final class Ethernet implements Multicaster.Sender, FrameFilter.Copies {
    static final int HEADER_LENGTH = 14;
    static final int ETHERTYPE_ARP = 0x0806;
    /** Bytes of a FRAME payload before the Ethernet payload: network id, ethertype. */
    private static final int FRAME_HEADER = 10;
    /** EXT_FRAME: network id, flags, two MACs, ethertype. */
    private static final int EXT_FRAME_HEADER = 23;
    /** LIKE records per packet: 28 + 78 × 18 = 1432 bytes, one datagram at the default MTU (ZT1-08 §8 item 5). */
    static final int LIKE_RECORDS_PER_PACKET = 78;
    private static final int IN_RE_LENGTH = 9;

    private final Topology topology;
    private final Transmitter tx;
    private final NodeHost host;
    private final Multicaster multicaster;
    private final FrameFilter filter;
    private final long self;
    private final LongMap<NetworkPort> ports;
    private final long[] drops = new long[FrameDropReason.values().length];
    private Switch sw;
    /** The frame being delivered to the host: header then payload. */
    private final byte[] delivery = new byte[HEADER_LENGTH + PacketHeader.MAX_LENGTH];
    /** Recipients of the current frame to bridges, and of gathers. */
    private final long[] recipients = new long[Math.max(Timing.MAX_BRIDGE_SPAM, Timing.MULTICAST_GATHER_RECIPIENTS_MAX)];
    /** Our LIKE list is sent to these first (ZT1-08 §3.3 "always-announce set"). */
    private final List<Long> alwaysAnnounce = new ArrayList<>();

    Ethernet(Topology topology, Transmitter tx, NodeHost host, Multicaster multicaster, FrameFilter filter,
            int networksMax) {
        this.topology = topology;
        this.tx = tx;
        this.host = host;
        this.multicaster = multicaster;
        this.filter = filter;
        this.self = topology.selfAddress();
        this.ports = new LongMap<>(networksMax);
    }

    void attach(Switch sw) {
        this.sw = sw;
    }

    // ---- networks

    /** Starts carrying frames for a joined network (its config may come later). */
    NetworkPort open(FrameNetwork network) {
        long id = network.id().value();
        NetworkPort p = ports.get(id);
        if (p == null) {
            p = new NetworkPort(network, self);
            ports.put(id, p);
        }
        return p;
    }

    /** Stops carrying frames for a network we left. */
    void close(long networkId) {
        ports.remove(networkId);
    }

    NetworkPort port(long networkId) {
        return ports.get(networkId);
    }

    long dropCount(FrameDropReason reason) {
        return drops[reason.ordinal()];
    }

    private void drop(FrameDropReason reason) {
        drops[reason.ordinal()]++;
    }

    // ---- outbound: frames from the local port (ZT1-08 §2.1, §3.2)

    /** One Ethernet frame from the local port of {@code p}: {@code frame[off, off+len)}, read during the call only. */
    void onLocalFrame(NetworkPort p, byte[] frame, int off, int len, long nowMs) {
        NetworkConfig config = p.refresh();
        if (config == null) {
            drop(FrameDropReason.NO_CONFIG);
            return;
        }
        if (len <= HEADER_LENGTH) {
            drop(FrameDropReason.BAD_LENGTH);
            return;
        }
        long dst = mac(frame, off);
        long src = mac(frame, off + 6);
        int etherType = u16(frame, off + 12);
        int at = off + HEADER_LENGTH;
        int n = len - HEADER_LENGTH;
        boolean bridged = src != p.mac;
        if (bridged && !p.weAreBridge) {
            drop(FrameDropReason.NOT_A_BRIDGE);
            return;
        }
        if (isMulticast(dst)) {
            sendMulticast(p, dst, src, bridged, etherType, frame, at, n, nowMs);
        } else if (dst == p.mac) {
            host.deliverFrame(p.network.id(), frame, off, len);
        } else if ((int) (dst >>> 40) == Mac.firstOctetForNetwork(p.networkId)) {
            long to = (dst ^ Mac.fromAddressValue(0, p.networkId)) & Address.MASK;
            sendToMember(p, to, dst, src, bridged, etherType, frame, at, n, nowMs);
        } else {
            sendToBridges(p, dst, src, etherType, frame, at, n, nowMs);
        }
    }

    private void sendMulticast(NetworkPort p, long dst, long src, boolean bridged, int etherType, byte[] frame, int at,
            int n, long nowMs) {
        long adi = 0;
        if (dst == Mac.BROADCAST.value()) {
            if (isArpRequest(etherType, frame, at, n)) {
                adi = u32(frame, at + 24);
            } else if (!p.enableBroadcast) {
                drop(FrameDropReason.BROADCAST_DISABLED);
                return;
            }
        }
        if (p.multicastLimit <= 0) {
            drop(FrameDropReason.MULTICAST_DISABLED);
            return;
        }
        if (bridged) {
            p.rememberGroupBehind(dst, adi);
        }
        if (!filter.outbound(p.rules, self, 0, TagValues.EMPTY, p.network.ownOwnership(), false, src, dst, etherType,
                frame, at, n, copiesFor(p, nowMs))) {
            drop(FrameDropReason.RULES_OUTBOUND);
            return;
        }
        multicaster.send(p.networkId, dst, adi, p.multicastLimit, p.bridges, p.bridgeCount, bridged ? src : 0, p.mac,
                etherType, frame, at, n, nowMs, this);
    }

    /**
     * The ARP test of ZT1-08 §3.2: IPv4 over Ethernet lengths and request opcode; the hardware
     * type and the opcode's high byte are not looked at (1.14.1 does not).
     */
    static boolean isArpRequest(int etherType, byte[] f, int at, int n) {
        return etherType == ETHERTYPE_ARP && n >= 28 && f[at + 2] == 0x08 && f[at + 3] == 0x00 && f[at + 4] == 6
                && f[at + 5] == 4 && f[at + 7] == 1;
    }

    private void sendToMember(NetworkPort p, long to, long dst, long src, boolean bridged, int etherType, byte[] frame,
            int at, int n, long nowMs) {
        int header = PacketHeader.IDX_PAYLOAD + (bridged ? EXT_FRAME_HEADER : FRAME_HEADER);
        if (header + n > PacketHeader.MAX_LENGTH) {
            drop(FrameDropReason.BAD_LENGTH);
            return;
        }
        if (!filter.outbound(p.rules, self, to, p.network.tagsOf(to), p.network.ownOwnership(), false, src, dst,
                etherType, frame, at, n, copiesFor(p, nowMs))) {
            drop(FrameDropReason.RULES_OUTBOUND);
            return;
        }
        p.network.pushCredentialsIfNeeded(to, nowMs);
        if (bridged) {
            tx.start(to, Verb.EXT_FRAME).u64(p.networkId).u8(ExtFrame.FLAGS_BRIDGED).mac(dst).mac(src).u16(etherType)
                    .bytes(frame, at, n);
        } else {
            tx.start(to, Verb.FRAME).u64(p.networkId).u16(etherType).bytes(frame, at, n);
        }
        sw.send(nowMs);
    }

    /** ZT1-08 §2.5: a MAC that is not a member's: its learned bridge, else the active bridges. */
    private void sendToBridges(NetworkPort p, long dst, long src, int etherType, byte[] frame, int at, int n,
            long nowMs) {
        if (PacketHeader.IDX_PAYLOAD + EXT_FRAME_HEADER + n > PacketHeader.MAX_LENGTH) {
            drop(FrameDropReason.BAD_LENGTH);
            return;
        }
        if (!filter.outbound(p.rules, self, 0, TagValues.EMPTY, p.network.ownOwnership(), false, src, dst, etherType,
                frame, at, n, copiesFor(p, nowMs))) {
            drop(FrameDropReason.RULES_OUTBOUND);
            return;
        }
        int count = 0;
        long learned = p.bridgeTo(dst);
        if (learned != 0 && learned != self && p.isActiveBridge(learned)) {
            recipients[count++] = learned;
        } else if (p.bridgeCount <= Timing.MAX_BRIDGE_SPAM) {
            for (int i = 0; i < p.bridgeCount; i++) {
                recipients[count++] = p.bridges[i];
            }
        } else {
            // 1.14.1 walks the list cyclically taking each entry with probability 1/count.
            for (int i = 0; count < Timing.MAX_BRIDGE_SPAM; i = (i + 1) % p.bridgeCount) {
                if (Long.remainderUnsigned(tx.nextLong(), p.bridgeCount) == 0) {
                    recipients[count++] = p.bridges[i];
                }
            }
        }
        if (count == 0) {
            drop(FrameDropReason.NO_BRIDGE);
            return;
        }
        for (int i = 0; i < count; i++) {
            long b = recipients[i];
            if (b == self || !filter.outbound(p.rules, self, b, p.network.tagsOf(b), p.network.ownOwnership(), true,
                    src, dst, etherType, frame, at, n, copiesFor(p, nowMs))) {
                continue;
            }
            tx.start(b, Verb.EXT_FRAME).u64(p.networkId).u8(ExtFrame.FLAGS_BRIDGED).mac(dst).mac(src).u16(etherType)
                    .bytes(frame, at, n);
            sw.send(nowMs);
        }
    }

    // ---- Multicaster.Sender

    @Override
    public void sendMulticast(OutboundMulticast m, long recipient, long nowMs) {
        NetworkPort p = ports.get(m.networkId);
        if (p == null || p.rules == null || PacketHeader.IDX_PAYLOAD + m.payloadLength > PacketHeader.MAX_LENGTH) {
            return;
        }
        if (!filter.outbound(p.rules, self, recipient, p.network.tagsOf(recipient), p.network.ownOwnership(), true,
                m.sourceMac, m.groupMac, m.etherType, m.payload, m.frameOffset, m.frameLength, copiesFor(p, nowMs))) {
            return;
        }
        p.network.pushCredentialsIfNeeded(recipient, nowMs);
        tx.start(recipient, Verb.MULTICAST_FRAME).bytes(m.payload, 0, m.payloadLength);
        sw.send(nowMs);
    }

    /**
     * Explicit MULTICAST_GATHERs (ZT1-08 §3.5): to the best root, the controller, the anchors and
     * replicators (lightly shuffled) and the anchors again, at most 16; our COM attached when we
     * have one.
     */
    @Override
    public void gather(long networkId, long groupMac, long groupAdi, long gatherLimit, long nowMs) {
        NetworkPort p = ports.get(networkId);
        if (p == null) {
            return;
        }
        int count = 0;
        Peer up = topology.bestUpstream(nowMs);
        if (up != null) {
            recipients[count++] = up.address;
        }
        recipients[count++] = networkId >>> 24;
        long[] ar = p.anchorsAndReplicators.clone();
        for (int i = 0; i < ar.length / 2; i++) {
            int a = (int) Long.remainderUnsigned(tx.nextLong(), ar.length);
            int b = (int) Long.remainderUnsigned(tx.nextLong(), ar.length);
            long t = ar[a];
            ar[a] = ar[b];
            ar[b] = t;
        }
        for (int i = 0; i < ar.length && count < recipients.length && count < Timing.MULTICAST_GATHER_RECIPIENTS_MAX; i++) {
            recipients[count++] = ar[i];
        }
        for (int round = 0; p.anchors.length > 0 && count < Timing.MULTICAST_GATHER_RECIPIENTS_MAX && round < 16; round++) {
            for (int i = 0; i < p.anchors.length && count < Timing.MULTICAST_GATHER_RECIPIENTS_MAX; i++) {
                if (p.anchors[i] != self) {
                    recipients[count++] = p.anchors[i];
                }
            }
        }
        NetworkConfig config = p.refresh();
        byte[] com = config == null ? null : config.certificateOfMembership().map(CertificateOfMembership::toBytes)
                .orElse(null);
        for (int i = 0; i < count; i++) {
            if (recipients[i] == self) {
                continue;
            }
            tx.start(recipients[i], Verb.MULTICAST_GATHER).u64(networkId)
                    .u8(com != null ? MulticastGather.FLAG_COM : 0).mac(groupMac).u32(groupAdi).u32(gatherLimit);
            if (com != null) {
                tx.out.bytes(com);
            }
            sw.send(nowMs);
        }
    }

    // ---- FrameFilter.Copies: TEE / WATCH / REDIRECT copies (ZT1-06 §7.3)

    private NetworkPort copyPort;
    private long copyNowMs;

    private FrameFilter.Copies copiesFor(NetworkPort p, long nowMs) {
        copyPort = p;
        copyNowMs = nowMs;
        return this;
    }

    @Override
    public void sendCopy(long to, int flags, long macDest, long macSource, int etherType, byte[] payload, int off,
            int len) {
        if (PacketHeader.IDX_PAYLOAD + EXT_FRAME_HEADER + len > PacketHeader.MAX_LENGTH) {
            return;
        }
        tx.start(to, Verb.EXT_FRAME).u64(copyPort.networkId).u8(flags).mac(macDest).mac(macSource).u16(etherType)
                .bytes(payload, off, len);
        sw.send(copyNowMs);
    }

    // ---- inbound (ZT1-03 §4.7, §4.8, §4.15)

    /**
     * FRAME. Returns whether the packet counts as received from the peer (false: the sender failed
     * the gate, 1.14.1 keeps such packets for a retry we do not make).
     */
    boolean onFrame(Peer peer, Path path, byte[] pkt, int len, long nowMs) throws WireFormatException {
        int at = PacketHeader.IDX_PAYLOAD;
        if (len < at + FRAME_HEADER) {
            throw new WireFormatException("FRAME: " + len + " bytes, shorter than its network id and ethertype");
        }
        NetworkPort p = ports.get(u64(pkt, at));
        if (p == null) {
            return true;
        }
        if (!admit(p, peer, pkt, nowMs)) {
            return false;
        }
        trusted(peer, path, nowMs);
        int n = len - at - FRAME_HEADER;
        if (n > 0) {
            int etherType = u16(pkt, at + 8);
            long src = Mac.fromAddressValue(peer.address, p.networkId);
            int r = filter.inbound(p.rules, self, peer.address, p.network.tagsOf(peer.address),
                    p.network.capabilitiesOf(peer.address), p.network.ownershipOf(peer.address), src, p.mac, etherType,
                    pkt, at + FRAME_HEADER, n, copiesFor(p, nowMs));
            if (r == FrameFilter.DROP) {
                drop(FrameDropReason.RULES_INBOUND);
            } else {
                deliver(p, p.mac, src, etherType, pkt, at + FRAME_HEADER, n);
            }
        }
        return true;
    }

    /** EXT_FRAME; returns whether the packet counts as received (see {@link #onFrame}). */
    boolean onExtFrame(Peer peer, Path path, byte[] pkt, int len, long nowMs) throws WireFormatException {
        int at = PacketHeader.IDX_PAYLOAD;
        if (len < at + 9) {
            throw new WireFormatException("EXT_FRAME: " + len + " bytes, shorter than its network id and flags");
        }
        NetworkPort p = ports.get(u64(pkt, at));
        if (p == null) {
            return true;
        }
        int flags = pkt[at + 8] & 0xff;
        int comLength = 0;
        if ((flags & ExtFrame.FLAG_COM) != 0) {
            ByteReader r = new ByteReader(pkt, at + 9, len - at - 9, "EXT_FRAME");
            CertificateOfMembership.decode(r); // deprecated and never sent by 1.14.1: skipped, not used
            comLength = r.position() - (at + 9);
        }
        if (!admit(p, peer, pkt, nowMs)) {
            return false;
        }
        trusted(peer, path, nowMs);
        int m = at + 9 + comLength;
        if (len > m + 14) {
            long to = mac(pkt, m);
            long from = mac(pkt, m + 6);
            int etherType = u16(pkt, m + 12);
            int data = m + 14;
            int n = len - data;
            if (from == 0 || from == p.mac) {
                drop(FrameDropReason.BAD_SOURCE_MAC);
                return true; // and no ACK
            }
            int r = filter.inbound(p.rules, self, peer.address, p.network.tagsOf(peer.address),
                    p.network.capabilitiesOf(peer.address), p.network.ownershipOf(peer.address), from, to, etherType,
                    pkt, data, n, copiesFor(p, nowMs));
            if (r == FrameFilter.ACCEPT) {
                if (from != Mac.fromAddressValue(peer.address, p.networkId)) {
                    if (!p.isActiveBridge(peer.address)) {
                        drop(FrameDropReason.BRIDGING_NOT_ALLOWED);
                        return true;
                    }
                    p.learnBridgeRoute(from, peer.address);
                } else if (to != p.mac) {
                    if (isMulticast(to)) {
                        if (p.multicastLimit <= 0) {
                            drop(FrameDropReason.MULTICAST_DISABLED);
                            return true;
                        }
                    } else if (!p.weAreBridge) {
                        drop(FrameDropReason.BRIDGING_NOT_ALLOWED);
                        return true;
                    }
                }
                deliver(p, to, from, etherType, pkt, data, n);
            } else if (r == FrameFilter.SUPER_ACCEPT) {
                deliver(p, to, from, etherType, pkt, data, n);
            } else {
                drop(FrameDropReason.RULES_INBOUND);
            }
        }
        if ((flags & ExtFrame.FLAG_ACK_REQUESTED) != 0) {
            tx.start(peer.address, Verb.OK).u8(Verb.EXT_FRAME.code()).u64(PacketHeader.packetId(pkt, 0))
                    .u64(p.networkId);
            sw.send(nowMs);
        }
        return true;
    }

    /** MULTICAST_FRAME; returns whether the packet counts as received (see {@link #onFrame}). */
    boolean onMulticastFrame(Peer peer, Path path, byte[] pkt, int len, long nowMs) throws WireFormatException {
        int at = PacketHeader.IDX_PAYLOAD;
        if (len < at + 9) {
            throw new WireFormatException("MULTICAST_FRAME: " + len + " bytes, shorter than its network id and flags");
        }
        NetworkPort p = ports.get(u64(pkt, at));
        if (p == null) {
            return false; // 1.14.1 ignores it completely, not even as traffic
        }
        int flags = pkt[at + 8] & 0xff;
        int o = at + 9;
        if ((flags & MulticastFrame.FLAG_COM) != 0) {
            ByteReader r = new ByteReader(pkt, o, len - o, "MULTICAST_FRAME");
            CertificateOfMembership.decode(r);
            o = r.position();
        }
        if (!admit(p, peer, pkt, nowMs)) {
            return false;
        }
        long gatherLimit = 0;
        if ((flags & MulticastFrame.FLAG_GATHER_LIMIT) != 0) {
            require(len, o + 4, "MULTICAST_FRAME gather limit");
            gatherLimit = u32(pkt, o);
            o += 4;
        }
        long memberMac = Mac.fromAddressValue(peer.address, p.networkId);
        long from = memberMac;
        if ((flags & MulticastFrame.FLAG_SOURCE_MAC) != 0) {
            require(len, o + 6, "MULTICAST_FRAME source MAC");
            from = mac(pkt, o);
            o += 6;
        }
        require(len, o + 12, "MULTICAST_FRAME group and ethertype");
        long groupMac = mac(pkt, o);
        long groupAdi = u32(pkt, o + 6);
        int etherType = u16(pkt, o + 10);
        int data = o + 12;
        int n = len - data;
        if (p.multicastLimit <= 0) {
            drop(FrameDropReason.MULTICAST_DISABLED);
            return true;
        }
        trusted(peer, path, nowMs);
        if (n > 0 && n <= OutboundMulticast.FRAME_MAX) {
            if (!isMulticast(groupMac)) {
                drop(FrameDropReason.NOT_MULTICAST);
            } else if (from == 0 || isMulticast(from) || from == p.mac) {
                drop(FrameDropReason.BAD_SOURCE_MAC);
            } else if (from != memberMac && !p.isActiveBridge(peer.address)) {
                drop(FrameDropReason.BRIDGING_NOT_ALLOWED);
            } else {
                if (from != memberMac) {
                    p.learnBridgeRoute(from, peer.address);
                }
                int r = filter.inbound(p.rules, self, peer.address, p.network.tagsOf(peer.address),
                        p.network.capabilitiesOf(peer.address), p.network.ownershipOf(peer.address), from, groupMac,
                        etherType, pkt, data, n, copiesFor(p, nowMs));
                if (r == FrameFilter.DROP) {
                    drop(FrameDropReason.RULES_INBOUND);
                } else {
                    deliver(p, groupMac, from, etherType, pkt, data, n);
                }
            }
        }
        if (gatherLimit > 0) {
            PacketWriter out = tx.start(peer.address, Verb.OK).u8(Verb.MULTICAST_FRAME.code())
                    .u64(PacketHeader.packetId(pkt, 0)).u64(p.networkId).mac(groupMac).u32(groupAdi)
                    .u8(MulticastFrameOk.FLAG_GATHER_RESULTS);
            if (multicaster.gather(p.networkId, groupMac, groupAdi, peer.address,
                    p.subscribedTo(groupMac, groupAdi, true), gatherLimit, out) > 0) {
                sw.send(nowMs);
            }
        }
        return true;
    }

    /**
     * MULTICAST_LIKE (ZT1-03 §4.10): each record's group gets the sender as a member if the
     * sender passes our network's gate, or we are a root. Records are read in place.
     */
    void onMulticastLike(Peer peer, byte[] pkt, int len, long nowMs) throws WireFormatException {
        int at = PacketHeader.IDX_PAYLOAD;
        long lastNetwork = 0;
        boolean authorized = false;
        for (; at + 18 <= len; at += 18) {
            long networkId = u64(pkt, at);
            if (at == PacketHeader.IDX_PAYLOAD || networkId != lastNetwork) {
                lastNetwork = networkId;
                NetworkPort p = ports.get(networkId);
                authorized = (p != null && p.network.config() != null && p.network.gate(peer, nowMs)
                        && afterGate(p, peer, nowMs)) || topology.amUpstream();
            }
            if (authorized) {
                multicaster.add(networkId, mac(pkt, at + 8), u32(pkt, at + 14), peer.address, nowMs, this);
            }
        }
        if (at != len) {
            throw new WireFormatException("MULTICAST_LIKE: " + (len - at) + " bytes of a partial record");
        }
    }

    /**
     * MULTICAST_GATHER (ZT1-03 §4.14): answered with members when the requester passes the gate or
     * we are a root, and there is at least one to name.
     */
    void onMulticastGather(Peer peer, byte[] pkt, int len, long nowMs) throws WireFormatException {
        int at = PacketHeader.IDX_PAYLOAD;
        require(len, at + 23, "MULTICAST_GATHER");
        long networkId = u64(pkt, at);
        long groupMac = mac(pkt, at + 9);
        long groupAdi = u32(pkt, at + 15);
        long gatherLimit = u32(pkt, at + 19);
        NetworkPort p = ports.get(networkId);
        boolean trust = p != null && p.network.config() != null && p.network.gate(peer, nowMs) && afterGate(p, peer, nowMs);
        if (gatherLimit > 0 && (trust || topology.amUpstream())) {
            PacketWriter out = tx.start(peer.address, Verb.OK).u8(Verb.MULTICAST_GATHER.code())
                    .u64(PacketHeader.packetId(pkt, 0)).u64(networkId).mac(groupMac).u32(groupAdi);
            if (multicaster.gather(networkId, groupMac, groupAdi, peer.address,
                    p != null && p.subscribedTo(groupMac, groupAdi, true), gatherLimit, out) > 0) {
                sw.send(nowMs);
            }
        }
    }

    /**
     * The body of OK(MULTICAST_GATHER) or OK(MULTICAST_FRAME) (ZT1-03 §4.14, §4.15) at
     * {@code pkt[at, len)}, after the in-re fields: the listed members join the group's table if
     * we joined the network.
     */
    void onGatherOk(int inReVerb, byte[] pkt, int at, int len, long nowMs) throws WireFormatException {
        require(len, at + 18, "OK gather results");
        long networkId = u64(pkt, at);
        long groupMac = mac(pkt, at + 8);
        long groupAdi = u32(pkt, at + 14);
        int o = at + 18;
        if (inReVerb == Verb.MULTICAST_FRAME.code()) {
            require(len, o + 1, "OK(MULTICAST_FRAME) flags");
            int flags = pkt[o++] & 0xff;
            if ((flags & MulticastFrameOk.FLAG_COM) != 0) {
                ByteReader r = new ByteReader(pkt, o, len - o, "OK(MULTICAST_FRAME)");
                CertificateOfMembership.decode(r);
                o = r.position();
            }
            if ((flags & MulticastFrameOk.FLAG_GATHER_RESULTS) == 0) {
                return;
            }
        }
        require(len, o + 6, "gather results");
        int count = u16(pkt, o + 4);
        o += 6;
        require(len, o + 5 * count, "gather result addresses");
        if (ports.get(networkId) == null) {
            return;
        }
        for (int i = 0; i < count; i++, o += 5) {
            multicaster.add(networkId, groupMac, groupAdi, u40(pkt, o), nowMs, this);
        }
    }

    /** ERROR(UNWANTED_MULTICAST) from a member: it leaves that group (1.14.1 never sends it, but honours it). */
    void onUnwantedMulticast(Peer peer, byte[] pkt, int at, int len, long nowMs) throws WireFormatException {
        require(len, at + 18, "ERROR(UNWANTED_MULTICAST)");
        long networkId = u64(pkt, at);
        NetworkPort p = ports.get(networkId);
        if (p != null && p.network.config() != null && p.network.gate(peer, nowMs)) {
            multicaster.remove(networkId, mac(pkt, at + 8), u32(pkt, at + 14), peer.address);
        }
    }

    /**
     * The gate of every inbound frame: no config yet or a sender that fails it drops the frame; a
     * failing sender is told ERROR(NEED_MEMBERSHIP_CERTIFICATE) so that it pushes its credentials.
     */
    private boolean admit(NetworkPort p, Peer peer, byte[] pkt, long nowMs) {
        if (p.refresh() == null) {
            drop(FrameDropReason.NO_CONFIG);
            return false;
        }
        if (!p.network.gate(peer, nowMs)) {
            // Not counted yet: the switch keeps the packet and retries it (see keptFrameExpired).
            tx.start(peer.address, Verb.ERROR).u8(PacketHeader.verb(pkt, 0)).u64(PacketHeader.packetId(pkt, 0))
                    .u8(ErrorCode.NEED_MEMBERSHIP_CERTIFICATE.code()).u64(p.networkId);
            sw.send(nowMs);
            return false;
        }
        afterGate(p, peer, nowMs);
        return true;
    }

    /** A frame kept for its sender's credentials was given up: the sender never passed the gate. */
    void keptFrameExpired() {
        drop(FrameDropReason.NOT_A_MEMBER);
    }

    /** The side effect of a passed gate: a member whose 60 s LIKE timer ran out gets our groups. Always true. */
    private boolean afterGate(NetworkPort p, Peer peer, long nowMs) {
        if (p.memberLikeDue(peer.address, nowMs)) {
            sendLikes(p, peer.address, p.announced(), nowMs);
        }
        return true;
    }

    private static void trusted(Peer peer, Path path, long nowMs) {
        peer.lastTrustEstablishedMs = nowMs;
        if (path != null) {
            path.lastTrustEstablishedMs = nowMs;
        }
    }

    /** Hands a frame to the port: header rebuilt from (dst, src, ethertype), vlan 0 (ZT1-08 §2.3). */
    private void deliver(NetworkPort p, long dst, long src, int etherType, byte[] payload, int off, int n) {
        if (n > p.mtu) {
            drop(FrameDropReason.OVER_MTU);
            return;
        }
        byte[] d = delivery;
        putMac(d, 0, dst);
        putMac(d, 6, src);
        d[12] = (byte) (etherType >>> 8);
        d[13] = (byte) etherType;
        System.arraycopy(payload, off, d, HEADER_LENGTH, n);
        host.deliverFrame(p.network.id(), d, 0, HEADER_LENGTH + n);
    }

    // ---- announcements (ZT1-08 §3.3)

    /**
     * The 5 s announcement pass: groups that became ours since the last pass go at once to the
     * always-announce set and to the members we know; every 60 s the whole list goes to the
     * always-announce set, and to each member whose own 60 s timer ran out.
     */
    void announce(long nowMs) {
        ports.forEachValue(p -> announce(p, nowMs));
    }

    /**
     * A different config is in force for network {@code nwid}: the groups it brings (the
     * address-resolution groups of its assigned IPs, broadcast) are announced now. 1.14.1's host
     * finds an assigned IP's group only at its next 5 s interface scan and then announces it at
     * once (ZT1-08 §3.3); until a member's LIKE reaches the root, a peer's ARP for that address
     * finds nobody, so announcing at the config rather than at the next pass is what lets the
     * first ping of a freshly started node through without waiting for a timer.
     */
    void onConfigInForce(long nwid, long nowMs) {
        NetworkPort p = ports.get(nwid);
        if (p != null) {
            announce(p, nowMs);
        }
    }

    void announce(NetworkPort p, long nowMs) {
        p.refresh();
        NetworkPort.GroupSet fresh = p.takeNewGroups();
        List<Long> always = alwaysAnnounceSet(p);
        NetworkPort.GroupSet all = p.announced();
        boolean round = nowMs - p.lastAnnounceRoundMs >= Timing.MULTICAST_ANNOUNCE_PERIOD_MS;
        if (round) {
            p.lastAnnounceRoundMs = nowMs;
            for (long to : always) {
                sendLikes(p, to, all, nowMs);
            }
        }
        if (fresh.size() > 0) {
            if (!round) { // the round just sent them every group
                for (long to : always) {
                    sendLikes(p, to, fresh, nowMs);
                }
            }
            p.members.forEachValue(e -> {
                if (!always.contains(e[2])) {
                    sendLikes(p, e[2], fresh, nowMs);
                }
            });
            fresh.clear();
        }
        p.members.forEachValue(e -> {
            if (!always.contains(e[2]) && nowMs - e[1] <= Timing.TRUST_EXPIRATION_MS
                    && nowMs - e[0] >= Timing.MULTICAST_ANNOUNCE_PERIOD_MS) {
                e[0] = nowMs;
                sendLikes(p, e[2], all, nowMs);
            }
        });
    }

    /** Anchors, replicators, the controller and every root, once each, sorted, without us. */
    private List<Long> alwaysAnnounceSet(NetworkPort p) {
        alwaysAnnounce.clear();
        for (long a : p.anchorsAndReplicators) {
            alwaysAnnounce.add(a);
        }
        alwaysAnnounce.add(p.networkId >>> 24);
        for (long a : topology.upstreamAddresses()) {
            alwaysAnnounce.add(a);
        }
        alwaysAnnounce.removeIf(a -> a == self);
        List<Long> sorted = alwaysAnnounce.stream().distinct().sorted().toList();
        return sorted;
    }

    private void sendLikes(NetworkPort p, long to, NetworkPort.GroupSet groups, long nowMs) {
        if (to == self) {
            return;
        }
        for (int i = 0; i < groups.size(); i += LIKE_RECORDS_PER_PACKET) {
            PacketWriter out = tx.start(to, Verb.MULTICAST_LIKE);
            for (int j = i; j < Math.min(groups.size(), i + LIKE_RECORDS_PER_PACKET); j++) {
                out.u64(p.networkId).mac(groups.mac(j)).u32(groups.adi(j));
            }
            sw.send(nowMs);
        }
    }

    /** Between the contact rounds: repeated gathers for multicasts that wait for a first member. */
    void timerTasks(long nowMs) {
        multicaster.regather(nowMs, this);
    }

    /** When {@link #timerTasks} next has work, or {@code Long.MAX_VALUE}. */
    long nextTimerMs() {
        return multicaster.nextRegatherMs();
    }

    /** The 30 s housekeeping: the multicast tables and the members we announce to. */
    void clean(long nowMs) {
        multicaster.clean(nowMs);
        ports.forEachValue(p -> p.forgetQuietMembers(nowMs));
    }

    // ---- bytes

    static boolean isMulticast(long mac) {
        return (mac & 0x0100_0000_0000L) != 0;
    }

    static long mac(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | (b[at + i] & 0xff);
        }
        return v;
    }

    private static void putMac(byte[] b, int at, long mac) {
        for (int i = 0; i < 6; i++) {
            b[at + i] = (byte) (mac >>> (40 - 8 * i));
        }
    }

    private static int u16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    private static long u32(byte[] b, int at) {
        return ((long) u16(b, at) << 16) | u16(b, at + 2);
    }

    private static long u40(byte[] b, int at) {
        return (u32(b, at) << 8) | (b[at + 4] & 0xff);
    }

    private static long u64(byte[] b, int at) {
        return (u32(b, at) << 32) | u32(b, at + 4);
    }

    private static void require(int len, int end, String what) throws WireFormatException {
        if (len < end) {
            throw new WireFormatException(what + ": packet ends at " + len + ", needs " + end + " bytes");
        }
    }

    static NetworkId idOf(NetworkPort p) {
        return p.network.id();
    }
}
