package dev.zerokube.overlay.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.controller.ConfigChunker;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.ConfigReassembler.Result;
import dev.zerokube.overlay.node.sim.SimIdentities;
import dev.zerokube.overlay.wire.Dictionary;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.verbs.ConfigChunk;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/*
 * Goal: the config chunk reassembler takes exactly the chunks the controller signed for this
 * network, in any order and with duplicates, completes when the dictionary is covered, and keeps
 * its memory bounded. Method: dictionaries of random bytes cut and signed by the real
 * ConfigChunker (so chunks are what a controller sends), offered shuffled by a seeded generator;
 * malformed chunks built by hand and signed with the controller key where the signature must not
 * be the reason for the refusal.
 */
class ConfigReassemblerTest {
    private static final Identity CONTROLLER = SimIdentities.get(0);
    private static final Identity STRANGER = SimIdentities.get(1);
    private static final NetworkId NWID = new NetworkId((CONTROLLER.address().value() << 24) | 7);
    private final ConfigChunker chunker = new ConfigChunker(CONTROLLER);

    private static byte[] dictionary(long seed, int length) {
        byte[] d = new byte[length];
        new SplittableRandom(seed).nextBytes(d);
        return d;
    }

    private static ConfigChunk signed(Identity signer, NetworkId id, byte[] data, long updateId, long total,
            long offset) {
        byte[] sig = signer.sign(ConfigChunk.signedMessage(id, data, 0, updateId, total, offset));
        return new ConfigChunk(id, data, ConfigChunk.Signed.c25519(0, updateId, total, offset, sig));
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void completesInAnyOrderWithDuplicates(long seed) {
        byte[] dict = dictionary(seed, 3 * ConfigChunker.CHUNK_LENGTH_MAX + 123);
        List<ConfigChunk> chunks = new ArrayList<>(chunker.chunks(NWID, dict, 0x1234 + seed));
        assertEquals(4, chunks.size());
        List<ConfigChunk> arrivals = new ArrayList<>(chunks);
        arrivals.add(chunks.get((int) seed % 4));
        arrivals.add(chunks.get((int) (seed + 1) % 4));
        Collections.shuffle(arrivals, new Random(seed));
        ConfigReassembler r = new ConfigReassembler(NWID);
        boolean[] seen = new boolean[4];
        int completions = 0;
        for (ConfigChunk c : arrivals) {
            int index = chunks.indexOf(c);
            Result result = r.offer(c, CONTROLLER.publicOnly());
            if (seen[index]) {
                assertEquals(Result.DUPLICATE, result);
                continue;
            }
            seen[index] = true;
            boolean last = all(seen);
            assertEquals(last ? Result.COMPLETE : Result.PENDING, result);
            if (last) {
                completions++;
                assertArrayEquals(dict, r.completed());
                assertEquals(0x1234 + seed, r.completedUpdateId());
            }
        }
        assertEquals(1, completions);
        assertEquals(0, r.bufferedBytes(), "the slot is free again");
    }

    private static boolean all(boolean[] b) {
        for (boolean x : b) {
            if (!x) {
                return false;
            }
        }
        return true;
    }

    @Test
    void refusesBadSignaturesOtherSignersAndOtherNetworks() {
        byte[] dict = dictionary(9, 500);
        ConfigChunk good = chunker.chunks(NWID, dict, 77).getFirst();
        ConfigReassembler r = new ConfigReassembler(NWID);

        byte[] sig = good.signed().signature();
        sig[10] ^= 1;
        ConfigChunk badSig = new ConfigChunk(NWID, dict, ConfigChunk.Signed.c25519(0, 77, 500, 0, sig));
        assertEquals(Result.INVALID, r.offer(badSig, CONTROLLER.publicOnly()));

        byte[] altered = dict.clone();
        altered[3] ^= 1;
        assertEquals(Result.INVALID, r.offer(new ConfigChunk(NWID, altered, good.signed()), CONTROLLER.publicOnly()));

        assertEquals(Result.INVALID, r.offer(signed(STRANGER, NWID, dict, 78, 500, 0), CONTROLLER.publicOnly()),
                "signed by someone else");

        NetworkId other = new NetworkId(NWID.value() + 1);
        assertEquals(Result.INVALID, r.offer(signed(CONTROLLER, other, dict, 79, 500, 0), CONTROLLER.publicOnly()),
                "another network's chunk, validly signed");

        ConfigChunk otherType = new ConfigChunk(NWID, dict, new ConfigChunk.Signed(0, 77, 500, 0, 2, good.signed().signature()));
        assertEquals(Result.INVALID, r.offer(otherType, CONTROLLER.publicOnly()), "signature type 2");

        assertEquals(Result.INVALID, r.offer(new ConfigChunk(NWID, dict, null), CONTROLLER.publicOnly()),
                "unsigned (legacy) chunks only through offerLegacy");
        assertEquals(0, r.bufferedBytes(), "nothing refused was stored");
        assertEquals(Result.COMPLETE, r.offer(good, CONTROLLER.publicOnly()));
    }

    @Test
    void unknownSignerStoresNothing() {
        ConfigChunk c = chunker.chunks(NWID, dictionary(10, 20_000), 5).getFirst();
        ConfigReassembler r = new ConfigReassembler(NWID);
        assertEquals(Result.SIGNER_UNKNOWN, r.offer(c, null));
        assertEquals(0, r.bufferedBytes());
        assertEquals(Result.PENDING, r.offer(c, CONTROLLER.publicOnly()));
    }

    @Test
    void refusesOversizedAndOutOfBoundsChunksBeforeAllocating() {
        ConfigReassembler r = new ConfigReassembler(NWID);
        byte[] data = dictionary(11, 100);
        int cap = Dictionary.NETWORK_CONFIG_CAPACITY;
        assertEquals(Result.INVALID, r.offer(signed(CONTROLLER, NWID, data, 1, cap, 0), CONTROLLER.publicOnly()),
                "total length must be below the dictionary capacity");
        assertEquals(Result.INVALID, r.offer(signed(CONTROLLER, NWID, data, 1, 0xffff_ffffL, 0), CONTROLLER.publicOnly()));
        assertEquals(Result.INVALID, r.offer(signed(CONTROLLER, NWID, data, 1, 150, 51), CONTROLLER.publicOnly()),
                "offset + length past the total");
        assertEquals(0, r.bufferedBytes());
        assertEquals(Result.PENDING, r.offer(signed(CONTROLLER, NWID, data, 1, cap - 1, 0), CONTROLLER.publicOnly()),
                "the largest dictionary 1.14.1 takes");
        assertEquals(cap - 1, r.bufferedBytes());
    }

    @Test
    void refusesOverlapsAndATotalThatChanges() {
        byte[] dict = dictionary(12, 300);
        ConfigReassembler r = new ConfigReassembler(NWID);
        assertEquals(Result.PENDING, r.offer(signed(CONTROLLER, NWID, Arrays.copyOfRange(dict, 0, 100), 3, 300, 0),
                CONTROLLER.publicOnly()));
        assertEquals(Result.INVALID, r.offer(signed(CONTROLLER, NWID, Arrays.copyOfRange(dict, 50, 150), 3, 300, 50),
                CONTROLLER.publicOnly()), "overlaps the first chunk");
        assertEquals(Result.INVALID, r.offer(signed(CONTROLLER, NWID, Arrays.copyOfRange(dict, 100, 200), 3, 301, 100),
                CONTROLLER.publicOnly()), "same update, another total");
        assertEquals(Result.PENDING, r.offer(signed(CONTROLLER, NWID, Arrays.copyOfRange(dict, 200, 300), 3, 300, 200),
                CONTROLLER.publicOnly()));
        assertEquals(Result.COMPLETE, r.offer(signed(CONTROLLER, NWID, Arrays.copyOfRange(dict, 100, 200), 3, 300, 100),
                CONTROLLER.publicOnly()));
        assertArrayEquals(dict, r.completed());
        assertEquals(Result.DUPLICATE, r.offer(signed(CONTROLLER, NWID, Arrays.copyOfRange(dict, 0, 100), 3, 300, 0),
                CONTROLLER.publicOnly()), "a late copy of the completed update");
    }

    @Test
    void threeUpdatesAtOnceAndTheLeastRecentIsEvictedByAFourth() {
        ConfigReassembler r = new ConfigReassembler(NWID);
        List<List<ConfigChunk>> updates = new ArrayList<>();
        for (int u = 0; u < 4; u++) {
            updates.add(chunker.chunks(NWID, dictionary(20 + u, 2 * ConfigChunker.CHUNK_LENGTH_MAX), 100 + u));
        }
        for (int u = 0; u < 4; u++) {
            assertEquals(Result.PENDING, r.offer(updates.get(u).getFirst(), CONTROLLER.publicOnly()));
            assertTrue(r.bufferedBytes() <= 3L * 2 * ConfigChunker.CHUNK_LENGTH_MAX, "at most three buffers");
        }
        assertEquals(Result.PENDING, r.offer(updates.get(0).get(1), CONTROLLER.publicOnly()),
                "update 0 was evicted: its second chunk starts over");
        for (int u = 2; u < 4; u++) {
            assertEquals(Result.COMPLETE, r.offer(updates.get(u).get(1), CONTROLLER.publicOnly()), "update " + u);
        }
        assertEquals(Result.PENDING, r.offer(updates.get(1).get(1), CONTROLLER.publicOnly()),
                "update 1 was evicted by update 0's restart");
    }

    @Test
    void refusesMoreChunksThanOneUpdateMayHave() {
        int n = Timing.NETWORK_MAX_UPDATE_CHUNKS + 1;
        byte[] dict = dictionary(30, n);
        ConfigReassembler r = new ConfigReassembler(NWID);
        for (int i = 0; i < Timing.NETWORK_MAX_UPDATE_CHUNKS; i++) {
            assertEquals(Result.PENDING, r.offer(signed(CONTROLLER, NWID, new byte[] {dict[i]}, 9, n, i),
                    CONTROLLER.publicOnly()));
        }
        assertEquals(Result.INVALID, r.offer(signed(CONTROLLER, NWID, new byte[] {dict[n - 1]}, 9, n, n - 1),
                CONTROLLER.publicOnly()));
    }

    @Test
    void legacyChunkIsTheWholeDictionaryUnderTheOksPacketId() {
        byte[] dict = dictionary(40, 700);
        ConfigReassembler r = new ConfigReassembler(NWID);
        assertEquals(Result.COMPLETE, r.offerLegacy(new ConfigChunk(NWID, dict, null), 0xabcdL));
        assertArrayEquals(dict, r.completed());
        assertEquals(0xabcdL, r.completedUpdateId());
        assertEquals(Result.DUPLICATE, r.offerLegacy(new ConfigChunk(NWID, dict, null), 0xabcdL));
        assertEquals(Result.INVALID, r.offerLegacy(new ConfigChunk(new NetworkId(1), dict, null), 0xabceL));
        assertEquals(Result.INVALID, r.offerLegacy(chunker.chunks(NWID, dict, 1).getFirst(), 0xabcfL),
                "a signed chunk is not legacy");
    }
}
