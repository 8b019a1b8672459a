package dev.zerokube.overlay.wire;

import static dev.zerokube.overlay.testing.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.crypto.Kbkdf;
import dev.zerokube.overlay.crypto.Salsa20;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.testing.Vectors;
import dev.zerokube.overlay.wire.Armor.Verdict;
import dev.zerokube.overlay.wire.verbs.Hello;
import dev.zerokube.overlay.wire.verbs.HelloOk;
import dev.zerokube.overlay.wire.verbs.OkReply;
import dev.zerokube.overlay.wire.verbs.VerbPayload;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Goal: every line of vectors/packets.jsonl (produced by ZeroTier One 1.14.1) is reproduced:
 * what we send is byte-identical to 1.14.1's datagrams, and what we accept or reject on receive is
 * what 1.14.1 accepts or rejects. Method: one dynamic test per line via {@link Vectors#each}
 * (vectors/README.md §6): build the packet from the line's fields and compare with
 * {@code plaintext_packet}; armor it and compare with {@code datagram}/{@code full_packet}
 * byte for byte; dearmor the datagram and compare verdict and plaintext; decode HELLO and
 * OK(HELLO) with the verb codecs (HELLO's masked tail included); decompress; split at the
 * line's MTU and compare every fragment; feed reassembly deliveries through {@link Reassembler}
 * and {@link Armor} in the order given.
 */
class PacketsVectorsTest {
    private static final Map<String, Integer> COUNTS = Map.of("armor", 23, "dearmor", 48, "hello", 2,
            "hello_reply", 2, "compressed", 13, "fragmented", 6, "reassembly", 14);
    private static final long NOW = 1_764_460_800_000L;
    /** The gen01-gen02 key every line uses unless it says otherwise (vectors/README.md §0). */
    private static final String A_B_KEY = "63db6ef9a489a35c5f774392e6a373c8978f3737d086370439db72169fc73b17"
            + "20f20e09d83b5bdb18a355547e4e6f6f";

    @TestFactory
    Stream<DynamicTest> packets() {
        return Vectors.each("packets.jsonl", "kind", Vectors.table(
                Map.entry("armor", PacketsVectorsTest::armorLine),
                Map.entry("dearmor", PacketsVectorsTest::dearmorLine),
                Map.entry("hello", PacketsVectorsTest::helloLine),
                Map.entry("hello_reply", PacketsVectorsTest::helloReplyLine),
                Map.entry("compressed", PacketsVectorsTest::compressedLine),
                Map.entry("fragmented", PacketsVectorsTest::fragmentedLine),
                Map.entry("reassembly", PacketsVectorsTest::reassemblyLine)), COUNTS);
    }

    /** The line's key, with its AES keys checked against our derivation. */
    private static Armor armorFor(JsonNode line) {
        byte[] key = hex(line, "key");
        assertEquals(line.get("aes_k0").asText(), Vectors.hex(Arrays.copyOf(Kbkdf.derive(key, '0', 0, 0), 32)));
        assertEquals(line.get("aes_k1").asText(), Vectors.hex(Arrays.copyOf(Kbkdf.derive(key, '1', 0, 0), 32)));
        return new Armor(key);
    }

    /** The packet before armor, from the line's fields: header, verb byte, payload (compressed if the line says so). */
    private static byte[] compose(JsonNode line) {
        byte[] payload = line.path("compressed").asBoolean(false) ? hex(line, "compressed_payload") : hex(line, "payload");
        int verb = line.get("verb").asInt();
        if (line.path("compressed").asBoolean(false)) {
            verb |= PacketHeader.VERB_FLAG_COMPRESSED;
        }
        byte[] packet = new byte[PacketHeader.IDX_PAYLOAD + payload.length];
        PacketHeader.writeHeader(packet, 0, Vectors.hex64(line, "packet_id"), Long.parseLong(line.get("dest").asText(), 16),
                Long.parseLong(line.get("source").asText(), 16), verb);
        System.arraycopy(payload, 0, packet, PacketHeader.IDX_PAYLOAD, payload.length);
        return packet;
    }

    /** Dearmors a copy; returns the plaintext packet or null, asserting the verdict is {@code expectOk}. */
    private static byte[] dearmor(Armor armor, byte[] datagram, boolean expectOk) {
        byte[] copy = datagram.clone();
        Verdict v = armor.dearmor(copy, 0, copy.length);
        assertEquals(expectOk, v == Verdict.AUTHENTICATED, "verdict " + v);
        return expectOk ? copy : null;
    }

    private static boolean ok(JsonNode line, String field) {
        String v = line.get(field).asText();
        assertTrue(v.equals("ok") || v.equals("reject"), field + " = " + v);
        return v.equals("ok");
    }

    static void armorLine(JsonNode line) {
        Armor armor = armorFor(line);
        int cipher = line.get("cipher").asInt();
        int hops = line.get("hops").asInt();
        boolean relayed = line.get("name").asText().startsWith("relayed_hops");
        byte[] packet = compose(line);
        if (!relayed) {
            PacketHeader.setHops(packet, 0, hops);
        }
        assertEquals(line.get("plaintext_packet").asText(), Vectors.hex(packet));
        armor.armor(packet, 0, packet.length, cipher);
        assertEquals(cipher, PacketHeader.cipher(packet, 0));
        if (relayed) {
            PacketHeader.setHops(packet, 0, hops); // as relays do, after armor
        }
        assertEquals(line.get("datagram").asText(), Vectors.hex(packet));
        assertEquals(line.get("datagram_length").asInt(), packet.length);
        if (cipher == PacketHeader.CIPHER_AES_GMAC_SIV) {
            assertNotEquals(line.get("packet_id").asText(), Vectors.hex(Arrays.copyOf(packet, 8)),
                    "cipher 3 replaces the packet ID by the SIV half");
        }
        byte[] plain = dearmor(armor, hex(line, "datagram"), ok(line, "dearmor"));
        if (plain != null) {
            assertEquals(line.get("dearmored_packet").asText(), Vectors.hex(plain));
        } else {
            assertEquals("", line.get("dearmored_packet").asText());
            // the quirk: with hops masked to 0 before armoring, the same packet is accepted
            byte[] again = compose(line);
            armor.armor(again, 0, again.length, cipher);
            PacketHeader.setHops(again, 0, hops);
            assertEquals(Verdict.AUTHENTICATED, armor.dearmor(again, 0, again.length));
        }
    }

    static void dearmorLine(JsonNode line) {
        Armor armor = armorFor(line);
        byte[] original = hex(line, "original_datagram");
        byte[] datagram = hex(line, "datagram");
        String name = line.get("name").asText();
        if (name.startsWith("wrong_key/")) {
            assertArrayEquals(original, datagram);
            assertNotEquals(A_B_KEY, line.get("key").asText(), "the wrong key is not the A-B key");
            assertEquals(Verdict.AUTHENTICATED, new Armor(HexFormat.of().parseHex(A_B_KEY))
                    .dearmor(original.clone(), 0, original.length));
        } else {
            assertFalse(Arrays.equals(original, datagram), "the manipulation changed something");
            assertEquals(Verdict.AUTHENTICATED, armor.dearmor(original.clone(), 0, original.length));
        }
        boolean expectOk = ok(line, "expect");
        byte[] copy = datagram.clone();
        Verdict v = armor.dearmor(copy, 0, copy.length);
        assertEquals(expectOk, v == Verdict.AUTHENTICATED, "verdict " + v);
        if (expectOk) {
            assertEquals(line.get("dearmored_packet").asText(), Vectors.hex(copy));
        } else {
            assertFalse(line.hasNonNull("dearmored_packet") && !line.get("dearmored_packet").asText().isEmpty());
        }
        if (name.startsWith("cipher_2_trusted_path/")) {
            assertEquals(Verdict.TRUSTED_PATH, v);
            byte[] ip = {(byte) 198, 18, 0, 1};
            assertEquals(Verdict.UNTRUSTED_PATH, armor.dearmor(datagram.clone(), 0, datagram.length,
                    TrustedPaths.NONE, ip, 0, 4));
            // with the packet's ID configured for its source network it would be accepted
            long id = PacketHeader.trustedPathId(datagram, 0);
            TrustedPaths trusted = TrustedPaths.of(List.of(new TrustedPaths.Network(new byte[] {(byte) 198, 18, 0, 0}, 16, id)));
            assertEquals(Verdict.AUTHENTICATED, armor.dearmor(datagram.clone(), 0, datagram.length, trusted, ip, 0, 4));
            assertEquals(Verdict.UNTRUSTED_PATH, armor.dearmor(datagram.clone(), 0, datagram.length, trusted,
                    new byte[] {10, 0, 0, 1}, 0, 4));
        } else if (name.startsWith("cipher_5_unknown/")) {
            assertEquals(Verdict.UNKNOWN_CIPHER, v);
        } else if (!expectOk) {
            assertEquals(Verdict.BAD_MAC, v);
        }
    }

    static void helloLine(JsonNode line) throws Exception {
        Armor armor = armorFor(line);
        byte[] key = hex(line, "key");
        byte[] datagram = hex(line, "datagram");
        assertEquals(line.get("datagram_length").asInt(), datagram.length);
        assertEquals(line.get("packet_id").asText(), Vectors.hex(Arrays.copyOf(datagram, 8)));
        assertEquals(PacketHeader.CIPHER_POLY1305_NONE, PacketHeader.cipher(datagram, 0));
        assertEquals(Verb.HELLO.code(), PacketHeader.verb(datagram, 0), "cipher 0: the verb is readable before dearmor");
        JsonNode f = line.get("fields");
        int tail = f.get("encrypted_tail_offset").asInt();
        assertEquals(f.get("encrypted_tail_on_wire").asText(), Vectors.hex(Arrays.copyOfRange(datagram, tail, datagram.length)));

        // receiver: authenticate (the MAC covers the masked tail), unmask, decode with the HELLO codec
        byte[] plain = dearmor(armor, datagram, ok(line, "dearmor"));
        assertArrayEquals(datagram, plain, "cipher 0 decrypts nothing");
        Hello.cryptTail(plain, 0, plain.length, key, new Salsa20(12));
        assertEquals(f.get("tail_plaintext").asText(), Vectors.hex(Arrays.copyOfRange(plain, tail, plain.length)));
        byte[] payload = Arrays.copyOfRange(plain, PacketHeader.IDX_PAYLOAD, plain.length);
        assertEquals(line.get("payload_after_unmasking_tail").asText(), Vectors.hex(payload));
        Hello hello = assertInstanceOf(Hello.class, VerbPayload.decode(PacketHeader.verbByte(plain, 0), payload, 0,
                payload.length));
        assertEquals(f.get("protocol_version").asInt(), hello.protocolVersion());
        assertEquals(f.get("major").asInt(), hello.majorVersion());
        assertEquals(f.get("minor").asInt(), hello.minorVersion());
        assertEquals(f.get("revision").asInt(), hello.revision());
        assertEquals(f.get("timestamp").asLong(), hello.timestamp());
        assertEquals(line.get("now").asLong(), hello.timestamp());
        assertEquals(Identity.parse(line.get("sender_identity").asText()), hello.identity());
        assertEquals(hello.identity().address().value(), PacketHeader.source(plain, 0));
        assertEquals(Identity.parse(line.get("recipient_identity").asText()).address().value(),
                PacketHeader.destination(plain, 0));
        assertEquals(line.get("physical_destination").asText(), hello.sentTo().toString());
        assertEquals(Vectors.hex64(f, "planet_id"), hello.planet().id());
        assertEquals(f.get("planet_timestamp").asLong(), hello.planet().timestamp());
        assertEquals(f.get("moon_count").asInt(), hello.moons().size());
        assertEquals(tail, Hello.maskedTailOffset(plain, PacketHeader.IDX_PAYLOAD, payload.length));
        assertArrayEquals(payload, hello.toBytes());

        // sender: encode, mask the tail, armor with cipher 0 under the same packet ID: the same datagram
        byte[] built = hello.toBytes();
        byte[] sent = new byte[PacketHeader.IDX_PAYLOAD + built.length];
        PacketHeader.writeHeader(sent, 0, Vectors.hex64(line, "packet_id"), PacketHeader.destination(datagram, 0),
                hello.identity().address().value(), Verb.HELLO.code());
        System.arraycopy(built, 0, sent, PacketHeader.IDX_PAYLOAD, built.length);
        Hello.cryptTail(sent, 0, sent.length, key, new Salsa20(12));
        armor.armor(sent, 0, sent.length, PacketHeader.CIPHER_POLY1305_NONE);
        assertArrayEquals(datagram, sent);
    }

    static void helloReplyLine(JsonNode line) throws Exception {
        Armor armor = armorFor(line);
        JsonNode f = line.get("fields");
        byte[] hello = hex(line, "hello_datagram");
        assertEquals(Verdict.AUTHENTICATED, armor.dearmor(hello.clone(), 0, hello.length));
        assertTrue(line.get("replied").asBoolean());
        byte[] reply = hex(line, "reply_datagram");
        assertEquals(f.get("reply_cipher").asInt(), PacketHeader.cipher(reply, 0), "quirk: the first OK(HELLO) is cipher 1");
        assertEquals(PacketHeader.source(hello, 0), PacketHeader.destination(reply, 0));
        assertEquals(PacketHeader.destination(hello, 0), PacketHeader.source(reply, 0));
        byte[] plain = dearmor(armor, reply, true);
        assertEquals(line.get("dearmored_reply").asText(), Vectors.hex(plain));

        byte[] payload = Arrays.copyOfRange(plain, PacketHeader.IDX_PAYLOAD, plain.length);
        OkReply ok = assertInstanceOf(OkReply.class, VerbPayload.decode(PacketHeader.verbByte(plain, 0), payload, 0,
                payload.length));
        assertEquals(f.get("in_re_verb").asInt(), ok.inReVerb());
        assertEquals(Vectors.hex64(f, "in_re_packet_id"), ok.inRePacketId());
        assertEquals(PacketHeader.packetId(hello, 0), ok.inRePacketId());
        HelloOk body = assertInstanceOf(HelloOk.class, ok.body());
        assertEquals(f.get("timestamp_echo").asLong(), body.timestampEcho());
        assertEquals(f.get("protocol_version").asInt(), body.protocolVersion());
        assertEquals(f.get("major").asInt(), body.majorVersion());
        assertEquals(f.get("minor").asInt(), body.minorVersion());
        assertEquals(f.get("revision").asInt(), body.revision());
        assertEquals(line.get("received_from").asText(), body.reportedAddress().toString());
        assertEquals(f.get("world_update").asText(), Vectors.hex(body.worldUpdates()));
        assertArrayEquals(payload, ok.toBytes());

        // re-armoring the plaintext under the reply's packet ID reproduces the reply byte for byte
        byte[] again = plain.clone();
        PacketHeader.setMac(again, 0, 0);
        armor.armor(again, 0, again.length, f.get("reply_cipher").asInt());
        assertArrayEquals(reply, again);
    }

    static void compressedLine(JsonNode line) {
        Armor armor = armorFor(line);
        int cipher = line.get("cipher").asInt();
        byte[] packet = compose(line);
        assertEquals(line.get("plaintext_packet").asText(), Vectors.hex(packet));
        armor.armor(packet, 0, packet.length, cipher);
        assertEquals(line.get("datagram").asText(), Vectors.hex(packet));
        assertEquals(line.get("datagram_length").asInt(), packet.length);

        byte[] plain = dearmor(armor, hex(line, "datagram"), ok(line, "dearmor"));
        byte[] out = new byte[PacketHeader.MAX_LENGTH];
        int n = Compression.uncompress(plain, 0, plain.length, out, 0);
        assertEquals(line.get("uncompress_ok").asBoolean(), n >= 0);
        if (n >= 0) {
            assertEquals(line.get("dearmored_uncompressed_packet").asText(), Vectors.hex(Arrays.copyOf(out, n)));
            assertEquals(line.get("payload").asText(), Vectors.hex(Arrays.copyOfRange(out, 28, n)));
        } else {
            assertEquals("", line.get("dearmored_uncompressed_packet").asText());
        }

        // our sender: the same decision (attempted only above 64 bytes, kept only if shorter), and a
        // block that decodes to the payload; byte equality with the reference compressor is not required
        if (line.get("compress").asBoolean()) {
            byte[] payload = hex(line, "payload");
            byte[] mine = new byte[PacketHeader.IDX_PAYLOAD + payload.length];
            PacketHeader.writeHeader(mine, 0, 1, 2, 3, line.get("verb").asInt());
            System.arraycopy(payload, 0, mine, PacketHeader.IDX_PAYLOAD, payload.length);
            int len = Compression.compress(new Lz4(), mine, 0, mine.length, new byte[mine.length]);
            assertEquals(line.get("compressed").asBoolean(), len < mine.length, "compression decision");
            int back = Compression.uncompress(mine, 0, len, out, 0);
            assertEquals(line.get("payload").asText(), Vectors.hex(Arrays.copyOfRange(out, 28, back)));
        } else {
            assertEquals(line.get("compressed").asBoolean(), PacketHeader.isCompressed(hex(line, "plaintext_packet"), 0));
        }
    }

    static void fragmentedLine(JsonNode line) {
        Armor armor = armorFor(line);
        int mtu = line.get("mtu").asInt();
        byte[] packet = compose(line);
        int pieces = Fragmentation.markFragmented(packet, 0, packet.length, mtu);
        assertEquals(line.get("total_fragments").asInt(), pieces);
        assertEquals(line.get("fragmented").asBoolean(), pieces > 1);
        assertEquals(line.get("plaintext_packet").asText(), Vectors.hex(packet));
        armor.armor(packet, 0, packet.length, line.get("cipher").asInt());
        assertEquals(line.get("full_packet").asText(), Vectors.hex(packet));
        assertEquals(line.get("full_packet_length").asInt(), packet.length);

        int head = Fragmentation.headLength(packet.length, mtu);
        assertEquals(line.get("head").asText(), Vectors.hex(Arrays.copyOf(packet, head)));
        List<byte[]> datagrams = new ArrayList<>();
        datagrams.add(Arrays.copyOf(packet, head));
        JsonNode fragments = line.get("fragments");
        assertEquals(pieces - 1, fragments.size());
        byte[] d = new byte[mtu];
        for (int k = 1; k < pieces; k++) {
            JsonNode expected = fragments.get(k - 1);
            int n = Fragmentation.writeFragment(packet, 0, packet.length, mtu, k, d, 0);
            assertEquals(expected.get("bytes").asText(), Vectors.hex(Arrays.copyOf(d, n)));
            assertEquals(expected.get("fragment_number").asInt(), Fragment.numberAt(d, 0));
            assertEquals(expected.get("total_fragments").asInt(), Fragment.totalAt(d, 0));
            assertEquals(expected.get("payload_length").asInt(), n - Fragment.HEADER_LENGTH);
            datagrams.add(Arrays.copyOf(d, n));
        }

        // receiver: in order, reversed, head last; the result is the full packet and dearmors
        assertTrue(line.get("reassembled_equals_full_packet").asBoolean());
        boolean dearmorOk = ok(line, "dearmor_reassembled");
        List<List<byte[]>> orders = new ArrayList<>();
        orders.add(datagrams);
        List<byte[]> reversed = new ArrayList<>(datagrams);
        Collections.reverse(reversed);
        orders.add(reversed);
        List<byte[]> headLast = new ArrayList<>(datagrams.subList(1, datagrams.size()));
        headLast.add(datagrams.get(0));
        orders.add(headLast);
        for (List<byte[]> order : orders) {
            List<byte[]> received = receive(order);
            assertEquals(1, received.size());
            assertArrayEquals(packet, received.get(0));
            dearmor(armor, received.get(0), dearmorOk);
        }
    }

    static void reassemblyLine(JsonNode line) {
        Armor armor = armorFor(line);
        byte[] full = hex(line, "full_packet");
        assertEquals(line.get("wire_packet_id").asText(), Vectors.hex(Arrays.copyOf(full, 8)));
        assertEquals(line.get("cipher").asInt(), PacketHeader.cipher(full, 0));
        List<byte[]> deliveries = new ArrayList<>();
        for (JsonNode delivery : line.get("deliveries")) {
            deliveries.add(hex(delivery, "bytes"));
        }
        int accepted = 0;
        for (byte[] packet : receive(deliveries)) {
            byte[] plain = packet.clone();
            if (armor.dearmor(plain, 0, plain.length) != Verdict.AUTHENTICATED) {
                continue;
            }
            accepted++;
            assertEquals(Verb.ECHO.code(), PacketHeader.verb(plain, 0));
            // pieces may carry hops set by relays: only the hop bits may differ from full_packet
            byte[] masked = packet.clone();
            masked[PacketHeader.IDX_FLAGS] &= (byte) ~PacketHeader.FLAGS_HOPS_MASK;
            assertArrayEquals(full, masked);
            assertEquals(line.get("reply_in_re_packet_id").asText(), Vectors.hex(Arrays.copyOf(packet, 8)));
        }
        boolean expected = line.get("accepted").asBoolean();
        assertEquals(expected ? "accepted" : "not_accepted", line.get("expect").asText());
        assertEquals(expected ? 1 : 0, accepted);
    }

    /**
     * The receive path up to dearmor: classify each datagram; whole packets pass through, heads of
     * fragmented packets and fragments go through a fresh {@link Reassembler}. Returns the packets
     * that came out, in order.
     */
    static List<byte[]> receive(List<byte[]> datagrams) {
        Reassembler<Integer> reassembler = new Reassembler<>();
        byte[] out = new byte[PacketHeader.MAX_LENGTH];
        List<byte[]> packets = new ArrayList<>();
        for (int i = 0; i < datagrams.size(); i++) {
            byte[] d = datagrams.get(i);
            Reassembler.Status s;
            switch (Datagram.classify(d, 0, d.length)) {
                case PACKET -> {
                    if (!PacketHeader.isFragmented(d, 0)) {
                        packets.add(d.clone());
                        continue;
                    }
                    s = reassembler.onHead(d, 0, d.length, i, NOW, out, 0);
                }
                case FRAGMENT -> s = reassembler.onFragment(d, 0, d.length, NOW, out, 0);
                default -> {
                    fail("not a packet or fragment: " + Vectors.hex(d));
                    return packets;
                }
            }
            if (s == Reassembler.Status.COMPLETE) {
                packets.add(Arrays.copyOf(out, reassembler.assembledLength()));
            }
        }
        return packets;
    }
}
