package dev.zerokube.overlay.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Goal: POST bodies become the records 1.14.1's API would store (normalized, revision untouched),
 * with zerokube's stricter refusals. Method: apply bodies (maps as a JSON parser gives them) to
 * stored records and compare fields; the HTTP-level cases are in ControllerHttpApiTest.
 */
class ApiInputTest {
    static final NetworkId NWID = NetworkId.parse("1d939ff884000001");
    static final Address A = Address.parse("7202a77aad");
    static final NetworkSummary EMPTY = NetworkSummary.of(List.of());

    @Test
    void networkFieldsAreNormalized() throws ApiInputException {
        NetworkRecord stored = NetworkRecord.builder(NWID, 5).revision(3).v6AssignMode(new V6AssignMode(true, false, false))
                .build();
        NetworkRecord n = ApiInput.applyToNetwork(NWID, Optional.of(stored), Map.of(
                "name", "x", "v6AssignMode", Map.of("6plane", true), "mtu", "1400",
                "routes", List.of(Map.of("target", "fd00::/64")),
                "tags", List.of(Map.of("id", 9L, "default", 1L), Map.of("id", 2L)),
                "capabilities", List.of(Map.of("id", 7L, "rules", List.of(Map.of("type", "ACTION_DROP")))),
                "revision", 99L, "id", "ffffffffffffffff"), 1000);
        assertEquals(3, n.revision(), "revision is the store's business");
        assertEquals(NWID, n.id(), "id comes from the path");
        assertEquals(5, n.creationTimeMs());
        assertEquals(new V6AssignMode(true, true, false), n.v6AssignMode(), "a partial object changes only its keys");
        assertEquals(1400, n.mtu());
        assertEquals(64, n.routes().getFirst().prefixBits());
        assertEquals(List.of(2L, 9L), n.tags().stream().map(TagDefinition::id).toList(), "sorted by id");
        assertEquals(1, n.capabilities().getFirst().rules().size());
    }

    @Test
    void newNetworkGetsDefaultsAndRulesSourceCompiles() throws ApiInputException {
        NetworkRecord n = ApiInput.applyToNetwork(NWID, Optional.empty(), Map.of("rulesSource",
                "tag dept id 1000 default 5;\ncap ssh id 1 accept ipprotocol tcp and dport 22; ;\naccept;\n"), 1234);
        assertEquals(1234, n.creationTimeMs());
        assertTrue(n.privateNetwork());
        assertEquals(2800, n.mtu());
        assertEquals(List.of(1000L), n.tags().stream().map(TagDefinition::id).toList());
        assertEquals(List.of(1L), n.capabilities().stream().map(CapabilityDefinition::id).toList());
        assertFalse(n.rulesSource().isEmpty());
        ApiInputException e = assertThrows(ApiInputException.class,
                () -> ApiInput.applyToNetwork(NWID, Optional.empty(), Map.of("rulesSource", "accept;\nbogus;\n"), 0));
        assertEquals("rulesSource", e.field());
        assertEquals(2, e.line().orElseThrow());
    }

    @Test
    void memberFieldsAndAuthorization() throws ApiInputException {
        MemberRecord m = ApiInput.applyToMember(NWID, A, Optional.empty(), Map.of("authorized", true,
                "tags", List.of(List.of(5L, 1L), List.of(3L, 2L), List.of(5L, 9L)), "capabilities", List.of(4L, 1L, 4L),
                "ipAssignments", List.of("10.0.0.1/24", "fd00::1"), "vMajor", 1L), EMPTY, 77);
        assertTrue(m.authorized());
        assertEquals(77, m.lastAuthorizedTimeMs());
        assertEquals(Optional.of("api"), m.lastAuthorizedCredentialType());
        assertEquals(List.of(new MemberTag(3, 2), new MemberTag(5, 9)), m.tags(), "sorted, last value wins");
        assertEquals(List.of(1L, 4L), m.capabilities());
        assertEquals(List.of("10.0.0.1", "fd00::1"), m.ipAssignments().stream().map(InetEndpoint::ipString).toList());
        MemberRecord deauth = ApiInput.applyToMember(NWID, A, Optional.of(m), Map.of("authorized", false), EMPTY, 88);
        assertEquals(88, deauth.lastDeauthorizedTimeMs());
        assertEquals(77, deauth.lastAuthorizedTimeMs());
        // The member's own IP is not "taken"; another member's is.
        NetworkSummary taken = new NetworkSummary(List.of(), Set.of(InetEndpoint.of(new byte[] {10, 0, 0, 1}, 0)));
        ApiInput.applyToMember(NWID, A, Optional.of(m), Map.of("ipAssignments", List.of("10.0.0.1")), taken, 99);
        assertThrows(ApiInputException.class,
                () -> ApiInput.applyToMember(NWID, A, Optional.empty(), Map.of("ipAssignments", List.of("10.0.0.1")), taken, 99));
    }
}
