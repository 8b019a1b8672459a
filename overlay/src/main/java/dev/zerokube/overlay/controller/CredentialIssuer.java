package dev.zerokube.overlay.controller;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.credentials.Capability;
import dev.zerokube.overlay.wire.credentials.CertificateOfMembership;
import dev.zerokube.overlay.wire.credentials.CertificateOfOwnership;
import dev.zerokube.overlay.wire.credentials.CredentialType;
import dev.zerokube.overlay.wire.credentials.Revocation;
import dev.zerokube.overlay.wire.credentials.Tag;
import dev.zerokube.overlay.wire.rules.RuleCodec;
import dev.zerokube.overlay.wire.rules.RuleEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Signs what a controller issues (ZT1-09 §4.4, §4.12, §4.13, §5.4; formats in ZT1-05), each with
 * the controller's own identity, whose address is the top 40 bits of every network id it serves.
 * Every credential of one config carries the same timestamp, the config's {@code ts}.
 */
public final class CredentialIssuer {
    /** The single COO of a config has this id. */
    public static final long CERTIFICATE_OF_OWNERSHIP_ID = 1;

    private final Identity controller;

    /** @param controller the controller identity, with its private key */
    public CredentialIssuer(Identity controller) {
        Objects.requireNonNull(controller, "controller");
        if (!controller.hasPrivate()) {
            throw new IllegalArgumentException("the controller identity needs its private key to sign");
        }
        this.controller = controller;
    }

    public Identity controller() {
        return controller;
    }

    /**
     * The member's COM: timestamp (max delta = the credential window), network id, issued-to and
     * the four identity-hash qualifiers (ZT1-09 §4.13).
     */
    public CertificateOfMembership certificateOfMembership(long nowMs, long credentialTimeMaxDeltaMs, NetworkId networkId,
            Identity member) {
        return CertificateOfMembership.issue(nowMs, credentialTimeMaxDeltaMs, networkId, member).sign(controller);
    }

    /**
     * The config's one COO (id 1) over its static IPs in order; 1.14.1 certifies only the first 16
     * (quirk Q11).
     */
    public CertificateOfOwnership certificateOfOwnership(long nowMs, NetworkId networkId, Address member,
            List<InetEndpoint> staticIps) {
        List<CertificateOfOwnership.Thing> things = new ArrayList<>();
        for (InetEndpoint ip : staticIps) {
            if (things.size() == CertificateOfOwnership.THINGS_MAX) {
                break;
            }
            things.add(CertificateOfOwnership.Thing.of(ip));
        }
        return CertificateOfOwnership.unsigned(networkId, nowMs, CERTIFICATE_OF_OWNERSHIP_ID, things, member)
                .sign(controller);
    }

    /** A tag for the member. */
    public Tag tag(long nowMs, NetworkId networkId, Address member, long id, long value) {
        return Tag.unsigned(networkId, nowMs, id, value, member).sign(controller);
    }

    /**
     * A capability handed to the member (one custody entry, chain length 1) with the first 64 of
     * {@code rules}.
     */
    public Capability capability(long nowMs, NetworkId networkId, Address member, long id, List<RuleEntry> rules) {
        List<RuleEntry> first = rules.subList(0, Math.min(rules.size(), RuleCodec.CAPABILITY_ENTRIES_MAX));
        return Capability.unsigned(networkId, nowMs, id, first).sign(controller, member);
    }

    /**
     * The revocation of every COM of {@code target} issued at or before {@code thresholdMs}
     * (credential id 0, fast propagation on; ZT1-09 §5.4).
     *
     * @param id a random 32-bit id (receivers do not use it)
     */
    public Revocation revokeCertificateOfMembership(long id, NetworkId networkId, Address target, long thresholdMs) {
        return Revocation.unsigned(id, networkId, 0, thresholdMs, Revocation.FLAG_FAST_PROPAGATE, target,
                CredentialType.COM).sign(controller);
    }
}
