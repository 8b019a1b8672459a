package dev.zerokube.overlay.runtime;

import dev.zerokube.overlay.node.Node;
import dev.zerokube.overlay.runtime.port.FrameConsumer;
import dev.zerokube.overlay.runtime.port.PolledPort;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import java.util.function.Consumer;

/**
 * Reads a {@link PolledPort} on the node's event loop ({@link NodeService#watchReadable}) and hands
 * its frames straight to {@link Node#onFrame}: no queue, no copy, no second thread. The
 * counterpart of {@link PortFrameQueue} for ports and transports that allow it.
 *
 * <p>Each wake-up reads at most {@link #READS_PER_WAKEUP} times (each read may be a TSO
 * super-frame of up to ~45 frames): the watch is level-triggered, so what is left is read on the
 * loop's next turn, after the datagrams and timers that became ready meanwhile (the ACKs of the
 * same TCP flow among them).
 *
 * <p>Node thread only.
 */
final class PolledPortReader implements FrameConsumer, Consumer<Node> {
    /** Reads per wake-up of the loop. */
    static final int READS_PER_WAKEUP = 4;

    private final NetworkId id;
    private final PolledPort port;
    private final NodeService service;
    private final Consumer<java.io.IOException> onFailure;
    // node thread only: the loop's watch of the port, dropped when the port fails
    private NodeService.ReadableWatch watch;
    // during accept() only
    private Node node;
    private long nowMs;

    /**
     * For {@code port} of network {@code id}; {@code onFailure} hears (on the node's thread, once)
     * that the port failed and is no longer watched.
     */
    PolledPortReader(NetworkId id, PolledPort port, NodeService service, Consumer<java.io.IOException> onFailure) {
        this.id = id;
        this.port = port;
        this.service = service;
        this.onFailure = onFailure;
    }

    /** Starts reading {@code port} on the node's loop; the watch to close before the port. */
    static NodeService.ReadableWatch start(NetworkId id, PolledPort port, NodeService service,
            Consumer<java.io.IOException> onFailure) {
        PolledPortReader reader = new PolledPortReader(id, port, service, onFailure);
        int fd = port.startPolled(reader);
        NodeService.ReadableWatch w = service.watchReadable(fd, reader)
                .orElseThrow(() -> new IllegalStateException("the node's loop cannot watch the port"));
        service.execute(n -> reader.watch = w);
        return w;
    }

    /** On the node's thread, when the port's descriptor is readable. */
    @Override
    public void accept(Node n) {
        node = n;
        nowMs = service.nowMs();
        try {
            port.readReady(READS_PER_WAKEUP);
        } finally {
            node = null;
        }
        java.io.IOException failure = port.readFailure();
        if (failure != null && watch != null) {
            // an errored descriptor stays readable: watched further, it would spin the loop
            watch.close();
            watch = null;
            onFailure.accept(failure);
        }
    }

    @Override
    public void onFrame(byte[] frame, int off, int len) {
        if (len > NetworkConfig.MTU_MAX + 14) {
            return; // longer than any network's MTU allows: never handed on (as PortFrameQueue)
        }
        try {
            node.onFrame(id, frame, off, len, nowMs);
        } catch (IllegalArgumentException notJoined) {
            // left while the port was still open: its frames go nowhere until it closes
        }
    }
}
