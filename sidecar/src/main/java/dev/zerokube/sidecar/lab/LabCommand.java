package dev.zerokube.sidecar.lab;

import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.sidecar.Command;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * {@code zerokube lab [--nodes N] [--netns] [--seconds S]}: a whole overlay in this process on
 * 127.0.0.1 ({@link Lab}): a root, the network controller and N nodes (default 3) join one network,
 * every node pings every other across the overlay once a second, and a table of every pair (path
 * direct or relayed, RTT, bytes) is printed every second, the screen cleared first when the
 * output is a terminal.
 *
 * <p>Without {@code --seconds} it runs until Ctrl-C (SIGINT/SIGTERM) and then cleans up. With
 * {@code --seconds S} it runs S seconds after every node is configured and exits 0 if every pair
 * exchanged traffic, 1 naming the pairs that did not. {@code --netns} (root only) gives each node a
 * real TAP in its own network namespace {@code zk-lab-I} and prints the {@code ip netns exec}
 * commands to ping across by hand.
 */
public final class LabCommand implements Command {
    static final int NODES_DEFAULT = 3;
    static final int NODES_MAX = 20;
    private static final String CLEAR = "\033[H\033[2J";
    private static final int LOG_LINES_KEPT = 200;

    private final IntFunction<List<Identity>> identities;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Deque<String> logTail = new ArrayDeque<>();
    private volatile Lab.Snapshot last;
    private volatile Path lastDir;
    private volatile PrintStream progress;

    /** Generates the lab's identities. */
    public LabCommand() {
        this(n -> List.of());
    }

    /** Tests: {@code identities.apply(nodes)} gives the root's, the controller's and the nodes' identities. */
    LabCommand(IntFunction<List<Identity>> identities) {
        this.identities = identities;
    }

    record Options(int nodes, boolean netns, Integer seconds) {}

    static String usage() {
        return "usage: zerokube lab [--nodes N] [--netns] [--seconds S]";
    }

    static Options parse(List<String> args) {
        int nodes = NODES_DEFAULT;
        boolean netns = false;
        Integer seconds = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--netns" -> netns = true;
                case "--nodes" -> nodes = number(args, ++i, a, 2, NODES_MAX);
                case "--seconds" -> seconds = number(args, ++i, a, 1, 86_400);
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        return new Options(nodes, netns, seconds);
    }

