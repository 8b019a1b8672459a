package dev.zerokube.overlay.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.controller.ConfigChunker;
import dev.zerokube.overlay.controller.CredentialIssuer;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.sim.SimIdentities;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.Verb;
import dev.zerokube.overlay.wire.credentials.CertificateOfMembership;
import dev.zerokube.overlay.wire.credentials.Tag;
import dev.zerokube.overlay.wire.netconf.ConfigRequestMetadata;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import dev.zerokube.overlay.wire.verbs.ErrorCode;
import dev.zerokube.overlay.wire.verbs.ErrorReply;
import dev.zerokube.overlay.wire.verbs.NetworkCredentials;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/*
 * Goal: the network table's reactions that the simulator does not reach on its own: which ERRORs
 * change a network's status and from whom they are believed (ZT1-03 §3.2), the credential push
 * asked for by ERROR(NEED_MEMBERSHIP_CERTIFICATE) and its 1 s limit, our own request for a network
 * we control (local master, or NOT_FOUND without one), join/leave bookkeeping, the config handed
 * to ourselves, and how a push is split into packets (ZT1-05 §7.7's worked example). Method: one
 * Node with a recording host; peers planted in its topology; inputs given to the package-private
 * entry points the packet handler calls.
 */
class NetworksTest {
    private static final Identity SELF = SimIdentities.get(1);
    private static final Identity CONTROLLER = SimIdentities.get(0);
    private static final Identity OTHER = SimIdentities.get(2);
    private static final NetworkId NWID = new NetworkId((CONTROLLER.address().value() << 24) | 3);
    private static final long T = 1_700_000_000_000L;

    private final List<NodeEvent> events = new ArrayList<>();
    private final Node node = new Node(SELF, NodeConfig.of(null), new NodeHost() {
        @Override
        public boolean sendDatagram(long s, InetEndpoint r, byte[] d, int o, int l, int t) {
            return true;
        }

        @Override
        public void onEvent(NodeEvent e) {
            events.add(e);
        }
    }, new SplittableRandom(5), SimIdentities.VALIDATOR);

    /** A peer planted as if heard from just now (housekeeping drops peers never heard from). */
    private Peer peer(Identity id) {
        Peer p = node.topology().addPeer(node.topology().newPeer(id.publicOnly()));
        p.lastReceiveMs = T;
        return p;
    }

    private NetworkStatus.Status status() {
        return node.network(NWID).orElseThrow().status();
    }

    private static ErrorReply refusal(ErrorCode code) {
        return ErrorReply.ofNetworkConfigRequest(42, code, NWID, null);
    }

    @Test
    void controllerRefusalsSetTheStatusAndNobodyElsesDo() {
        node.join(NWID, T);
        assertEquals(NetworkStatus.Status.REQUESTING_CONFIGURATION, status());
        Networks networks = node.networkTable();
        Peer controller = peer(CONTROLLER);
        Peer other = peer(OTHER);
        networks.onError(other, refusal(ErrorCode.NETWORK_ACCESS_DENIED), T);
        assertEquals(NetworkStatus.Status.REQUESTING_CONFIGURATION, status(), "only the controller may refuse");
        networks.onError(controller, ErrorReply.of(Verb.FRAME, 1, ErrorCode.NETWORK_ACCESS_DENIED, NWID), T);
        assertEquals(NetworkStatus.Status.REQUESTING_CONFIGURATION, status(), "only in answer to a config request");
        networks.onError(controller, refusal(ErrorCode.NETWORK_ACCESS_DENIED), T);
        assertEquals(NetworkStatus.Status.ACCESS_DENIED, status());
        networks.onError(controller, refusal(ErrorCode.OBJ_NOT_FOUND), T);
        assertEquals(NetworkStatus.Status.NOT_FOUND, status());
        networks.onError(controller, refusal(ErrorCode.NETWORK_AUTHENTICATION_REQUIRED), T);
        assertEquals(NetworkStatus.Status.AUTHENTICATION_REQUIRED, status());
        networks.onError(controller, ErrorReply.of(Verb.NETWORK_CONFIG_REQUEST, 42, ErrorCode.UNSUPPORTED_OPERATION, NWID), T);
        assertEquals(NetworkStatus.Status.NOT_FOUND, status());
        networks.onError(controller, ErrorReply.ofNetworkConfigRequest(42, ErrorCode.NETWORK_ACCESS_DENIED,
                new NetworkId(NWID.value() + 1), null), T);
        assertEquals(NetworkStatus.Status.NOT_FOUND, status(), "another network's error changes nothing here");
        List<NetworkStatus.Status> reported = events.stream().filter(e -> e instanceof NodeEvent.NetworkUpdated)
                .map(e -> ((NodeEvent.NetworkUpdated) e).status().status()).toList();
        assertEquals(List.of(NetworkStatus.Status.REQUESTING_CONFIGURATION, NetworkStatus.Status.ACCESS_DENIED,
                NetworkStatus.Status.NOT_FOUND, NetworkStatus.Status.AUTHENTICATION_REQUIRED,
                NetworkStatus.Status.NOT_FOUND), reported, "each change reported once");
    }

