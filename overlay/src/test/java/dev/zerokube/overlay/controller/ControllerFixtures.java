package dev.zerokube.overlay.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.identity.InvalidIdentityException;
import dev.zerokube.overlay.testing.Vectors;
import dev.zerokube.overlay.wire.credentials.Capability;
import dev.zerokube.overlay.wire.credentials.CertificateOfOwnership;
import dev.zerokube.overlay.wire.credentials.SignerLookup;
import dev.zerokube.overlay.wire.credentials.Tag;
import dev.zerokube.overlay.wire.credentials.VerifyResult;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import java.util.Map;

/** Shared helpers of the controller tests: JSON trees as the controller's map model, identities, signature checks. */
final class ControllerFixtures {
    private ControllerFixtures() {}

    /** A JSON object node as the {@code Map} model {@link ControllerJson} reads. */
    static Map<String, Object> map(JsonNode node) {
        return Vectors.json().convertValue(node, new TypeReference<Map<String, Object>>() {});
    }

    /** Compact JSON text of a map model value, for comparing objects with sorted keys. */
    static String text(Object value) {
        try {
            return Vectors.json().writeValueAsString(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static final Map<String, Identity> GENERATED = new java.util.HashMap<>();

    /** Generated identity genNN of identities.jsonl, with its private key (gen03 = 569957c763). */
    static synchronized Identity gen(int n) {
        if (GENERATED.isEmpty()) {
            for (JsonNode l : Vectors.read("identities.jsonl")) {
                if (l.get("category").asText().equals("valid_generated")) {
                    GENERATED.put(l.get("label").asText(), identity(l.get("identity").asText()));
                }
            }
        }
        return GENERATED.get(String.format("gen%02d", n));
    }

    static Identity identity(String text) {
        try {
            return Identity.parse(text.trim());
        } catch (InvalidIdentityException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Every credential of the config verifies with the controller identity and is issued to {@code member}. */
    static void assertSignedBy(Identity controller, NetworkConfig config) {
        SignerLookup lookup = a -> a.equals(controller.address()) ? controller.publicOnly() : null;
        assertEquals(VerifyResult.OK, config.certificateOfMembership().orElseThrow().verify(lookup), "COM");
        assertEquals(config.issuedTo(), config.certificateOfMembership().orElseThrow().issuedTo(), "COM issued to");
        for (Capability c : config.capabilities()) {
            assertEquals(VerifyResult.OK, c.verify(lookup), "capability " + c.id());
            assertEquals(config.issuedTo(), c.issuedTo(), "capability issued to");
        }
        for (Tag t : config.tags()) {
            assertEquals(VerifyResult.OK, t.verify(lookup), "tag " + t.id());
            assertEquals(config.issuedTo(), t.issuedTo(), "tag issued to");
        }
        for (CertificateOfOwnership c : config.certificatesOfOwnership()) {
            assertEquals(VerifyResult.OK, c.verify(lookup), "COO");
            assertEquals(config.issuedTo(), c.issuedTo(), "COO issued to");
        }
        assertTrue(config.certificatesOfOwnership().size() <= 1, "at most one COO");
    }
}
