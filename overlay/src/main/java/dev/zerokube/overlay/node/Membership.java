package dev.zerokube.overlay.node;

import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.credentials.Capability;
import dev.zerokube.overlay.wire.credentials.CertificateOfMembership;
import dev.zerokube.overlay.wire.credentials.CertificateOfOwnership;
import dev.zerokube.overlay.wire.credentials.CredentialType;
import dev.zerokube.overlay.wire.credentials.Revocation;
import dev.zerokube.overlay.wire.credentials.SignerLookup;
import dev.zerokube.overlay.wire.credentials.Tag;
import dev.zerokube.overlay.wire.credentials.VerifyResult;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What we hold about one other member of one network (ZT1-05 §7, 1.14.1's {@code Membership}): its
 * latest accepted COM, tags, capabilities and COOs, the revocation thresholds the controller sent
 * for it, and when we last pushed our own credentials to it. The network id of every credential
 * was checked by the caller ({@link Network}); signatures are checked here, against the
 * controller through a {@link SignerLookup}.
 *
 * <p>Nothing is removed when it goes stale or is revoked: stale or revoked credentials simply stop
 * counting at use ({@link #isAllowedOnNetwork}, {@link #tag}, ...), as in 1.14.1.
 */
final class Membership {
    /** Outcome of adding a credential (1.14.1's {@code AddCredentialResult}, ZT1-05 §1.5). */
    enum AddResult {
        REJECTED,
        ACCEPTED_NEW,
        ACCEPTED_REDUNDANT,
        /** The signer's identity is unknown: ask WHOIS and try again. */
        DEFERRED
    }

    final long address;
    private CertificateOfMembership com;
    private long comRevocationThresholdMs;
    /** Key {@code (type << 32) | credential id} → threshold, for capabilities, tags and COOs. */
    private final Map<Long, Long> revocationThresholds = new HashMap<>();
    private final Map<Long, Tag> tags = new HashMap<>();
    private final Map<Long, Capability> capabilities = new HashMap<>();
    private final Map<Long, CertificateOfOwnership> coos = new HashMap<>();
    /** Our last credential push to this member (local clock). */
    long lastPushedCredentialsMs = Timing.NEVER_MS;
    // The gate's last verdict and what it was computed from: agreement hashes the member's
    // identity (SHA-384), too much for every frame, and its inputs change only with a config,
    // a COM or a revocation (all replaced, never mutated, so identity comparison suffices).
    private NetworkConfig gateConfig;
    private CertificateOfMembership gateCom;
    private Identity gateIdentity;
    private long gateThresholdMs;
    private boolean gateVerdict;
    /** Bumped whenever a credential or threshold held here changes, so derived views can be cached. */
    int changes;

    Membership(long address) {
        this.address = address;
    }

    /** ZT1-05 §7.2: not revoked, not older than the one held, then verified. */
    AddResult addCom(CertificateOfMembership c, SignerLookup lookup) {
        long ts = c.timestampMs();
        if (ts <= comRevocationThresholdMs) {
            return AddResult.REJECTED;
        }
        if (com != null) {
            if (ts < com.timestampMs()) {
                return AddResult.REJECTED;
            }
            if (com.equals(c)) {
                return AddResult.ACCEPTED_REDUNDANT;
            }
        }
        AddResult r = verified(c.verify(lookup));
        if (r == AddResult.ACCEPTED_NEW) {
            com = c;
            changes++;
        }
        return r;
    }

    AddResult addTag(Tag t, SignerLookup lookup) {
        return addKeyed(tags, CredentialType.TAG, t.id(), t.timestampMs(), t, NetworkConfig.TAGS_MAX,
                () -> t.verify(lookup));
    }

    AddResult addCapability(Capability c, SignerLookup lookup) {
        return addKeyed(capabilities, CredentialType.CAPABILITY, c.id(), c.timestampMs(), c,
                NetworkConfig.CAPABILITIES_MAX, () -> c.verify(lookup));
    }

    AddResult addCertificateOfOwnership(CertificateOfOwnership c, SignerLookup lookup) {
        return addKeyed(coos, CredentialType.COO, c.id(), c.timestampMs(), c,
                NetworkConfig.CERTIFICATES_OF_OWNERSHIP_MAX, () -> c.verify(lookup));
    }

    /**
     * ZT1-05 §6.3: a verified revocation raises the COM threshold (COM), or the threshold of one
     * capability, tag or COO, which (1.14.1 quirk Q3) also sets the COM threshold.
     */
    AddResult addRevocation(Revocation r, SignerLookup lookup) {
        CredentialType type = r.type();
        if (type != CredentialType.COM && type != CredentialType.CAPABILITY && type != CredentialType.TAG
                && type != CredentialType.COO) {
            return AddResult.REJECTED;
        }
        AddResult v = verified(r.verify(lookup));
        if (v != AddResult.ACCEPTED_NEW) {
            return v;
        }
        changes++;
        long threshold = r.thresholdMs();
        if (type == CredentialType.COM) {
            if (threshold > comRevocationThresholdMs) {
                comRevocationThresholdMs = threshold;
                return AddResult.ACCEPTED_NEW;
            }
            return AddResult.ACCEPTED_REDUNDANT;
        }
        long key = revocationKey(type, r.credentialId());
        Long held = revocationThresholds.get(key);
        if (held == null || held < threshold) {
            if (held == null && revocationThresholds.size() >= REVOCATIONS_MAX) {
                return AddResult.REJECTED;
            }
            revocationThresholds.put(key, threshold);
            comRevocationThresholdMs = threshold;
            return AddResult.ACCEPTED_NEW;
        }
        return AddResult.ACCEPTED_REDUNDANT;
    }

    /**
     * The gate for a private network (ZT1-05 §7.3): the held COM is newer than its revocation
     * threshold and {@code ours} agrees with it for the member's identity.
     */
    boolean isAllowedOnNetwork(NetworkConfig ourConfig, Identity theirIdentity) {
        if (ourConfig == gateConfig && com == gateCom && theirIdentity == gateIdentity
                && comRevocationThresholdMs == gateThresholdMs) {
            return gateVerdict;
        }
        Optional<CertificateOfMembership> ours = ourConfig.certificateOfMembership();
        gateVerdict = com != null && com.timestampMs() > comRevocationThresholdMs && ours.isPresent()
                && ours.get().agreesWith(com, theirIdentity);
        gateConfig = ourConfig;
        gateCom = com;
        gateIdentity = theirIdentity;
        gateThresholdMs = comRevocationThresholdMs;
        return gateVerdict;
    }

    /** The member's COM as held (it may be stale or revoked), if any. */
    Optional<CertificateOfMembership> certificateOfMembership() {
        return Optional.ofNullable(com);
    }

    /** The COM revocation threshold (0: none). */
    long comRevocationThresholdMs() {
        return comRevocationThresholdMs;
    }

    /** The member's tag with this id if it is time-valid against {@code ourConfig} (ZT1-05 §7.4). */
    Optional<Tag> tag(long id, NetworkConfig ourConfig) {
        Tag t = tags.get(id);
        return t != null && isTimestampValid(ourConfig, CredentialType.TAG, id, t.timestampMs()) ? Optional.of(t)
                : Optional.empty();
    }

    /** Every time-valid tag, in no particular order. */
    List<Tag> tags(NetworkConfig ourConfig) {
        List<Tag> out = new ArrayList<>();
        for (Tag t : tags.values()) {
            if (isTimestampValid(ourConfig, CredentialType.TAG, t.id(), t.timestampMs())) {
                out.add(t);
            }
        }
        return out;
    }

    /** Every time-valid capability the member presented, ascending by id. */
    List<Capability> capabilities(NetworkConfig ourConfig) {
        List<Capability> out = new ArrayList<>();
        for (Capability c : capabilities.values()) {
            if (isTimestampValid(ourConfig, CredentialType.CAPABILITY, c.id(), c.timestampMs())) {
                out.add(c);
            }
        }
        out.sort((a, b) -> Long.compare(a.id(), b.id()));
        return out;
    }

    /** Every time-valid certificate of ownership. */
    List<CertificateOfOwnership> certificatesOfOwnership(NetworkConfig ourConfig) {
        List<CertificateOfOwnership> out = new ArrayList<>();
        for (CertificateOfOwnership c : coos.values()) {
            if (isTimestampValid(ourConfig, CredentialType.COO, c.id(), c.timestampMs())) {
                out.add(c);
            }
        }
        return out;
    }

    /** Revocation thresholds per (type, id) held beyond this are refused (the controller never sends them). */
    static final int REVOCATIONS_MAX = 1024;

    private interface Verification {
        VerifyResult run();
    }

    private <C> AddResult addKeyed(Map<Long, C> held, CredentialType type, long id, long timestampMs, C credential,
            int max, Verification verification) {
        C old = held.get(id);
        if (old != null) {
            if (timestampOf(old) > timestampMs) {
                return AddResult.REJECTED;
            }
            if (old.equals(credential)) {
                return AddResult.ACCEPTED_REDUNDANT;
            }
        } else if (held.size() >= max) {
            return AddResult.REJECTED;
        }
        Long threshold = revocationThresholds.get(revocationKey(type, id));
        if (threshold != null && threshold >= timestampMs) {
            return AddResult.REJECTED;
        }
        AddResult r = verified(verification.run());
        if (r == AddResult.ACCEPTED_NEW) {
            held.put(id, credential);
            changes++;
        }
        return r;
    }

    private static long timestampOf(Object credential) {
        return switch (credential) {
            case Tag t -> t.timestampMs();
            case Capability c -> c.timestampMs();
            case CertificateOfOwnership c -> c.timestampMs();
            default -> throw new IllegalStateException("not a keyed credential: " + credential);
        };
    }

    private boolean isTimestampValid(NetworkConfig ourConfig, CredentialType type, long id, long timestampMs) {
        long delta = Math.abs(timestampMs - ourConfig.timestampMs());
        if (delta > ourConfig.credentialTimeMaxDeltaMs()) {
            return false;
        }
        Long threshold = revocationThresholds.get(revocationKey(type, id));
        return threshold == null || timestampMs > threshold;
    }

    private static long revocationKey(CredentialType type, long id) {
        return ((long) type.code() << 32) | id;
    }

    private static AddResult verified(VerifyResult v) {
        return switch (v) {
            case OK -> AddResult.ACCEPTED_NEW;
            case SIGNER_UNKNOWN -> AddResult.DEFERRED;
            default -> AddResult.REJECTED;
        };
    }
}
