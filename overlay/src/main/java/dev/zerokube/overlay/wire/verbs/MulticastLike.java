package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.wire.MulticastGroup;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.Verb;
import java.util.ArrayList;
import java.util.List;

/**
 * MULTICAST_LIKE (0x09): multicast subscriptions, 18-byte records until the end (ZT1-03 §4.10).
 *
 * <pre>
 * repeat:
 *   [8] network id
 *   [6] group MAC
 *   [4] group ADI
 * </pre>
 * A partial last record is an error (1.14.1 throws on it, after acting on the records before).
 */
public record MulticastLike(List<Subscription> subscriptions) implements VerbPayload {
    /** Bytes of one record. */
    public static final int RECORD_LENGTH = 18;

    /** One subscription: this group on this network. */
    public record Subscription(NetworkId networkId, MulticastGroup group) {
        public Subscription {
            if (networkId == null || group == null) {
                throw new IllegalArgumentException("network id and group are required");
            }
        }
    }

    public MulticastLike {
        subscriptions = List.copyOf(subscriptions);
    }

    @Override
    public int verbCode() {
        return Verb.MULTICAST_LIKE.code();
    }

    public static MulticastLike decode(ByteReader r) throws WireFormatException {
        List<Subscription> list = new ArrayList<>(r.remaining() / RECORD_LENGTH);
        while (r.hasRemaining()) {
            NetworkId networkId = NetworkId.decode(r);
            list.add(new Subscription(networkId, MulticastGroup.decode(r, "group")));
        }
        return new MulticastLike(list);
    }

    @Override
    public void encode(ByteWriter w) {
        for (Subscription s : subscriptions) {
            s.networkId().encode(w);
            s.group().encode(w);
        }
    }
}
