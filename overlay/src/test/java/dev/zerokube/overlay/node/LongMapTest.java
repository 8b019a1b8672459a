package dev.zerokube.overlay.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/*
 * Goal: the open-addressing peer map behaves like a HashMap under any sequence of puts, gets and
 * removes (backward-shift deletion is the subtle part) and refuses to grow past its size. Method:
 * seeded random operation sequences over small key ranges (many collisions and probe runs)
 * checked step by step against java.util.HashMap.
 */
class LongMapTest {
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void agreesWithHashMap(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int maxSize = 1 + r.nextInt(200);
        LongMap<String> map = new LongMap<>(maxSize);
        Map<Long, String> model = new HashMap<>();
        long keyRange = 1 + r.nextInt(3 * maxSize);
        for (int i = 0; i < 50_000; i++) {
            long key = r.nextBoolean() ? r.nextLong(keyRange) : r.nextLong(keyRange) << 40 >>> 24;
            switch (r.nextInt(3)) {
                case 0 -> {
                    String v = "v" + i;
                    if (model.size() < maxSize || model.containsKey(key)) {
                        assertEquals(model.put(key, v), map.put(key, v));
                    } else {
                        assertThrows(IllegalStateException.class, () -> map.put(key, v));
                    }
                }
                case 1 -> assertEquals(model.remove(key), map.remove(key));
                default -> assertEquals(model.get(key), map.get(key));
            }
            assertEquals(model.size(), map.size());
        }
        List<String> values = new ArrayList<>();
        map.forEachValue(values::add);
        assertEquals(model.size(), values.size());
        assertEquals(new java.util.HashSet<>(model.values()), new java.util.HashSet<>(values));
        map.clear();
        assertEquals(0, map.size());
        model.keySet().forEach(k -> assertEquals(null, map.get(k)));
    }
}
