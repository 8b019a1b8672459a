package dev.zerokube.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers, per object and condition, the last transition this replica reported as an event, so a
 * transition is reported once even when a reconcile runs on a stale copy.
 *
 * <p>Why: reconcilers decide "the condition changed, emit an event" by comparing with the status
 * they were handed. That copy comes from the informer cache, which may not yet hold the status
 * patch this replica wrote a moment ago (another writer's change can trigger the next reconcile
 * first). Without this memory, such a reconcile reports the same transition again; a real API
 * server showed it as two Authorized events for one authorization. The memory lives in this
 * replica only: after a restart or failover the status alone decides, which at worst repeats one
 * event.
 */
public final class ReportedTransitions {
    private final Map<String, Map<String, String>> lastByObject = new ConcurrentHashMap<>();

    /**
     * Records {@code transition} (e.g. a reason, or reason and message) as the latest for this
     * object's {@code condition}.
     *
     * @return true if it differs from the last one recorded, i.e. the event should be written
     */
    public boolean firstReport(HasMetadata object, String condition, String transition) {
        Objects.requireNonNull(transition, "transition");
        String previous = lastByObject.computeIfAbsent(key(object), k -> new ConcurrentHashMap<>()).put(condition, transition);
        return !transition.equals(previous);
    }

    /** Forgets the last transition of one condition: the next report of any transition is new. */
    public void reset(HasMetadata object, String condition) {
        Map<String, String> last = lastByObject.get(key(object));
        if (last != null) {
            last.remove(condition);
        }
    }

    /** Forgets an object that is gone, so the memory stays as large as the live objects. */
    public void forget(HasMetadata object) {
        lastByObject.remove(key(object));
    }

    /** Objects remembered; for tests and metrics. */
    public int size() {
        return lastByObject.size();
    }

    private static String key(HasMetadata object) {
        // The UID tells a re-created object of the same name from the one before it.
        String uid = object.getMetadata().getUid();
        return uid != null ? uid
                : object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
    }
}
