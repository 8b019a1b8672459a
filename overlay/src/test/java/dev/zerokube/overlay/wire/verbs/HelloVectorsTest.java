package dev.zerokube.overlay.wire.verbs;

import static dev.zerokube.overlay.testing.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.crypto.Salsa20;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.testing.Vectors;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.PacketHeader;
import dev.zerokube.overlay.wire.Verb;
import dev.zerokube.overlay.wire.World;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Goal: HELLO and OK(HELLO) payloads read and write exactly as ZeroTier One 1.14.1 builds them,
 * including HELLO's masked tail. Method: the {@code hello} and {@code hello_reply} lines of
 * {@code packets.jsonl} (the whole file's line-by-line coverage belongs to the packet tests):
 * unmask the tail of the real datagram, decode, compare every field, re-encode, and rebuild the
 * masked datagram payload from the fields.
 */
class HelloVectorsTest {
    @TestFactory
    Stream<DynamicTest> helloAndReplyLines() {
        List<DynamicTest> tests = new ArrayList<>();
        int hellos = 0;
        int replies = 0;
        for (JsonNode line : Vectors.read("packets.jsonl")) {
            String kind = line.get("kind").asText();
            String name = kind + " " + line.get("name").asText();
            if (kind.equals("hello")) {
                hellos++;
                tests.add(DynamicTest.dynamicTest(name, () -> hello(line)));
            } else if (kind.equals("hello_reply")) {
                replies++;
                tests.add(DynamicTest.dynamicTest(name, () -> helloReply(line)));
            }
        }
        assertEquals(2, hellos, "hello lines (vectors README §1)");
        assertEquals(2, replies, "hello_reply lines (vectors README §1)");
        return tests.stream();
    }

    static void hello(JsonNode line) throws Exception {
        JsonNode f = line.get("fields");
        byte[] datagram = hex(line, "datagram");
        byte[] key = hex(line, "key");
        byte[] unmaskedPayload = hex(line, "payload_after_unmasking_tail");
        int tailOffset = f.get("encrypted_tail_offset").asInt();
        assertEquals(Verb.HELLO.code(), datagram[PacketHeader.IDX_VERB]);

        // Where the masked part starts is found from the clear part alone.
        assertEquals(tailOffset, Hello.maskedTailOffset(datagram, PacketHeader.IDX_PAYLOAD,
                datagram.length - PacketHeader.IDX_PAYLOAD));
        assertArrayEquals(hex(f, "encrypted_tail_on_wire"), Arrays.copyOfRange(datagram, tailOffset, datagram.length));

        // Receiver: unmask (cipher 0 leaves the payload clear), then decode.
        byte[] packet = datagram.clone();
        Hello.cryptTail(packet, 0, packet.length, key, new Salsa20(12));
        assertArrayEquals(unmaskedPayload, Arrays.copyOfRange(packet, PacketHeader.IDX_PAYLOAD, packet.length));
        assertArrayEquals(hex(f, "tail_plaintext"), Arrays.copyOfRange(packet, tailOffset, packet.length));

        Hello h = Hello.decode(new ByteReader(unmaskedPayload, "HELLO"));
        assertEquals(f.get("protocol_version").asInt(), h.protocolVersion());
        assertEquals(f.get("major").asInt(), h.majorVersion());
        assertEquals(f.get("minor").asInt(), h.minorVersion());
        assertEquals(f.get("revision").asInt(), h.revision());
        assertEquals(f.get("timestamp").asLong(), h.timestamp());
        assertEquals(Identity.parse(f.get("identity").asText()), h.identity());
        assertEquals(Identity.parse(line.get("sender_identity").asText()), h.identity());
        assertArrayEquals(hex(f, "identity_bytes"), Arrays.copyOfRange(unmaskedPayload, Hello.IDENTITY_OFFSET,
                Hello.IDENTITY_OFFSET + Identity.ENCODED_PUBLIC_LENGTH));
        assertEquals(InetEndpoint.parse(f.get("physical_destination").asText()), h.sentTo());
        assertArrayEquals(hex(f, "physical_destination_bytes"), h.sentTo().toBytes());
        assertEquals(Vectors.hex64(f, "planet_id"), h.planet().id());
        assertEquals(f.get("planet_id_decimal").asLong(), h.planet().id());
        assertEquals(f.get("planet_timestamp").asLong(), h.planet().timestamp());
        assertEquals(f.get("moon_count").asInt(), h.moons().size());
        for (int i = 0; i < h.moons().size(); i++) {
            JsonNode m = f.get("moons").get(i);
            assertEquals(m.get("type").asInt(), h.moons().get(i).type());
            assertEquals(Vectors.hex64(m, "id"), h.moons().get(i).id());
            assertEquals(m.get("timestamp").asLong(), h.moons().get(i).timestamp());
        }
        assertArrayEquals(unmaskedPayload, h.toBytes());

        // Sender: the same fields, encoded and masked under the same packet id, give the datagram's payload.
        Hello built = new Hello(12, 1, 14, 1, line.get("now").asLong(),
                Identity.parse(line.get("sender_identity").asText()),
                InetEndpoint.parse(line.get("physical_destination").asText()),
                new Hello.Planet(Vectors.hex64(f, "planet_id"), f.get("planet_timestamp").asLong()),
                h.moons());
        byte[] payload = built.toBytes();
        byte[] out = new byte[PacketHeader.IDX_PAYLOAD + payload.length];
        System.arraycopy(datagram, 0, out, 0, PacketHeader.IDX_PAYLOAD);
        System.arraycopy(payload, 0, out, PacketHeader.IDX_PAYLOAD, payload.length);
        Hello.cryptTail(out, 0, out.length, key, new Salsa20(12));
        assertArrayEquals(datagram, out);
        assertEquals(line.get("datagram_length").asInt(), out.length);
    }

    static void helloReply(JsonNode line) throws Exception {
        JsonNode f = line.get("fields");
        byte[] packet = hex(line, "dearmored_reply");
        assertEquals(Verb.OK.code(), packet[PacketHeader.IDX_VERB]);
        byte[] payload = Arrays.copyOfRange(packet, PacketHeader.IDX_PAYLOAD, packet.length);
        VerbPayload decoded = VerbPayload.decode(Verb.OK.code(), payload, 0, payload.length);
        OkReply ok = assertInstanceOf(OkReply.class, decoded);
        assertEquals(f.get("in_re_verb").asInt(), ok.inReVerb());
        assertEquals(Vectors.hex64(f, "in_re_packet_id"), ok.inRePacketId());
        // The in-re id is the HELLO's packet id as it was on the wire.
        assertEquals(Vectors.hex64(f, "in_re_packet_id"),
                new ByteReader(hex(line, "hello_datagram"), "HELLO").readU64("packet id"));
        HelloOk body = assertInstanceOf(HelloOk.class, ok.body());
        assertEquals(f.get("timestamp_echo").asLong(), body.timestampEcho());
        assertEquals(f.get("protocol_version").asInt(), body.protocolVersion());
        assertEquals(f.get("major").asInt(), body.majorVersion());
        assertEquals(f.get("minor").asInt(), body.minorVersion());
        assertEquals(f.get("revision").asInt(), body.revision());
        assertEquals(InetEndpoint.parse(f.get("physical_address").asText()), body.reportedAddress());
        assertEquals(InetEndpoint.parse(line.get("received_from").asText()), body.reportedAddress());
        assertArrayEquals(hex(f, "physical_address_bytes"), body.reportedAddress().toBytes());
        assertEquals(f.get("world_update_length").asInt(), body.worldUpdates().length);
        assertArrayEquals(hex(f, "world_update"), body.worldUpdates());
        assertArrayEquals(payload, ok.toBytes());

        // Built from the fields alone, the reply payload is the same.
        OkReply built = new OkReply(Vectors.hex64(f, "in_re_packet_id"), new HelloOk(f.get("timestamp_echo").asLong(),
                12, 1, 14, 1, InetEndpoint.parse(line.get("received_from").asText()), hex(f, "world_update")));
        assertArrayEquals(payload, built.toBytes());
        // The update parses as worlds: the one carried is 1.14.1's default planet (world.jsonl).
        List<World> worlds = body.worlds();
        if (body.worldUpdates().length == 0) {
            assertEquals(List.of(), worlds);
        } else {
            JsonNode planet = Vectors.read("world.jsonl").stream()
                    .filter(l -> l.get("kind").asText().equals("planet")).findFirst().orElseThrow();
            assertEquals(1, worlds.size());
            assertArrayEquals(hex(planet, "serialized"), worlds.get(0).toBytes());
        }
    }
}
