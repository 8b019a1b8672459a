package dev.zerokube.overlay.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.controller.CredentialIssuer;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.Membership.AddResult;
import dev.zerokube.overlay.node.sim.SimIdentities;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.credentials.CertificateOfMembership;
import dev.zerokube.overlay.wire.credentials.CredentialType;
import dev.zerokube.overlay.wire.credentials.Revocation;
import dev.zerokube.overlay.wire.credentials.SignerLookup;
import dev.zerokube.overlay.wire.credentials.Tag;
import dev.zerokube.overlay.wire.netconf.ConfigRequestMetadata;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/*
 * Goal: the membership gate of a private network (ZT1-05 §7.3) and the credential store behind it
 * (§6.3, §7.2, §7.4) decide as 1.14.1 does: a peer counts as a member iff its COM, newer than its
 * revocation threshold, agrees with ours (timestamps within our max delta, same network, the
 * peer's own identity); public networks need nothing. Method: real credentials issued and signed
 * by the controller code (CredentialIssuer) for vector identities; one Network object as member A
 * sees it, fed COMs, tags and revocations, asked at the bounds.
 */
class MembershipGateTest {
    private static final Identity CONTROLLER = SimIdentities.get(0);
    private static final Identity A = SimIdentities.get(1);
    private static final Identity B = SimIdentities.get(2);
    private static final Identity X = SimIdentities.get(3);
    private static final NetworkId NWID = new NetworkId((CONTROLLER.address().value() << 24) | 1);
    private static final long T = 1_700_000_000_000L;
    private static final long CTMD = NetworkConfig.CREDENTIAL_TIME_MAX_DELTA_DEFAULT_MS;
    private static final CredentialIssuer ISSUER = new CredentialIssuer(CONTROLLER);
    private static final SignerLookup LOOKUP = a -> a.equals(CONTROLLER.address()) ? CONTROLLER.publicOnly() : null;

    private static Network network(int membershipsMax) {
        return new Network(NWID, A.address().value(), ConfigRequestMetadata.zeroTier1141("linux/x86_64"), membershipsMax);
    }

    private static NetworkConfig.Builder config(long ts) {
        return NetworkConfig.builder().networkId(NWID).timestampMs(ts).credentialTimeMaxDeltaMs(CTMD)
                .issuedTo(A.address()).certificateOfMembership(ISSUER.certificateOfMembership(ts, CTMD, NWID, A));
    }

    private static Network configured(long ts) {
        Network n = network(16);
        assertEquals(Network.ConfigOutcome.NEW, n.apply(config(ts).build(), 0));
        return n;
    }

    private static CertificateOfMembership com(Identity member, long ts) {
        return ISSUER.certificateOfMembership(ts, CTMD, NWID, member);
    }

    private static boolean gate(Network n, Identity peer) {
        return n.gate(peer.address().value(), peer.publicOnly());
    }

    @Test
    void noConfigNoMembers() {
        Network n = network(16);
        assertEquals(AddResult.ACCEPTED_NEW, n.addCom(com(B, T), LOOKUP));
        assertFalse(gate(n, B), "without a config of our own nobody passes");
    }

    @ParameterizedTest(name = "their COM at T{0}")
    @ValueSource(longs = {0, 1, -1, CTMD, -CTMD})
    void comsWithinOurMaxDeltaAgree(long delta) {
        Network n = configured(T);
        assertEquals(AddResult.ACCEPTED_NEW, n.addCom(com(B, T + delta), LOOKUP));
        assertTrue(gate(n, B));
    }

    @ParameterizedTest(name = "their COM at T{0}")
    @ValueSource(longs = {CTMD + 1, -CTMD - 1, 10 * CTMD})
    void comsBeyondOurMaxDeltaDoNot(long delta) {
        Network n = configured(T);
        assertEquals(AddResult.ACCEPTED_NEW, n.addCom(com(B, T + delta), LOOKUP), "stored, judged at use");
        assertFalse(gate(n, B));
    }

    @Test
    void aComIsBoundToItsMembersIdentity() {
        Network n = configured(T);
        n.addCom(com(B, T), LOOKUP);
        assertFalse(n.gate(B.address().value(), X.publicOnly()), "B's COM does not admit another identity at B's address");
        assertFalse(gate(n, X), "and nothing is held for X");
        assertTrue(gate(n, B));
    }

