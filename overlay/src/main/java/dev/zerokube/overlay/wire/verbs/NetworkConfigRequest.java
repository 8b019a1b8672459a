package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.Verb;
import java.util.Arrays;
import java.util.Objects;

/**
 * NETWORK_CONFIG_REQUEST (0x0b): a member asks the controller ({@code nwid >> 24}) for its
 * config (ZT1-03 §4.12).
 *
 * <pre>
 * P+0   [8]  network id
 * P+8   [2]  L = length of the metadata dictionary
 * P+10  [L]  metadata dictionary (text, no NUL; ZT1-04 §2)
 * [[    [8]  revision of the config the member has (0 if none)
 *       [8]  timestamp of that config (0 if none) ]]
 * </pre>
 * The 1.14.1 controller ignores the trailing pair and receivers must accept a request ending
 * after the dictionary ({@link #current()} null). Fewer than 16 trailing bytes are ignored.
 *
 * @param metadata the dictionary bytes (parse with {@code wire.Dictionary})
 * @param current the config the member holds, or null when the request ends after the dictionary
 */
public record NetworkConfigRequest(NetworkId networkId, byte[] metadata, CurrentConfig current)
        implements VerbPayload {

    /** Revision and timestamp of the config a member already has (both 0 when it has none). */
    public record CurrentConfig(long revision, long timestamp) {
        public static final CurrentConfig NONE = new CurrentConfig(0, 0);
    }

    public NetworkConfigRequest {
        if (networkId == null) {
            throw new IllegalArgumentException("network id is required");
        }
        Bytes.requireU16Length(metadata, "metadata");
        metadata = metadata.clone();
    }

    @Override
    public byte[] metadata() {
        return metadata.clone();
    }

    @Override
    public int verbCode() {
        return Verb.NETWORK_CONFIG_REQUEST.code();
    }

    public static NetworkConfigRequest decode(ByteReader r) throws WireFormatException {
        NetworkId networkId = NetworkId.decode(r);
        byte[] metadata = r.readBytes(r.readU16("metadata length"), "metadata");
        CurrentConfig current = null;
        if (r.remaining() >= 16) {
            current = new CurrentConfig(r.readU64("config revision"), r.readU64("config timestamp"));
        }
        return new NetworkConfigRequest(networkId, metadata, current);
    }

    @Override
    public void encode(ByteWriter w) {
        networkId.encode(w);
        w.u16(metadata.length).bytes(metadata);
        if (current != null) {
            w.u64(current.revision()).u64(current.timestamp());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetworkConfigRequest x && x.networkId.equals(networkId)
                && Arrays.equals(x.metadata, metadata) && Objects.equals(x.current, current);
    }

    @Override
    public int hashCode() {
        return Objects.hash(networkId, current) * 31 + Arrays.hashCode(metadata);
    }

    @Override
    public String toString() {
        return "NetworkConfigRequest[networkId=" + networkId + ", metadata=" + Bytes.hex(metadata) + ", current="
                + current + "]";
    }
}
