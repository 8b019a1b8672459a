package dev.zerokube.overlay.runtime.port;

import java.io.IOException;

/**
 * The node's Ethernet port on the host (one per joined network): the host's stack sends frames
 * into it, and the node writes frames out of it to the host. Frames are plain Ethernet (dst MAC 6
 * | src MAC 6 | ethertype 2 | payload, no FCS), at most MTU + 14 bytes each.
 *
 * <p>Threads: frames from the host reach the consumer on one thread owned by the port (or, for a
 * {@link PolledPort} started with {@link PolledPort#startPolled}, the caller's event loop); {@link
 * #write} is meant for one writer thread at a time (the runtime's receive thread, inline with
 * decryption, DATAPATH.md recommendation 5); {@link #configure} and {@link #close} may be called
 * from any thread.
 */
public interface VirtualPort extends AutoCloseable {
    /** The port's name on the host (e.g. the TAP interface name). */
    String name();

    /**
     * Starts handing frames from the host to {@code consumer}, on a thread of the port's own,
     * until {@link #close}. Called once.
     */
    void start(FrameConsumer consumer);

    /**
     * Writes one Ethernet frame to the host. Never blocks for long and never throws for a bad or
     * undeliverable frame: returns false and counts it in {@link #counters()} instead.
     *
     * @return whether the frame was handed to the host
     */
    boolean write(byte[] frame, int off, int len);

    /**
     * Writes frames that {@link #write} held back to merge them (see {@link TapPort#mergeWrites});
     * the writer calls it at the end of each batch of writes (e.g. one UDP receive batch), so a
     * held frame waits at most one batch. No-op for ports that never hold frames.
     */
    default void flush() {
    }

    /**
     * Makes the port look like {@code config}: MTU, MAC, up, exactly these addresses and routes
     * (ones a previous call added and this one lacks are removed). Idempotent.
     *
     * @throws IOException if the host refuses (the message names the step and the host's reason)
     */
    void configure(PortConfig config) throws IOException;

    /** The last configuration applied, or null before the first {@link #configure}. */
    PortConfig config();

    PortCounters counters();

    /** Stops the frame thread (waiting for it) and releases the port. Idempotent. */
    @Override
    void close();
}
