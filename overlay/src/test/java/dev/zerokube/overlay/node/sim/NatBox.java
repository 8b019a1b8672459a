package dev.zerokube.overlay.node.sim;

import dev.zerokube.overlay.wire.InetEndpoint;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A NAT with one public IPv4 address in front of some inside endpoints, modelled as ZT1-07 §11.1
 * describes in RFC 4787 terms: a mapping behaviour (endpoint-independent, or a new external port
 * per remote endpoint for {@link Kind#SYMMETRIC}), a filtering behaviour (endpoint-independent,
 * address-dependent or address-and-port-dependent), port preservation for endpoint-independent
 * mappings, mapping expiry, and no hairpinning. Each crossing costs one TTL.
 *
 * <p>Only datagrams to the public address can reach the inside: {@link SimNetwork} never delivers
 * to an inside endpoint except through {@link #inbound}.
 */
public final class NatBox implements Router {
    /** The four NAT kinds of ZT1-07 §11.1. */
    public enum Kind {
        /** Endpoint-independent mapping and filtering. */
        FULL_CONE,
        /** Endpoint-independent mapping; inbound only from IPs the inside endpoint has sent to. */
        RESTRICTED_CONE,
        /** Endpoint-independent mapping; inbound only from IP:port pairs sent to. */
        PORT_RESTRICTED_CONE,
        /** A new random external port per remote IP:port; address-and-port-dependent filtering. */
        SYMMETRIC
    }

    private record Key(InetEndpoint inside, InetEndpoint remote) {}

    private static final class Mapping {
        final InetEndpoint inside;
        final InetEndpoint external;
        final Set<InetEndpoint> sentTo = new HashSet<>();
        final Set<String> sentToIps = new HashSet<>();
        long expiresMs;

        Mapping(InetEndpoint inside, InetEndpoint external) {
            this.inside = inside;
            this.external = external;
        }
    }

    private final Kind kind;
    private final byte[] publicIp;
    private final long mappingTimeoutMs;
    private final SplittableRandom random;
    private final Map<Key, Mapping> byKey = new HashMap<>();
    private final Map<InetEndpoint, Mapping> byExternal = new HashMap<>();
    private long mappingsCreated;
    private long filtered;
    private long expiredTtl;

    /**
     * @param publicIp the NAT's one outside IPv4 address
     * @param mappingTimeoutMs how long an idle mapping lives (refreshed by traffic both ways)
     * @param seed for the random external ports
     */
    public NatBox(Kind kind, byte[] publicIp, long mappingTimeoutMs, long seed) {
        this.kind = kind;
        this.publicIp = publicIp.clone();
        this.mappingTimeoutMs = mappingTimeoutMs;
        this.random = new SplittableRandom(seed);
    }

    public Kind kind() {
        return kind;
    }

    @Override
    public SimDatagram outbound(SimDatagram d, long nowMs) {
        SimDatagram out = d.hop();
        if (out == null) {
            expiredTtl++;
            return null;
        }
        Key key = new Key(d.from(), kind == Kind.SYMMETRIC ? d.to() : null);
        Mapping m = byKey.get(key);
        if (m != null && m.expiresMs < nowMs) {
            remove(key, m);
            m = null;
        }
        if (m == null) {
            m = new Mapping(d.from(), InetEndpoint.of(publicIp, externalPort(d.from().port())));
            byKey.put(key, m);
            byExternal.put(m.external, m);
            mappingsCreated++;
        }
        m.sentTo.add(d.to());
        m.sentToIps.add(Arrays.toString(d.to().ip()));
        m.expiresMs = nowMs + mappingTimeoutMs;
        return out.withFrom(m.external);
    }

    @Override
    public SimDatagram inbound(SimDatagram d, long nowMs) {
        SimDatagram in = d.hop();
        if (in == null) {
            expiredTtl++;
            return null;
        }
        if (owns(d.from())) {
            // hairpinning (inside to inside through the public address) is not supported
            filtered++;
            return null;
        }
        Mapping m = byExternal.get(d.to());
        if (m == null || m.expiresMs < nowMs || !passesFilter(m, d.from())) {
            filtered++;
            return null;
        }
        m.expiresMs = nowMs + mappingTimeoutMs;
        return in.withTo(m.inside);
    }

    @Override
    public boolean owns(InetEndpoint publicEndpoint) {
        return Arrays.equals(publicIp, publicEndpoint.ip());
    }

    /** Mappings made so far (a symmetric NAT makes one per remote endpoint). */
    public long mappingsCreated() {
        return mappingsCreated;
    }

    /** Inbound datagrams dropped: no live mapping, or the filter refused the sender. */
    public long filteredCount() {
        return filtered;
    }

    /** Datagrams whose TTL ran out here. */
    public long expiredTtlCount() {
        return expiredTtl;
    }

    private boolean passesFilter(Mapping m, InetEndpoint from) {
        return switch (kind) {
            case FULL_CONE -> true;
            case RESTRICTED_CONE -> m.sentToIps.contains(Arrays.toString(from.ip()));
            case PORT_RESTRICTED_CONE, SYMMETRIC -> m.sentTo.contains(from);
        };
    }

    /** The inside port if free (port preservation, as Linux MASQUERADE), else a random free one. */
    private int externalPort(int insidePort) {
        if (kind != Kind.SYMMETRIC && !byExternal.containsKey(InetEndpoint.of(publicIp, insidePort))) {
            return insidePort;
        }
        while (true) {
            int port = 20_000 + random.nextInt(40_000);
            if (!byExternal.containsKey(InetEndpoint.of(publicIp, port))) {
                return port;
            }
        }
    }

    private void remove(Key key, Mapping m) {
        byKey.remove(key);
        byExternal.remove(m.external);
    }
}
