package dev.zerokube.operator;

import dev.zerokube.operator.controller.ActivePodLabel;
import dev.zerokube.operator.controller.ControllerEffectListener;
import dev.zerokube.operator.controller.ControllerIdentitySecret;
import dev.zerokube.operator.controller.ControllerNode;
import dev.zerokube.operator.controller.EmbeddedController;
import dev.zerokube.operator.controller.KubernetesPolicyStore;
import dev.zerokube.operator.member.MemberReconciler;
import dev.zerokube.operator.network.NetworkIdAllocator;
import dev.zerokube.operator.network.ZeroTierNetworkReconciler;
import dev.zerokube.overlay.identity.Identity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import java.io.IOException;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One operator replica, assembled: the controller identity from its Secret, the
 * {@link KubernetesPolicyStore} and the {@link EmbeddedController} (running on every replica, so a
 * standby can answer nodes at once), and the JOSDK reconcilers, which run only on the leader of the
 * Lease. The leader also flushes request records into Member status and, when a
 * {@link #setControllerNode UDP node} is configured, runs the {@link ControllerNode} that members
 * send their config requests to (only the leader binds it; see ControllerNode for why). Used by
 * {@link OperatorMain} and by the tests, which run several replicas in one JVM against one API
 * server.
 */
public final class ZerokubeOperator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ZerokubeOperator.class);

    /** State of a replica, as /readyz and the tests see it. */
    public enum State {
        NEW,
        STANDBY,
        LEADING,
        STOPPED
    }

    private final KubernetesClient client;
    private final OperatorConfig config;
    private final Clock clock;
    private final RandomGenerator random;
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private volatile ControllerEffectListener effects = (networkId, list) ->
            LOG.debug("network {}: {} effects (no UDP node attached yet)", networkId, list.size());
    private Identity identity;
    private KubernetesPolicyStore store;
    private EmbeddedController controller;
    private ZeroTierNetworkReconciler networkReconciler;
    private Operator operator;
    private ScheduledExecutorService flusher;
    private volatile ControllerNode.Settings nodeSettings;
    private volatile ControllerNode node;
    private ActivePodLabel podLabel;

    /**
     * @param random for the controller identity, network IDs and revocation IDs (a SecureRandom
     *     in production)
     */
    public ZerokubeOperator(KubernetesClient client, OperatorConfig config, Clock clock, RandomGenerator random) {
        this.client = client;
        this.config = config;
        this.clock = clock;
        this.random = random;
    }

    /** Sets where controller effects go (before {@link #start}); default: counted and logged. */
    public void setEffectListener(ControllerEffectListener listener) {
        this.effects = listener;
    }

    /** Runs the controller's UDP node with these settings while this replica leads (before {@link #start}); default: none. */
    public void setControllerNode(ControllerNode.Settings settings) {
        this.nodeSettings = settings;
    }

    /** The UDP node, while this replica leads and it is bound. */
    public java.util.Optional<ControllerNode> controllerNode() {
        return java.util.Optional.ofNullable(node);
    }

    /** Loads or creates the identity, fills the caches and starts the reconcilers (or waits as standby). */
    public synchronized void start() {
        identity = ControllerIdentitySecret.loadOrCreate(client, config.namespace(), config.identitySecret(),
                () -> Identity.generate(random));
        LOG.info("controller identity {}", identity.address());
        if (nodeSettings != null) {
            podLabel = new ActivePodLabel(client, config.namespace(), config.instance());
            podLabel.set(false);
        }
        EventRecorder events = new EventRecorder(client, clock, config.instance(), config.namespace());
        NetworkIdAllocator allocator = new NetworkIdAllocator(identity.address(), random);
        AtomicReference<ZeroTierNetworkReconciler> networks = new AtomicReference<>();
        AtomicReference<EmbeddedController> controllerRef = new AtomicReference<>();
        store = new KubernetesPolicyStore(client, config.pendingNamespace(),
                change -> {
                    EmbeddedController c = controllerRef.get();
                    if (c != null) {
                        c.onPolicyChange(change);
                    }
                },
                name -> {
                    ZeroTierNetworkReconciler r = networks.get();
                    if (r != null && state.get() == State.LEADING) {
                        r.onMembersChanged(name);
                    }
                });
        controller = new EmbeddedController(identity, store, random, clock::millis, (networkId, list) -> {
            effects.onEffects(networkId, list);
            ControllerNode n = node;
            if (n != null) {
                n.onEffects(networkId, list);
            }
        });
        controllerRef.set(controller);
        store.start();
        networkReconciler = new ZeroTierNetworkReconciler(client, store, allocator, identity.address(), events, clock);
        networks.set(networkReconciler);
        MemberReconciler members = new MemberReconciler(client, store, controller, events, clock);

        operator = new Operator(o -> {
            o.withKubernetesClient(client)
                    .withCloseClientOnStop(false)
                    .withUseSSAToPatchPrimaryResource(false)
                    .withSSABasedCreateUpdateMatchForDependentResources(false)
                    .checkingCRDAndValidateLocalModel(false);
            if (config.leaderElection()) {
                o.withLeaderElectionConfiguration(LeaderElectionConfigurationBuilder
                        .aLeaderElectionConfiguration(config.leaseName())
                        .withLeaseNamespace(config.namespace())
                        .withIdentity(config.instance())
                        .withLeaseDuration(config.leaseDuration())
                        .withRenewDeadline(config.renewDeadline())
                        .withRetryPeriod(config.retryPeriod())
                        .withExitOnStopLeading(config.exitOnStopLeading())
                        .withLeaderCallbacks(new LeaderCallbacks(this::onStartLeading, this::onStopLeading,
                                leader -> LOG.info("leader is {}", leader)))
                        .build());
            }
        });
        operator.register(networkReconciler);
        operator.register(members);
        state.set(State.STANDBY);
        operator.start();
        if (!config.leaderElection()) {
            onStartLeading();
        }
    }

    private void onStartLeading() {
        LOG.info("{} leads", config.instance());
        state.set(State.LEADING);
        ScheduledExecutorService f = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "zerokube-status-flush");
            t.setDaemon(true);
            return t;
        });
        f.scheduleWithFixedDelay(() -> {
            try {
                store.flushRequestStatus(clock.millis(), config.statusWritesPerSecond());
            } catch (RuntimeException e) {
                LOG.warn("status flush failed: {}", e.toString());
            }
        }, 1, 1, TimeUnit.SECONDS);
        flusher = f;
        if (nodeSettings != null) {
            f.execute(() -> bindNode(f));
        }
    }

    /** Binds the controller's UDP node; retried every 2 s while leading (the old leader may still hold the port). */
    private void bindNode(ScheduledExecutorService f) {
        if (state.get() != State.LEADING || node != null || f.isShutdown()) {
            return;
        }
        try {
            // The node's thread draws config update ids: a generator of its own where one is not thread-safe.
            RandomGenerator nodeRandom = random instanceof java.util.SplittableRandom s ? s.split() : random;
            ControllerNode n = ControllerNode.start(controller, nodeSettings, nodeRandom);
            synchronized (this) {
                if (state.get() == State.LEADING && flusher == f) {
                    node = n;
                    podLabel.set(true);
                    return;
                }
            }
            n.close();
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot run the controller's UDP node yet, retrying in 2 s: {}", e.getMessage());
            f.schedule(() -> bindNode(f), 2, TimeUnit.SECONDS);
        }
    }

    private synchronized void closeNode() {
        ControllerNode n = node;
        node = null;
        if (n != null) {
            n.close();
            podLabel.set(false);
        }
    }

    private void onStopLeading() {
        LOG.info("{} stopped leading", config.instance());
        if (state.get() != State.STOPPED) {
            state.set(State.STANDBY);
        }
        ScheduledExecutorService f = flusher;
        if (f != null) {
            f.shutdownNow();
        }
        closeNode();
    }

    /** This replica's state. */
    public State state() {
        return state.get();
    }

    /** The controller identity (after {@link #start}). */
    public Identity identity() {
        return identity;
    }

    /** The policy store (after {@link #start}). */
    public KubernetesPolicyStore store() {
        return store;
    }

    /** The embedded controller (after {@link #start}). */
    public EmbeddedController controller() {
        return controller;
    }

    /** Stops reconciling (releasing the Lease), the caches and the controller thread. */
    @Override
    public synchronized void close() {
        if (state.getAndSet(State.STOPPED) == State.STOPPED) {
            return;
        }
        ScheduledExecutorService f = flusher;
        if (f != null) {
            f.shutdownNow();
        }
        closeNode();
        if (operator != null) {
            operator.stop();
        }
        if (store != null) {
            store.close();
        }
        if (controller != null) {
            controller.close();
        }
    }
}