    @Test
    void credentialsAskedForArePushedAtMostOnceASecond() {
        node.join(NWID, T);
        Networks networks = node.networkTable();
        Peer other = peer(OTHER);
        ErrorReply ask = ErrorReply.of(Verb.FRAME, 9, ErrorCode.NEED_MEMBERSHIP_CERTIFICATE, NWID);
        networks.onError(other, ask, T);
        Network n = networks.get(NWID.value());
        assertEquals(null, n.existingMembership(OTHER.address().value()), "no config, nothing to push");

        CredentialIssuer issuer = new CredentialIssuer(CONTROLLER);
        n.apply(NetworkConfig.builder().networkId(NWID).timestampMs(T).credentialTimeMaxDeltaMs(60_000)
                .issuedTo(SELF.address()).certificateOfMembership(issuer.certificateOfMembership(T, 60_000, NWID, SELF))
                .build(), T);
        networks.onError(other, ask, T + 10);
        Membership m = n.existingMembership(OTHER.address().value());
        assertEquals(T + 10, m.lastPushedCredentialsMs);
        networks.onError(other, ask, T + 10 + Timing.PEER_CREDENTIALS_REQUEST_RATE_LIMIT_MS);
        assertEquals(T + 10, m.lastPushedCredentialsMs, "not again within the second");
        networks.onError(other, ask, T + 11 + Timing.PEER_CREDENTIALS_REQUEST_RATE_LIMIT_MS);
        assertEquals(T + 11 + Timing.PEER_CREDENTIALS_REQUEST_RATE_LIMIT_MS, m.lastPushedCredentialsMs);
    }