    @Test
    void privateNetworkWithoutOurComAdmitsNobody() {
        Network n = network(16);
        n.apply(NetworkConfig.builder().networkId(NWID).timestampMs(T).credentialTimeMaxDeltaMs(CTMD)
                .issuedTo(A.address()).build(), 0);
        n.addCom(com(B, T), LOOKUP);
        assertFalse(gate(n, B));
    }

    @Test
    void publicNetworkAdmitsEveryoneWithoutCredentials() {
        Network n = network(16);
        n.apply(NetworkConfig.builder().networkId(NWID).timestampMs(T).issuedTo(A.address())
                .type(NetworkConfig.TYPE_PUBLIC).build(), 0);
        assertTrue(gate(n, B));
        assertTrue(gate(n, X));
        assertEquals(2, n.membershipCount(), "passing a public gate creates the membership, as 1.14.1");
    }

    @Test
    void comRevocationClosesTheGateUntilANewerCom() {
        Network n = configured(T);
        n.addCom(com(B, T), LOOKUP);
        assertEquals(AddResult.ACCEPTED_NEW, n.addRevocation(revocation(B, T - 1), LOOKUP));
        assertTrue(gate(n, B), "a threshold below the COM's timestamp leaves it valid");
        assertEquals(AddResult.ACCEPTED_NEW, n.addRevocation(revocation(B, T), LOOKUP));
        assertFalse(gate(n, B), "threshold = COM timestamp revokes it (strictly greater is required)");
        assertEquals(AddResult.ACCEPTED_REDUNDANT, n.addRevocation(revocation(B, T), LOOKUP));
        assertEquals(AddResult.ACCEPTED_REDUNDANT, n.addRevocation(revocation(B, T - 5), LOOKUP), "lower: redundant");
        assertEquals(AddResult.REJECTED, n.addCom(com(B, T), LOOKUP), "a revoked COM cannot be presented again");
        assertEquals(AddResult.ACCEPTED_NEW, n.addCom(com(B, T + 1), LOOKUP), "re-authorized: a later COM");
        assertTrue(gate(n, B));
        assertTrue(gate(n, B) && !gate(n, X));
    }

    @Test
    void revocationsMustComeFromTheController() {
        Network n = configured(T);
        n.addCom(com(B, T), LOOKUP);
        Revocation forged = Revocation.unsigned(1, NWID, 0, T, Revocation.FLAG_FAST_PROPAGATE, B.address(),
                CredentialType.COM).sign(X);
        assertEquals(AddResult.REJECTED, n.addRevocation(forged, LOOKUP));
        assertEquals(AddResult.DEFERRED, n.addRevocation(revocation(B, T), a -> null), "signer unknown: WHOIS first");
        assertTrue(gate(n, B));
    }

    @Test
    void olderEqualUnknownAndForgedComs() {
        Network n = configured(T);
        assertEquals(AddResult.DEFERRED, n.addCom(com(B, T), a -> null));
        assertEquals(0, n.membershipCount(), "a credential not accepted makes no membership");
        CertificateOfMembership forged = CertificateOfMembership.issue(T, CTMD, NWID, B).sign(X);
        assertEquals(AddResult.REJECTED, n.addCom(forged, LOOKUP));
        assertEquals(0, n.membershipCount());
        assertEquals(AddResult.ACCEPTED_NEW, n.addCom(com(B, T + 10), LOOKUP));
        assertEquals(AddResult.ACCEPTED_REDUNDANT, n.addCom(com(B, T + 10), LOOKUP));
        assertEquals(AddResult.REJECTED, n.addCom(com(B, T + 9), LOOKUP), "older than the one held");
        assertEquals(T + 10, n.existingMembership(B.address().value()).certificateOfMembership().orElseThrow().timestampMs());
    }

