package dev.zerokube.operator;

import dev.zerokube.overlay.controller.PolicyChange;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A policy store's change consumer for tests that must hold the informer's handler still: it
 * records every change and blocks in the first one {@code holdAt} accepts until
 * {@link #release()} (or the wait runs out), so that the store's cache can move ahead of the
 * events the handler has delivered.
 */
final class HeldChangeFeed implements Consumer<PolicyChange> {
    final BlockingQueue<PolicyChange> changes = new LinkedBlockingQueue<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicBoolean holding = new AtomicBoolean(true);
    private final Predicate<PolicyChange> holdAt;
    private final Duration wait;

    HeldChangeFeed(Predicate<PolicyChange> holdAt, Duration wait) {
        this.holdAt = holdAt;
        this.wait = wait;
    }

    @Override
    public void accept(PolicyChange c) {
        changes.add(c);
        if (holdAt.test(c) && holding.getAndSet(false)) {
            try {
                release.await(wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    void release() {
        release.countDown();
    }

    /** The next change within the wait, or null. */
    PolicyChange next() throws InterruptedException {
        return changes.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    }
}
