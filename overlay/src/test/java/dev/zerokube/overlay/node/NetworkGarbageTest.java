package dev.zerokube.overlay.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.controller.ConfigChunker;
import dev.zerokube.overlay.controller.CredentialIssuer;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.sim.SimIdentities;
import dev.zerokube.overlay.wire.Armor;
import dev.zerokube.overlay.wire.Dictionary;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.PacketHeader;
import dev.zerokube.overlay.wire.Verb;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import dev.zerokube.overlay.wire.verbs.ConfigChunk;
import dev.zerokube.overlay.wire.verbs.ErrorCode;
import dev.zerokube.overlay.wire.verbs.ErrorReply;
import dev.zerokube.overlay.wire.verbs.NetworkConfigRequest;
import dev.zerokube.overlay.wire.verbs.NetworkCredentials;
import dev.zerokube.overlay.wire.verbs.VerbPayload;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/*
 * Goal: authenticated garbage in the network verbs (from a member whose key we share, so it gets
 * past the MAC) never throws out of the node, never grows its network state past the bounds, and
 * never changes the config in force or lets an unknown member through the gate. Method: per seed,
 * 3 000 packets from member B, armored with B's key: NETWORK_CONFIG, NETWORK_CREDENTIALS,
 * NETWORK_CONFIG_REQUEST and ERROR payloads that are either random bytes or valid payloads (a
 * controller-signed chunk, real credentials, refusals) with random bytes flipped, cut or appended;
 * the clock moves 100 ms per packet so rate gates open now and then.
 */
