package dev.zerokube.overlay.runtime;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.node.Node;
import dev.zerokube.overlay.node.NodeEvent;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Sends a peer ECHOs with a chosen payload and collects the OK(ECHO)s that carry it back: the
 * interop lab's ECHO (ZT1-11 IOP-11b), behind the local API's {@code POST /zerokube/echo/<address>}
 * and {@code zerokube cli echo}. Every ECHO of one probe has the same payload, so an answer cannot
 * tell which of them it answers; it is reported with its arrival time since the first send. A peer
 * answers at most once per path per 166 ms (ZT1-03 §4.9), which a burst makes visible.
 */
public final class EchoProbe {
    /** ECHOs one probe sends at most. */
    public static final int COUNT_MAX = 100;
    /** Longest pause between two ECHOs, and longest wait for answers after the last. */
    public static final long WAIT_MAX_MS = 10_000;
    /** Longest probe: it holds one of the local API's threads. */
    public static final long DURATION_MAX_MS = 20_000;

    /**
     * One ECHO answered.
     *
     * @param afterMs its arrival, in milliseconds since the first ECHO was sent
     * @param hops the hop count of the answer: 0 when it came over a direct path
     */
    public record Answer(double afterMs, int hops) {}

    /**
     * What a probe saw.
     *
     * @param sent ECHOs sent
     * @param answers the answers that carried the payload back, in arrival order
     * @param otherAnswers answers from the peer with another payload meanwhile (keepalive probes',
     *     pings')
     */
    public record Result(Address peer, int sent, List<Answer> answers, int otherAnswers) {}

    private EchoProbe() {}

    /**
     * Sends {@code count} ECHOs carrying {@code payload} to {@code peer}, {@code intervalMs} apart,
     * then waits {@code waitMs} for the last answers. Blocks the caller (never the node's thread).
     *
     * @throws IllegalArgumentException for a reserved address or the node's own, a payload over
     *     {@link Node#ECHO_PAYLOAD_MAX}, or a count, interval or wait out of range (also together:
     *     at most {@link #DURATION_MAX_MS})
     */
    public static Result run(NodeService service, Address peer, byte[] payload, int count, long intervalMs, long waitMs)
            throws InterruptedException {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(payload, "payload");
        if (count < 1 || count > COUNT_MAX) {
            throw new IllegalArgumentException("count must be 1 to " + COUNT_MAX + ", not " + count);
        }
        if (intervalMs < 0 || intervalMs > WAIT_MAX_MS || waitMs < 0 || waitMs > WAIT_MAX_MS) {
            throw new IllegalArgumentException("interval and wait must be 0 to " + WAIT_MAX_MS + " ms");
        }
        if ((count - 1) * intervalMs + waitMs > DURATION_MAX_MS) {
            throw new IllegalArgumentException("the probe would take more than " + DURATION_MAX_MS + " ms");
        }
        List<Answer> answers = new CopyOnWriteArrayList<>();
        int[] others = new int[1]; // written on the node's thread only, read after the listener is gone
        long startNs = System.nanoTime();
        Consumer<NodeEvent> listener = e -> {
            if (e instanceof NodeEvent.EchoReply r && r.peer().equals(peer)) {
                if (Arrays.equals(r.payload(), payload)) {
                    answers.add(new Answer((System.nanoTime() - startNs) / 1e6, r.hops()));
                } else {
                    others[0]++;
                }
            }
        };
        service.addListener(listener);
        try {
            for (int i = 0; i < count; i++) {
                if (i > 0 && intervalMs > 0) {
                    Thread.sleep(intervalMs);
                }
                send(service, peer, payload);
            }
            Thread.sleep(waitMs);
        } finally {
            service.removeListener(listener);
        }
        int otherAnswers = service.call(n -> others[0]).join(); // on the node's thread: sees every write
        return new Result(peer, count, List.copyOf(answers), otherAnswers);
    }

    private static void send(NodeService service, Address peer, byte[] payload) throws InterruptedException {
        try {
            service.call(n -> {
                n.echo(peer, payload, service.nowMs());
                return null;
            }).get(WAIT_MAX_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IllegalArgumentException bad) {
                throw bad;
            }
            throw new IllegalStateException("the node did not send the ECHO: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the node's thread did not take the ECHO within " + WAIT_MAX_MS + " ms", e);
        }
    }
}
