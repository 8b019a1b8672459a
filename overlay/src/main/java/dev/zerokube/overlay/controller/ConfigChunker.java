package dev.zerokube.overlay.controller;

import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import dev.zerokube.overlay.wire.verbs.ConfigChunk;
import dev.zerokube.overlay.wire.verbs.NetworkConfigRequestOk;
import dev.zerokube.overlay.wire.verbs.OkReply;
import dev.zerokube.overlay.wire.verbs.VerbPayload;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Cuts a config's dictionary into signed chunks as 1.14.1's {@code Node::ncSendConfig} does
 * (ZT1-09 §1.4, ZT1-03 §4.12.1): at most 9 740 bytes each, flags 0, one config update id for all
 * chunks, the total length and each chunk's offset, each chunk signed by the controller over
 * network id … offset. Signatures are deterministic, so for the same dictionary and update id the
 * chunks are byte for byte 1.14.1's.
 */
public final class ConfigChunker {
    /** Largest chunk 1.14.1 sends. */
    public static final int CHUNK_LENGTH_MAX = ConfigChunk.CHUNK_LENGTH_MAX_1141;

    private final Identity controller;

    /** @param controller the controller identity, with its private key */
    public ConfigChunker(Identity controller) {
        Objects.requireNonNull(controller, "controller");
        if (!controller.hasPrivate()) {
            throw new IllegalArgumentException("the controller identity needs its private key to sign");
        }
        this.controller = controller;
    }

    /**
     * A fresh config update id: any non-zero 64-bit value (1.14.1 takes its PRNG output and turns
     * 0 into 1).
     */
    public static long newConfigUpdateId(RandomGenerator random) {
        long id = random.nextLong();
        return id == 0 ? 1 : id;
    }

    /**
     * The signed chunks of {@code config}.
     *
     * @throws IllegalStateException if the config does not fit a member's dictionary
     */
    public List<ConfigChunk> chunks(NetworkConfig config, long configUpdateId) {
        return chunks(config.networkId(), config.encode(), configUpdateId);
    }

    /** The signed chunks of a dictionary's bytes. */
    public List<ConfigChunk> chunks(NetworkId networkId, byte[] dictionary, long configUpdateId) {
        if (configUpdateId == 0) {
            throw new IllegalArgumentException("config update id 0");
        }
        List<ConfigChunk> out = new ArrayList<>();
        for (int offset = 0; offset < dictionary.length; offset += CHUNK_LENGTH_MAX) {
            byte[] data = Arrays.copyOfRange(dictionary, offset, Math.min(dictionary.length, offset + CHUNK_LENGTH_MAX));
            byte[] signature = controller.sign(ConfigChunk.signedMessage(networkId, data, 0, configUpdateId,
                    dictionary.length, offset));
            out.add(new ConfigChunk(networkId, data,
                    ConfigChunk.Signed.c25519(0, configUpdateId, dictionary.length, offset, signature)));
        }
        return out;
    }

    /** The chunks as OK(NETWORK_CONFIG_REQUEST) payloads answering request {@code requestPacketId}. */
    public static List<VerbPayload> replyPayloads(long requestPacketId, List<ConfigChunk> chunks) {
        return chunks.stream().<VerbPayload>map(c -> new OkReply(requestPacketId, new NetworkConfigRequestOk(c))).toList();
    }

    /** The chunks as unsolicited NETWORK_CONFIG payloads (a push). */
    public static List<VerbPayload> pushPayloads(List<ConfigChunk> chunks) {
        return chunks.stream().<VerbPayload>map(dev.zerokube.overlay.wire.verbs.NetworkConfig::new).toList();
    }
}
