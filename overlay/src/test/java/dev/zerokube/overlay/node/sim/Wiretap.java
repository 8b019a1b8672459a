package dev.zerokube.overlay.node.sim;

import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.inspect.DatagramRecord;
import dev.zerokube.overlay.wire.inspect.Dissector;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Everything that crossed the simulated underlay, decoded by the independent
 * {@link Dissector} (the {@code zerokube inspect} decoder, proven on 1.14.1 captures) with every
 * node's secret identity: so a test can assert on verbs, ciphers, hop counts and endpoints of the
 * real datagrams, not on the node's own account of them.
 */
public final class Wiretap {
    private final Dissector dissector = new Dissector();
    private final List<DatagramRecord> records = new ArrayList<>();
    private long index;

    /** Taps {@code sim}'s underlay; identities are added as nodes are. */
    public Wiretap(Simulation sim, List<Identity> identities) {
        identities.forEach(dissector::addIdentity);
        sim.network().addTap(d -> records.addAll(dissector.onDatagram(index++, (d.sentMs() - Simulation.START_MS) * 1000,
                d.from().toString(), d.to().toString(), d.data())));
    }

    /** All records so far (fragmented packets appear once complete). */
    public List<DatagramRecord> records() {
        return records;
    }

    public List<DatagramRecord> matching(Predicate<DatagramRecord> p) {
        return records.stream().filter(p).toList();
    }

    /** Authenticated packets with this verb, from one underlay endpoint to another (null = any). */
    public List<DatagramRecord> packets(int verb, SimNode from, SimNode to) {
        return matching(r -> r.authOk() && r.verb() != null && r.verb() == verb
                && (from == null || r.src().equals(from.endpoint().toString()))
                && (to == null || r.dst().equals(to.endpoint().toString())));
    }
}
