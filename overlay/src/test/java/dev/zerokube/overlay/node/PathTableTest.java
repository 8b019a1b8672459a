package dev.zerokube.overlay.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.wire.InetEndpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/*
 * Goal: one canonical Path per (local socket, remote endpoint), a table that never exceeds its cap,
 * and eviction that only ever drops paths no peer holds. Method: direct checks, then a seeded flood
 * of endpoints with some paths held, checked against the invariants after every insertion.
 */
class PathTableTest {
    private static InetEndpoint ep(int i) {
        return InetEndpoint.of(new byte[] {(byte) 198, 18, (byte) (i >> 8), (byte) i}, 9993);
    }

    @Test
    void onePathPerSocketAndEndpoint() {
        PathTable t = new PathTable(16);
        Path a = t.getOrCreate(1, ep(1));
        assertSame(a, t.getOrCreate(1, InetEndpoint.parse("198.18.0.1/9993")), "equal endpoints, same path");
        Path b = t.getOrCreate(2, ep(1));
        assertNotSame(a, b, "another socket is another path");
        assertSame(a, t.find(1, ep(1)));
        assertSame(b, t.find(2, ep(1)));
        assertNull(t.find(3, ep(1)));
        assertNull(t.find(1, InetEndpoint.parse("198.18.0.1/9994")), "another port is another path");
        assertEquals(2, t.size());
    }

    @Test
    void fullTableEvictsOnlyUnheldPaths() {
        PathTable t = new PathTable(32);
        SplittableRandom r = new SplittableRandom(5);
        List<Path> held = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            Path p = t.getOrCreate(1 + r.nextInt(3), ep(r.nextInt(4000)));
            if (held.size() < 20 && r.nextInt(10) == 0 && p.tableIndex >= 0 && p.slotRefs == 0) {
                p.slotRefs++;
                held.add(p);
            }
            assertTrue(t.size() <= 32);
            for (Path h : held) {
                assertSame(h, t.find(h.localSocket, h.remote), "a held path stays canonical");
            }
        }
        assertEquals(32, t.size());
    }

    @Test
    void whenEveryPathIsHeldNewOnesAreTransient() {
        PathTable t = new PathTable(2);
        t.getOrCreate(1, ep(1)).slotRefs++;
        t.getOrCreate(1, ep(2)).slotRefs++;
        Path transientPath = t.getOrCreate(1, ep(3));
        assertEquals(-1, transientPath.tableIndex);
        assertNull(t.find(1, ep(3)));
        assertEquals(2, t.size());
    }

    @Test
    void dropsUnusedIdlePaths() {
        PathTable t = new PathTable(8);
        Path idle = t.getOrCreate(1, ep(1));
        idle.lastInMs = 0;
        Path recent = t.getOrCreate(1, ep(2));
        recent.lastInMs = 900_000;
        Path held = t.getOrCreate(1, ep(3));
        held.lastInMs = 0;
        held.slotRefs = 1;
        t.dropUnused(1_000_000, 243_000);
        assertNull(t.find(1, ep(1)));
        assertSame(recent, t.find(1, ep(2)));
        assertSame(held, t.find(1, ep(3)));
        assertEquals(2, t.size());
    }
}
