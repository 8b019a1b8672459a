package dev.zerokube.nodeagent.tap;

import dev.zerokube.overlay.runtime.port.FdPassing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hand-off socket: a sidecar connects ({@code zerokube node --tap-socket PATH}, PATH from
 * {@code ZEROKUBE_TAP_SOCKET}, which the device plugin sets) and receives its pod's TAP
 * descriptors, each with its 16-digit network id, then the agent closes the connection.
 *
 * <p>Which pod: the kernel's record of the connecting process ({@code SO_PEERCRED} pid, visible
 * with hostPID) and that process's cgroup ({@link PodNamespaces#podUidOf}); nothing the client
 * says is trusted, so a pod can only ever receive its own TAPs. The agent waits up to
 * {@code waitMs} for a TAP of each network the pod's annotation lists (the Member appears only
 * after the sidecar's join and its IPs after the operator's reconcile), then sends what it has:
 * a network without a TAP falls back to the sidecar's own port.
 *
 * <p>The socket file is mode 0666: any UID may connect (the sidecar runs as some non-root UID);
 * who gets what is decided by the peer check above. At most {@link #CONNECTIONS_MAX} connections
 * are served at once, each on its own platform thread (FdPassing blocks in native calls).
 */
public final class TapHandoff implements AutoCloseable {
    /** Connections served at once; more wait in the listen backlog. */
    public static final int CONNECTIONS_MAX = 32;
    private static final Logger LOG = LoggerFactory.getLogger(TapHandoff.class);

    private final Path socket;
    private final int listenFd;
    private final PodNamespaces namespaces;
    private final PodTaps taps;
    private final Function<String, Optional<List<String>>> networksOfPod;
    private final long waitMs;
    private final Semaphore slots = new Semaphore(CONNECTIONS_MAX);
    private final Thread acceptor;
    private volatile boolean closed;

    private TapHandoff(Path socket, int listenFd, PodNamespaces namespaces, PodTaps taps,
            Function<String, Optional<List<String>>> networksOfPod, long waitMs) {
        this.socket = socket;
        this.listenFd = listenFd;
        this.namespaces = namespaces;
        this.taps = taps;
        this.networksOfPod = networksOfPod;
        this.waitMs = waitMs;
        this.acceptor = Thread.ofPlatform().daemon().name("zk-handoff-accept").unstarted(this::acceptLoop);
    }

    /**
     * Listens on {@code socket} (a stale file there is replaced).
     *
     * @param networksOfPod the networks a pod (by UID) lists in its annotation, empty if the
     *     agent does not know the pod (then nothing is sent)
     * @param waitMs how long a connection waits for the pod's TAPs
     */
    public static TapHandoff start(Path socket, PodNamespaces namespaces, PodTaps taps,
            Function<String, Optional<List<String>>> networksOfPod, long waitMs) throws IOException {
        Files.createDirectories(socket.getParent());
        Files.deleteIfExists(socket);
        int fd = FdPassing.listen(socket);
        try {
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        } catch (IOException | RuntimeException e) {
            FdPassing.close(fd);
            throw e;
        }
        TapHandoff h = new TapHandoff(socket, fd, namespaces, taps, networksOfPod, waitMs);
        h.acceptor.start();
        LOG.info("handing TAPs over on {}", socket);
        return h;
    }

    private void acceptLoop() {
        while (!closed) {
            int conn;
            try {
                slots.acquire();
                conn = FdPassing.accept(listenFd);
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                slots.release();
                if (!closed) {
                    LOG.warn("hand-off accept failed: {}", e.getMessage());
                }
                return;
            }
            if (closed) {
                FdPassing.close(conn);
                slots.release();
                return;
            }
            Thread.ofPlatform().daemon().name("zk-handoff").start(() -> {
                try {
                    serve(conn);
                } finally {
                    FdPassing.close(conn);
                    slots.release();
                }
            });
        }
    }

    private void serve(int conn) {
        FdPassing.Peer peer;
        try {
            peer = FdPassing.peer(conn);
        } catch (IOException e) {
            LOG.warn("hand-off: cannot tell who connected: {}", e.getMessage());
            return;
        }
        Optional<String> pod = namespaces.podUidOf(peer.pid());
        if (pod.isEmpty()) {
            LOG.warn("hand-off: process {} (uid {}) is in no pod's cgroup: nothing sent", peer.pid(), peer.uid());
            return;
        }
        Optional<List<String>> networks = networksOfPod.apply(pod.get());
        if (networks.isEmpty()) {
            LOG.warn("hand-off: pod {} (process {}) is not a pod of this node: nothing sent", pod.get(), peer.pid());
            return;
        }
        try {
            Set<String> ready = taps.awaitReady(pod.get(), networks.get(), waitMs);
            int sent = taps.handOver(pod.get(), conn);
            if (!ready.containsAll(networks.get())) {
                LOG.warn("hand-off: pod {} got {} TAP(s); no TAP after {} ms for {}", pod.get(), sent, waitMs,
                        networks.get().stream().filter(n -> !ready.contains(n)).toList());
            } else {
                LOG.info("hand-off: pod {} (process {}, uid {}) got {} TAP(s)", pod.get(), peer.pid(), peer.uid(), sent);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.warn("hand-off to pod {} failed: {}", pod.get(), e.getMessage());
        }
    }

    /** Where the socket is. */
    public Path socket() {
        return socket;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // Closing a listening socket does not wake a thread blocked in accept(2); one connection
        // does. The descriptor is closed only after the acceptor is out, so its number cannot be
        // reused under it.
        try {
            FdPassing.close(FdPassing.connect(socket));
        } catch (IOException | RuntimeException e) {
            // the acceptor has stopped already
        }
        acceptor.interrupt();
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        FdPassing.close(listenFd);
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.warn("cannot remove {}: {}", socket, e.toString());
        }
    }
}
