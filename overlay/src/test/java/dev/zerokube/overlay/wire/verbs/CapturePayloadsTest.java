package dev.zerokube.overlay.wire.verbs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.crypto.Salsa20;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.testing.Vectors;
import dev.zerokube.overlay.wire.Armor;
import dev.zerokube.overlay.wire.Compression;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.PacketHeader;
import dev.zerokube.overlay.wire.Verb;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Goal: every payload a real 1.14.1 deployment put on the wire (vectors/capture, twelve verbs
 * and five kinds of OK/ERROR) decodes with these codecs, matches the capture's annotations and
 * re-encodes to the very same bytes. Method: load the three nodes' secret identities, join
 * each fragmented packet from its head and fragments (the capture has them complete and in
 * order), dearmor with the pair's {@link Armor}, unmask HELLO tails, decompress, then decode
 * with {@link VerbPayload#decode}; cross-check fields that tie packets together (identities
 * with header sources, network ids, config update ids acknowledged in OK(ECHO)). Packet-layer
 * behaviour itself is proven by CaptureDecryptTest.
 */
class CapturePayloadsTest {
    private final Map<Long, Identity> identities = new HashMap<>();
    private final Map<String, byte[]> keys = new HashMap<>();
    private final Map<String, Armor> armors = new HashMap<>();
    private final Salsa20 salsa = new Salsa20(12);

    @Test
    void everyCapturedPayloadDecodesAndReencodesExactly() throws Exception {
        for (String node : new String[] {"a", "b", "c"}) {
            Identity id = Identity.parse(Files.readString(Vectors.file("capture/node_" + node + "/identity.secret")).trim());
            identities.put(id.address().value(), id);
        }
        NetworkId networkId = NetworkId.parse(Files.readString(Vectors.file("capture/network_id")).trim());
        List<JsonNode> lines = Vectors.read("capture/capture.jsonl");
        Map<Integer, List<JsonNode>> fragmentsByHead = new TreeMap<>();
        for (JsonNode line : lines) {
            if (line.get("kind").asText().equals("fragment")) {
                fragmentsByHead.computeIfAbsent(line.get("head_index").asInt(), k -> new ArrayList<>()).add(line);
            }
        }

        Map<String, Integer> perVerb = new TreeMap<>();
        Set<Long> configUpdateIds = new TreeSet<>();
        Set<Long> acknowledgedUpdateIds = new TreeSet<>();
        for (int i = 0; i < lines.size(); i++) {
            JsonNode line = lines.get(i);
            if (!line.get("kind").asText().equals("packet")) {
                continue;
            }
            byte[] packet = assemble(line, fragmentsByHead.getOrDefault(i, List.of()));
            String where = "line " + (i + 1);
            String pair = pair(line);
            Armor armor = armors.computeIfAbsent(pair, k -> new Armor(key(pair)));
            assertEquals(Armor.Verdict.AUTHENTICATED, armor.dearmor(packet, 0, packet.length), where);
            int verbCode = PacketHeader.verb(packet, 0);
            if (verbCode == Verb.HELLO.code()) {
                Hello.cryptTail(packet, 0, packet.length, key(pair), salsa);
            }
            byte[] plain = new byte[PacketHeader.MAX_LENGTH];
            int len = Compression.uncompress(packet, 0, packet.length, plain, 0);
            assertTrue(len >= PacketHeader.MIN_LENGTH, where);
            byte[] payload = Arrays.copyOfRange(plain, PacketHeader.IDX_PAYLOAD, len);

            VerbPayload p = VerbPayload.decode(verbCode, payload, 0, payload.length);
            assertEquals(line.get("verb").asText(), p.verb().name(), where);
            assertArrayEquals(payload, p.toBytes(), where + ": " + p.verb() + " re-encodes differently");
            perVerb.merge(p.verb().name(), 1, Integer::sum);
            Address source = new Address(Long.parseLong(line.get("header_src").asText(), 16));

            switch (p) {
                case OkReply ok -> {
                    assertEquals(line.get("in_re_verb").asText(), Verb.ofCode(ok.inReVerb()).name(), where);
                    if (ok.body() instanceof EchoOk echo) {
                        // 1.14.1 acknowledges a completed NETWORK_CONFIG as OK(ECHO).
                        NetworkConfigOk ack = NetworkConfigOk.fromEchoOk(echo);
                        assertNotNull(ack, where);
                        assertEquals(networkId, ack.networkId(), where);
                        acknowledgedUpdateIds.add(ack.configUpdateId());
                    } else if (ok.body() instanceof NetworkConfigRequestOk chunk) {
                        checkChunk(chunk.chunk(), networkId, source, where);
                        configUpdateIds.add(chunk.chunk().signed().configUpdateId());
                    } else if (ok.body() instanceof WhoisOk whois) {
                        assertEquals(identities.get(whois.identities().get(0).address().value()).publicOnly(),
                                whois.identities().get(0), where);
                    } else if (ok.body() instanceof HelloOk hello) {
                        assertEquals(PacketHeader.PROTOCOL_VERSION, hello.protocolVersion(), where);
                        assertNotNull(hello.reportedAddress(), where);
                    }
                }
                case ErrorReply error -> {
                    assertEquals(line.get("in_re_verb").asText(), Verb.ofCode(error.inReVerb()).name(), where);
                    assertEquals(line.get("error_code").asInt(), error.errorCode(), where);
                    assertEquals(ErrorCode.NEED_MEMBERSHIP_CERTIFICATE, error.code(), where);
                    assertEquals(networkId, error.networkId(), where);
                }
                case Hello hello -> {
                    assertEquals(source, hello.identity().address(), where);
                    assertEquals(identities.get(source.value()).publicOnly(), hello.identity(), where);
                    assertNotNull(hello.planet(), where);
                    assertEquals(0x7a6b636170L, hello.planet().id(), where);
                    assertEquals(List.of(), hello.moons(), where);
                }
                case NetworkConfig push -> {
                    checkChunk(push.chunk(), networkId, source, where);
                    configUpdateIds.add(push.chunk().signed().configUpdateId());
                }
                case NetworkConfigRequest request -> {
                    assertEquals(networkId, request.networkId(), where);
                    assertNotNull(request.current(), where);
                }
                case Frame frame -> assertEquals(networkId, frame.networkId(), where);
                case MulticastFrame frame -> assertEquals(networkId, frame.networkId(), where);
                case MulticastGather gather -> assertEquals(networkId, gather.networkId(), where);
                case MulticastLike like -> like.subscriptions().forEach(s -> assertEquals(networkId, s.networkId()));
                case NetworkCredentials credentials -> {
                    credentials.coms().forEach(c -> assertEquals(networkId, c.networkId()));
                    credentials.revocations().forEach(r -> assertEquals(networkId, r.networkId()));
                }
                case Rendezvous rendezvous -> assertNotNull(rendezvous.endpoint(), where);
                case PushDirectPaths push -> push.paths().forEach(r -> assertNotNull(r.endpoint()));
                default -> {
                    // WHOIS carries only addresses: the round trip above is its check.
                }
            }
        }
        assertEquals(Map.ofEntries(Map.entry("ERROR", 21), Map.entry("FRAME", 97), Map.entry("HELLO", 13),
                Map.entry("MULTICAST_FRAME", 2), Map.entry("MULTICAST_GATHER", 26), Map.entry("MULTICAST_LIKE", 13),
                Map.entry("NETWORK_CONFIG", 2), Map.entry("NETWORK_CONFIG_REQUEST", 2),
                Map.entry("NETWORK_CREDENTIALS", 13), Map.entry("OK", 39), Map.entry("PUSH_DIRECT_PATHS", 6),
                Map.entry("RENDEZVOUS", 2), Map.entry("WHOIS", 19)), perVerb);
        // Each OK(ECHO) acknowledges a config update that was sent.
        assertEquals(2, acknowledgedUpdateIds.size());
        assertTrue(configUpdateIds.containsAll(acknowledgedUpdateIds), configUpdateIds + " " + acknowledgedUpdateIds);
    }

