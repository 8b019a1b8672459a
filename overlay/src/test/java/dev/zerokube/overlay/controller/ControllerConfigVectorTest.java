package dev.zerokube.overlay.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.testing.Vectors;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.netconf.ConfigRequestMetadata;
import dev.zerokube.overlay.wire.netconf.NetconfVectorFields;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Goal: for the same stored records and request, our controller answers exactly as 1.14.1's
 * (vectors README §8, kind {@code controller_config}). Method: load each line's network, member
 * and other member JSON through {@link ControllerJson} into an {@link InMemoryPolicyStore}, send
 * the request at the line's time, and compare: a config key by key with
 * {@link NetworkConfig#differences} against {@code fields} (timestamps and signatures included:
 * both are deterministic), its dictionary byte for byte, and every credential's signature against
 * the controller identity; an error by its code. Then check what the request wrote into the
 * member record.
 */
class ControllerConfigVectorTest {
    private static final int LINES = 8;

    @TestFactory
    Stream<DynamicTest> everyControllerConfigLine() {
        List<JsonNode> lines = Vectors.read("netconf.jsonl").stream()
                .filter(l -> l.get("kind").asText().equals("controller_config")).toList();
        assertEquals(LINES, lines.size(), "controller_config lines (README §1)");
        return lines.stream().map(l -> DynamicTest.dynamicTest(l.get("name").asText(), () -> check(l)));
    }

    private static void check(JsonNode line) {
        Identity controllerId = ControllerFixtures.identity(line.get("controller_identity_secret").asText());
        NetworkId nwid = NetworkId.parse(line.get("network_id").asText());
        InMemoryPolicyStore store = new InMemoryPolicyStore();
        store.load(ControllerJson.network(ControllerFixtures.map(line.get("network_json"))));
        if (!line.get("member_json").isNull()) {
            store.load(ControllerJson.member(ControllerFixtures.map(line.get("member_json"))));
        }
        line.get("other_members_json").forEach(m -> store.load(ControllerJson.member(ControllerFixtures.map(m))));
        Identity requester = ControllerFixtures.identity(line.get("member_identity").asText());
        ConfigRequestMetadata metadata = ConfigRequestMetadata.decode(Vectors.hex(line, "request_metadata"));
        long nowMs = line.get("request_time").asLong();

        NetworkController controller = new NetworkController(controllerId, store, new SplittableRandom(1));
        ConfigDecision decision = controller.onConfigRequest(nowMs, requester, nwid, metadata, InetEndpoint.NIL);
        MemberRecord after = store.member(nwid, requester.address()).orElseThrow();
        assertEquals(requester.publicOnly(), after.identity().orElseThrow(), "identity pinned");

        switch (line.get("result").asText()) {
            case "config" -> {
                NetworkConfig config = assertInstanceOf(ConfigDecision.Reply.class, decision).config();
                NetworkConfig expected = NetconfVectorFields.toConfig(line.get("fields"));
                assertEquals(List.of(), config.differences(expected), "config differs from 1.14.1's");
                assertEquals(line.get("dictionary").asText(), Vectors.hex(config.encode()), "dictionary bytes");
                assertEquals(line.get("dictionary_length").asInt(), config.encode().length);
                ControllerFixtures.assertSignedBy(controllerId, config);
                assertTrue(after.authorized());
                assertEquals(ClientVersion.of(metadata), after.clientVersion(), "versions recorded");
                for (InetEndpoint ip : config.staticIps()) {
                    boolean derived = ip.ip()[0] == (byte) 0xfd && ip.port() == 88
                            || ip.ip()[0] == (byte) 0xfc && ip.port() == 40;
                    assertTrue(derived || after.ipAssignments().contains(InetEndpoint.of(ip.ip(), 0)),
                            ip + " is stored in the member record");
                }
                for (var t : config.tags()) {
                    assertTrue(after.tags().contains(new MemberTag(t.id(), t.value())), "tag " + t.id() + " stored");
                }
                for (var c : config.capabilities()) {
                    assertTrue(after.capabilities().contains(c.id()), "capability " + c.id() + " stored");
                }
            }
            case "error" -> {
                ConfigDecision.Refuse refuse = assertInstanceOf(ConfigDecision.Refuse.class, decision);
                assertEquals(line.get("error_code").asInt(), refuse.code().controllerCode(), "error code");
                assertEquals("", line.get("error_data").asText(), "1.14.1 sent no error data");
                assertTrue(!after.authorized(), "a refused member stays unauthorized");
                assertEquals(ClientVersion.UNKNOWN, after.clientVersion(), "no versions for a refused member");
            }
            default -> throw new AssertionError("unknown result " + line.get("result"));
        }
    }
}
