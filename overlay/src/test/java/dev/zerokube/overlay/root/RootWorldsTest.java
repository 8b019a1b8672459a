package dev.zerokube.overlay.root;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.crypto.C25519;
import dev.zerokube.overlay.node.sim.SimIdentities;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.World;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/*
 * Goal: worlds made with RootWorlds are accepted by nodes under the update rule (ZT1-07 §3.5), and
 * revisions a node would refuse cannot be made by mistake. Method: build a first revision and
 * successors, check them with World.shouldBeReplacedBy, and check the refusals.
 */
class RootWorldsTest {
    private final SplittableRandom random = new SplittableRandom(17);
    private final C25519.KeyPair k1 = C25519.generate(random);
    private final C25519.KeyPair k2 = C25519.generate(random);
    private final World.Root root = RootWorlds.root(SimIdentities.get(0), List.of(InetEndpoint.parse("198.18.0.1/9993")));
    private final World first = RootWorlds.first(World.Type.PLANET, 77, 1_000, List.of(root), k1);

    @Test
    void firstRevisionIsSelfSigned() {
        assertArrayEquals(k1.publicKey(), first.updatesMustBeSignedBy());
        assertTrue(first.signatureVerifiesWith(k1.publicKey()));
        assertEquals(List.of(root), first.roots());
        assertEquals(SimIdentities.get(0).publicOnly(), first.roots().getFirst().identity(), "no private key in a world");
    }

    @Test
    void revisionsChainUnderTheUpdateRule() {
        World second = RootWorlds.revise(first, 2_000, List.of(root), k1, k2.publicKey());
        assertTrue(first.shouldBeReplacedBy(second));
        World third = RootWorlds.revise(second, 3_000, List.of(), k2, k2.publicKey());
        assertTrue(second.shouldBeReplacedBy(third));
        assertEquals(0, third.roots().size());
    }

    @Test
    void refusesRevisionsANodeWouldRefuse() {
        assertThrows(IllegalArgumentException.class, () -> RootWorlds.revise(first, 2_000, List.of(root), k2, k2.publicKey()),
                "signed with a key the current revision does not name");
        assertThrows(IllegalArgumentException.class, () -> RootWorlds.revise(first, 1_000, List.of(root), k1, k1.publicKey()),
                "not newer");
        assertThrows(IllegalArgumentException.class, () -> RootWorlds.first(World.Type.NULL, 1, 1, List.of(), k1));
    }
}