    private void checkChunk(ConfigChunk chunk, NetworkId networkId, Address source, String where) {
        assertEquals(networkId, chunk.networkId(), where);
        assertEquals(networkId.controllerAddress(), source.value(), where);
        ConfigChunk.Signed signed = chunk.signed();
        assertNotNull(signed, where);
        assertTrue(signed.isC25519(), where);
        assertTrue(identities.get(source.value()).verify(chunk.signedMessage(), signed.signature()),
                where + ": controller signature over the chunk");
    }

    private static byte[] assemble(JsonNode head, List<JsonNode> fragments) {
        byte[] d = Vectors.hex(head, "hex");
        if (fragments.isEmpty()) {
            return d;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(d);
        fragments.stream().sorted((x, y) -> x.get("fragment_no").asInt() - y.get("fragment_no").asInt())
                .forEach(f -> {
                    byte[] b = Vectors.hex(f, "hex");
                    out.write(b, 16, b.length - 16);
                });
        byte[] packet = out.toByteArray();
        assertEquals(head.get("reassembled_len").asInt(), packet.length);
        return packet;
    }

    private static String pair(JsonNode line) {
        long src = Long.parseLong(line.get("header_src").asText(), 16);
        long dst = Long.parseLong(line.get("header_dst").asText(), 16);
        return Math.min(src, dst) + "-" + Math.max(src, dst);
    }

    /** The 48-byte key of a pair of nodes, agreed from their identities. */
    private byte[] key(String pair) {
        return keys.computeIfAbsent(pair, k -> {
            String[] ends = k.split("-");
            Identity a = identities.get(Long.parseLong(ends[0]));
            Identity b = identities.get(Long.parseLong(ends[1]));
            assertNotNull(a, k);
            assertNotNull(b, k);
            return a.agree(b);
        });
    }
}
