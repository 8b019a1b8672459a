package dev.zerokube.overlay.runtime.port;

/**
 * A {@link VirtualPort} whose frames from the host the caller's own event loop can read, instead
 * of a thread of the port's: the loop watches {@link #startPolled}'s descriptor and calls
 * {@link #readReady} whenever it is readable. Then a frame from the host is read, encrypted and
 * sent in one thread's wake-up, with no hand-over between threads.
 *
 * <p>Threads: {@link #readReady} on one thread at a time (the loop's). The loop must stop calling
 * it, and stop watching the descriptor, before it calls {@link #close}: the descriptor is closed
 * there, and its number may be reused at once.
 */
public interface PolledPort extends VirtualPort {
    /**
     * Instead of {@link #start}: frames will go to {@code consumer} from {@link #readReady} calls.
     * Called once.
     *
     * @return the descriptor that becomes readable when frames from the host wait
     */
    int startPolled(FrameConsumer consumer);

    /**
     * Reads what waits, without blocking, at most {@code maxReads} reads (each may carry many
     * frames), and hands the frames to the consumer. Never throws for a bad frame or a failed read.
     *
     * @return true if it stopped at {@code maxReads} (more may wait), false once nothing waits or
     *     the port is closed or failed
     */
    boolean readReady(int maxReads);

    /**
     * Why reading stopped for good (the device failed), or null. Once set, {@link #readReady}
     * reads nothing, while the descriptor may stay readable (an error is): the loop must stop
     * watching it.
     */
    java.io.IOException readFailure();
}
