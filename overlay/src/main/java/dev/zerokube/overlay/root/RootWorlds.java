package dev.zerokube.overlay.root;

import dev.zerokube.overlay.crypto.C25519;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.World;
import java.util.Arrays;
import java.util.List;

/**
 * Making the worlds that define roots (ZT1-07 §3.7): a first planet or moon, and later revisions
 * signed so that nodes holding the current one accept them (the update rule of
 * {@link World#shouldBeReplacedBy}). A node becomes a root simply by holding a world that lists
 * its own identity; everything a root does differently is keyed on that in the node
 * ({@code dev.zerokube.overlay.node.Node#isRoot()}).
 *
 * <p>Roots and endpoints stay in the order given, as 1.14.1's {@code mkworld} leaves them
 * ({@code genmoon} sorts them; the order changes no node's behaviour except tie-breaks between
 * equally good roots, which go by address anyway).
 */
public final class RootWorlds {
    private RootWorlds() {}

    /** A root entry: the identity (only its public part is kept) and its stable endpoints. */
    public static World.Root root(Identity identity, List<InetEndpoint> stableEndpoints) {
        return new World.Root(identity, stableEndpoints);
    }

    /**
     * A first revision, self-signed: its update key is {@code key}'s public half, so the next
     * revision must be signed with {@code key}.
     */
    public static World first(World.Type type, long id, long timestampMs, List<World.Root> roots, C25519.KeyPair key) {
        if (type == World.Type.NULL) {
            throw new IllegalArgumentException("a world with roots is a planet or a moon");
        }
        return World.make(type, id, timestampMs, key.publicKey(), roots, key);
    }

    /**
     * The next revision of {@code current}: same type and id, a later timestamp, new roots, signed
     * with {@code signingKey} (which must be the key {@code current} names as its update key) and
     * naming {@code nextUpdateKey} (64 bytes) as the key for the revision after.
     *
     * @throws IllegalArgumentException if the result would not replace {@code current} on a node
     */
    public static World revise(World current, long timestampMs, List<World.Root> roots, C25519.KeyPair signingKey,
            byte[] nextUpdateKey) {
        if (!Arrays.equals(signingKey.publicKey(), current.updatesMustBeSignedBy())) {
            throw new IllegalArgumentException("world " + Long.toUnsignedString(current.id())
                    + " must be revised with the key it names as its update key");
        }
        World next = World.make(current.type(), current.id(), timestampMs, nextUpdateKey, roots, signingKey);
        if (!current.shouldBeReplacedBy(next)) {
            throw new IllegalArgumentException("timestamp " + timestampMs + " is not after " + current.timestampMs());
        }
        return next;
    }
}
