package dev.zerokube.overlay.node.sim;

import dev.zerokube.overlay.crypto.C25519;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.NodeConfig;
import dev.zerokube.overlay.root.RootWorlds;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.World;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;

/**
 * A deterministic simulation of many {@link dev.zerokube.overlay.node.Node}s on one simulated
 * underlay with a virtual clock (STYLE.md §10; quinn's {@code Pair}, TigerBeetle's VOPR): the
 * driver repeatedly jumps the clock to the earliest event, a datagram arrival or a node's
 * deadline, and processes it. Nothing depends on wall time or on anything but the seed.
 *
 * <p>Seeds: {@link #seeds} gives the default seeds of a test, or only {@code -Dsim.seed=…} when set;
 * {@link #replay} runs a test body and, if it fails, says which seed to replay.
 */
public final class Simulation {
    /** Virtual start time: a realistic epoch millisecond value (1.14.1 puts its clock in HELLO). */
    public static final long START_MS = 1_700_000_000_000L;
    /** World id of the simulated planet. */
    public static final long PLANET_ID = 0x5A5A_0001L;

    private final long seed;
    private final SimNetwork network;
    private final SplittableRandom random;
    private final List<SimNode> nodes = new ArrayList<>();
    private long nowMs = START_MS;
    private int nextSeed;

    public Simulation(long seed, SimConditions conditions) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.network = new SimNetwork(random.nextLong(), conditions);
    }

    /** The seeds a test runs with: {@code -Dsim.seed} alone if given, else the defaults. */
    public static LongStream seeds(long... defaults) {
        String replay = System.getProperty("sim.seed");
        return replay != null && !replay.isBlank() ? LongStream.of(Long.parseLong(replay.trim())) : LongStream.of(defaults);
    }

    /** A test body that may fail. */
    @FunctionalInterface
    public interface Body {
        void run(Simulation sim) throws Exception;
    }

    /**
     * Runs {@code body} on a fresh simulation with this seed; a failure is rethrown with the seed
     * and the command line that replays it.
     */
    public static void replay(long seed, SimConditions conditions, Body body) {
        Simulation sim = new Simulation(seed, conditions);
        try {
            body.run(sim);
        } catch (Throwable t) {
            String message = "simulation failed with seed " + seed + " at virtual time +" + (sim.nowMs - START_MS)
                    + " ms; replay with -Dsim.seed=" + seed;
            System.err.println(message);
            throw new AssertionError(message + ": " + t, t);
        }
    }

    public long seed() {
        return seed;
    }

    public long nowMs() {
        return nowMs;
    }

    /** Milliseconds since the start. */
    public long elapsedMs() {
        return nowMs - START_MS;
    }

    public SimNetwork network() {
        return network;
    }

    public SplittableRandom random() {
        return random;
    }

    public List<SimNode> nodes() {
        return nodes;
    }

    /** An endpoint in 198.18.0.0/15: 198.18.{@code b}.{@code c}, port 9993. */
    public static InetEndpoint endpoint(int b, int c) {
        return endpoint(b, c, 9993);
    }

    public static InetEndpoint endpoint(int b, int c, int port) {
        return InetEndpoint.of(new byte[] {(byte) 198, (byte) (18 + (b >> 8)), (byte) b, (byte) c}, port);
    }

    /** A planet whose roots are these identities at these endpoints, signed with a key from the seed. */
    public World planet(List<Identity> roots, List<InetEndpoint> endpoints) {
        List<World.Root> list = new ArrayList<>();
        for (int i = 0; i < roots.size(); i++) {
            list.add(RootWorlds.root(roots.get(i), List.of(endpoints.get(i))));
        }
        return RootWorlds.first(World.Type.PLANET, PLANET_ID, START_MS, list, C25519.generate(new SplittableRandom(seed)));
    }

    /** Adds a node with one socket at {@code endpoint}, on the public underlay. */
    public SimNode addNode(String name, Identity identity, NodeConfig config, InetEndpoint endpoint) {
        return addNode(name, identity, config, List.of(endpoint), null);
    }

    /** Adds a node with these sockets, behind {@code router} (null: none). */
    public SimNode addNode(String name, Identity identity, NodeConfig config, List<InetEndpoint> sockets, Router router) {
        SimNode n = new SimNode(this, name, identity, config, sockets, router, seed * 31 + nextSeed++);
        nodes.add(n);
        return n;
    }

    /** A raw test endpoint. */
    public Probe addProbe(InetEndpoint endpoint) {
        return new Probe(this, endpoint);
    }

    /** Runs the simulation for {@code durationMs} of virtual time. */
    public void runFor(long durationMs) {
        runUntil(() -> false, durationMs);
    }

    /**
     * Runs until {@code done} holds (checked after every step) or {@code maxMs} of virtual time
     * passed; returns whether it holds.
     */
    public boolean runUntil(BooleanSupplier done, long maxMs) {
        long endMs = nowMs + maxMs;
        long stepsAtThisTime = 0;
        long lastTime = nowMs;
        while (true) {
            if (done.getAsBoolean()) {
                return true;
            }
            long next = Math.min(network.nextDeliveryMs(), earliestDeadline());
            if (next > endMs) {
                nowMs = endMs;
                return done.getAsBoolean();
            }
            nowMs = Math.max(nowMs, next);
            if (nowMs == lastTime) {
                if (++stepsAtThisTime > 1_000_000) {
                    throw new IllegalStateException("livelock: a million steps at virtual time " + nowMs);
                }
            } else {
                lastTime = nowMs;
                stepsAtThisTime = 0;
            }
            network.deliverDue(nowMs);
            for (SimNode n : nodes) {
                if (n.isUp() && n.deadlineMs() <= nowMs) {
                    n.tick(nowMs);
                }
            }
        }
    }

    /**
     * Pings along every pair (first → second) until each got an answer: each round pings the
     * unanswered pairs {@code spacingMs} apart, then waits {@code roundMs}. Returns the pairs still
     * unanswered after {@code maxMs} (empty on success).
     */
    public List<SimNode[]> pingUntilAnswered(List<SimNode[]> pairs, long spacingMs, long roundMs, long maxMs) {
        long endMs = nowMs + maxMs;
        List<SimNode[]> waiting = new ArrayList<>(pairs);
        java.util.Map<SimNode[], Integer> before = new java.util.IdentityHashMap<>();
        for (SimNode[] p : pairs) {
            before.put(p, p[0].pingRepliesFrom(p[1]).size());
        }
        while (!waiting.isEmpty() && nowMs < endMs) {
            for (SimNode[] p : waiting) {
                if (p[0].isUp()) {
                    p[0].ping(p[1]);
                }
                runFor(spacingMs);
            }
            runFor(roundMs);
            waiting.removeIf(p -> p[0].pingRepliesFrom(p[1]).size() > before.get(p));
        }
        return waiting;
    }

    /** Every ordered pair of distinct nodes from the list. */
    public static List<SimNode[]> orderedPairs(List<SimNode> nodes) {
        List<SimNode[]> out = new ArrayList<>();
        for (SimNode a : nodes) {
            for (SimNode b : nodes) {
                if (a != b) {
                    out.add(new SimNode[] {a, b});
                }
            }
        }
        return out;
    }

    private long earliestDeadline() {
        long min = Long.MAX_VALUE;
        for (SimNode n : nodes) {
            if (n.isUp()) {
                min = Math.min(min, n.deadlineMs());
            }
        }
        return min;
    }
}
