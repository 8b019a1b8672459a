package dev.zerokube.operator.network;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.NetworkId;
import java.util.HashSet;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Chooses network IDs: the controller's address in the top 40 bits, 24 random bits below
 * (ZT1-09 §1.1), never one already in use or handed out by this allocator. The reconciler keeps
 * the result in status.networkId, after which it never changes. Thread-safe.
 */
public final class NetworkIdAllocator {
    /** The 24 low bits of a network ID; 0 is skipped (it reads like "no network"). */
    static final int LOW_BITS = 24;
    private static final int ATTEMPTS_MAX = 1 << 16;

    private final Address controller;
    private final RandomGenerator random;
    private final Set<NetworkId> handedOut = new HashSet<>();

    public NetworkIdAllocator(Address controller, RandomGenerator random) {
        this.controller = controller;
        this.random = random;
    }

    /**
     * A network ID of this controller that is neither in {@code inUse} nor handed out before.
     *
     * @throws IllegalStateException if no free ID was found (16.7 million IDs per controller)
     */
    public synchronized NetworkId allocate(Set<NetworkId> inUse) {
        for (int i = 0; i < ATTEMPTS_MAX; i++) {
            long low = 1 + random.nextLong((1L << LOW_BITS) - 1);
            NetworkId id = new NetworkId((controller.value() << LOW_BITS) | low);
            if (!inUse.contains(id) && handedOut.add(id)) {
                return id;
            }
        }
        throw new IllegalStateException("no free network ID for controller " + controller);
    }
}
