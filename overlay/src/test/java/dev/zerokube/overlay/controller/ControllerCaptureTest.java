package dev.zerokube.overlay.controller;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.testing.Vectors;
import dev.zerokube.overlay.wire.Armor;
import dev.zerokube.overlay.wire.Compression;
import dev.zerokube.overlay.wire.Datagram;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.PacketHeader;
import dev.zerokube.overlay.wire.credentials.Revocation;
import dev.zerokube.overlay.wire.netconf.ConfigRequestMetadata;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import dev.zerokube.overlay.wire.verbs.ConfigChunk;
import dev.zerokube.overlay.wire.verbs.NetworkConfigRequest;
import dev.zerokube.overlay.wire.verbs.NetworkConfigRequestOk;
import dev.zerokube.overlay.wire.verbs.NetworkCredentials;
import dev.zerokube.overlay.wire.verbs.OkReply;
import dev.zerokube.overlay.wire.verbs.VerbPayload;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Goal: our controller, fed the records a real 1.14.1 controller stored, issues what that
 * controller issued in a live session (vectors/capture, README-capture-rules.md §2). Method: read
 * node C's {@code controller.d} through {@link ControllerJson} (and check it writes back the same
 * objects); then (1) for members A and B build the config at the timestamp of the config each
 * stored in {@code networks.d} and compare it key by key and byte for byte; (2) decrypt every
 * config chunk C sent in the capture and every request A and B sent, replay each request at the
 * chunk's timestamp, and re-chunk with the captured update id: the chunks must be byte-identical;
 * (3) deauthorize B at the captured revocation's threshold and check the revocations we emit are
 * the captured NETWORK_CREDENTIALS payloads. B's record is final state (deauthorized), so B is
 * re-authorized for (1) and (2), as it was when it received its config.
 */
class ControllerCaptureTest {
    private static final Path CONTROLLER_D = Path.of("capture/node_c/controller.d/network");

    private static NetworkId nwid;
    private static Identity controllerId;
    private static final Map<String, Identity> nodes = new HashMap<>();
    private static JsonNode networkJson;
    private static final Map<String, JsonNode> memberJson = new HashMap<>();
    private static List<Captured> packets;

    /** One authenticated, decrypted packet of the capture. */
    record Captured(JsonNode line, Address from, Address to, VerbPayload payload) {}

    @BeforeAll
    static void load() throws Exception {
        nwid = NetworkId.parse(Files.readString(Vectors.file("capture/network_id")).trim());
        JsonNode names = Vectors.readJson("capture/nodes.json");
        for (String n : List.of("a", "b", "c")) {
            Identity id = ControllerFixtures.identity(Files.readString(Vectors.file("capture/node_" + n + "/identity.secret")));
            assertEquals(names.get(n).asText(), id.address().toString());
            nodes.put(n, id);
        }
        controllerId = nodes.get("c");
        assertEquals(controllerId.address(), nwid.controller(), "C controls the network");
        networkJson = Vectors.readJson(CONTROLLER_D.resolve(nwid + ".json").toString());
        for (String n : List.of("a", "b")) {
            memberJson.put(n, Vectors.readJson(CONTROLLER_D.resolve(nwid + "/member/" + nodes.get(n).address() + ".json")
                    .toString()));
        }
        packets = decryptControllerTraffic();
    }

    /** A store with C's records, B authorized again (as when it got its configs). */
    private static InMemoryPolicyStore store() {
        InMemoryPolicyStore store = new InMemoryPolicyStore();
        store.load(ControllerJson.network(ControllerFixtures.map(networkJson)));
        store.load(ControllerJson.member(ControllerFixtures.map(memberJson.get("a"))));
        MemberRecord b = ControllerJson.member(ControllerFixtures.map(memberJson.get("b")));
        assertTrue(!b.authorized(), "B ends deauthorized");
        store.load(b.toBuilder().authorized(true).lastDeauthorizedTimeMs(0).build());
        return store;
    }

