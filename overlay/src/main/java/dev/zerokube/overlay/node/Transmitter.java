package dev.zerokube.overlay.node;

import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.crypto.Salsa20;
import dev.zerokube.overlay.wire.Armor;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.PacketHeader;
import dev.zerokube.overlay.wire.Verb;
import dev.zerokube.overlay.wire.World;
import dev.zerokube.overlay.wire.verbs.Hello;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Composes packets in the node's one send buffer and hands them to the host: the "direct" sends
 * of ZT1-02 §14 (HELLO, replies, ECHO probes, RENDEZVOUS), which go to one given endpoint, are
 * never queued or fragmented, and are armored here. {@link Switch} uses the same buffer for
 * packets that need a path chosen.
 *
 * <p>Cipher choice lives here and in {@link Peer#encryptedCipher} only (ZT1-02 §5): HELLO is
 * cipher 0 with its tail masked; everything else is encrypted with cipher 3 for peers that
 * announced protocol 12+, cipher 1 otherwise (so the first OK(HELLO) to a new peer is cipher 1,
 * because its version is recorded after the reply is armored), or always cipher 1 with the interop
 * lab's switch ({@link NodeConfig#cipher1Only}). Every request's on-wire ID is
 * recorded for reply matching after armoring.
 */
final class Transmitter {
    /** The send buffer: compose with {@link #start}, then a send method. */
    final PacketWriter out = new PacketWriter();
    final ReplyTable replies = new ReplyTable();

    private final Topology topology;
    private final NodeHost host;
    private final RandomGenerator random;
    private final NodeConfig config;
    private final byte[] selfIdentity;
    private final Salsa20 salsa = new Salsa20(12);

    Transmitter(Topology topology, NodeHost host, RandomGenerator random, NodeConfig config) {
        this.topology = topology;
        this.host = host;
        this.random = random;
        this.config = config;
        ByteWriter w = new ByteWriter();
        topology.self().encode(w, false);
        this.selfIdentity = w.toByteArray();
    }

    /** Starts a packet to {@code destination} with a fresh random ID (ZT1-02 §3.1). */
    PacketWriter start(long destination, Verb verb) {
        return out.start(random.nextLong(), destination, topology.selfAddress(), verb);
    }

    /**
     * Armors the composed packet for {@code peer} (encrypted or MAC only), records its on-wire ID
     * if a reply is expected, and sends it from {@code localSocket} to {@code remote}.
     */
    boolean sendDirect(Peer peer, long localSocket, InetEndpoint remote, boolean encrypt, boolean expectReply) {
        armor(peer, encrypt, expectReply);
        return send(localSocket, remote);
    }

    /** {@link #sendDirect} on a path, whose last-send time is updated when the host took the datagram. */
    boolean sendDirect(Peer peer, Path path, boolean encrypt, boolean expectReply, long nowMs) {
        boolean sent = sendDirect(peer, path.localSocket, path.remote, encrypt, expectReply);
        if (sent) {
            path.lastOutMs = nowMs;
        }
        return sent;
    }

    /** Armors the composed packet in place and records its on-wire ID if a reply is expected. */
    void armor(Peer peer, boolean encrypt, boolean expectReply) {
        int cipher = !encrypt ? PacketHeader.CIPHER_POLY1305_NONE
                : config.cipher1Only() ? PacketHeader.CIPHER_POLY1305_SALSA2012 : peer.encryptedCipher();
        armor(peer.armor, cipher, expectReply);
    }

    /** Armors the composed packet with a given key and cipher (for a key that belongs to no peer object). */
    void armor(Armor armor, int cipher, boolean expectReply) {
        armor.armor(out.buf, 0, out.length, cipher);
        if (expectReply) {
            replies.expect(PacketHeader.packetId(out.buf, 0));
        }
    }

    /**
     * Marks the composed packet for a trusted path instead of armoring it (ZT1-02 §11.2): cipher 2,
     * the ID in the MAC field, nothing encrypted. Its ID is recorded for a reply even so, where
     * 1.14.1 records none (§11.6: an OK to a WHOIS sent this way is then not ignored).
     */
    void markTrusted(long trustedPathId) {
        Armor.setTrustedPath(out.buf, 0, trustedPathId);
        replies.expect(PacketHeader.packetId(out.buf, 0));
    }

    /** Sends the composed, already armored packet. */
    boolean send(long localSocket, InetEndpoint remote) {
        return host.sendDatagram(localSocket, remote, out.buf, 0, out.length, NodeHost.TTL_DEFAULT);
    }

    /** A random bit (RENDEZVOUS order). */
    boolean coin() {
        return random.nextBoolean();
    }

    /** A random 64-bit value (the NAT-opening junk). */
    long nextLong() {
        return random.nextLong();
    }

    /**
     * A full HELLO to {@code to} (ZT1-03 §4.2.1; 1.14.1's {@code Peer::sendHELLO}): versions, our
     * clock, our identity, the address it is sent to, our planet, then the masked moon list (the
     * moons we hold, then those we asked a seed for, with timestamp 0);
     * cipher 0, reply expected. 1.14.1 sends HELLOs to an explicit address from every socket, and
     * so do we ({@link NodeHost#ALL_SOCKETS}) unless a caller passes a socket.
     */
    void sendHello(Peer peer, long localSocket, InetEndpoint to, long nowMs) {
        World planet = topology.planet();
        List<World> moons = topology.moons();
        long[] wanted = topology.wantedMoonIds();
        start(peer.address, Verb.HELLO)
                .u8(config.protocolVersion()).u8(config.softwareMajor()).u8(config.softwareMinor())
                .u16(config.softwareRevision()).u64(nowMs).bytes(selfIdentity).endpoint(to)
                .u64(planet == null ? 0 : planet.id()).u64(planet == null ? 0 : planet.timestampMs())
                .u16(moons.size() + wanted.length);
        for (World m : moons) {
            out.u8(m.type().code()).u64(m.id()).u64(m.timestampMs());
        }
        for (long id : wanted) { // moons we orbit but do not hold yet: timestamp 0 asks for them
            out.u8(World.Type.MOON.code()).u64(id).u64(0);
        }
        try {
            Hello.cryptTail(out.buf, 0, out.length, peer.key, salsa);
        } catch (WireFormatException e) {
            throw new IllegalStateException("our own HELLO does not parse: " + e.what(), e);
        }
        sendDirect(peer, localSocket, to, false, true);
    }

    /**
     * 1.14.1's {@code attemptToContactAt} (ZT1-07 §2.7, §5.4): a lightweight contact is an empty
     * encrypted ECHO from {@code localSocket} if the peer takes ECHO probes, else (and whenever
     * {@code fullHello}) a full HELLO from every socket.
     */
    void attemptToContactAt(Peer peer, long localSocket, InetEndpoint to, long nowMs, boolean fullHello) {
        if (!fullHello && peer.acceptsEchoProbe()) {
            start(peer.address, Verb.ECHO);
            sendDirect(peer, localSocket, to, true, true);
        } else {
            sendHello(peer, NodeHost.ALL_SOCKETS, to, nowMs);
        }
    }

    /** Sends raw bytes (the 4-byte NAT-opening datagram, a relayed packet) with a TTL. */
    boolean sendRaw(long localSocket, InetEndpoint to, byte[] data, int off, int len, int ttl) {
        return host.sendDatagram(localSocket, to, data, off, len, ttl);
    }
}
