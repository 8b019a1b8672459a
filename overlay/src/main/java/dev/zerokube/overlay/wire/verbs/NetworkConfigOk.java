package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.Verb;

/**
 * Acknowledgement of a NETWORK_CONFIG chunk that completed a config (ZT1-03 §4.13).
 *
 * <pre>
 * P+9   [8]  network id
 * P+17  [8]  config update id
 * </pre>
 * This type is the form with in-re verb NETWORK_CONFIG (0x0c). 1.14.1 sends the same bytes with
 * in-re verb ECHO (0x08): build that with {@link #asEchoOk()} for byte compatibility, and read
 * it back with {@link #fromEchoOk}. A receiver should accept both (ZT1-03 §7 item 4).
 */
public record NetworkConfigOk(NetworkId networkId, long configUpdateId) implements OkBody {
    public NetworkConfigOk {
        if (networkId == null) {
            throw new IllegalArgumentException("network id is required");
        }
    }

    @Override
    public int inReVerb() {
        return Verb.NETWORK_CONFIG.code();
    }

    static NetworkConfigOk decode(ByteReader r) throws WireFormatException {
        return new NetworkConfigOk(NetworkId.decode(r), r.readU64("config update id"));
    }

    @Override
    public void encode(ByteWriter w) {
        networkId.encode(w);
        w.u64(configUpdateId);
    }

    /** The reply as 1.14.1 sends it: in-re verb ECHO with these 16 bytes. */
    public EchoOk asEchoOk() {
        ByteWriter w = new ByteWriter(16);
        encode(w);
        return new EchoOk(w.toByteArray());
    }

    /**
     * Reads an OK(ECHO) body as 1.14.1's config acknowledgement, or returns {@code null} when it
     * is shorter than 16 bytes (then it can only be a real echo).
     */
    public static NetworkConfigOk fromEchoOk(EchoOk echo) {
        byte[] d = echo.data();
        if (d.length < 16) {
            return null;
        }
        try {
            return decode(new ByteReader(d, "OK(NETWORK_CONFIG)"));
        } catch (WireFormatException e) {
            throw new IllegalStateException("16 bytes were checked to be present", e);
        }
    }
}