    @Test
    void storedRecordsMapAndWriteBackUnchanged() {
        NetworkRecord n = ControllerJson.network(ControllerFixtures.map(networkJson));
        assertEquals(ControllerFixtures.text(networkJson), ControllerFixtures.text(ControllerJson.toJson(n)));
        assertEquals(1, n.revision());
        assertEquals(8, n.rules().size());
        assertEquals(List.of(new IpPool(InetEndpoint.of(new byte[] {10, (byte) 147, 17, 10}, 0),
                InetEndpoint.of(new byte[] {10, (byte) 147, 17, (byte) 250}, 0))), n.ipAssignmentPools());
        assertEquals(new V6AssignMode(true, false, false), n.v6AssignMode());
        for (String name : List.of("a", "b")) {
            MemberRecord m = ControllerJson.member(ControllerFixtures.map(memberJson.get(name)));
            assertEquals(ControllerFixtures.text(memberJson.get(name)), ControllerFixtures.text(ControllerJson.toJson(m)));
            assertEquals(nodes.get(name).publicOnly(), m.identity().orElseThrow());
            assertEquals(new ClientVersion(1, 14, 1, 12), m.clientVersion());
        }
    }

    @TestFactory
    Stream<DynamicTest> storedConfigsOfAAndB() {
        return Stream.of("a", "b").map(n -> DynamicTest.dynamicTest("node_" + n, () -> {
            byte[] conf = readBytes("capture/node_" + n + "/networks.d/" + nwid + ".conf");
            NetworkConfig stored = NetworkConfig.decode(conf);
            NetworkController controller = new NetworkController(controllerId, store(), new SplittableRandom(7));
            ConfigDecision d = controller.onConfigRequest(stored.timestampMs(), nodes.get(n).publicOnly(), nwid,
                    request(n), InetEndpoint.parse("198.18.0.1/9993"));
            NetworkConfig ours = assertInstanceOf(ConfigDecision.Reply.class, d).config();
            assertEquals(List.of(), ours.differences(stored), "differences from the config node_" + n + " stored");
            assertArrayEquals(conf, ours.encode(), "dictionary bytes");
            ControllerFixtures.assertSignedBy(controllerId, ours);
        }));
    }

    @Test
    void capturedConfigChunksAreReproducedByteForByte() throws Exception {
        int chunks = 0;
        for (Captured p : packets) {
            ConfigChunk captured = switch (p.payload()) {
                case OkReply ok when ok.body() instanceof NetworkConfigRequestOk c -> c.chunk();
                case dev.zerokube.overlay.wire.verbs.NetworkConfig push -> push.chunk();
                default -> null;
            };
            if (captured == null) {
                continue;
            }
            chunks++;
            String member = member(p.to());
            assertEquals(0, captured.signed().chunkOffset(), "the capture's configs fit one chunk");
            assertEquals(captured.data().length, captured.signed().totalLength());
            NetworkConfig theirs = NetworkConfig.decode(captured.data());
            NetworkController controller = new NetworkController(controllerId, store(), new SplittableRandom(7));
            ConfigDecision d = controller.onConfigRequest(theirs.timestampMs(), nodes.get(member).publicOnly(), nwid,
                    request(member), InetEndpoint.NIL);
            NetworkConfig ours = assertInstanceOf(ConfigDecision.Reply.class, d).config();
            assertEquals(List.of(), ours.differences(theirs));
            List<ConfigChunk> mine = new ConfigChunker(controllerId).chunks(ours, captured.signed().configUpdateId());
            assertEquals(List.of(captured), mine, "chunk for node_" + member + " at t=" + p.line().get("t"));
        }
        assertEquals(4, chunks, "an OK and a push to each of A and B (quirk Q1)");
    }

