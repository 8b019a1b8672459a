package dev.zerokube.overlay.wire.verbs;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.Verb;
import java.util.ArrayList;
import java.util.List;

/**
 * OK(WHOIS) body (ZT1-03 §4.5): one public identity per address found, in request order.
 *
 * <pre>
 * P+9  [71] identity (public form)
 *      [71] ... one more per found address
 * </pre>
 * At least one identity (1.14.1 sends no OK when it found none, and reads the first one). Every
 * identity is parsed here, so a malformed later one fails the whole reply; 1.14.1 only reads the
 * first, and only from an upstream.
 */
public record WhoisOk(List<Identity> identities) implements OkBody {
    public WhoisOk {
        identities = List.copyOf(identities);
        if (identities.isEmpty()) {
            throw new IllegalArgumentException("OK(WHOIS) carries at least one identity");
        }
    }

    @Override
    public int inReVerb() {
        return Verb.WHOIS.code();
    }

    static WhoisOk decode(ByteReader r) throws WireFormatException {
        List<Identity> ids = new ArrayList<>();
        do {
            ids.add(Identity.decode(r));
        } while (r.hasRemaining());
        return new WhoisOk(ids);
    }

    @Override
    public void encode(ByteWriter w) {
        for (Identity id : identities) {
            id.encode(w, false);
        }
    }
}
