package dev.zerokube.operator.network;

import dev.zerokube.operator.Conditions;
import dev.zerokube.operator.EventRecorder;
import dev.zerokube.operator.ReportedTransitions;
import dev.zerokube.operator.api.Condition;
import dev.zerokube.operator.api.member.Member;
import dev.zerokube.operator.api.network.ControllerMode;
import dev.zerokube.operator.api.network.MemberCounts;
import dev.zerokube.operator.api.network.ZeroTierNetwork;
import dev.zerokube.operator.api.network.ZeroTierNetworkStatus;
import dev.zerokube.operator.controller.KubernetesPolicyStore;
import dev.zerokube.operator.controller.NetworkSpecReader;
import dev.zerokube.overlay.controller.MemberRecord;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.NetworkId;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Reconciles a ZeroTierNetwork, in named steps that are each safe to repeat:
 *
 * <ol>
 *   <li>{@link #networkId}: Embedded mode keeps status.networkId, or allocates one (controller
 *       address + 24 random bits, unique among existing networks); External mode takes
 *       spec.controller.networkId. Never changed once set, whatever the spec says later.
 *   <li>{@link #validity}: what {@link NetworkSpecReader} makes of the spec; a spec that does not
 *       compile or parse is condition Valid=False with the reader's message and one Warning event
 *       when it becomes invalid, never an exception (so no retry loop).
 *   <li>{@link #memberCounts}: total, authorized and online Members, from the store's cache.
 *   <li>Ready: True when the embedded controller serves the network (valid, ID assigned and owned
 *       by this controller's identity).
 * </ol>
 * The status is patched (JSON merge, status subresource) only when it differs. Member events
 * trigger a reconcile of their network through {@link #memberEvents} so counts follow.
 */
@ControllerConfiguration(name = "zerotiernetwork", generationAwareEventProcessing = false)
public final class ZeroTierNetworkReconciler implements Reconciler<ZeroTierNetwork> {
    private final KubernetesClient client;
    private final KubernetesPolicyStore store;
    private final NetworkIdAllocator allocator;
    private final Address controller;
    private final EventRecorder events;
    private final Clock clock;
    /**
     * Validity transitions already reported. Networks have no cleaner, so a deleted network's entry
     * stays until restart: one small entry per deleted network, networks being few.
     */
    private final ReportedTransitions reported = new ReportedTransitions();
    private final SimpleInboundEventSource<ZeroTierNetwork> memberEvents = new SimpleInboundEventSource<>("members");

    public ZeroTierNetworkReconciler(KubernetesClient client, KubernetesPolicyStore store, NetworkIdAllocator allocator,
            Address controller, EventRecorder events, Clock clock) {
        this.client = client;
        this.store = store;
        this.allocator = allocator;
        this.controller = controller;
        this.events = events;
        this.clock = clock;
    }

    /** Asks for a reconcile of the named network (its members changed). */
    public void onMembersChanged(String networkName) {
        memberEvents.propagateEvent(new ResourceID(networkName));
    }

    @Override
    public List<EventSource<?, ZeroTierNetwork>> prepareEventSources(EventSourceContext<ZeroTierNetwork> context) {
        return List.of(memberEvents);
    }

    @Override
    public UpdateControl<ZeroTierNetwork> reconcile(ZeroTierNetwork network, Context<ZeroTierNetwork> context) {
        ZeroTierNetworkStatus old = network.getStatus();
        ZeroTierNetworkStatus status = old == null ? new ZeroTierNetworkStatus() : Serialization.clone(old);
        long generation = Optional.ofNullable(network.getMetadata().getGeneration()).orElse(0L);
        Instant now = clock.instant();
        List<Condition> conditions = status.getConditions();

        Optional<NetworkId> id = networkId(network, status);
        boolean external = isExternal(network);
        id.ifPresent(i -> {
            status.setNetworkId(i.toString());
            status.setControllerAddress(i.controller().toString());
        });

        NetworkSpecReader.Reading reading = NetworkSpecReader.read(network, id.orElse(new NetworkId(controller.value() << 24)));
        boolean valid = reading instanceof NetworkSpecReader.Reading.Valid;
        conditions = validity(network, reading, conditions, generation, now);

        status.setMembers(memberCounts(network, now.toEpochMilli()));

        boolean owned = id.isPresent() && id.get().controller().equals(controller);
        if (external) {
            conditions = Conditions.set(conditions, Conditions.READY, false, Conditions.REASON_EXTERNAL,
                    "network " + id.map(NetworkId::toString).orElse("?") + " is served by another controller; this "
                            + "operator does not answer for it", generation, now);
        } else if (id.isEmpty()) {
            conditions = Conditions.set(conditions, Conditions.READY, false, Conditions.REASON_NETWORK_ID_PENDING,
                    "no network ID assigned yet", generation, now);
        } else if (!owned) {
            conditions = Conditions.set(conditions, Conditions.READY, false, Conditions.REASON_CONTROLLER_MISMATCH,
                    "network ID " + id.get() + " belongs to controller " + id.get().controller()
                            + ", but this operator's controller identity is " + controller
                            + " (was the identity Secret replaced?)", generation, now);
        } else if (!valid) {
            NetworkSpecReader.Reading.Invalid invalid = (NetworkSpecReader.Reading.Invalid) reading;
            boolean stillServed = store.served(network).isPresent();
            conditions = Conditions.set(conditions, Conditions.READY, false, invalid.reason(),
                    (stillServed ? "the last valid configuration is still served; " : "not served; ")
                            + "fix the spec: " + invalid.message(), generation, now);
        } else {
            conditions = Conditions.set(conditions, Conditions.READY, true, Conditions.REASON_SERVING,
                    "the embedded controller " + controller + " serves network " + id.get(), generation, now);
        }
        status.setConditions(conditions);
        status.setObservedGeneration(generation);

        if (!Objects.equals(old, status)) {
            // A JSON patch of the status (computed against a fresh read): lists such as conditions
            // are replaced entry by entry, never merged into stale ones.
            client.resources(ZeroTierNetwork.class).withName(network.getMetadata().getName()).editStatus(fresh -> {
                fresh.setStatus(status);
                return fresh;
            });
        }
        return UpdateControl.noUpdate();
    }

    private static boolean isExternal(ZeroTierNetwork n) {
        return n.getSpec() != null && n.getSpec().getController() != null
                && n.getSpec().getController().getMode() == ControllerMode.External;
    }

    /** Step 1: the network's ID, kept once assigned. */
    private Optional<NetworkId> networkId(ZeroTierNetwork network, ZeroTierNetworkStatus status) {
        if (status.getNetworkId() != null) {
            return parsed(status.getNetworkId());
        }
        if (isExternal(network)) {
            String given = network.getSpec().getController().getNetworkId();
            return given == null ? Optional.empty() : parsed(given);
        }
        // The copy handed in may predate this reconciler's own first write of the ID (JOSDK's cache
        // lags it, and a Member event asks for a reconcile at once): allocating again would replace
        // an ID that members already use. Only the API server can say that none was assigned yet.
        ZeroTierNetwork fresh = client.resources(ZeroTierNetwork.class).withName(network.getMetadata().getName()).get();
        if (fresh != null && fresh.getStatus() != null && fresh.getStatus().getNetworkId() != null) {
            return parsed(fresh.getStatus().getNetworkId());
        }
        Set<NetworkId> inUse = new HashSet<>();
        for (ZeroTierNetwork n : store.allNetworks()) {
            if (n.getStatus() != null && n.getStatus().getNetworkId() != null) {
                try {
                    inUse.add(NetworkId.parse(n.getStatus().getNetworkId()));
                } catch (IllegalArgumentException e) {
                    // not ours to fix; it cannot collide with a well-formed ID
                }
            }
        }
        return Optional.of(allocator.allocate(inUse));
    }

    private static Optional<NetworkId> parsed(String id) {
        try {
            return Optional.of(NetworkId.parse(id));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Step 2: condition Valid, and an event when the spec becomes invalid or valid again. */
    private List<Condition> validity(ZeroTierNetwork network, NetworkSpecReader.Reading reading, List<Condition> conditions,
            long generation, Instant now) {
        Optional<Condition> before = Conditions.find(conditions, Conditions.VALID);
        switch (reading) {
            case NetworkSpecReader.Reading.Valid v -> {
                if (before.isPresent() && !Conditions.isTrue(conditions, Conditions.VALID)
                        && reported.firstReport(network, Conditions.VALID, Conditions.REASON_ACCEPTED)) {
                    events.record(network, EventRecorder.Type.Normal, Conditions.REASON_ACCEPTED, "Validate",
                            "the spec is valid again");
                }
                return Conditions.set(conditions, Conditions.VALID, true, Conditions.REASON_ACCEPTED,
                        "the spec compiles and is served as written", generation, now);
            }
            case NetworkSpecReader.Reading.Invalid i -> {
                boolean changed = before.isEmpty() || Conditions.isTrue(conditions, Conditions.VALID)
                        || !i.message().equals(before.get().getMessage());
                if (changed && reported.firstReport(network, Conditions.VALID, i.reason() + ": " + i.message())) {
                    events.record(network, EventRecorder.Type.Warning, i.reason(), "Validate", i.message());
                }
                return Conditions.set(conditions, Conditions.VALID, false, i.reason(), i.message(), generation, now);
            }
        }
    }

    /** Step 3: member counts from the cache. */
    private MemberCounts memberCounts(ZeroTierNetwork network, long nowMs) {
        int total = 0;
        int authorized = 0;
        int online = 0;
        Optional<NetworkId> id = KubernetesPolicyStore.servedId(network);
        for (Member m : store.membersOf(network.getMetadata().getName())) {
            total++;
            Optional<MemberRecord> r = store.record(m);
            boolean auth = r.map(MemberRecord::authorized).orElse(Boolean.TRUE.equals(m.getSpec().getAuthorized()));
            if (auth) {
                authorized++;
            }
            boolean on = (m.getStatus() != null && Boolean.TRUE.equals(m.getStatus().getOnline()))
                    || (r.isPresent() && id.isPresent() && store.isOnline(id.get(), r.get().address(), nowMs));
            if (on) {
                online++;
            }
        }
        MemberCounts c = new MemberCounts();
        c.setTotal(total);
        c.setAuthorized(authorized);
        c.setOnline(online);
        return c;
    }
}
