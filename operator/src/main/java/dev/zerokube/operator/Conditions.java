package dev.zerokube.operator;

import dev.zerokube.operator.api.Condition;
import dev.zerokube.operator.api.ConditionStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Condition types and reasons of both kinds, and the one function that sets a condition
 * (KUBERNETES.md item 2): {@code lastTransitionTime} changes only when the status flips, so
 * writing the same condition twice writes nothing new.
 */
public final class Conditions {
    /** The data plane works: the network's controller serves it; the member is online with its config. */
    public static final String READY = "Ready";
    /** The spec could be read and accepted (rules compile, addresses parse, the network exists). */
    public static final String VALID = "Valid";
    /** The member may use the network (its spec says so, or the network is public). */
    public static final String AUTHORIZED = "Authorized";

    /** Reason: everything is as asked. */
    public static final String REASON_SERVING = "Serving";
    /** Reason: the spec was accepted. */
    public static final String REASON_ACCEPTED = "Accepted";
    /** Reason: the rules text does not compile. */
    public static final String REASON_RULES_INVALID = "RulesInvalid";
    /** Reason: an address, CIDR, pool or DNS setting is malformed or inconsistent. */
    public static final String REASON_SPEC_INVALID = "SpecInvalid";
    /** Reason: the network's ID is not assigned yet. */
    public static final String REASON_NETWORK_ID_PENDING = "NetworkIdPending";
    /** Reason: the network's ID belongs to another controller than this operator's identity. */
    public static final String REASON_CONTROLLER_MISMATCH = "ControllerIdentityMismatch";
    /** Reason: another controller serves this network (External mode). */
    public static final String REASON_EXTERNAL = "ExternalController";
    /** Reason: the Member names a network that does not exist or is not served. */
    public static final String REASON_NETWORK_NOT_FOUND = "NetworkNotFound";
    /** Reason: the member's network is not ready. */
    public static final String REASON_NETWORK_NOT_READY = "NetworkNotReady";
    /** Reason: the member is authorized. */
    public static final String REASON_AUTHORIZED = "Authorized";
    /** Reason: the member is authorized because the network is public. */
    public static final String REASON_PUBLIC_NETWORK = "PublicNetwork";
    /** Reason: the member waits for an administrator to set spec.authorized. */
    public static final String REASON_PENDING_AUTHORIZATION = "PendingAuthorization";
    /** Reason: the member's authorization was taken away and its credentials revoked. */
    public static final String REASON_REVOKED = "Revoked";
    /** Reason: the member has asked for its config recently. */
    public static final String REASON_ONLINE = "Online";
    /** Reason: the member has not asked for its config recently. */
    public static final String REASON_OFFLINE = "Offline";
    /** Reason: no free address was left in the network's pools. */
    public static final String REASON_POOL_EXHAUSTED = "IpPoolExhausted";

    private Conditions() {}

    /**
     * {@code conditions} with the condition of {@code type} set; the list is copied, the entry of
     * another type keep their place, a new type goes last.
     */
    public static List<Condition> set(List<Condition> conditions, String type, boolean status, String reason,
            String message, long observedGeneration, Instant now) {
        List<Condition> out = new ArrayList<>(conditions == null ? List.of() : conditions);
        ConditionStatus s = status ? ConditionStatus.True : ConditionStatus.False;
        Condition c = new Condition();
        c.setType(type);
        c.setStatus(s);
        c.setReason(reason);
        c.setMessage(message);
        c.setObservedGeneration(observedGeneration);
        for (int i = 0; i < out.size(); i++) {
            Condition old = out.get(i);
            if (type.equals(old.getType())) {
                c.setLastTransitionTime(old.getStatus() == s && old.getLastTransitionTime() != null
                        ? old.getLastTransitionTime() : now.toString());
                out.set(i, c);
                return out;
            }
        }
        c.setLastTransitionTime(now.toString());
        out.add(c);
        return out;
    }

    /** The condition of {@code type}, if present. */
    public static Optional<Condition> find(List<Condition> conditions, String type) {
        return conditions == null ? Optional.empty()
                : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    /** Whether the condition of {@code type} is present and True. */
    public static boolean isTrue(List<Condition> conditions, String type) {
        return find(conditions, type).map(c -> c.getStatus() == ConditionStatus.True).orElse(false);
    }
}
