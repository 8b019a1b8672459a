package dev.zerokube.overlay.controller;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.netconf.ConfigRequestMetadata;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import dev.zerokube.overlay.wire.rules.RuleEntry;
import dev.zerokube.overlay.wire.rules.RuleType;
import dev.zerokube.overlay.wire.verbs.ConfigChunk;
import dev.zerokube.overlay.wire.verbs.NetworkConfigRequestOk;
import dev.zerokube.overlay.wire.verbs.OkReply;
import dev.zerokube.overlay.wire.verbs.VerbPayload;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Goal: configs leave the controller as 1.14.1 cuts and signs them (ZT1-09 §1.4, ZT1-03
 * §4.12.1). Method: a real controller config larger than 20 KB (128 tags, 32 capabilities of 64 rules) and
 * arbitrary dictionaries around the 9 740-byte boundary are chunked; every chunk must verify with
 * the controller key over its signed region, carry the shared update id, total and offset, and
 * the chunks must reassemble the dictionary; the verb payloads must decode back to the chunks.
 * (Byte equality with 1.14.1's chunks is shown on the capture in ControllerCaptureTest.)
 */
class ConfigChunkerTest {
    private static final Identity CONTROLLER = ControllerFixtures.gen(3);
    private static final NetworkId NWID = NetworkId.parse("569957c763000099");

    @Test
    void aLargeConfigIsCutInto9740ByteSignedChunksThatReassemble() throws Exception {
        InMemoryPolicyStore store = new InMemoryPolicyStore();
        List<TagDefinition> tags = new ArrayList<>();
        List<CapabilityDefinition> caps = new ArrayList<>();
        List<RuleEntry> rules = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            rules.add(new RuleEntry.ValueMatch(RuleType.MATCH_ETHERTYPE, false, false, 0x0800 + i));
        }
        for (int i = 0; i < 128; i++) {
            tags.add(new TagDefinition(i, OptionalLong.of(i)));
            if (i < 32) {
                caps.add(new CapabilityDefinition(i, true, rules));
            }
        }
        store.load(NetworkRecord.builder(NWID, 0).privateNetwork(false).tags(tags).capabilities(caps).build());
        NetworkController controller = new NetworkController(CONTROLLER, store, new SplittableRandom(1));
        Identity member = ControllerFixtures.gen(1);
        NetworkConfig config = assertInstanceOf(ConfigDecision.Reply.class, controller.onConfigRequest(1_000_000,
                member.publicOnly(), NWID, ConfigRequestMetadata.zeroTier1141("x"), InetEndpoint.NIL)).config();
        assertEquals(32, config.capabilities().size());
        assertEquals(128, config.tags().size());
        byte[] dictionary = config.encode();
        assertTrue(dictionary.length > 20_000, dictionary.length + " bytes");

        long updateId = ConfigChunker.newConfigUpdateId(new SplittableRandom(5));
        List<ConfigChunk> chunks = new ConfigChunker(CONTROLLER).chunks(config, updateId);
        assertEquals((dictionary.length + ConfigChunker.CHUNK_LENGTH_MAX - 1) / ConfigChunker.CHUNK_LENGTH_MAX, chunks.size());
        checkChunks(chunks, dictionary, updateId);
        assertEquals(List.of(), NetworkConfig.decode(reassemble(chunks)).differences(sortedById(config)));

        List<VerbPayload> replies = ConfigChunker.replyPayloads(0x1122334455667788L, chunks);
        List<VerbPayload> pushes = ConfigChunker.pushPayloads(chunks);
        for (int i = 0; i < chunks.size(); i++) {
            OkReply ok = assertInstanceOf(OkReply.class, VerbPayload.decode(replies.get(i).verbCode(),
                    new ByteReader(replies.get(i).toBytes(), "reply")));
            assertEquals(0x1122334455667788L, ok.inRePacketId());
            assertEquals(chunks.get(i), assertInstanceOf(NetworkConfigRequestOk.class, ok.body()).chunk());
            dev.zerokube.overlay.wire.verbs.NetworkConfig push = assertInstanceOf(
                    dev.zerokube.overlay.wire.verbs.NetworkConfig.class,
                    VerbPayload.decode(pushes.get(i).verbCode(), new ByteReader(pushes.get(i).toBytes(), "push")));
            assertEquals(chunks.get(i), push.chunk());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 9739, 9740, 9741, 19_480, 19_481, 30_000})
    void chunkBoundaries(int length) {
        byte[] dictionary = new byte[length];
        new SplittableRandom(length).nextBytes(dictionary);
        List<ConfigChunk> chunks = new ConfigChunker(CONTROLLER).chunks(NWID, dictionary, 77);
        assertEquals((length + 9739) / 9740, chunks.size());
        checkChunks(chunks, dictionary, 77);
    }

    @Test
    void updateIdsAreNeverZero() {
        assertEquals(1, ConfigChunker.newConfigUpdateId(() -> 0L));
        assertEquals(-5, ConfigChunker.newConfigUpdateId(() -> -5L));
        assertThrows(IllegalArgumentException.class, () -> new ConfigChunker(CONTROLLER).chunks(NWID, new byte[3], 0));
        assertThrows(IllegalArgumentException.class, () -> new ConfigChunker(CONTROLLER.publicOnly()));
    }

    private static void checkChunks(List<ConfigChunk> chunks, byte[] dictionary, long updateId) {
        long offset = 0;
        for (ConfigChunk c : chunks) {
            ConfigChunk.Signed s = c.signed();
            assertEquals(NWID, c.networkId());
            assertEquals(0, s.flags());
            assertEquals(updateId, s.configUpdateId());
            assertEquals(dictionary.length, s.totalLength());
            assertEquals(offset, s.chunkOffset());
            assertTrue(s.isC25519());
            assertTrue(c.data().length <= ConfigChunker.CHUNK_LENGTH_MAX);
            assertTrue(CONTROLLER.publicOnly().verify(c.signedMessage(), s.signature()), "chunk at " + offset);
            offset += c.data().length;
        }
        assertArrayEquals(dictionary, reassemble(chunks));
    }

    private static byte[] reassemble(List<ConfigChunk> chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        chunks.forEach(c -> out.writeBytes(c.data()));
        return out.toByteArray();
    }

    /** The config as a node reads it back: capabilities and tags sorted by id. */
    private static NetworkConfig sortedById(NetworkConfig c) {
        return c.toBuilder()
                .capabilities(c.capabilities().stream().sorted((x, y) -> Long.compare(x.id(), y.id())).toList())
                .tags(c.tags().stream().sorted((x, y) -> Long.compare(x.id(), y.id())).toList())
                .build();
    }
}
