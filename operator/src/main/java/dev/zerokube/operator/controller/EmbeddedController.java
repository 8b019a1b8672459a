package dev.zerokube.operator.controller;

import dev.zerokube.overlay.controller.ConfigDecision;
import dev.zerokube.overlay.controller.ControllerEffect;
import dev.zerokube.overlay.controller.MemberRecord;
import dev.zerokube.overlay.controller.NetworkController;
import dev.zerokube.overlay.controller.PolicyChange;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.netconf.ConfigRequestMetadata;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's network controller: one {@link NetworkController} over the
 * {@link KubernetesPolicyStore}, run on its own single thread (the controller is not thread-safe,
 * and one thread also serializes IP allocation, quirk Q9). Policy changes from the store, address
 * assignments from the Member reconciler and, once a node carries the controller on UDP, config
 * requests ({@link #onConfigRequest}) all go through that thread; effects go to the
 * {@link ControllerEffectListener}.
 *
 * <p>UDP: the leader's {@link ControllerNode} hands the node's config requests to
 * {@link #onConfigRequest} and sends the decision back on the node's thread; its effects reach the
 * node through the listener. The controller stays on its own thread rather than the node's event
 * loop because answering may need the API server (a pending Member, an address written to status),
 * which must not stall the node.
 */
public final class EmbeddedController implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedController.class);

    private final NetworkController controller;
    private final LongSupplier clockMs;
    private final Executor thread;
    private final ExecutorService ownThread;
    private volatile ControllerEffectListener listener;
    private final Map<KubernetesPolicyStore.MemberKey, Long> revokedAtMs = new ConcurrentHashMap<>();
    private final AtomicLong effectsSent = new AtomicLong();
    private final AtomicLong changesHandled = new AtomicLong();
    private final AtomicLong requestsHandled = new AtomicLong();

    /**
     * @param identity the controller identity, with its private key
     * @param clockMs wall clock in ms (COM timestamps and revocation thresholds use it)
     */
    public EmbeddedController(Identity identity, dev.zerokube.overlay.controller.PolicyStore store,
            RandomGenerator random, LongSupplier clockMs, ControllerEffectListener listener) {
        this(identity, store, random, clockMs, listener, null);
    }

    /**
     * @param executor the one thread the controller runs on (a node's event loop); null: a thread
     *     of its own, stopped by {@link #close()}
     */
    public EmbeddedController(Identity identity, dev.zerokube.overlay.controller.PolicyStore store,
            RandomGenerator random, LongSupplier clockMs, ControllerEffectListener listener, Executor executor) {
        this.controller = new NetworkController(identity, store, random);
        this.clockMs = Objects.requireNonNull(clockMs, "clockMs");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.ownThread = executor == null ? Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "zerokube-controller");
            t.setDaemon(true);
            return t;
        }) : null;
        this.thread = executor == null ? ownThread : executor;
    }

    /** The controller itself: use it only on the controller's thread (see {@link #call}). */
    public NetworkController networkController() {
        return controller;
    }

    /** The controller identity (private key included). */
    public Identity identity() {
        return controller.identity();
    }

    /** Replaces the effect listener (the UDP side sets its own when it starts). */
    public void setListener(ControllerEffectListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** Hands a policy change to the controller thread; its effects go to the listener. */
    public CompletableFuture<List<ControllerEffect>> onPolicyChange(PolicyChange change) {
        return call(c -> {
            long nowMs = clockMs.getAsLong();
            List<ControllerEffect> effects = c.onPolicyChange(nowMs, change);
            noteRevocations(change, nowMs);
            changesHandled.incrementAndGet();
            if (!effects.isEmpty()) {
                effectsSent.addAndGet(effects.size());
                listener.onEffects(networkId(change), effects);
            }
            return effects;
        });
    }

    /** Answers a config request on the controller thread (for the node's NetworkConfigMaster). */
    public CompletableFuture<ConfigDecision> onConfigRequest(Identity requester, NetworkId networkId,
            ConfigRequestMetadata metadata, InetEndpoint physicalAddress) {
        return call(c -> {
            requestsHandled.incrementAndGet();
            return c.onConfigRequest(clockMs.getAsLong(), requester, networkId, metadata, physicalAddress);
        });
    }

    /** {@link NetworkController#assignAddresses} on the controller thread. */
    public CompletableFuture<Optional<MemberRecord>> assignAddresses(NetworkId networkId, Address member) {
        return call(c -> c.assignAddresses(networkId, member));
    }

    /** When this controller last revoked the member's credentials, if it did since it started. */
    public Optional<Long> revokedAtMs(NetworkId networkId, Address member) {
        return Optional.ofNullable(revokedAtMs.get(new KubernetesPolicyStore.MemberKey(networkId, member)));
    }

    /** Effects handed to the listener since start. */
    public long effectsSent() {
        return effectsSent.get();
    }

    /** Config requests decided since start (by every UDP node this replica ran). */
    public long requestsHandled() {
        return requestsHandled.get();
    }

    /** Policy changes handled since start. */
    public long changesHandled() {
        return changesHandled.get();
    }

    /** Runs {@code f} on the controller thread. */
    public <T> CompletableFuture<T> call(Function<NetworkController, T> f) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return f.apply(controller);
            } catch (RuntimeException e) {
                LOG.error("controller failed", e);
                throw e;
            }
        }, thread);
    }

    private void noteRevocations(PolicyChange change, long nowMs) {
        switch (change) {
            case PolicyChange.MemberChanged c when c.deauthorized() ->
                    revokedAtMs.put(new KubernetesPolicyStore.MemberKey(c.after().networkId(), c.after().address()), nowMs);
            case PolicyChange.MemberChanged c when c.after().authorized() ->
                    revokedAtMs.remove(new KubernetesPolicyStore.MemberKey(c.after().networkId(), c.after().address()));
            case PolicyChange.MemberDeleted d when d.before().authorized() ->
                    revokedAtMs.put(new KubernetesPolicyStore.MemberKey(d.before().networkId(), d.before().address()), nowMs);
            default -> { }
        }
    }

    private static NetworkId networkId(PolicyChange change) {
        return switch (change) {
            case PolicyChange.NetworkChanged c -> c.network().id();
            case PolicyChange.MemberChanged c -> c.after().networkId();
            case PolicyChange.MemberDeleted c -> c.before().networkId();
            case PolicyChange.NetworkDeleted c -> c.network().id();
        };
    }

    @Override
    public void close() {
        if (ownThread == null) {
            return;
        }
        ownThread.shutdown();
        try {
            ownThread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
