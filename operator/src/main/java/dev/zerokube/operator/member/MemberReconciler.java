package dev.zerokube.operator.member;

import dev.zerokube.operator.Conditions;
import dev.zerokube.operator.EventRecorder;
import dev.zerokube.operator.ReportedTransitions;
import dev.zerokube.operator.api.Condition;
import dev.zerokube.operator.api.WellKnownNames;
import dev.zerokube.operator.api.member.Member;
import dev.zerokube.operator.api.member.MemberStatus;
import dev.zerokube.operator.api.network.ZeroTierNetwork;
import dev.zerokube.operator.controller.EmbeddedController;
import dev.zerokube.operator.controller.KubernetesPolicyStore;
import dev.zerokube.overlay.controller.MemberRecord;
import dev.zerokube.overlay.controller.NetworkRecord;
import dev.zerokube.overlay.controller.PolicyChange;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Reconciles a Member, in named steps that are each safe to repeat:
 *
 * <ol>
 *   <li>the network: it must exist and be served, else Valid/Ready False (checked again later);
 *   <li>{@link #authorization}: condition Authorized from the member record (spec.authorized, or
 *       a public network); status.revoked once the controller has revoked it; an event on each
 *       change;
 *   <li>{@link #addresses}: for an authorized member the controller assigns its addresses now
 *       (its allocator, serialized on the controller thread) and writes status.ipAssignments, so
 *       the node agent can configure a pod before its node asks; an exhausted pool is a Warning
 *       event and the Ready reason;
 *   <li>Ready: authorized, addressed and online (status.online, written from the controller's
 *       request records by {@link KubernetesPolicyStore#flushRequestStatus}).
 * </ol>
 * Only the fields this reconciler owns are patched (revoked, observedGeneration, conditions), and
 * only when they differ. A finalizer ({@link WellKnownNames#FINALIZER_REVOKE}, never one on a Pod)
 * holds a deleted Member until the controller has revoked it ({@link #cleanup}).
 */
@ControllerConfiguration(name = "member", finalizerName = WellKnownNames.REVOKE_FINALIZER,
        generationAwareEventProcessing = false)
public final class MemberReconciler implements Reconciler<Member>, Cleaner<Member> {
    /** How long a reconcile waits for the controller thread. */
    static final Duration CONTROLLER_TIMEOUT = Duration.ofSeconds(10);
    /** When the network is missing or not served yet, look again this much later. */
    static final Duration NETWORK_RECHECK = Duration.ofSeconds(15);

    private final KubernetesClient client;
    private final KubernetesPolicyStore store;
    private final EmbeddedController controller;
    private final EventRecorder events;
    private final Clock clock;
    private final ReportedTransitions reported = new ReportedTransitions();

    public MemberReconciler(KubernetesClient client, KubernetesPolicyStore store, EmbeddedController controller,
            EventRecorder events, Clock clock) {
        this.client = client;
        this.store = store;
        this.controller = controller;
        this.events = events;
        this.clock = clock;
    }

    @Override
    public UpdateControl<Member> reconcile(Member member, Context<Member> context) throws Exception {
        MemberStatus old = member.getStatus() == null ? new MemberStatus() : member.getStatus();
        long generation = Optional.ofNullable(member.getMetadata().getGeneration()).orElse(0L);
        Instant now = clock.instant();
        List<Condition> conditions = old.getConditions();
        Boolean revoked = old.getRevoked();

        String networkName = member.getSpec() == null ? null : member.getSpec().getNetwork();
        Optional<ZeroTierNetwork> network = networkName == null ? Optional.empty() : store.networkNamed(networkName);
        Optional<NetworkRecord> served = network.flatMap(store::served);
        Optional<MemberRecord> record = store.record(member);
        boolean recheck = false;
        if (network.isEmpty()) {
            String message = "ZeroTierNetwork " + networkName + " does not exist";
            conditions = Conditions.set(conditions, Conditions.VALID, false, Conditions.REASON_NETWORK_NOT_FOUND,
                    message, generation, now);
            conditions = Conditions.set(conditions, Conditions.READY, false, Conditions.REASON_NETWORK_NOT_FOUND,
                    message, generation, now);
            recheck = true;
        } else if (served.isEmpty() || record.isEmpty()) {
            String message = served.isEmpty() ? "ZeroTierNetwork " + networkName + " is not served by this operator yet"
                    : "spec.address " + member.getSpec().getAddress() + " is not a valid ZeroTier address";
            conditions = Conditions.set(conditions, Conditions.VALID, served.isPresent() ? false : true,
                    served.isPresent() ? Conditions.REASON_SPEC_INVALID : Conditions.REASON_ACCEPTED,
                    served.isPresent() ? message : "the spec is accepted", generation, now);
            conditions = Conditions.set(conditions, Conditions.READY, false,
                    served.isPresent() ? Conditions.REASON_SPEC_INVALID : Conditions.REASON_NETWORK_NOT_READY,
                    message, generation, now);
            recheck = served.isEmpty();
        } else {
            NetworkId nwid = served.get().id();
            MemberRecord r = record.get();
            conditions = Conditions.set(conditions, Conditions.VALID, true, Conditions.REASON_ACCEPTED,
                    "member " + r.address() + " of network " + nwid, generation, now);
            boolean wasRevoked = controller.revokedAtMs(nwid, r.address()).isPresent();
            revoked = r.authorized() ? Boolean.FALSE
                    : (wasRevoked || Boolean.TRUE.equals(old.getRevoked())) ? Boolean.TRUE : old.getRevoked();
            conditions = authorization(member, r, served.get(), Boolean.TRUE.equals(revoked), conditions, generation, now);
            Optional<String> addressProblem = r.authorized() ? addresses(member, nwid, served.get(), conditions) : Optional.empty();
            boolean online = member.getStatus() != null && Boolean.TRUE.equals(member.getStatus().getOnline());
            if (!r.authorized()) {
                conditions = Conditions.set(conditions, Conditions.READY, false,
                        Boolean.TRUE.equals(revoked) ? Conditions.REASON_REVOKED : Conditions.REASON_PENDING_AUTHORIZATION,
                        "the member is not authorized", generation, now);
            } else if (addressProblem.isPresent()) {
                conditions = Conditions.set(conditions, Conditions.READY, false, Conditions.REASON_POOL_EXHAUSTED,
                        addressProblem.get(), generation, now);
            } else if (!online) {
                conditions = Conditions.set(conditions, Conditions.READY, false, Conditions.REASON_OFFLINE,
                        "authorized; the node has not asked the controller for its configuration in the last 120 s",
                        generation, now);
            } else {
                conditions = Conditions.set(conditions, Conditions.READY, true, Conditions.REASON_ONLINE,
                        "online with its configuration", generation, now);
            }
        }

        if (!Objects.equals(old.getConditions(), conditions) || !Objects.equals(old.getRevoked(), revoked)
                || !Objects.equals(old.getObservedGeneration(), generation)) {
            // A JSON patch of only the fields this reconciler owns, against a fresh read: the
            // controller's status.ipAssignments and the request fields are left as they are.
            List<Condition> c = conditions;
            Boolean r = revoked;
            client.resources(Member.class).inNamespace(member.getMetadata().getNamespace())
                    .withName(member.getMetadata().getName()).editStatus(fresh -> {
                        MemberStatus s = fresh.getStatus() == null ? new MemberStatus() : fresh.getStatus();
                        s.setConditions(c);
                        s.setRevoked(r);
                        s.setObservedGeneration(generation);
                        fresh.setStatus(s);
                        return fresh;
                    });
        }
        UpdateControl<Member> control = UpdateControl.noUpdate();
        return recheck ? control.rescheduleAfter(NETWORK_RECHECK) : control;
    }

    /** Step 2: condition Authorized and its events. */
    private List<Condition> authorization(Member member, MemberRecord r, NetworkRecord network, boolean revoked,
            List<Condition> conditions, long generation, Instant now) {
        boolean before = Conditions.isTrue(conditions, Conditions.AUTHORIZED);
        boolean known = Conditions.find(conditions, Conditions.AUTHORIZED).isPresent();
        if (r.authorized()) {
            if (!before && reported.firstReport(member, Conditions.AUTHORIZED, Conditions.REASON_AUTHORIZED)) {
                events.record(member, EventRecorder.Type.Normal, Conditions.REASON_AUTHORIZED, "Authorize",
                        "member " + r.address() + " is authorized on network " + network.id());
            }
            boolean byPublic = !network.privateNetwork() && !Boolean.TRUE.equals(member.getSpec().getAuthorized());
            return Conditions.set(conditions, Conditions.AUTHORIZED, true,
                    byPublic ? Conditions.REASON_PUBLIC_NETWORK : Conditions.REASON_AUTHORIZED,
                    byPublic ? "the network is public" : "spec.authorized is true", generation, now);
        }
        String reason = revoked ? Conditions.REASON_REVOKED : Conditions.REASON_PENDING_AUTHORIZATION;
        Optional<Condition> c = Conditions.find(conditions, Conditions.AUTHORIZED);
        if ((before || !known || !reason.equals(c.map(Condition::getReason).orElse("")))
                && reported.firstReport(member, Conditions.AUTHORIZED, reason)) {
            events.record(member, revoked ? EventRecorder.Type.Normal : EventRecorder.Type.Normal, reason,
                    revoked ? "Revoke" : "Admit",
                    revoked ? "member " + r.address() + " was deauthorized; the controller revoked its credentials"
                            : "member " + r.address() + " waits for authorization (set spec.authorized: true)");
        }
        return Conditions.set(conditions, Conditions.AUTHORIZED, false, reason,
                revoked ? "deauthorized; the controller issued a Revocation" : "set spec.authorized: true to admit it",
                generation, now);
    }

    /**
     * Step 3: addresses assigned by the controller; a problem message if the network assigns
     * from pools and none was left.
     */
    private Optional<String> addresses(Member member, NetworkId nwid, NetworkRecord network, List<Condition> conditions)
            throws Exception {
        Optional<MemberRecord> after = controller.assignAddresses(nwid, store.record(member).orElseThrow().address())
                .get(CONTROLLER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        boolean wantsPool = network.v4AssignZt() && !Boolean.TRUE.equals(member.getSpec().getNoAutoAssignIps())
                && (member.getSpec().getIpAssignments() == null || member.getSpec().getIpAssignments().isEmpty())
                && !network.ipAssignmentPools().isEmpty();
        if (wantsPool && after.isPresent() && after.get().ipAssignments().stream().noneMatch(InetEndpoint::isIpv4)) {
            String message = "no free address left in the IPv4 pools of network " + nwid;
            if (!Conditions.REASON_POOL_EXHAUSTED.equals(Conditions.find(conditions, Conditions.READY)
                    .map(Condition::getReason).orElse(""))
                    && reported.firstReport(member, Conditions.READY, Conditions.REASON_POOL_EXHAUSTED)) {
                events.record(member, EventRecorder.Type.Warning, Conditions.REASON_POOL_EXHAUSTED, "AssignAddress", message);
            }
            return Optional.of(message);
        }
        reported.reset(member, Conditions.READY);
        return Optional.empty();
    }

    @Override
    public DeleteControl cleanup(Member member, Context<Member> context) throws Exception {
        Optional<MemberRecord> record = store.recordBeforeDeletion(member);
        if (record.isPresent() && record.get().authorized()) {
            controller.onPolicyChange(new PolicyChange.MemberDeleted(record.get()))
                    .get(CONTROLLER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            store.revokedDeletion(member);
            events.record(member, EventRecorder.Type.Normal, Conditions.REASON_REVOKED, "Revoke",
                    "member " + record.get().address() + " deleted; the controller revoked its credentials");
        }
        reported.forget(member);
        return DeleteControl.defaultDelete();
    }
}
