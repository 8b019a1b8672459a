package dev.zerokube.nodeagent.tap;

import dev.zerokube.operator.api.member.Member;
import dev.zerokube.operator.api.network.ZeroTierNetwork;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the TAPs of this node's pods in line with their Members: watches Pods of this node
 * ({@code spec.nodeName} field selector), Members and ZeroTierNetworks (read-only; the agent never
 * writes to the API), and on any change reconciles the pod concerned on one thread:
 * {@link PodTapPlanner plan} → find the pod's namespace ({@link PodNamespaces}) → {@link PodTaps#apply}.
 * A pod that is gone or finished has its TAPs released. A pod whose sandbox is not running yet,
 * or whose TAP failed, is tried again after {@code retryMs}; informer resyncs catch anything else.
 */
public final class TapReconciler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TapReconciler.class);
    private static final long RESYNC_MS = 60_000;

    private final KubernetesClient client;
    private final String nodeName;
    private final PodNamespaces namespaces;
    private final PodTaps taps;
    private final long retryMs;
    private final boolean nodeFieldSelector;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("zk-tap-reconciler").unstarted(r));
    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    private final Map<String, List<String>> lastWaiting = new HashMap<>();
    private volatile SharedIndexInformer<Pod> podInformer;
    private volatile SharedIndexInformer<Member> memberInformer;
    private volatile SharedIndexInformer<ZeroTierNetwork> networkInformer;

    /**
     * @param nodeName this node: only its pods are watched (and acted on)
     * @param retryMs delay before a pod whose sandbox is not up, or whose TAP failed, is tried again
     */
    public TapReconciler(KubernetesClient client, String nodeName, PodNamespaces namespaces, PodTaps taps, long retryMs) {
        this(client, nodeName, namespaces, taps, retryMs, true);
    }

    // nodeFieldSelector false: list all pods and keep this node's here (the Fabric8 mock server
    // answers a spec.nodeName field selector with nothing).
    TapReconciler(KubernetesClient client, String nodeName, PodNamespaces namespaces, PodTaps taps, long retryMs,
            boolean nodeFieldSelector) {
        this.nodeFieldSelector = nodeFieldSelector;
        this.client = Objects.requireNonNull(client, "client");
        this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
        this.namespaces = Objects.requireNonNull(namespaces, "namespaces");
        this.taps = Objects.requireNonNull(taps, "taps");
        this.retryMs = retryMs;
    }

    /** Starts the informers (and waits for their first list). */
    public TapReconciler start() {
        // All three exist before any runs: their handlers reconcile on another thread, which
        // reads the other informers' stores.
        var pods = client.pods().inAnyNamespace();
        podInformer = (nodeFieldSelector ? pods.withField("spec.nodeName", nodeName) : pods).runnableInformer(RESYNC_MS);
        memberInformer = client.resources(Member.class).inAnyNamespace().runnableInformer(RESYNC_MS);
        networkInformer = client.resources(ZeroTierNetwork.class).runnableInformer(RESYNC_MS);
        networkInformer.addEventHandler(handler(n -> enqueueAll()));
        memberInformer.addEventHandler(handler(m -> PodTapPlanner.podUidOf(m).ifPresent(this::enqueue)));
        podInformer.addEventHandler(handler(p -> enqueue(p.getMetadata().getUid())));
        networkInformer.run();
        memberInformer.run();
        podInformer.run();
        LOG.info("reconciling TAPs of pods on node {}", nodeName);
        return this;
    }

    private <T> ResourceEventHandler<T> handler(Consumer<T> on) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                on.accept(obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                on.accept(newObj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                on.accept(obj);
            }
        };
    }

    private void enqueue(String podUid) {
        if (podUid != null && queued.add(podUid)) {
            loop.execute(() -> {
                queued.remove(podUid);
                try {
                    reconcile(podUid);
                } catch (Error e) {
                    LOG.error("pod {}: {}", podUid, e.toString(), e);
                    throw e;
                }
            });
        }
    }

    private void enqueueAll() {
        Set<String> uids = new HashSet<>(taps.pods());
        if (podInformer != null) {
            podInformer.getStore().list().forEach(p -> uids.add(p.getMetadata().getUid()));
        }
        uids.forEach(this::enqueue);
    }

    /** The pod of this node with this UID, if the informer knows it. */
    public Optional<Pod> pod(String podUid) {
        if (podInformer == null) {
            return Optional.empty();
        }
        return podInformer.getStore().list().stream()
                .filter(p -> podUid.equals(p.getMetadata().getUid()))
                .filter(p -> p.getSpec() != null && nodeName.equals(p.getSpec().getNodeName()))
                .findFirst();
    }

    /** The networks a pod of this node lists in its annotation; empty if the pod is not one. */
    public Optional<List<String>> networksOf(String podUid) {
        return pod(podUid).map(PodTapPlanner::annotatedNetworks);
    }

    private void reconcile(String podUid) {
        try {
            Optional<Pod> pod = pod(podUid).filter(p -> !finished(p));
            if (pod.isEmpty()) {
                if (taps.pods().contains(podUid)) {
                    taps.remove(podUid);
                }
                lastWaiting.remove(podUid);
                return;
            }
            String ns = pod.get().getMetadata().getNamespace();
            List<Member> members = memberInformer.getStore().list().stream()
                    .filter(m -> ns.equals(m.getMetadata().getNamespace())).toList();
            Map<String, ZeroTierNetwork> networks = new HashMap<>();
            networkInformer.getStore().list().forEach(n -> networks.put(n.getMetadata().getName(), n));
            PodTapPlanner.Plan plan = PodTapPlanner.plan(pod.get(), members, networks);
            LOG.debug("pod {}: {} Member(s) in its namespace, plan {}", podUid, members.size(), plan);
            if (!plan.waiting().equals(lastWaiting.getOrDefault(podUid, List.of()))) {
                lastWaiting.put(podUid, plan.waiting());
                plan.waiting().forEach(w -> LOG.info("pod {}/{}: no TAP yet for {}", ns, pod.get().getMetadata().getName(), w));
            }
            if (plan.taps().isEmpty()) {
                if (taps.pods().contains(podUid)) {
                    taps.apply(podUid, null, plan);
                }
                return;
            }
            Optional<Path> namespace = namespaces.networkNamespace(podUid);
            if (namespace.isEmpty()) {
                LOG.debug("pod {} has no running process yet: retrying in {} ms", podUid, retryMs);
                retry(podUid);
                return;
            }
            taps.apply(podUid, namespace.get(), plan);
        } catch (IOException | RuntimeException e) {
            LOG.warn("pod {}: {} (retrying in {} ms)", podUid, e.getMessage(), retryMs);
            retry(podUid);
        }
    }

    private void retry(String podUid) {
        if (!loop.isShutdown()) {
            loop.schedule(() -> enqueue(podUid), retryMs, TimeUnit.MILLISECONDS);
        }
    }

    private static boolean finished(Pod p) {
        String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    @Override
    public void close() {
        for (SharedIndexInformer<?> i : new SharedIndexInformer<?>[] {podInformer, memberInformer, networkInformer}) {
            if (i != null) {
                i.close();
            }
        }
        loop.shutdownNow();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