    @Test
    void ourOwnNetworkIsAskedOfOurMasterOrIsNotFound() {
        NetworkId mine = new NetworkId((SELF.address().value() << 24) | 1);
        node.join(mine, T);
        assertTrue(node.nextDeadlineMs() <= T, "the first request is due at once");
        node.tick(T);
        assertEquals(NetworkStatus.Status.NOT_FOUND, node.network(mine).orElseThrow().status(), "no master");

        List<Long> asked = new ArrayList<>();
        ConfigChunker chunker = new ConfigChunker(SELF);
        node.setConfigMaster((id, requester, requestId, metadata, from, nowMs) -> {
            asked.add(requestId);
            assertEquals(SELF.publicOnly(), requester);
            assertEquals(InetEndpoint.NIL, from);
            NetworkConfig c = NetworkConfig.builder().networkId(id).timestampMs(nowMs).issuedTo(SELF.address())
                    .name("mine").build();
            node.sendNetworkConfig(SELF.address(), requestId, chunker.chunks(c, 77), nowMs);
        });
        assertTrue(node.nextDeadlineMs() <= T, "the master's arrival makes the refused request due at once");
        node.tick(T + 1); // not at the next 5 s round
        assertEquals(List.of(NetworkConfigMaster.LOCAL_REQUEST_ID), asked);
        NetworkStatus s = node.network(mine).orElseThrow();
        assertEquals(NetworkStatus.Status.OK, s.status(), "taken in place, no packet");
        long sentMs = T + 1;
        assertTrue(node.networkTable().localControllerHasAuthorized(mine.value(), SELF.address().value(), sentMs));
        assertTrue(node.networkTable().localControllerHasAuthorized(mine.value(), SELF.address().value(),
                sentMs + Timing.LOCAL_CONTROLLER_AUTHORIZATION_MS));
        assertFalse(node.networkTable().localControllerHasAuthorized(mine.value(), SELF.address().value(),
                sentMs + Timing.LOCAL_CONTROLLER_AUTHORIZATION_MS + 1));
        assertFalse(node.networkTable().localControllerHasAuthorized(mine.value(), OTHER.address().value(), sentMs));
        assertEquals("mine", s.config().orElseThrow().name());
        node.sendNetworkConfigError(SELF.address(), mine, NetworkConfigMaster.LOCAL_REQUEST_ID,
                ErrorCode.NETWORK_ACCESS_DENIED, T);
        assertEquals(NetworkStatus.Status.ACCESS_DENIED, node.network(mine).orElseThrow().status());
    }

    @Test
    void joinIsIdempotentAndLeaveForgets() {
        NetworkId second = new NetworkId(NWID.value() - 1);
        node.join(NWID, T);
        node.join(NWID, T);
        node.join(second, ConfigRequestMetadata.zeroTier1141("linux/aarch64").withAuthToken("abc"), T);
        assertEquals(List.of(second, NWID), node.networks().stream().map(NetworkStatus::id).toList(), "ascending");
        assertEquals(2, events.stream().filter(e -> e instanceof NodeEvent.NetworkUpdated).count());
        assertTrue(node.leave(NWID, T));
        assertFalse(node.leave(NWID, T));
        assertEquals(List.of(new NodeEvent.NetworkLeft(NWID)),
                events.stream().filter(e -> e instanceof NodeEvent.NetworkLeft).toList(), "one event, for the first leave");
        assertEquals(List.of(second), node.networks().stream().map(NetworkStatus::id).toList());
        assertTrue(node.network(NWID).isEmpty());
        assertThrows(IllegalStateException.class, () -> node.join(new NetworkId(5),
                ConfigRequestMetadata.zeroTier1141("x".repeat(2000)), T), "metadata that cannot be sent");
    }

    @Test
    void pushesSplitWhere1141SplitsThem() {
        CredentialIssuer issuer = new CredentialIssuer(CONTROLLER);
        CertificateOfMembership com = issuer.certificateOfMembership(T, 60_000, NWID, SELF);
        List<Tag> tags = new ArrayList<>();
        for (int i = 0; i < NetworkConfig.TAGS_MAX; i++) {
            tags.add(issuer.tag(T, NWID, SELF.address(), i, i));
        }
        NetworkConfig.Builder b = NetworkConfig.builder().networkId(NWID).timestampMs(T).issuedTo(SELF.address());
        assertEquals(List.of(), CredentialExchange.pushPayloads(b.build()), "nothing at all: nothing sent");
        List<NetworkCredentials> parts = CredentialExchange.pushPayloads(b.certificateOfMembership(com).tags(tags).build());
        assertEquals(2, parts.size());
        assertEquals(List.of(com), parts.get(0).coms());
        assertEquals(71, parts.get(0).tags().size(), "ZT1-05 §7.7: COM and 71 tags");
        assertEquals(List.of(), parts.get(1).coms());
        assertEquals(57, parts.get(1).tags().size(), "then the other 57");
        assertTrue(parts.get(0).toBytes().length + 28 < 10_024);
    }