    @Test
    void tagsAreValidWithinOurWindowAndUntilRevoked() {
        Network n = configured(T);
        Membership.AddResult r = n.addTag(ISSUER.tag(T + CTMD, NWID, B.address(), 7, 42), LOOKUP);
        assertEquals(AddResult.ACCEPTED_NEW, r);
        Membership m = n.existingMembership(B.address().value());
        assertEquals(42, m.tag(7, n.config()).orElseThrow().value());
        assertEquals(AddResult.ACCEPTED_NEW, n.addTag(ISSUER.tag(T + CTMD + 1, NWID, B.address(), 8, 1), LOOKUP));
        assertTrue(m.tag(8, n.config()).isEmpty(), "outside our config's window");
        assertEquals(AddResult.REJECTED, n.addTag(ISSUER.tag(T, NWID, B.address(), 7, 43), LOOKUP), "older");
        n.addCom(com(B, T), LOOKUP);
        Revocation tagRevocation = Revocation.unsigned(2, NWID, 7, T + CTMD, 0, B.address(), CredentialType.TAG)
                .sign(CONTROLLER);
        assertEquals(AddResult.ACCEPTED_NEW, n.addRevocation(tagRevocation, LOOKUP));
        assertTrue(m.tag(7, n.config()).isEmpty(), "revoked");
        assertFalse(gate(n, B), "quirk Q3: a tag revocation also sets the COM threshold");
        Tag later = ISSUER.tag(T + CTMD - 1, NWID, B.address(), 9, 5);
        assertEquals(AddResult.ACCEPTED_NEW, n.addTag(later, LOOKUP), "other ids are not revoked");
    }

    @Test
    void membershipTableIsBounded() {
        Network n = network(2);
        n.apply(config(T).build(), 0);
        assertEquals(AddResult.ACCEPTED_NEW, n.addCom(com(B, T), LOOKUP));
        assertEquals(AddResult.ACCEPTED_NEW, n.addCom(com(X, T), LOOKUP));
        assertEquals(AddResult.REJECTED, n.addCom(com(SimIdentities.get(4), T), LOOKUP));
        assertEquals(2, n.membershipCount());
        assertNull(n.membership(SimIdentities.get(5).address().value()));
    }

    @Test
    void configsAreTakenOnlyIfNewerAndOurs() {
        Network n = configured(T);
        assertEquals(Network.ConfigOutcome.SAME, n.apply(config(T).build(), 5));
        assertEquals(Network.ConfigOutcome.REFUSED, n.apply(config(T - 1).build(), 6), "older");
        assertEquals(Network.ConfigOutcome.REFUSED, n.apply(config(T + 1).issuedTo(B.address()).build(), 7), "not ours");
        assertEquals(Network.ConfigOutcome.REFUSED,
                n.apply(config(T + 1).networkId(new NetworkId(NWID.value() + 1)).build(), 8), "other network");
        assertEquals(Network.ConfigOutcome.NEW, n.apply(config(T).revision(3).name("x").build(), 9), "same time, later revision");
        assertEquals(Network.ConfigOutcome.NEW, n.apply(config(T + 1).build(), 10));
        n.fail(NetworkStatus.Status.ACCESS_DENIED);
        assertEquals(NetworkStatus.Status.ACCESS_DENIED, n.status(), "a refusal wins over the config held");
        assertTrue(n.snapshot().config().isPresent(), "which stays in force");
        n.apply(config(T + 2).build(), 11);
        assertEquals(NetworkStatus.Status.OK, n.status(), "a new config clears the failure");
    }

    private static Revocation revocation(Identity target, long thresholdMs) {
        return ISSUER.revokeCertificateOfMembership(1, NWID, target.address(), thresholdMs);
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    /** Bytes the thread allocates over 10 000 gate checks after 20 000 of warm-up. */
    private static long gateAllocation(Network n, Identity peer) {
        long address = peer.address().value();
        Identity id = peer.publicOnly();
        boolean all = true;
        for (int i = 0; i < 20_000; i++) {
            all &= n.gate(address, id);
        }
        long before = THREADS.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 10_000; i++) {
            all &= n.gate(address, id);
        }
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertTrue(all, "admitted every time");
        return allocated;
    }

    // The gate runs for every frame received: once decided it must cost neither an identity hash
    // nor an allocation (the verdict is recomputed only when the config, COM or threshold change).
    @Test
    void theGateAllocatesNothingPerFrame() {
        Network n = configured(T);
        n.addCom(com(B, T), LOOKUP);
        long allocated = gateAllocation(n, B);
        assertTrue(allocated < 1_000, allocated + " bytes allocated in 10000 private-network gate checks");
        Network pub = network(16);
        pub.apply(NetworkConfig.builder().networkId(NWID).timestampMs(T).issuedTo(A.address())
                .type(NetworkConfig.TYPE_PUBLIC).build(), 0);
        allocated = gateAllocation(pub, B);
        assertTrue(allocated < 1_000, allocated + " bytes allocated in 10000 public-network gate checks");
    }
}
