package dev.zerokube.overlay.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.testing.Vectors;
import dev.zerokube.overlay.wire.Armor;
import dev.zerokube.overlay.wire.Compression;
import dev.zerokube.overlay.wire.Datagram;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.PacketHeader;
import dev.zerokube.overlay.wire.Verb;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import dev.zerokube.overlay.wire.verbs.ConfigChunk;
import dev.zerokube.overlay.wire.verbs.NetworkConfigRequest;
import dev.zerokube.overlay.wire.verbs.NetworkConfigRequestOk;
import dev.zerokube.overlay.wire.verbs.NetworkCredentials;
import dev.zerokube.overlay.wire.verbs.OkReply;
import dev.zerokube.overlay.wire.verbs.VerbPayload;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/*
 * Goal: what our node sends about networks is what the 1.14.1 members of the live capture sent:
 * the same NETWORK_CONFIG_REQUEST payload (metadata dictionary byte for byte, then the revision
 * and timestamp of the config held) and the same NETWORK_CREDENTIALS push to another member (its
 * COM, tags and COO from the config it held), and the same fast propagation of the controller's
 * revocation. Method: decrypt every unfragmented packet of the
 * capture with the nodes' keys, follow the configs each member received in capture order, and
 * build our payload for each request and each member-to-member push at that moment with the
 * node's own code (Networks.defaultMetadata, CredentialExchange.pushPayloads).
 */
class NetworkCaptureTest {
    @Test
    void requestsAndCredentialPushesMatchTheCapture() throws Exception {
        Map<Long, Identity> nodes = new HashMap<>();
        for (String n : List.of("a", "b", "c")) {
            Identity id = Identity.parse(Files.readString(Vectors.file("capture/node_" + n + "/identity.secret")).trim());
            nodes.put(id.address().value(), id);
        }
        NetworkId nwid = NetworkId.parse(Files.readString(Vectors.file("capture/network_id")).trim());
        long controller = nwid.controllerAddress();
        Node member = new Node(nodes.values().stream().filter(i -> i.address().value() != controller).findFirst()
                .orElseThrow(), NodeConfig.of(null), new NodeHost() {
                    @Override
                    public boolean sendDatagram(long s, dev.zerokube.overlay.wire.InetEndpoint r, byte[] d, int o, int l,
                            int t) {
                        return true;
                    }

                    @Override
                    public void onEvent(NodeEvent e) {}
                }, new java.util.SplittableRandom(1), IdentityValidator.memoryHard());
        byte[] ourMetadata = member.networkTable().defaultMetadata().encode();

        Map<Long, NetworkConfig> held = new HashMap<>();
        int requests = 0;
        int pushes = 0;
        int propagations = 0;
        java.util.Set<dev.zerokube.overlay.wire.credentials.Revocation> fromController = new java.util.HashSet<>();
        for (JsonNode line : Vectors.read("capture/capture.jsonl")) {
            byte[] d = Vectors.hex(line, "hex");
            if (Datagram.classify(d, 0, d.length) != Datagram.Kind.PACKET || PacketHeader.isFragmented(d, 0)) {
                continue;
            }
            long src = PacketHeader.source(d, 0);
            long dst = PacketHeader.destination(d, 0);
            Identity from = nodes.get(src);
            Identity to = nodes.get(dst);
            if (from == null || to == null
                    || new Armor(from.agree(to)).dearmor(d, 0, d.length) != Armor.Verdict.AUTHENTICATED) {
                continue;
            }
            byte[] packet = new byte[PacketHeader.MAX_LENGTH];
            int n = Compression.uncompress(d, 0, d.length, packet, 0);
            int verb = PacketHeader.verb(packet, 0);
            if (verb == Verb.HELLO.code()) {
                continue;
            }
            VerbPayload p = VerbPayload.decode(verb, packet, PacketHeader.IDX_PAYLOAD, n - PacketHeader.IDX_PAYLOAD);
            ConfigChunk chunk = switch (p) {
                case OkReply ok when ok.body() instanceof NetworkConfigRequestOk c -> c.chunk();
                case dev.zerokube.overlay.wire.verbs.NetworkConfig push -> push.chunk();
                default -> null;
            };
            if (chunk != null) {
                assertEquals(chunk.signed().totalLength(), chunk.data().length, "single-chunk configs");
                held.put(dst, NetworkConfig.decode(chunk.data()));
            } else if (p instanceof NetworkConfigRequest r) {
                NetworkConfig c = held.get(src);
                NetworkConfigRequest.CurrentConfig current = c == null ? NetworkConfigRequest.CurrentConfig.NONE
                        : new NetworkConfigRequest.CurrentConfig(c.revision(), c.timestampMs());
                assertArrayEquals(new NetworkConfigRequest(nwid, ourMetadata, current).toBytes(), r.toBytes(),
                        "request of " + Long.toHexString(src) + " at t=" + line.get("t"));
                requests++;
            } else if (p instanceof NetworkCredentials creds && src == controller) {
                fromController.addAll(creds.revocations());
            } else if (p instanceof NetworkCredentials creds && !creds.revocations().isEmpty()) {
                // fast propagation of the controller's revocation: the same one-revocation packet
                assertTrue(fromController.contains(creds.revocations().getFirst()), "propagates what C sent");
                assertArrayEquals(NetworkCredentials.ofRevocation(creds.revocations().getFirst()).toBytes(), creds.toBytes());
                propagations++;
            } else if (p instanceof NetworkCredentials creds && dst != controller) {
                NetworkConfig c = held.get(src);
                assertNotNull(c, "a member pushes once it has a config");
                List<NetworkCredentials> ours = CredentialExchange.pushPayloads(c);
                assertEquals(1, ours.size());
                assertArrayEquals(ours.getFirst().toBytes(), creds.toBytes(),
                        "push of " + Long.toHexString(src) + " at t=" + line.get("t"));
                pushes++;
            }
        }
        assertTrue(requests >= 2, "requests of A and B: " + requests);
        assertTrue(pushes >= 2, "pushes between A and B: " + pushes);
        assertTrue(propagations >= 1, "revocation propagated: " + propagations);
    }
}
