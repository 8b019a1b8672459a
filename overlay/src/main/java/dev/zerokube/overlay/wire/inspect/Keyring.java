package dev.zerokube.overlay.wire.inspect;

import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.Armor;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The identities the dissector knows and the per-peer keys they give. A key for a pair needs one
 * side's secret and the other side's public identity; each pair's key and {@link Armor} are made
 * once.
 */
final class Keyring {
    /** Identities (and pair keys) kept at most, so a capture cannot make the dissector grow without bound. */
    static final int IDENTITIES_MAX = 1 << 16;

    /** A pair's 48-byte key and the armor (AES keys, cipher state) made from it. */
    record PeerKey(byte[] key, Armor armor) {
        static PeerKey of(byte[] key) {
            return new PeerKey(key, new Armor(key));
        }
    }

    private final Map<Long, Identity> byAddress = new HashMap<>();
    private final Map<Pair, PeerKey> keys = new HashMap<>();

    /**
     * Adds an identity. A secret identity replaces the public one with the same key; an identity
     * whose address is already held with a different public key is ignored (the first one wins,
     * as a node keeps the peer it knows).
     */
    void add(Identity id) {
        long address = id.address().value();
        Identity known = byAddress.get(address);
        if (known != null) {
            if (known.hasPrivate() || !id.hasPrivate() || !Arrays.equals(known.publicKey(), id.publicKey())) {
                return;
            }
        } else if (byAddress.size() >= IDENTITIES_MAX) {
            return;
        }
        byAddress.put(address, id);
    }

    /** The identity of {@code address}, or null. */
    Identity get(long address) {
        return byAddress.get(address);
    }

    /** The key of the pair, or null if neither side's secret (with the other's public) is known. */
    PeerKey key(long a, long b) {
        Pair pair = new Pair(Math.min(a, b), Math.max(a, b));
        PeerKey key = keys.get(pair);
        if (key == null) {
            byte[] raw = agree(byAddress.get(a), byAddress.get(b));
            if (raw == null) {
                return null;
            }
            key = PeerKey.of(raw);
            if (keys.size() < IDENTITIES_MAX) {
                keys.put(pair, key);
            }
        }
        return key;
    }

    /** The 48-byte key between two identities, one of which must hold its secret; else null. */
    static byte[] agree(Identity x, Identity y) {
        if (x == null || y == null) {
            return null;
        }
        if (x.hasPrivate()) {
            return x.agree(y);
        }
        if (y.hasPrivate()) {
            return y.agree(x);
        }
        return null;
    }

    private record Pair(long low, long high) {}
}
