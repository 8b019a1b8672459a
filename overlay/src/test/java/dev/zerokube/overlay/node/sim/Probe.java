package dev.zerokube.overlay.node.sim;

import dev.zerokube.overlay.wire.InetEndpoint;
import java.util.ArrayList;
import java.util.List;

/**
 * A raw endpoint on the simulated underlay, driven by a test: it sends whatever bytes the test
 * builds (forged packets, garbage) and records what it receives.
 */
public final class Probe {
    private final Simulation sim;
    private final InetEndpoint endpoint;
    private final List<SimDatagram> received = new ArrayList<>();

    Probe(Simulation sim, InetEndpoint endpoint) {
        this.sim = sim;
        this.endpoint = endpoint;
        sim.network().bind(endpoint, (d, now) -> received.add(d), null);
    }

    public InetEndpoint endpoint() {
        return endpoint;
    }

    /** Sends {@code data} (copied) to {@code to} now. */
    public void send(InetEndpoint to, byte[] data) {
        sim.network().send(new SimDatagram(sim.nowMs(), endpoint, to, data.clone(), 0), sim.nowMs());
    }

    /** Sends {@code data} to {@code to} now as if it came from {@code spoofedFrom} (source spoofing). */
    public void sendSpoofed(InetEndpoint spoofedFrom, InetEndpoint to, byte[] data) {
        sim.network().send(new SimDatagram(sim.nowMs(), spoofedFrom, to, data.clone(), 0), sim.nowMs());
    }

    public List<SimDatagram> received() {
        return received;
    }
}