    @Test
    void deauthorizingBEmitsTheCapturedRevocations() throws Exception {
        List<Captured> revocationPackets = packets.stream()
                .filter(p -> p.from().equals(controllerId.address()) && p.payload() instanceof NetworkCredentials)
                .toList();
        assertEquals(2, revocationPackets.size(), "C sent the revocation to A and B");
        Revocation captured = ((NetworkCredentials) revocationPackets.getFirst().payload()).revocations().getFirst();
        assertEquals(nodes.get("b").address(), captured.target());

        InMemoryPolicyStore store = store();
        long revocationId = captured.id();
        RandomGenerator random = () -> revocationId << 32; // nextInt() takes the high half
        NetworkController controller = new NetworkController(controllerId, store, random);
        long thresholdMs = captured.thresholdMs();
        for (String n : List.of("a", "b")) {
            assertInstanceOf(ConfigDecision.Reply.class, controller.onConfigRequest(thresholdMs - 18_000,
                    nodes.get(n).publicOnly(), nwid, request(n), InetEndpoint.NIL));
        }
        MemberRecord b = store.member(nwid, nodes.get("b").address()).orElseThrow();
        PolicyChange change = store.putMember(b.withAuthorizedByApi(false, thresholdMs)).orElseThrow();
        List<ControllerEffect> effects = controller.onPolicyChange(thresholdMs, change);

        assertEquals(2, effects.size(), "no push (B is refused, A unchanged), one revocation each: " + effects);
        for (Captured p : revocationPackets) {
            ControllerEffect.SendRevocation ours = effects.stream()
                    .map(e -> assertInstanceOf(ControllerEffect.SendRevocation.class, e))
                    .filter(e -> e.recipient().equals(p.to())).findFirst().orElseThrow();
            assertArrayEquals(p.payload().toBytes(), ours.payload().toBytes(), "NETWORK_CREDENTIALS to " + p.to());
        }
    }

    // ------------------------------------------------------------------ capture reading

    private static ConfigRequestMetadata request(String member) {
        Address a = nodes.get(member).address();
        return packets.stream()
                .filter(p -> p.from().equals(a) && p.payload() instanceof NetworkConfigRequest)
                .map(p -> ConfigRequestMetadata.decode(((NetworkConfigRequest) p.payload()).metadata()))
                .findFirst().orElseThrow();
    }

    private static String member(Address a) {
        return nodes.entrySet().stream().filter(e -> e.getValue().address().equals(a)).findFirst().orElseThrow().getKey();
    }

    /** Every unfragmented packet between C and a member that authenticates, decrypted and decoded. */
    private static List<Captured> decryptControllerTraffic() throws WireFormatException {
        Map<Long, Identity> byAddress = new HashMap<>();
        nodes.values().forEach(i -> byAddress.put(i.address().value(), i));
        List<Captured> out = new ArrayList<>();
        for (JsonNode line : Vectors.read("capture/capture.jsonl")) {
            byte[] d = Vectors.hex(line, "hex");
            if (Datagram.classify(d, 0, d.length) != Datagram.Kind.PACKET || PacketHeader.isFragmented(d, 0)
                    || PacketHeader.hops(d, 0) != 0) {
                continue;
            }
            long src = PacketHeader.source(d, 0);
            long dst = PacketHeader.destination(d, 0);
            if (src != controllerId.address().value() && dst != controllerId.address().value()) {
                continue;
            }
            Identity from = byAddress.get(src);
            Identity to = byAddress.get(dst);
            if (new Armor(from.agree(to)).dearmor(d, 0, d.length) != Armor.Verdict.AUTHENTICATED) {
                continue;
            }
            byte[] packet = new byte[PacketHeader.MAX_LENGTH];
            int n = Compression.uncompress(d, 0, d.length, packet, 0);
            assertTrue(n >= PacketHeader.MIN_LENGTH, "decompressed");
            int verb = PacketHeader.verb(packet, 0);
            if (verb == dev.zerokube.overlay.wire.Verb.HELLO.code()) {
                continue; // its tail is masked; not needed here
            }
            VerbPayload payload = VerbPayload.decode(verb, packet, PacketHeader.IDX_PAYLOAD, n - PacketHeader.IDX_PAYLOAD);
            out.add(new Captured(line, from.address(), to.address(), payload));
        }
        return out;
    }

    private static byte[] readBytes(String relative) {
        try {
            return Files.readAllBytes(Vectors.file(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