    private NetworkConfig ourConfig(long ts) {
        CredentialIssuer issuer = new CredentialIssuer(CONTROLLER);
        return NetworkConfig.builder().networkId(NWID).timestampMs(ts).credentialTimeMaxDeltaMs(60_000)
                .issuedTo(SELF.address()).certificateOfMembership(issuer.certificateOfMembership(ts, 60_000, NWID, SELF))
                .build();
    }

    @Test
    void aStoredConfigIsInForceAtOnceAndRefreshedAtTheFirstTick() {
        assertFalse(node.restoreConfig(NWID, ourConfig(T), T), "not joined");
        node.join(NWID, T);
        NetworkConfig foreign = NetworkConfig.builder().networkId(NWID).timestampMs(T).issuedTo(OTHER.address()).build();
        assertFalse(node.restoreConfig(NWID, foreign, T), "issued to someone else");
        assertTrue(node.restoreConfig(NWID, ourConfig(T), T));
        assertEquals(NetworkStatus.Status.OK, status());
        assertTrue(node.networkTable().get(NWID.value()).needsConfig(T), "still asks its controller");
        assertFalse(node.restoreConfig(NWID, ourConfig(T - 1), T), "older than the one in force");
    }

    @Test
    void credentialsWaitForTheirSignersIdentity() {
        node.join(NWID, T);
        Network n = node.networkTable().get(NWID.value());
        n.apply(ourConfig(T), T);
        CredentialIssuer issuer = new CredentialIssuer(CONTROLLER);
        NetworkCredentials creds = new NetworkCredentials(List.of(issuer.certificateOfMembership(T, 60_000, NWID, OTHER)),
                List.of(), List.of(), List.of(), List.of());
        CredentialExchange exchange = node.networkTable().credentials;
        assertEquals(CredentialExchange.Receipt.NO_TRUST, exchange.onCredentials(OTHER.address().value(), creds, T));
        assertEquals(1, exchange.deferredCount(), "the controller's identity is unknown");
        assertEquals(null, n.existingMembership(OTHER.address().value()));
        assertEquals(CredentialExchange.Receipt.RATE_LIMITED, exchange.onCredentials(OTHER.address().value(), creds,
                T + 999), "one packet per peer per second");
        Peer other = peer(OTHER);
        peer(CONTROLLER);
        assertTrue(node.nextDeadlineMs() <= T + Timing.WHOIS_RETRY_DELAY_MS, "a retry is scheduled");
        node.tick(T + Timing.WHOIS_RETRY_DELAY_MS);
        assertEquals(0, exchange.deferredCount());
        assertTrue(n.gate(other.address, other.identity), "learned once the signer was known");
        assertEquals(CredentialExchange.Receipt.TRUST_ESTABLISHED, exchange.onCredentials(OTHER.address().value(), creds,
                T + 1_000), "accepted again (redundant): proves membership");
    }

    @Test
    void credentialsWhoseSignerNeverArrivesAreDroppedAfterFiveSeconds() {
        node.join(NWID, T);
        node.networkTable().get(NWID.value()).apply(ourConfig(T), T);
        CredentialIssuer issuer = new CredentialIssuer(CONTROLLER);
        CredentialExchange exchange = node.networkTable().credentials;
        exchange.onCredentials(OTHER.address().value(), new NetworkCredentials(
                List.of(issuer.certificateOfMembership(T, 60_000, NWID, OTHER)), List.of(), List.of(), List.of(),
                List.of()), T);
        long drops = node.dropCount(DropReason.UNKNOWN_SOURCE);
        for (long t = T; t <= T + Timing.RECEIVE_QUEUE_TIMEOUT_MS + Timing.WHOIS_RETRY_DELAY_MS; t += 100) {
            node.tick(t);
        }
        assertEquals(0, exchange.deferredCount());
        assertEquals(drops + 1, node.dropCount(DropReason.UNKNOWN_SOURCE));
        assertEquals(Long.MAX_VALUE, exchange.nextTimerMs());
    }

