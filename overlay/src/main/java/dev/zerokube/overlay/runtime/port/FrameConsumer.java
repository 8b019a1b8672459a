package dev.zerokube.overlay.runtime.port;

/**
 * Receives Ethernet frames (dst MAC 6 | src MAC 6 | ethertype 2 | payload) from a
 * {@link VirtualPort}.
 *
 * <p>The bytes {@code frame[off, off + len)} belong to the port and are valid only during the
 * call: the port reuses the buffer for the next frame, so a consumer that keeps a frame copies it.
 * The consumer may change the bytes in its range (e.g. to encrypt in place) but nothing outside it.
 */
@FunctionalInterface
public interface FrameConsumer {
    void onFrame(byte[] frame, int off, int len);

    /**
     * No more frames are queued right now: a batch ended. A consumer that batches its own output
     * (e.g. {@link VirtualPort#flush} on another port, a UDP send batch) sends it now.
     */
    default void onBatchEnd() {
    }
}