class NetworkGarbageTest {
    private static final Identity SELF = SimIdentities.get(1);
    private static final Identity CONTROLLER = SimIdentities.get(0);
    private static final Identity B = SimIdentities.get(2);
    private static final NetworkId NWID = new NetworkId((CONTROLLER.address().value() << 24) | 4);
    private static final long T = 1_700_000_000_000L;
    private static final InetEndpoint B_AT = InetEndpoint.parse("198.18.7.7/9993");

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void garbageFromAMemberChangesNothing(long seed) {
        List<Throwable> thrown = new ArrayList<>();
        Node node = new Node(SELF, NodeConfig.of(null), new NodeHost() {
            @Override
            public boolean sendDatagram(long s, InetEndpoint r, byte[] d, int o, int l, int t) {
                return true;
            }

            @Override
            public void onEvent(NodeEvent e) {}
        }, new SplittableRandom(seed), SimIdentities.VALIDATOR);
        node.tick(T);
        CredentialIssuer issuer = new CredentialIssuer(CONTROLLER);
        NetworkConfig ours = NetworkConfig.builder().networkId(NWID).timestampMs(T).credentialTimeMaxDeltaMs(60_000)
                .issuedTo(SELF.address()).certificateOfMembership(issuer.certificateOfMembership(T, 60_000, NWID, SELF))
                .name("ours").build();
        node.join(NWID, T);
        assertTrue(node.restoreConfig(NWID, ours, T));
        Peer controller = node.topology().addPeer(node.topology().newPeer(CONTROLLER.publicOnly()));
        controller.lastReceiveMs = Long.MAX_VALUE / 2;
        Peer b = node.topology().addPeer(node.topology().newPeer(B.publicOnly()));
        b.lastReceiveMs = Long.MAX_VALUE / 2;

        // Valid material to mutate: a chunk of a config for someone else, the first half of a newer
        // one of ours (its second half never comes), credentials of a stranger, refusals.
        NetworkConfig forOther = ours.toBuilder().issuedTo(B.address()).timestampMs(T + 5).build();
        byte[] longDict = ours.toBuilder().timestampMs(T + 9).name("x".repeat(100)).build().encode();
        List<VerbPayload> valid = new ArrayList<>();
        new ConfigChunker(CONTROLLER).chunks(forOther, 11).forEach(c -> valid.add(new dev.zerokube.overlay.wire.verbs.NetworkConfig(c)));
        byte[] half = java.util.Arrays.copyOf(longDict, longDict.length / 2);
        byte[] sig = CONTROLLER.sign(ConfigChunk.signedMessage(NWID, half, 0, 12, longDict.length, 0));
        valid.add(new dev.zerokube.overlay.wire.verbs.NetworkConfig(new ConfigChunk(NWID, half,
                ConfigChunk.Signed.c25519(0, 12, longDict.length, 0, sig))));
        Identity stranger = SimIdentities.get(3);
        valid.add(new NetworkCredentials(List.of(issuer.certificateOfMembership(T, 60_000, NWID, stranger)), List.of(),
                List.of(issuer.tag(T, NWID, stranger.address(), 1, 2)), List.of(), List.of()));
        valid.add(new NetworkConfigRequest(NWID, new byte[] {'v', '=', '7'}, null));
        valid.add(ErrorReply.ofNetworkConfigRequest(5, ErrorCode.NETWORK_ACCESS_DENIED, NWID, null));
        valid.add(ErrorReply.of(Verb.FRAME, 6, ErrorCode.NEED_MEMBERSHIP_CERTIFICATE, NWID));
        Verb[] verbs = {Verb.NETWORK_CONFIG, Verb.NETWORK_CREDENTIALS, Verb.NETWORK_CONFIG_REQUEST, Verb.ERROR};

        SplittableRandom random = new SplittableRandom(seed);
        Armor armor = new Armor(B.agree(SELF));
        byte[] packet = new byte[PacketHeader.MAX_LENGTH];
        long nowMs = T;
        for (int i = 0; i < 3_000; i++) {
            nowMs += 100;
            int verb;
            byte[] payload;
            if (random.nextInt(3) == 0) {
                verb = verbs[random.nextInt(verbs.length)].code();
                payload = new byte[random.nextInt(400)];
                random.nextBytes(payload);
            } else {
                VerbPayload v = valid.get(random.nextInt(valid.size()));
                verb = v.verbCode();
                payload = mutate(v.toBytes(), random);
            }
            int len = PacketHeader.writeHeader(packet, 0, random.nextLong(), SELF.address().value(), B.address().value(), verb);
            int n = Math.min(payload.length, packet.length - len);
            System.arraycopy(payload, 0, packet, len, n);
            armor.armor(packet, 0, len + n, PacketHeader.CIPHER_POLY1305_SALSA2012);
            try {
                node.onWirePacket(1, B_AT, packet, 0, len + n, nowMs);
                node.tick(nowMs);
            } catch (RuntimeException e) {
                thrown.add(e);
            }
        }
        assertEquals(List.of(), thrown, "nothing escapes the node");
        Network net = node.networkTable().get(NWID.value());
        assertEquals(ours, net.config(), "the config in force is untouched");
        assertTrue(net.reassembler.bufferedBytes() < 3L * Dictionary.NETWORK_CONFIG_CAPACITY);
        assertTrue(net.membershipCount() <= 2, "only the stranger's and B's memberships can exist: " + net.membershipCount());
        assertTrue(node.networkTable().credentials.deferredCount() <= CredentialExchange.DEFERRED_MAX);
        assertTrue(node.dropCount(DropReason.MALFORMED) > 0, "garbage was seen as garbage");
        assertTrue(node.dropCount(DropReason.CONFIG_REJECTED) > 0, "configs refused");
    }

    private static byte[] mutate(byte[] b, SplittableRandom random) {
        switch (random.nextInt(4)) {
            case 0 -> {
                return b;
            }
            case 1 -> {
                return java.util.Arrays.copyOf(b, random.nextInt(b.length + 1));
            }
            case 2 -> {
                byte[] extra = java.util.Arrays.copyOf(b, b.length + 1 + random.nextInt(16));
                for (int i = b.length; i < extra.length; i++) {
                    extra[i] = (byte) random.nextInt();
                }
                return extra;
            }
            default -> {
                byte[] c = b.clone();
                for (int k = 1 + random.nextInt(3); k > 0 && c.length > 0; k--) {
                    c[random.nextInt(c.length)] ^= (byte) (1 << random.nextInt(8));
                }
                return c;
            }
        }
    }
}