    @Test
    void aNewRevocationIsPassedOnToEveryMemberButItsSenderAndSigner() {
        node.join(NWID, T);
        Network n = node.networkTable().get(NWID.value());
        n.apply(ourConfig(T), T);
        peer(CONTROLLER);
        Identity third = SimIdentities.get(3);
        CredentialIssuer issuer = new CredentialIssuer(CONTROLLER);
        CredentialExchange exchange = node.networkTable().credentials;
        assertTrue(exchange.process(OTHER.address().value(), new NetworkCredentials(List.of(
                issuer.certificateOfMembership(T, 60_000, NWID, OTHER), issuer.certificateOfMembership(T, 60_000, NWID, third)),
                List.of(), List.of(), List.of(), List.of()), T));
        assertEquals(2, n.membershipCount());
        int queued = node.usage().queued();
        var revocation = issuer.revokeCertificateOfMembership(9, NWID, OTHER.address(), T);
        assertTrue(exchange.process(third.address().value(), NetworkCredentials.ofRevocation(revocation), T + 1));
        assertEquals(queued + 1, node.usage().queued(), "to OTHER only: not back to its sender, not to the controller");
        assertFalse(n.gate(OTHER.address().value(), OTHER.publicOnly()));
        assertTrue(exchange.process(CONTROLLER.address().value(), NetworkCredentials.ofRevocation(revocation), T + 2));
        assertEquals(queued + 1, node.usage().queued(), "redundant: not passed on again");
        var quiet = dev.zerokube.overlay.wire.credentials.Revocation.unsigned(10, NWID, 0, T + 5, 0, third.address(),
                dev.zerokube.overlay.wire.credentials.CredentialType.COM).sign(CONTROLLER);
        assertTrue(exchange.process(CONTROLLER.address().value(), NetworkCredentials.ofRevocation(quiet), T + 3));
        assertEquals(queued + 1, node.usage().queued(), "no fast-propagate flag: kept to ourselves");
        assertFalse(n.gate(third.address().value(), third.publicOnly()));
    }

    @Test
    void aFastPropagateChunkIsPassedOnToTheMembersWeKnow() {
        node.join(NWID, T);
        node.tick(T);
        Network n = node.networkTable().get(NWID.value());
        n.apply(ourConfig(T), T);
        peer(CONTROLLER);
        Identity third = SimIdentities.get(3);
        n.membership(OTHER.address().value());
        n.membership(third.address().value());
        n.membership(CONTROLLER.address().value());
        byte[] dict = ourConfig(T + 1).encode();
        long total = dict.length;
        byte[] part = java.util.Arrays.copyOf(dict, 100);
        byte[] sig = CONTROLLER.sign(dev.zerokube.overlay.wire.verbs.ConfigChunk.signedMessage(NWID, part,
                dev.zerokube.overlay.wire.verbs.ConfigChunk.FLAG_FAST_PROPAGATE, 55, total, 0));
        var chunk = new dev.zerokube.overlay.wire.verbs.ConfigChunk(NWID, part,
                dev.zerokube.overlay.wire.verbs.ConfigChunk.Signed.c25519(
                        dev.zerokube.overlay.wire.verbs.ConfigChunk.FLAG_FAST_PROPAGATE, 55, total, 0, sig));
        int queued = node.usage().queued();
        assertEquals(0, node.networkTable().onConfigChunk(OTHER.address().value(), chunk, false, 1, T + 1));
        assertEquals(queued + 1, node.usage().queued(), "to the third member only: not its sender, not the controller");
        node.networkTable().onConfigChunk(OTHER.address().value(), chunk, false, 2, T + 2);
        assertEquals(queued + 1, node.usage().queued(), "a duplicate is not passed on again");
    }
}
