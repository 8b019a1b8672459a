package dev.zerokube.nodeagent.tap;

import dev.zerokube.overlay.runtime.port.FdPassing;
import dev.zerokube.overlay.runtime.port.NetNs;
import dev.zerokube.overlay.runtime.port.TapPort;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TAPs the agent made in pods' network namespaces, and the operations on them: converge a pod
 * to its {@link PodTapPlanner.Plan}, hand its TAPs to its sidecar, release them.
 *
 * <p>Each TAP is created inside the pod's namespace ({@link NetNs}: a short-lived thread that
 * {@code setns}es there) with {@link TapPort#open}, made persistent and owned by the sidecar's UID
 * when the pod spec names it (so that a restarted sidecar with {@code /dev/net/tun} may attach
 * again by name, without privileges), and configured (MTU, MAC, up, addresses, routes) over the
 * port's rtnetlink socket, which stays bound to the pod's namespace. The agent keeps the port
 * open: the hand-off sends a duplicate of its descriptor ({@code SCM_RIGHTS}), a later change of
 * the Member's IPs is applied through it, and releasing it (drop persistence, close) removes the
 * device even while the pod's namespace lives on. Holding the port keeps that namespace alive
 * until the pod is released, which the reconciler does when the pod goes away.
 *
 * <p>Thread-safe: every method holds this object's monitor; {@link #awaitReady} waits on it.
 */
public final class PodTaps implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PodTaps.class);

    // One TAP of a pod; port is null when the device exists but another process holds it (e.g.
    // the sidecar kept it while the agent restarted): then it can be neither configured nor handed over.
    private record Held(TapPlan plan, TapPort port) {
    }

    private static final class PodState {
        Path namespace;
        Object namespaceId;
        final Map<String, Held> byDevice = new TreeMap<>();
    }

    private final Map<String, PodState> pods = new HashMap<>();

    /**
     * Makes the pod's TAPs match {@code plan} in the namespace {@code namespace}: creates missing
     * ones, reconfigures changed ones, releases ones no longer planned (all of them if the
     * namespace is null or another namespace than before, e.g. a recreated sandbox).
     *
     * @throws IOException if some TAP could not be made or configured (the others are done)
     */
    public synchronized void apply(String podUid, Path namespace, PodTapPlanner.Plan plan) throws IOException {
        PodState state = pods.computeIfAbsent(podUid, k -> new PodState());
        Object id = namespace == null ? null : namespaceId(namespace);
        if (state.namespace != null && (namespace == null || !state.namespaceId.equals(id))) {
            releaseAll(state, "namespace " + state.namespace + " replaced by " + namespace);
        }
        Set<String> wanted = plan.taps().stream().map(TapPlan::deviceName).collect(Collectors.toSet());
        for (Iterator<Map.Entry<String, Held>> it = state.byDevice.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, Held> e = it.next();
            if (namespace == null || !wanted.contains(e.getKey())) {
                release(e.getValue(), "no longer planned");
                it.remove();
            }
        }
        if (namespace == null || plan.taps().isEmpty()) {
            if (state.byDevice.isEmpty()) {
                pods.remove(podUid);
            }
            notifyAll();
            return;
        }
        state.namespace = namespace;
        state.namespaceId = id;
        List<String> failures = new ArrayList<>();
        for (TapPlan tap : plan.taps()) {
            Held held = state.byDevice.get(tap.deviceName());
            try {
                if (held == null) {
                    state.byDevice.put(tap.deviceName(), create(namespace, tap, plan.ownerUid()));
                } else if (held.port() != null && !held.port().config().equals(tap.config())) {
                    held.port().configure(tap.config());
                    state.byDevice.put(tap.deviceName(), new Held(tap, held.port()));
                    LOG.info("reconfigured {} of pod {} for {}", tap.deviceName(), podUid, tap.member());
                } else {
                    state.byDevice.put(tap.deviceName(), new Held(tap, held.port()));
                }
            } catch (IOException | RuntimeException e) {
                failures.add(tap.deviceName() + ": " + e.getMessage());
            }
        }
        notifyAll();
        if (!failures.isEmpty()) {
            throw new IOException("pod " + podUid + ": " + String.join("; ", failures));
        }
    }

    private static Held create(Path namespace, TapPlan tap, Optional<Integer> ownerUid) throws IOException {
        TapPort port;
        try {
            port = NetNs.call(namespace, () -> {
                TapPort p = TapPort.open(tap.deviceName());
                try {
                    if (ownerUid.isPresent()) {
                        p.makePersistent(ownerUid.get());
                    }
                    p.configure(tap.config());
                    return p;
                } catch (IOException | RuntimeException e) {
                    p.close();
                    throw e;
                }
            });
        } catch (IOException e) {
            // TUNSETIFF on a single-queue TAP that a process has open: the sidecar kept it.
            if (e.getMessage() != null && e.getMessage().contains("(errno 16)")) {
                LOG.warn("{} in {} is held by another process (the sidecar, after an agent restart?): left as it is",
                        tap.deviceName(), namespace);
                return new Held(tap, null);
            }
            throw e;
        }
        LOG.info("created {} in {} for {}: mtu {} mac {} addresses {} routes {}{}", tap.deviceName(), namespace,
                tap.member(), tap.config().mtu(), tap.config().mac(), tap.config().addresses(), tap.config().routes(),
                ownerUid.map(u -> ", persistent, owner uid " + u).orElse(""));
        return new Held(tap, port);
    }

    /** Releases every TAP of the pod (it went away). */
    public synchronized void remove(String podUid) {
        PodState state = pods.remove(podUid);
        if (state != null) {
            releaseAll(state, "pod gone");
        }
        notifyAll();
    }

    /** The pods that have TAPs (their UIDs). */
    public synchronized Set<String> pods() {
        return Set.copyOf(pods.keySet());
    }

    /** The networks (names) for which the pod has a TAP that can be handed over. */
    public synchronized Set<String> readyNetworks(String podUid) {
        PodState state = pods.get(podUid);
        if (state == null) {
            return Set.of();
        }
        return state.byDevice.values().stream().filter(h -> h.port() != null).map(h -> h.plan().network())
                .collect(Collectors.toUnmodifiableSet());
    }

    /**
     * Waits up to {@code timeoutMs} until the pod has a TAP for each of {@code networks} (or, if
     * that is empty, at least one TAP); returns the networks ready by then.
     */
    public synchronized Set<String> awaitReady(String podUid, Collection<String> networks, long timeoutMs)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (true) {
            Set<String> ready = readyNetworks(podUid);
            boolean done = networks.isEmpty() ? !ready.isEmpty() : ready.containsAll(networks);
            long leftMs = (deadline - System.nanoTime()) / 1_000_000L;
            if (done || leftMs <= 0) {
                return ready;
            }
            wait(leftMs);
        }
    }

    /**
     * Sends each of the pod's TAPs over {@code socketFd} ({@link FdPassing}, the network id as
     * message, as {@code zerokube node --tap-socket} reads them); returns how many.
     */
    public synchronized int handOver(String podUid, int socketFd) throws IOException {
        PodState state = pods.get(podUid);
        if (state == null) {
            return 0;
        }
        int n = 0;
        for (Held h : state.byDevice.values()) {
            if (h.port() != null) {
                FdPassing.send(socketFd, h.port().fd(), h.plan().networkId().toString().getBytes(StandardCharsets.US_ASCII));
                n++;
            }
        }
        return n;
    }

    private static void releaseAll(PodState state, String why) {
        for (Held h : state.byDevice.values()) {
            release(h, why);
        }
        state.byDevice.clear();
        state.namespace = null;
        state.namespaceId = null;
    }

    private static void release(Held h, String why) {
        if (h.port() == null) {
            return;
        }
        try {
            h.port().dropPersistence();
        } catch (IOException e) {
            // the namespace (and with it the device) is gone already
        }
        h.port().close();
        LOG.info("removed {} of {} ({})", h.plan().deviceName(), h.plan().member(), why);
    }

    // The namespace's identity (nsfs device and inode): the same path may name another namespace later.
    private static Object namespaceId(Path namespace) throws IOException {
        return List.of(Files.getAttribute(namespace, "unix:dev"), Files.getAttribute(namespace, "unix:ino"));
    }

    @Override
    public synchronized void close() {
        for (PodState s : pods.values()) {
            for (Held h : s.byDevice.values()) {
                if (h.port() != null) {
                    // Keep the devices: a restarting agent must not cut running pods off.
                    h.port().close();
                }
            }
        }
        pods.clear();
        notifyAll();
    }
}
