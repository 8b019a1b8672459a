package dev.zerokube.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes Kubernetes Events (events.k8s.io/v1) about zerokube objects (KUBERNETES.md item 12): join,
 * authorize, revoke, IP pool exhausted, rules that fail to compile. Events are best effort: a
 * failure to write one is logged and never fails a reconciliation. Callers emit an event only when
 * a condition changes, so a steady state writes none.
 */
public final class EventRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
    /** {@code reportingController} of every event. */
    public static final String REPORTING_CONTROLLER = "zerokube.dev/operator";

    /** Normal or Warning, as Kubernetes defines them. */
    public enum Type {
        Normal,
        Warning
    }

    private final KubernetesClient client;
    private final Clock clock;
    private final String instance;
    private final String defaultNamespace;

    /**
     * @param instance this operator replica's name ({@code reportingInstance})
     * @param defaultNamespace where events about cluster-scoped objects go
     */
    public EventRecorder(KubernetesClient client, Clock clock, String instance, String defaultNamespace) {
        this.client = client;
        this.clock = clock;
        this.instance = instance;
        this.defaultNamespace = defaultNamespace;
    }

    /**
     * An event's {@code eventTime} as the API server parses a MicroTime: always six fractional
     * digits ({@code Instant.toString()} drops trailing zeros, and a real API server answers 400).
     */
    static String microTime(Instant t) {
        return MICRO_TIME.format(t.truncatedTo(ChronoUnit.MICROS));
    }

    private static final java.time.format.DateTimeFormatter MICRO_TIME = java.time.format.DateTimeFormatter
            .ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'", Locale.ROOT).withZone(java.time.ZoneOffset.UTC);

    /**
     * Records an event.
     *
     * @param reason CamelCase, e.g. RulesInvalid
     * @param action what the operator did, CamelCase, e.g. Compile
     * @param note for humans
     */
    public void record(HasMetadata regarding, Type type, String reason, String action, String note) {
        String namespace = regarding.getMetadata().getNamespace() != null
                ? regarding.getMetadata().getNamespace() : defaultNamespace;
        Instant now = clock.instant();
        String name = regarding.getMetadata().getName() + "." + Long.toHexString(now.toEpochMilli())
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000)).toLowerCase(Locale.ROOT);
        try {
            client.resource(new EventBuilder()
                    .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                    .withRegarding(new ObjectReferenceBuilder()
                            .withApiVersion(regarding.getApiVersion())
                            .withKind(regarding.getKind())
                            .withName(regarding.getMetadata().getName())
                            .withNamespace(regarding.getMetadata().getNamespace())
                            .withUid(regarding.getMetadata().getUid())
                            .withResourceVersion(regarding.getMetadata().getResourceVersion())
                            .build())
                    .withType(type.name())
                    .withReason(reason)
                    .withAction(action)
                    .withNote(note.length() > 1024 ? note.substring(0, 1021) + "..." : note)
                    .withEventTime(new io.fabric8.kubernetes.api.model.MicroTime(microTime(now)))
                    .withReportingController(REPORTING_CONTROLLER)
                    .withReportingInstance(instance)
                    .build()).create();
        } catch (KubernetesClientException e) {
            LOG.warn("could not record event {} on {}: {}", reason, name, e.getMessage());
        }
    }
}