    private static int number(List<String> args, int i, String option, int min, int max) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        try {
            int v = Integer.parseInt(args.get(i));
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(option + " must be a number " + min + ".." + max + ", not '" + args.get(i) + "'");
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.contains("-h") || args.contains("--help")) {
            out.println(usage());
            return 0;
        }
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("zerokube lab: " + e.getMessage());
            err.println(usage());
            return 1;
        }
        if (o.netns()) {
            var why = LabNamespaces.unavailable();
            if (why.isPresent()) {
                err.println("zerokube lab: " + why.get());
                return 1;
            }
        }
        boolean terminal = out == System.out && System.console() != null;
        out.println("zerokube lab: starting a root, a controller and " + o.nodes() + " nodes on 127.0.0.1"
                + (o.netns() ? ", each node with a TAP in its own network namespace" : "") + "...");
        out.flush();
        progress = out;
        Thread hook = Thread.ofPlatform().name("zerokube-lab-shutdown").unstarted(this::stop);
        Runtime.getRuntime().addShutdownHook(hook);
        Lab lab = null;
        try {
            lab = Lab.start(new Lab.Options(o.nodes(), o.netns(), identities.apply(o.nodes()), this::log));
            lastDir = lab.dir();
            progress = null;
            return loop(lab, o, out, err, terminal);
        } catch (Lab.LabException e) {
            err.println("zerokube lab: cannot start: " + e.getMessage());
            printLogTail(err);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            if (lab != null) {
                lab.close();
            }
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook is what stopped us
            }
        }
    }

    private int loop(Lab lab, Options o, PrintStream out, PrintStream err, boolean terminal) throws InterruptedException {
        long startNanos = System.nanoTime();
        while (true) {
            lab.probe();
            boolean interrupted = stop.await(1, TimeUnit.SECONDS);
            Lab.Snapshot s = lab.snapshot();
            last = s;
            long elapsedS = (System.nanoTime() - startNanos) / 1_000_000_000L;
            boolean done = o.seconds() != null && elapsedS >= o.seconds();
            out.print((terminal ? CLEAR : "\n") + table(s, lab.namespaceNames())
                    + (o.seconds() != null ? "running " + elapsedS + " of " + o.seconds() + " s\n" : "Ctrl-C stops the lab\n"));
            out.flush();
            if (interrupted) {
                out.println("zerokube lab: stopping, removing the lab's homes" + (o.netns() ? " and namespaces" : ""));
                return 0;
            }
            if (done) {
                return verdict(s, out, err);
            }
        }
    }

    private int verdict(Lab.Snapshot s, PrintStream out, PrintStream err) {
        List<Lab.PairView> silent = s.silentPairs();
        if (silent.isEmpty()) {
            out.println("zerokube lab: OK, every pair of the " + s.nodes().size() + " nodes exchanged traffic ("
                    + s.pairs().size() + " directions, " + s.directPairs() + " on a direct path)");
            return 0;
        }
        err.println("zerokube lab: FAILED, " + silent.size() + " of " + s.pairs().size() + " directions exchanged no traffic: "
                + String.join(", ", silent.stream().map(p -> "node " + p.from() + " -> node " + p.to() + " (" + p.peerIp()
                        + ", path " + p.path() + ", " + p.probesAnswered() + "/" + p.probesSent() + " probes answered)")
                        .toList()));
        printLogTail(err);
        return 1;
    }

    /** The table printed every second. */
    static String table(Lab.Snapshot s, List<String> namespaces) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "zerokube lab  network %s \"%s\"  root %s at %s  controller %s  up %d s%n",
                s.network(), Lab.NETWORK_NAME, s.root(), s.rootEndpoint(), s.controller(), s.upMs() / 1000));
        b.append(String.format(Locale.ROOT, "%n%-4s %-10s  %-13s %-6s %-9s %-12s %s%n", "node", "address", "ip", "udp",
                "status", s.netns() ? "namespace" : "port", "underlay in / out"));
        for (Lab.NodeView n : s.nodes()) {
            b.append(String.format(Locale.ROOT, "%-4d %-10s  %-13s %-6d %-9s %-12s %s / %s%n", n.index(), n.address(),
                    n.ip(), n.udpPort(), n.status() == null ? "-" : n.status(),
                    s.netns() ? n.namespace() : n.portName() == null ? "-" : n.portName(), bytes(n.udpBytesIn()),
                    bytes(n.udpBytesOut())));
        }
        b.append(String.format(Locale.ROOT, "%n%-4s %-4s %-10s  %-13s %-8s %-16s %9s %9s  %s%n", "from", "to", "peer", "ip",
                "path", "via", "rtt", "answered", "bytes out / in"));
        for (Lab.PairView p : s.pairs()) {
            b.append(String.format(Locale.ROOT, "%-4d %-4d %-10s  %-13s %-8s %-16s %9s %9s  %s / %s%n", p.from(), p.to(),
                    p.peer(), p.peerIp(), p.path(), p.via() == null ? "-" : p.via().ipString() + "/" + p.via().port(),
                    p.lastRttNanos() < 0 ? "-" : String.format(Locale.ROOT, "%.2f ms", p.lastRttNanos() / 1e6),
                    p.probesAnswered() + "/" + p.probesSent(), bytes(p.bytesOut()), bytes(p.bytesIn())));
        }
        if (!namespaces.isEmpty() && s.nodes().size() >= 2) {
            b.append(String.format(Locale.ROOT, "%nTry it from another shell (as root):%n"));
            b.append(String.format(Locale.ROOT, "  ip netns exec %s ping %s%n", namespaces.get(0), s.nodes().get(1).ip()));
            b.append(String.format(Locale.ROOT, "  ip netns exec %s ip addr%n", namespaces.get(1)));
            if (s.nodes().get(0).portName() != null) {
                b.append(String.format(Locale.ROOT, "  ip netns exec %s tcpdump -ni %s%n", namespaces.get(0),
                        s.nodes().get(0).portName()));
            }
        }
        b.append('\n');
        return b.toString();
    }

    static String bytes(long n) {
        if (n < 1000) {
            return n + " B";
        }
        if (n < 1_000_000) {
            return String.format(Locale.ROOT, "%.1f kB", n / 1e3);
        }
        return String.format(Locale.ROOT, "%.1f MB", n / 1e6);
    }

    private void log(String line) {
        PrintStream p = progress;
        if (p != null && line.startsWith("lab: ")) { // the lab's own steps while it starts
            synchronized (p) {
                p.println("zerokube " + line);
            }
        }
        synchronized (logTail) {
            if (logTail.size() >= LOG_LINES_KEPT) {
                logTail.removeFirst();
            }
            logTail.addLast(line);
        }
    }

    private void printLogTail(PrintStream err) {
        synchronized (logTail) {
            if (logTail.isEmpty()) {
                return;
            }
            err.println("zerokube lab: the last " + Math.min(40, logTail.size()) + " log lines:");
            logTail.stream().skip(Math.max(0, logTail.size() - 40L)).forEach(l -> err.println("  " + l));
        }
    }

    /** The last snapshot printed (tests). */
    Lab.Snapshot lastSnapshot() {
        return last;
    }

    /** The temporary directory of the last lab started (tests: it must be gone once the lab is). */
    Path lastDir() {
        return lastDir;
    }

    /** Stops a running lab (Ctrl-C does this through the shutdown hook) and waits until it is cleaned up. */
    public void stop() {
        stop.countDown();
        try {
            stopped.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
