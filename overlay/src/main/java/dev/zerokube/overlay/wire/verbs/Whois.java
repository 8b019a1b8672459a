package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.Verb;
import java.util.ArrayList;
import java.util.List;

/**
 * WHOIS (0x04): addresses whose identities the sender wants (ZT1-03 §4.5).
 *
 * <pre>
 * P+0  [5] address to look up
 *      [5] ... more addresses (1.14.1 sends one; receivers answer any number)
 * </pre>
 * A trailing fragment shorter than 5 bytes is ignored, as 1.14.1 does.
 */
public record Whois(List<Address> addresses) implements VerbPayload {
    public Whois {
        addresses = List.copyOf(addresses);
    }

    public static Whois of(Address address) {
        return new Whois(List.of(address));
    }

    @Override
    public int verbCode() {
        return Verb.WHOIS.code();
    }

    public static Whois decode(ByteReader r) throws WireFormatException {
        List<Address> list = new ArrayList<>(r.remaining() / Address.LENGTH);
        while (r.remaining() >= Address.LENGTH) {
            list.add(Address.decode(r, "address"));
        }
        return new Whois(list);
    }

    @Override
    public void encode(ByteWriter w) {
        for (Address a : addresses) {
            a.encode(w);
        }
    }
}
