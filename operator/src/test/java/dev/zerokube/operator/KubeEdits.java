package dev.zerokube.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.function.Consumer;

/**
 * Edits an object the way {@code kubectl edit} does while the operator writes it too: read, change,
 * write with the resourceVersion read, and on a 409 (the operator patched it in between) start
 * over. A test that edits once and gives up on 409 is flaky, failing more often the more the
 * operator is doing at that moment.
 */
public final class KubeEdits {
    private static final int ATTEMPTS = 10;

    private KubeEdits() {}

    /** Applies {@code change} to the object at {@code resource}, again on each conflict, up to ten times. */
    public static <T extends HasMetadata> void edit(Resource<T> resource, Consumer<T> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                resource.edit(x -> {
                    change.accept(x);
                    return x;
                });
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
    }
}
