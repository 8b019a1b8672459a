package dev.zerokube.operator.controller;

import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.identity.InvalidIdentityException;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller identity, kept in a Secret (ZT1-09 §6, §8 item 9): it is the network's root of
 * trust and the first 40 bits of every network ID, so it is generated once and read back on every
 * start. Two replicas starting together both generate one; the first create wins and the other
 * reads the winner's (409 on create), so both end with the same identity.
 *
 * <p>Keys: {@code identity.secret} (the text form with the private key, as ZeroTier's file) and
 * {@code identity.public}.
 */
public final class ControllerIdentitySecret {
    private static final Logger LOG = LoggerFactory.getLogger(ControllerIdentitySecret.class);
    /** Data key of the identity with its private key. */
    public static final String KEY_SECRET = "identity.secret";
    /** Data key of the public identity. */
    public static final String KEY_PUBLIC = "identity.public";

    private ControllerIdentitySecret() {}

    /**
     * The identity stored in Secret {@code namespace/name}, creating the Secret with
     * {@code generate}'s identity if it does not exist.
     *
     * @throws IllegalStateException if the Secret exists but holds no valid identity with a private
     *     key (never overwritten: every network ID depends on it)
     */
    public static Identity loadOrCreate(KubernetesClient client, String namespace, String name,
            Supplier<Identity> generate) {
        Secret existing = client.secrets().inNamespace(namespace).withName(name).get();
        if (existing != null) {
            return read(existing);
        }
        Identity identity = generate.get();
        Secret secret = new SecretBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels("app.kubernetes.io/part-of", "zerokube")
                .addToLabels("app.kubernetes.io/component", "operator")
                .endMetadata()
                .withType("Opaque")
                .withData(Map.of(
                        KEY_SECRET, base64(identity.toString(true)),
                        KEY_PUBLIC, base64(identity.toString(false))))
                .build();
        try {
            client.resource(secret).create();
            LOG.info("generated controller identity {} and stored it in Secret {}/{}", identity.address(), namespace, name);
            return identity;
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            return read(client.secrets().inNamespace(namespace).withName(name).require());
        }
    }

    private static Identity read(Secret s) {
        String where = "Secret " + s.getMetadata().getNamespace() + "/" + s.getMetadata().getName();
        String encoded = s.getData() == null ? null : s.getData().get(KEY_SECRET);
        if (encoded == null && s.getStringData() != null && s.getStringData().get(KEY_SECRET) != null) {
            encoded = base64(s.getStringData().get(KEY_SECRET));
        }
        if (encoded == null) {
            throw new IllegalStateException(where + " has no " + KEY_SECRET);
        }
        try {
            Identity i = Identity.parse(new String(Base64.getDecoder().decode(encoded.trim()), StandardCharsets.UTF_8).trim());
            if (!i.hasPrivate()) {
                throw new IllegalStateException(where + ": " + KEY_SECRET + " has no private key");
            }
            return i;
        } catch (InvalidIdentityException | IllegalArgumentException e) {
            throw new IllegalStateException(where + ": " + KEY_SECRET + " is not a ZeroTier identity: " + e.getMessage(), e);
        }
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
