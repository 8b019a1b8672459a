package dev.zerokube.e2e.netns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * zerokube's own processes on a {@link NetnsLab}: a root (198.18.0.10), a controller
 * (198.18.0.20) and three nodes, each {@code zerokube ...} run from the build's jar in its own
 * namespace with real UDP and, for nodes, real TAPs: {@code n1} on the WAN (198.18.0.31),
 * {@code n2} behind NAT A (198.19.1.10, router 198.18.0.101) and {@code n3} behind NAT B
 * (198.19.2.10, router 198.18.0.102). The planet is made with {@code zerokube idtool
 * initplanet/genplanet} (the root's identity, endpoint 198.18.0.10/9993), as a person would.
 * Everything a user does afterwards goes through the same interfaces a user has: the controller's
 * HTTP API (curl inside its namespace, where it listens on 127.0.0.1) and {@code zerokube cli}.
 * Homes and logs live in a temporary directory that {@link #close()} deletes unless a test failed
 * ({@link #keepFiles()}).
 */
public final class OverlayLab implements AutoCloseable {
    /** The UDP port (and local API port) every process uses in its own namespace. */
    public static final int PORT = 9993;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final NetnsLab lab;
    private final Path dir;
    private final ZerokubeCommand zk = ZerokubeCommand.get();
    private final List<Member> all = new ArrayList<>();
    private volatile boolean keepFiles;
    private Member root;
    private Member controller;
    private Member n1;
    private Member n2;
    private Member n3;
    private Namespace natA;
    private Namespace natB;

    private OverlayLab(NetnsLab lab, Path dir) {
        this.lab = lab;
        this.dir = dir;
    }

    /** One zerokube process: its namespace, home, log and process. */
    public static final class Member {
        private final String role;
        private final Namespace ns;
        private final Path home;
        private final Path log;
        private Process process;

        Member(String role, Namespace ns, Path home, Path log) {
            this.role = role;
            this.ns = ns;
            this.home = home;
            this.log = log;
        }

        public Namespace ns() {
            return ns;
        }

        public Path home() {
            return home;
        }

        public Process process() {
            return process;
        }

        /** The node's ZeroTier address (from its identity.public). */
        public String address() {
            try {
                return Files.readString(home.resolve("identity.public")).substring(0, 10);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** What the process has logged so far. */
        public String log() {
            try {
                return Files.exists(log) ? Files.readString(log) : "";
            } catch (IOException e) {
                return "(cannot read " + log + ": " + e + ")";
            }
        }

        @Override
        public String toString() {
            return role;
        }
    }

    /**
     * Builds the namespaces, makes the planet, starts root, controller and nodes, and waits until
     * every one of them says it is online (through the root).
     */
    public static OverlayLab start() throws IOException {
        NetnsLab lab = NetnsLab.create();
        OverlayLab o;
        try {
            o = new OverlayLab(lab, Files.createTempDirectory("zerokube-e2e-"));
        } catch (IOException | RuntimeException e) {
            lab.close();
            throw e;
        }
        try {
            o.build();
            return o;
        } catch (IOException | RuntimeException | Error e) {
            o.keepFiles = true;
            o.close();
            throw e;
        }
    }

    private void build() throws IOException {
        root = member("root", lab.wanHost("root", 10));
        controller = member("ctl", lab.wanHost("ctl", 20));
        n1 = member("n1", lab.wanHost("n1", 31));
        natA = lab.natRouter("nat-a", 101, 1, NetnsLab.NatKind.PORT_PRESERVING);
        natB = lab.natRouter("nat-b", 102, 2, NetnsLab.NatKind.PORT_PRESERVING);
        n2 = member("n2", lab.lanHost(natA, 1, "n2", 10));
        n3 = member("n3", lab.lanHost(natB, 2, "n3", 10));

        // The planet: the root's identity, its WAN endpoint (idtool initplanet, edit, genplanet).
        Path rootHome = root.home;
        Files.createDirectories(rootHome);
        idtool("generate", rootHome.resolve("identity.secret").toString(), rootHome.resolve("identity.public").toString());
        ObjectNode def = (ObjectNode) JSON.readTree(idtool("initplanet", rootHome.resolve("identity.public").toString()));
        ((ObjectNode) def.withArray("roots").get(0)).putArray("stableEndpoints").add(NetnsLab.WAN_PREFIX + "10/" + PORT);
        Path planetJson = dir.resolve("planet.json");
        Files.writeString(planetJson, def.toPrettyString());
        Path planet = dir.resolve("planet");
        idtool("genplanet", planetJson.toString(), planet.toString());

        String p = Integer.toString(PORT);
        String pl = planet.toString();
        launch(root, "root", "--home", root.home.toString(), "--port", p, "--planet", pl);
        launch(controller, "controller", "--home", controller.home.toString(), "--port", p, "--planet", pl);
        for (Member n : List.of(n1, n2, n3)) {
            launch(n, "node", "--home", n.home.toString(), "--port", p, "--planet", pl);
        }
        for (Member m : List.of(controller, n1, n2, n3)) {
            await(90_000, m + " online through the root", () -> m.log().contains("event=online"));
        }
    }

    /** Runs {@code zerokube idtool ...} in this JVM (no namespace involved) and returns stdout. */
    private static String idtool(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] argv = new String[args.length + 1];
        argv[0] = "idtool";
        System.arraycopy(args, 0, argv, 1, args.length);
        int code = dev.zerokube.sidecar.Main.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        if (code != 0) {
            throw new IllegalStateException("zerokube " + String.join(" ", argv) + " exited " + code + ": " + err);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private Member member(String role, Namespace ns) {
        Member m = new Member(role, ns, dir.resolve(role), dir.resolve(role + ".log"));
        all.add(m);
        return m;
    }

    private void launch(Member m, String... args) {
        m.process = m.ns.start(m.log, zk.argv(List.of("-Xmx192m"), args));
    }

    public Member root() {
        return root;
    }

    public Member controller() {
        return controller;
    }

    /** The node on the WAN. */
    public Member n1() {
        return n1;
    }

    /** The node behind NAT A. */
    public Member n2() {
        return n2;
    }

    /** The node behind NAT B. */
    public Member n3() {
        return n3;
    }

    public List<Member> nodes() {
        return List.of(n1, n2, n3);
    }

    public Namespace natA() {
        return natA;
    }

    public Namespace natB() {
        return natB;
    }

    public NetnsLab netns() {
        return lab;
    }

    /** The directory of homes and logs. */
    public Path dir() {
        return dir;
    }

    /** Keeps homes and logs after close (a test failed: they are the evidence). */
    public void keepFiles() {
        keepFiles = true;
    }

    /** What {@code zerokube cli -D<home> args...} prints inside the member's namespace; throws on a non-zero exit. */
    public String cli(Member m, String... args) {
        List<String> a = new ArrayList<>(List.of("cli", "-D" + m.home));
        a.addAll(List.of(args));
        return m.ns.exec(zk.argv(a.toArray(String[]::new)));
    }

    /** {@code zerokube cli -j args...} parsed. */
    public JsonNode cliJson(Member m, String... args) {
        List<String> a = new ArrayList<>(List.of("-j"));
        a.addAll(List.of(args));
        try {
            return JSON.readTree(cli(m, a.toArray(String[]::new)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A request to the controller's HTTP API with its token, by curl inside the controller's
     * namespace; returns the parsed JSON body; throws unless the status is 200.
     */
    public JsonNode controllerApi(String method, String path, String body) {
        try {
            String token = Files.readString(controller.home.resolve("authtoken.secret")).strip();
            List<String> argv = new ArrayList<>(List.of("curl", "-sS", "-m", "15", "-X", method,
                    "-H", "X-ZT1-Auth: " + token, "-w", "\n%{http_code}"));
            if (body != null) {
                argv.addAll(List.of("-H", "Content-Type: application/json", "--data-binary", body));
            }
            argv.add("http://127.0.0.1:" + PORT + path);
            String out = controller.ns.exec(argv.toArray(String[]::new));
            int nl = out.lastIndexOf('\n');
            String status = out.substring(nl + 1).strip();
            String text = out.substring(0, nl);
            if (!status.equals("200")) {
                throw new IllegalStateException(method + " " + path + " answered " + status + ": " + text);
            }
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The member's Prometheus metrics from its local API ({@code /metrics} with its token), as
     * name{labels} to value, zero values left out.
     */
    public java.util.Map<String, Double> metrics(Member m) {
        try {
            String token = Files.readString(m.home.resolve("authtoken.secret")).strip();
            String text = m.ns.exec("curl", "-sS", "-m", "10", "-H", "X-ZT1-Auth: " + token,
                    "http://127.0.0.1:" + PORT + "/metrics");
            java.util.Map<String, Double> out = new java.util.TreeMap<>();
            for (String line : text.split("\n")) {
                int sp = line.lastIndexOf(' ');
                if (line.startsWith("#") || sp < 0) {
                    continue;
                }
                try {
                    double v = Double.parseDouble(line.substring(sp + 1));
                    if (v != 0) {
                        out.put(line.substring(0, sp), v);
                    }
                } catch (NumberFormatException e) {
                    // not a sample line
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** UDP datagrams the kernel dropped for a full receive buffer in {@code ns} (/proc/net/snmp). */
    public static long udpReceiveBufferErrors(Namespace ns) {
        String[] lines = ns.exec("cat", "/proc/net/snmp").split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].startsWith("Udp:") && lines[i + 1].startsWith("Udp:")) {
                List<String> names = List.of(lines[i].split("\\s+"));
                String[] values = lines[i + 1].split("\\s+");
                return Long.parseLong(values[names.indexOf("RcvbufErrors")]);
            }
        }
        return -1;
    }

    /** The JSON of {@code networkJson} as a string (for API bodies). */
    public static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh JSON object for building API bodies. */
    public static ObjectNode object() {
        return JSON.createObjectNode();
    }

    /** A fresh JSON array. */
    public static ArrayNode array() {
        return JSON.createArrayNode();
    }

    /**
     * Polls {@code condition} every 200 ms until it holds; returns the milliseconds it took or
     * throws an AssertionError naming {@code what} after {@code timeoutMs}.
     */
    public static long await(long timeoutMs, String what, BooleanSupplier condition) {
        long start = System.nanoTime();
        long deadline = start + timeoutMs * 1_000_000;
        while (true) {
            boolean ok;
            try {
                ok = condition.getAsBoolean();
            } catch (RuntimeException e) {
                ok = false;
            }
            if (ok) {
                return (System.nanoTime() - start) / 1_000_000;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeoutMs + " ms: " + what);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
    }

    /** The last {@code lines} lines of every process's log, for failure messages. */
    public String logs(int lines) {
        StringBuilder b = new StringBuilder();
        for (Member m : all) {
            List<String> l = m.log().lines().toList();
            b.append("\n--- ").append(m).append(" (").append(m.process != null && m.process.isAlive() ? "running" : "stopped")
                    .append(") ---\n");
            l.subList(Math.max(0, l.size() - lines), l.size()).forEach(s -> b.append(s).append('\n'));
        }
        return b.toString();
    }

    @Override
    public void close() {
        lab.close();
        if (keepFiles) {
            System.out.println("OverlayLab: homes and logs kept in " + dir);
            return;
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            System.out.println("OverlayLab: could not delete " + dir + ": " + e);
        }
    }
}
