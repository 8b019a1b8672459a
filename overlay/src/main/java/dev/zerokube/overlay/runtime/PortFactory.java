package dev.zerokube.overlay.runtime;

import dev.zerokube.overlay.runtime.port.TapPort;
import dev.zerokube.overlay.runtime.port.UserspacePort;
import dev.zerokube.overlay.runtime.port.VirtualPort;
import dev.zerokube.overlay.wire.NetworkId;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * Makes the {@link VirtualPort} of a joined network ({@link NetworkPorts} calls it once per
 * join, on its own worker thread, never on the node's thread).
 */
@FunctionalInterface
public interface PortFactory {
    /** Frames each direction of a userspace port holds before it drops. */
    int USERSPACE_QUEUE_FRAMES = 1024;

    /** Opens the port of network {@code id}; {@link NetworkPorts} starts, configures and closes it. */
    VirtualPort open(NetworkId id) throws IOException;

    /** In-memory ports ({@link UserspacePort}) named as zerotier-one names its TAPs: no privileges. */
    static PortFactory userspace() {
        return id -> new UserspacePort(LocalApi.deviceName(id), USERSPACE_QUEUE_FRAMES);
    }

    /**
     * TAP devices named as zerotier-one names them ({@link LocalApi#deviceName}, e.g.
     * {@code ztabcdefgh}), with offloads and GRO-merged writes of authenticated frames.
     */
    static PortFactory tap() {
        return id -> writingAuthenticatedFrames(TapPort.open(LocalApi.deviceName(id)));
    }

    /**
     * Sets a node's TAP up for what the node writes into it: frames whose packets passed their
     * MAC check (Poly1305 or AES-GMAC-SIV) or came over a trusted path (cipher 2, only where the
     * operator configured one). Like WireGuard, which marks what it decrypts
     * CHECKSUM_UNNECESSARY, the writes then say DATA_VALID and TCP segments are merged without
     * summing each one again: the MAC already proved that the frame is the one the sending node
     * sent, so summing it here would only re-check that node's arithmetic. On a trusted path the
     * underlay's UDP checksum, as strong as the inner one, guards against corruption instead, and
     * forgery is what the operator declared impossible there. Found by profiling the netns bench
     * (docs/performance.md): the receiving node spent ~6 % of its CPU re-summing segments.
     */
    private static TapPort writingAuthenticatedFrames(TapPort p) {
        p.markWritesDataValid(true);
        p.mergeWrites(true);
        return p;
    }

    /**
     * Adopts the TAP descriptor given for a network (the node agent opened it in the pod's
     * namespace and passed it on, e.g. as {@code --tap-fd NWID=FD}); other networks get a port
     * from {@code otherwise}. A descriptor is used for one join only: after a leave the network
     * gets a port from {@code otherwise}.
     */
    static PortFactory adopting(Map<NetworkId, Integer> fds, PortFactory otherwise) {
        Map<NetworkId, Integer> remaining = new java.util.concurrent.ConcurrentHashMap<>(fds);
        return id -> {
            Integer fd = remaining.remove(id);
            if (fd == null) {
                return otherwise.open(id);
            }
            return writingAuthenticatedFrames(TapPort.adopt(fd));
        };
    }

    /**
     * Whether this process can make TAP devices: tries to open a throwaway one (not persistent,
     * gone when closed). Empty if it can, else why not (for the log line).
     */
    static Optional<String> tapUnavailable() {
        try (TapPort probe = TapPort.open("zkprobe%d", false)) {
            return Optional.empty();
        } catch (IOException | RuntimeException | LinkageError e) {
            return Optional.of(String.valueOf(e.getMessage()));
        }
    }
}
