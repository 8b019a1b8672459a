package dev.zerokube.overlay.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.node.Node;
import dev.zerokube.overlay.node.NetworkStatus;
import dev.zerokube.overlay.node.NodeConfig;
import dev.zerokube.overlay.node.PeerStatus;
import dev.zerokube.overlay.node.Timing;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.Mac;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.World;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import dev.zerokube.overlay.wire.netconf.Route;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The local JSON API of ZeroTier One 1.14.1 that {@code zerotier-cli}, scripts and UIs use
 * (ZT1-10 §1–§2), on the JDK's HTTP server: {@code GET /status}, {@code /health}, {@code /peer},
 * {@code /peer/<address>}, {@code /network}, {@code /network/<nwid>}, {@code POST|PUT} and
 * {@code DELETE /network/<nwid>}, {@code GET /moon}, {@code GET}, {@code POST} (orbit) and {@code DELETE}
 * (deorbit) {@code /moon/<10 hex id>}, {@code /config} and {@code /metrics}.
 *
 * <p>What clients observe is reproduced: the §1.4 authentication (first present credential of
 * {@code X-ZT1-Auth}, {@code ?auth=}, bearer; loopback or {@code allowManagementFrom} only, except
 * {@code /metrics}), 401 {@code {}} before routing, 404 with an empty body for unknown paths,
 * compact JSON with keys in ascending order, {@code ?jsonp=}, the object shapes of §2.2, §2.4 and
 * §2.7 and 1.14.1's inconsistent "not found" answers (quirk Q6). Requests without {@code Host}
 * are accepted (Q1). Tokens are compared in constant time. Where 1.14.1 answers a malformed body
 * with an exception text, this API answers 400 with {@code {"error": "..."}} naming the problem.
 * Not served (404): {@code /bond}, {@code /sso}, {@code /app}, and {@code /controller} (another
 * server's job). Network state comes from the node
 * ({@link Node#networks}); the list of joined networks and their local flags from
 * {@link JoinedNetworks} (the home directory), so {@code multicastSubscriptions} is empty until
 * the node has a port to scan.
 */
public final class LocalApi implements AutoCloseable {
    /** The version a 1.14.1 node reports, which zerokube announces too ({@link NodeConfig}). */
    static final String VERSION = NodeConfig.DEFAULT_MAJOR + "." + NodeConfig.DEFAULT_MINOR + "."
            + NodeConfig.DEFAULT_REVISION;
    /** ZeroTier's default virtual MTU, reported before a network has a config ({@code ZT_DEFAULT_MTU}). */
    static final int DEFAULT_NETWORK_MTU = 2800;
    /** How long a request waits for the node's thread. */
    static final long NODE_WAIT_MS = 5_000;
    /** Largest request body read (the API's bodies are a few flags). */
    static final int BODY_BYTES_MAX = 64 * 1024;
    private static final Pattern NETWORK_PATH = Pattern.compile("/network/([0-9a-fA-F]{16})");
    private static final Pattern PEER_PATH = Pattern.compile("/peer/([0-9a-fA-F]{10})");
    // Exactly 10 hex digits, as 1.14.1's route (ZT1-10 §2.8, quirk Q8): moon ids that fit in 40 bits.
    private static final Pattern MOON_PATH = Pattern.compile("/moon/([0-9a-fA-F]{10})");
    /** zerokube's own: the lab's ECHO with a chosen payload (ZT1-11 IOP-11b); 1.14.1 has no such route. */
    private static final Pattern ECHO_PATH = Pattern.compile("/zerokube/echo/([0-9a-fA-F]{10})");
    private static final String DEVICE_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

    private final NodeService service;
    private final NodeHome home;
    private final LocalConf conf;
    private final JoinedNetworks networks;
    private final NodeMetrics metrics;
    private final byte[] token;
    private final List<Cidr> managementFrom;
    private final HttpServer server;
    private final ExecutorService executor;
    /** One ECHO probe at a time: a probe holds one of the executor's two threads for its duration. */
    private final java.util.concurrent.Semaphore echoProbe = new java.util.concurrent.Semaphore(1);

    private LocalApi(NodeService service, NodeHome home, LocalConf conf, JoinedNetworks networks, NodeMetrics metrics,
            HttpServer server) throws NodeHome.HomeException {
        this.service = service;
        this.home = home;
        this.conf = conf;
        this.networks = networks;
        this.metrics = metrics;
        this.token = home.authToken().getBytes(StandardCharsets.UTF_8);
        this.managementFrom = conf.allowManagementFrom().stream().map(Cidr::parse).flatMap(Optional::stream).toList();
        this.server = server;
        this.executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "zerokube-local-api");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Serves the API for {@code service} at {@code address} (1.14.1: the primary port on every
     * address, guarded by the IP check; zerokube's default is 127.0.0.1). {@code metrics} may be
     * null (then {@code /metrics} is 404).
     */
    public static LocalApi start(NodeService service, NodeHome home, LocalConf conf, JoinedNetworks networks,
            NodeMetrics metrics, InetSocketAddress address) throws IOException, NodeHome.HomeException {
        HttpServer server = HttpServer.create(address, 64);
        LocalApi api = new LocalApi(service, home, conf, networks, metrics, server);
        server.setExecutor(api.executor);
        server.createContext("/", api::handle);
        server.start();
        return api;
    }

    /**
     * Serves another API under {@code pathPrefix} on this server, as 1.14.1 serves its controller's
     * {@code /controller} routes on the node's API port; {@code handler} authenticates by itself.
     */
    public void mount(String pathPrefix, com.sun.net.httpserver.HttpHandler handler) {
        server.createContext(pathPrefix, handler);
    }

    /** Where it listens (the actual port when 0 was asked). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    // ---- request handling

    private record Response(int status, String contentType, byte[] body) {
        static Response json(int status, Object value) {
            return new Response(status, "application/json", JsonText.write(value));
        }

        static Response empty(int status) {
            return new Response(status, null, new byte[0]);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            Response r;
            Map<String, String> query = query(ex.getRequestURI().getRawQuery());
            try {
                r = authenticated(ex, query) ? route(ex) : Response.json(401, Map.of());
            } catch (BadRequest e) {
                r = Response.json(400, Map.of("error", e.getMessage()));
            } catch (RuntimeException e) {
                r = Response.json(500, Map.of("error", "internal error: " + e));
            }
            String jsonp = query.get("jsonp");
            if (jsonp != null && "application/json".equals(r.contentType())) {
                byte[] wrapped = (jsonp + "(" + new String(r.body(), StandardCharsets.UTF_8) + ");")
                        .getBytes(StandardCharsets.UTF_8);
                r = new Response(r.status(), "application/javascript", wrapped);
            }
            if (r.contentType() != null) {
                ex.getResponseHeaders().set("Content-Type", r.contentType());
            }
            boolean head = ex.getRequestMethod().equals("HEAD");
            if (r.body().length == 0 || head) {
                ex.getResponseHeaders().set("Content-Length", Integer.toString(r.body().length));
                ex.sendResponseHeaders(r.status(), -1);
                return;
            }
            ex.sendResponseHeaders(r.status(), r.body().length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(r.body());
            }
        }
    }

    /** ZT1-10 §1.4, step by step. */
    private boolean authenticated(HttpExchange ex, Map<String, String> query) {
        String path = ex.getRequestURI().getPath();
        String header = ex.getRequestHeaders().getFirst("X-ZT1-Auth");
        String bearer = ex.getRequestHeaders().getFirst("Authorization");
        if (path.equals("/metrics")) {
            return firstCredentialMatches(header, query.get("auth"), bearer);
        }
        InetAddress remote = ex.getRemoteAddress().getAddress();
        boolean ipAllowed = isLoopback(remote) || managementFrom.stream().anyMatch(c -> c.contains(remote));
        if (!ipAllowed) {
            return false;
        }
        if (path.equals("/health")) {
            return true;
        }
        return firstCredentialMatches(header, query.get("auth"), bearer);
    }

    private boolean firstCredentialMatches(String header, String queryAuth, String bearer) {
        if (header != null) {
            return tokenMatches(header);
        }
        if (queryAuth != null) {
            return tokenMatches(queryAuth);
        }
        if (bearer != null) {
            String[] parts = java.util.Arrays.stream(bearer.split(" ")).filter(s -> !s.isEmpty()).toArray(String[]::new);
            return parts.length == 2 && parts[0].equalsIgnoreCase("bearer") && tokenMatches(parts[1]);
        }
        return false;
    }

    private boolean tokenMatches(String given) {
        return MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8));
    }

    /** ZeroTier's loopback scope: 127/8, ::1, ::ffff:127.0.0.0/104 and (oddly) fe80::1 (ZT1-10 §1.4). */
    static boolean isLoopback(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 4) {
            return b[0] == 127;
        }
        boolean zeroTo10 = true;
        for (int i = 0; i < 10; i++) {
            zeroTo10 &= b[i] == 0;
        }
        if (zeroTo10 && b[10] == (byte) 0xff && b[11] == (byte) 0xff && b[12] == 127) {
            return true;
        }
        boolean rest = true;
        for (int i = 2; i < 15; i++) {
            rest &= b[i] == 0;
        }
        return b[15] == 1 && rest && ((b[0] == 0 && b[1] == 0) || (b[0] == (byte) 0xfe && b[1] == (byte) 0x80));
    }

    private Response route(HttpExchange ex) throws IOException, BadRequest {
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getPath();
        boolean get = method.equals("GET") || method.equals("HEAD");
        boolean post = method.equals("POST") || method.equals("PUT");
        if (get && path.equals("/status")) {
            return Response.json(200, status());
        }
        if (get && path.equals("/health")) {
            return Response.json(200, health());
        }
        if (get && path.equals("/peer")) {
            return Response.json(200, onNode(this::peers));
        }
        Matcher m = PEER_PATH.matcher(path);
        if (get && m.matches()) {
            Address a = Address.parse(m.group(1).toLowerCase(java.util.Locale.ROOT));
            return Response.json(200, onNode(n -> peers(n).stream().filter(p -> p.get("address").equals(a.toString()))
                    .findFirst().<Object>map(p -> p).orElse(Map.of())));
        }
        if (get && path.equals("/network")) {
            List<NetworkStatus> held = onNode(Node::networks);
            List<Object> list = new ArrayList<>();
            for (NetworkId id : networks.ids()) {
                list.add(network(id, networks.settings(id).orElse(JoinedNetworks.DEFAULTS),
                        held.stream().filter(n -> n.id().equals(id)).findFirst()));
            }
            return Response.json(200, list);
        }
        m = NETWORK_PATH.matcher(path);
        if (m.matches()) {
            NetworkId id = NetworkId.parse(m.group(1).toLowerCase(java.util.Locale.ROOT));
            if (get) {
                Optional<JoinedNetworks.Settings> settings = networks.settings(id);
                return settings.isEmpty() ? Response.json(404, Map.of())
                        : Response.json(200, network(id, settings.get(), onNode(n -> n.network(id))));
            }
            if (post) {
                return Response.json(200, join(id, readBody(ex)));
            }
            if (method.equals("DELETE")) {
                boolean left = onNode(n -> n.leave(id, service.nowMs()));
                left |= home(() -> networks.leave(id));
                return Response.json(200, left ? Map.of("result", true) : Map.of());
            }
        }
        if (get && path.equals("/moon")) {
            return Response.json(200, onNode(n -> n.moons().stream().map(LocalApi::moon).toList()));
        }
        Matcher moonPath = MOON_PATH.matcher(path);
        if (moonPath.matches()) {
            long id = Long.parseUnsignedLong(moonPath.group(1), 16);
            if (get) {
                return Response.json(200, heldMoon(id).orElse(Map.of()));
            }
            if (post) {
                return Response.json(200, orbit(id, readBody(ex)));
            }
            if (method.equals("DELETE")) {
                onNode(n -> n.deorbit(id));
                home(() -> {
                    home.deleteMoon(id);
                    return null;
                });
                return Response.json(200, Map.of("result", true));
            }
        }
        Matcher echoPath = ECHO_PATH.matcher(path);
        if (post && echoPath.matches()) {
            return echo(Address.parse(echoPath.group(1).toLowerCase(java.util.Locale.ROOT)), readBody(ex));
        }
        if (get && path.equals("/config")) {
            return Response.json(200, conf.json());
        }
        if (get && path.equals("/metrics") && metrics != null) {
            return new Response(200, "text/plain", metrics.scrape().getBytes(StandardCharsets.UTF_8));
        }
        return Response.empty(404);
    }

    // ---- objects (ZT1-10 §2)

    private Map<String, Object> status() {
        return onNode(n -> {
            Map<String, Object> s = versionFields(n.isOnline());
            s.put("address", n.address().toString());
            s.put("publicIdentity", n.identity().toString(false));
            s.put("tcpFallbackActive", false);
            World planet = n.planet();
            s.put("planetWorldId", planet == null ? 0 : planet.id());
            s.put("planetWorldTimestamp", planet == null ? 0 : planet.timestampMs());
            Map<String, Object> config = new TreeMap<>(conf.json());
            Map<String, Object> settings = new TreeMap<>();
            if (config.get("settings") instanceof Map<?, ?> given) {
                given.forEach((k, v) -> settings.put(String.valueOf(k), v));
            }
            settings.put("allowTcpFallbackRelay", false);
            settings.put("forceTcpRelay", false);
            settings.put("primaryPort", service.primaryPort());
            settings.put("secondaryPort", 0);
            settings.put("tertiaryPort", 0);
            settings.put("homeDir", home.dir().toAbsolutePath().toString());
            settings.put("listeningOn", service.localAddresses().stream()
                    .map(a -> InetEndpoint.of(a.getAddress(), a.getPort()).toString()).toList());
            settings.put("surfaceAddresses", List.of());
            settings.put("portMappingEnabled", false);
            settings.putIfAbsent("softwareUpdate", "disable");
            settings.putIfAbsent("softwareUpdateChannel", "release");
            config.put("settings", settings);
            s.put("config", config);
            return s;
        });
    }

    private Map<String, Object> health() {
        return onNode(n -> versionFields(n.isOnline()));
    }

    private Map<String, Object> versionFields(boolean online) {
        Map<String, Object> s = new TreeMap<>();
        s.put("online", online);
        s.put("versionMajor", NodeConfig.DEFAULT_MAJOR);
        s.put("versionMinor", NodeConfig.DEFAULT_MINOR);
        s.put("versionRev", NodeConfig.DEFAULT_REVISION);
        s.put("versionBuild", 0);
        s.put("version", VERSION);
        s.put("clock", service.nowMs());
        return s;
    }

    /** Peer objects (§2.7), ascending by address. */
    private List<Map<String, Object>> peers(Node n) {
        long now = service.nowMs();
        Set<Address> planetRoots = new HashSet<>();
        if (n.planet() != null) {
            n.planet().roots().forEach(r -> planetRoots.add(r.identity().address()));
        }
        List<Map<String, Object>> out = new ArrayList<>();
        List<PeerStatus> peers = new ArrayList<>(n.peers(now));
        peers.sort(Comparator.comparing(PeerStatus::address));
        for (PeerStatus p : peers) {
            Map<String, Object> o = new TreeMap<>();
            o.put("address", p.address().toString());
            int[] v = version(p.remoteVersion());
            o.put("versionMajor", v[0]);
            o.put("versionMinor", v[1]);
            o.put("versionRev", v[2]);
            o.put("version", v[0] + "." + v[1] + "." + v[2]);
            o.put("latency", p.latencyMs() >= Timing.LATENCY_UNKNOWN ? -1 : p.latencyMs());
            o.put("role", planetRoots.contains(p.address()) ? "PLANET" : p.upstream() ? "MOON" : "LEAF");
            o.put("isBonded", false);
            o.put("tunneled", false);
            List<Map<String, Object>> paths = new ArrayList<>();
            for (PeerStatus.PathStatus path : p.paths()) {
                if (path.expired()) {
                    continue; // 1.14.1 lists live paths only
                }
                Map<String, Object> po = new TreeMap<>();
                po.put("address", path.remote().toString());
                po.put("lastSend", Math.max(0, path.lastSendMs()));
                po.put("lastReceive", Math.max(0, path.lastReceiveMs()));
                byte[] ip = path.remote().ip();
                long trusted = conf.trustedPaths().outboundId(ip, 0, ip.length); // 1.14.1: the send-side lookup
                po.put("trustedPathId", trusted >= 0 ? (Object) trusted : new java.math.BigInteger(Long.toUnsignedString(trusted)));
                po.put("active", true);
                po.put("expired", false);
                po.put("preferred", path.preferred());
                po.put("localSocket", path.localSocket());
                po.put("localPort", localPort(path.localSocket()));
                paths.add(po);
            }
            o.put("paths", paths);
            out.add(o);
        }
        return out;
    }

    private int localPort(long socket) {
        List<InetSocketAddress> local = service.localAddresses();
        return socket >= 1 && socket <= local.size() ? local.get((int) socket - 1).getPort() : 0;
    }

    private static int[] version(String text) {
        if (text == null) {
            return new int[] {-1, -1, -1};
        }
        String[] parts = text.split("\\.");
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])};
    }

    /**
     * The network object (§2.4) from the node's snapshot of it (empty right after a join on
     * another thread: then it is what 1.14.1 shows before a config) and the local settings.
     */
    private Map<String, Object> network(NetworkId id, JoinedNetworks.Settings s, Optional<NetworkStatus> status) {
        Optional<NetworkConfig> config = status.flatMap(NetworkStatus::config);
        Map<String, Object> o = new TreeMap<>();
        o.put("id", id.toString());
        o.put("nwid", id.toString());
        o.put("mac", status.map(NetworkStatus::mac).orElseGet(() -> Mac.fromAddress(service.address(), id)).toString());
        o.put("name", config.map(NetworkConfig::name).orElse(""));
        o.put("status", status.map(st -> st.status().name()).orElse(NetworkStatus.Status.REQUESTING_CONFIGURATION.name()));
        o.put("type", config.map(c -> c.isPublic() ? "PUBLIC" : "PRIVATE").orElse("PRIVATE"));
        o.put("mtu", config.map(NetworkConfig::mtu).orElse(DEFAULT_NETWORK_MTU));
        o.put("dhcp", false);
        o.put("bridge", config.map(c -> c.activeBridges().contains(service.address())).orElse(false));
        o.put("broadcastEnabled", config.map(NetworkConfig::enableBroadcast).orElse(false));
        o.put("portError", 0);
        o.put("netconfRevision", config.map(NetworkConfig::revision).orElse(0L));
        o.put("portDeviceName", deviceName(id));
        o.put("allowManaged", s.allowManaged());
        o.put("allowGlobal", s.allowGlobal());
        o.put("allowDefault", s.allowDefault());
        o.put("allowDNS", s.allowDns());
        o.put("assignedAddresses", status.map(st -> st.assignedAddresses().stream().map(InetEndpoint::toString).toList())
                .orElse(List.of()));
        List<Map<String, Object>> routes = new ArrayList<>();
        for (Route r : config.map(NetworkConfig::routes).orElse(List.of())) {
            Map<String, Object> ro = new TreeMap<>();
            ro.put("target", r.target().toString());
            // a gateway of the target's family is printed without its port field; otherwise null (§2.4)
            boolean via = !r.via().isNil() && r.via().isIpv4() == r.target().isIpv4();
            ro.put("via", via ? r.via().toInetAddress().getHostAddress() : null);
            ro.put("flags", r.flags());
            ro.put("metric", r.metric());
            routes.add(ro);
        }
        o.put("routes", routes);
        o.put("multicastSubscriptions", List.of());
        Map<String, Object> dns = new TreeMap<>();
        dns.put("domain", config.map(c -> c.dns().domain()).orElse(""));
        dns.put("servers", config.map(c -> c.dns().servers().stream().map(e -> e.toInetAddress().getHostAddress())
                .toList()).orElse(List.of()));
        o.put("dns", dns);
        if (config.isPresent() && config.get().ssoEnabled()) {
            o.put("ssoEnabled", true);
            o.put("authenticationURL", config.get().authenticationUrl());
            o.put("authenticationExpiryTime", config.get().authenticationExpiryTimeMs());
        }
        return o;
    }

    /**
     * {@code POST /network/<nwid>} (§2.5): join (idempotent), then apply each of the four flags
     * the body gives as a JSON boolean (other values ignored, as 1.14.1) and answer the network.
     */
    private Map<String, Object> join(NetworkId id, byte[] body) throws BadRequest {
        Map<String, Object> flags = bodyObject(body);
        home(() -> networks.join(id));
        Optional<NetworkStatus> status = onNode(n -> {
            n.join(id, service.nowMs());
            return n.network(id);
        });
        JoinedNetworks.Settings s = networks.settings(id).orElse(JoinedNetworks.DEFAULTS);
        if (flags != null) {
            JoinedNetworks.Settings updated = new JoinedNetworks.Settings(
                    bool(flags, "allowManaged", s.allowManaged()), bool(flags, "allowGlobal", s.allowGlobal()),
                    bool(flags, "allowDefault", s.allowDefault()), bool(flags, "allowDNS", s.allowDns()));
            JoinedNetworks.Settings current = s;
            home(() -> {
                networks.set(id, updated);
                return current;
            });
            s = updated;
        }
        return network(id, s, status);
    }

    private static boolean bool(Map<String, Object> o, String key, boolean current) {
        return o.get(key) instanceof Boolean b ? b : current;
    }

    /** A request body as a JSON object, or null when there is none (empty or only white space). */
    private static Map<String, Object> bodyObject(byte[] body) throws BadRequest {
        if (new String(body, StandardCharsets.UTF_8).isBlank()) {
            return null;
        }
        Object v;
        try {
            v = JsonText.parse(body);
        } catch (JsonText.JsonSyntaxException e) {
            throw new BadRequest("body is not JSON: " + firstLine(e.getMessage()));
        }
        if (v != null && !(v instanceof Map<?, ?>)) {
            throw new BadRequest("body must be a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> o = (Map<String, Object>) v;
        return o;
    }

    /**
     * {@code POST /zerokube/echo/<address>}: sends the peer {@code count} ECHOs (default 1)
     * carrying {@code payload} (hex, default empty), {@code intervalMs} apart (default 0), waits
     * {@code waitMs} (default 1000) and answers what came back ({@link EchoProbe}). 409 while
     * another probe runs.
     */
    private Response echo(Address peer, byte[] body) throws BadRequest {
        Map<String, Object> o = bodyObject(body);
        byte[] payload;
        try {
            payload = java.util.HexFormat.of().parseHex(stringField(o, "payload", ""));
        } catch (IllegalArgumentException e) {
            throw new BadRequest("payload must be hex digits, two per byte");
        }
        int count = (int) longField(o, "count", 1);
        long intervalMs = longField(o, "intervalMs", 0);
        long waitMs = longField(o, "waitMs", 1_000);
        if (!echoProbe.tryAcquire()) {
            return Response.json(409, Map.of("error", "another ECHO probe is running"));
        }
        try {
            EchoProbe.Result r = EchoProbe.run(service, peer, payload, count, intervalMs, waitMs);
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            out.put("address", r.peer().toString());
            out.put("payload", java.util.HexFormat.of().formatHex(payload));
            out.put("sent", r.sent());
            out.put("answers", r.answers().stream().map(a -> Map.<String, Object>of(
                    "afterMs", Math.round(a.afterMs() * 1000) / 1000.0, "hops", a.hops())).toList());
            out.put("otherAnswers", r.otherAnswers());
            return Response.json(200, out);
        } catch (IllegalArgumentException e) {
            throw new BadRequest(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } finally {
            echoProbe.release();
        }
    }

    private static String stringField(Map<String, Object> o, String name, String absent) throws BadRequest {
        Object v = o == null ? null : o.get(name);
        if (v == null) {
            return absent;
        }
        if (!(v instanceof String s)) {
            throw new BadRequest(name + " must be a string");
        }
        return s;
    }

    private static long longField(Map<String, Object> o, String name, long absent) throws BadRequest {
        Object v = o == null ? null : o.get(name);
        if (v == null) {
            return absent;
        }
        if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())
                || Math.abs(n.doubleValue()) > Integer.MAX_VALUE) {
            throw new BadRequest(name + " must be a whole number");
        }
        return n.longValue();
    }

    private Optional<Map<String, Object>> heldMoon(long id) {
        return onNode(n -> n.moons().stream().filter(w -> w.id() == id).findFirst().map(LocalApi::moon));
    }

    /**
     * {@code POST /moon/<id>} (ZT1-10 §2.8): a held moon is answered as it is; otherwise, with a
     * seed, the node starts asking that seed for it and the answer is 1.14.1's placeholder
     * ({@code waiting: true}); without a seed, {@code {}}. Unlike 1.14.1, which ignores a body it
     * cannot parse, a malformed body or seed is a 400 naming what is wrong.
     */
    private Map<String, Object> orbit(long id, byte[] body) throws BadRequest {
        long seed = 0;
        Map<String, Object> o = bodyObject(body);
        Object s = o == null ? null : o.get("seed");
        if (s != null) {
            if (!(s instanceof String text) || !text.matches("[0-9a-fA-F]{1,10}")) {
                throw new BadRequest("seed must be a node address (up to 10 hex digits), not "
                        + new String(JsonText.write(s), StandardCharsets.UTF_8));
            }
            seed = Long.parseUnsignedLong(text, 16);
            if (seed != 0 && new Address(seed).isReserved()) {
                throw new BadRequest("seed " + text + " is a reserved address");
            }
        }
        Optional<Map<String, Object>> held = heldMoon(id);
        if (held.isPresent()) {
            return held.get();
        }
        if (seed == 0) {
            return Map.of();
        }
        Address seedAddress = new Address(seed);
        onNode(n -> {
            n.orbit(id, seedAddress, service.nowMs());
            return null;
        });
        Map<String, Object> waiting = new TreeMap<>();
        waiting.put("id", String.format("%016x", id));
        waiting.put("roots", List.of());
        waiting.put("signature", null);
        waiting.put("timestamp", 0);
        waiting.put("updatesMustBeSignedBy", null);
        waiting.put("waiting", true);
        return waiting;
    }

    private static Map<String, Object> moon(World w) {
        Map<String, Object> o = new TreeMap<>();
        o.put("id", String.format("%016x", w.id()));
        o.put("timestamp", w.timestampMs());
        o.put("signature", java.util.HexFormat.of().formatHex(w.signature()));
        o.put("updatesMustBeSignedBy", java.util.HexFormat.of().formatHex(w.updatesMustBeSignedBy()));
        List<Map<String, Object>> roots = new ArrayList<>();
        for (World.Root r : w.roots()) {
            Map<String, Object> ro = new LinkedHashMap<>();
            ro.put("identity", r.identity().toString(false));
            ro.put("stableEndpoints", r.stableEndpoints().stream().map(InetEndpoint::toString).toList());
            roots.add(ro);
        }
        o.put("roots", roots);
        o.put("waiting", false);
        return o;
    }

    /**
     * The Linux device name 1.14.1 gives a network's tap (ZT1-10 §2.4), first trial: {@code zt}
     * and eight base-32 characters of the low 40 bits of {@code nwid ^ (nwid >>> 24)}.
     */
    public static String deviceName(NetworkId id) {
        long v = (id.value() ^ (id.value() >>> 24)) & 0xff_ffff_ffffL;
        StringBuilder b = new StringBuilder("zt");
        for (int shift = 35; shift >= 0; shift -= 5) {
            b.append(DEVICE_ALPHABET.charAt((int) ((v >>> shift) & 31)));
        }
        return b.toString();
    }

    // ---- plumbing

    private <T> T onNode(java.util.function.Function<Node, T> query) {
        try {
            return service.call(query).get(NODE_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the node did not answer: " + e.getMessage(), e);
        }
    }

    private interface HomeAction<T> {
        T run() throws NodeHome.HomeException;
    }

    private static <T> T home(HomeAction<T> action) {
        try {
            return action.run();
        } catch (NodeHome.HomeException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static byte[] readBody(HttpExchange ex) throws IOException, BadRequest {
        try (InputStream in = ex.getRequestBody()) {
            byte[] body = in.readNBytes(BODY_BYTES_MAX + 1);
            if (body.length > BODY_BYTES_MAX) {
                throw new BadRequest("body larger than " + BODY_BYTES_MAX + " bytes");
            }
            return body;
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new TreeMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                out.putIfAbsent(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                // a malformed escape: ignore the pair, as if absent
            }
        }
        return out;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message);
        }
    }

    /**
     * An {@code allowManagementFrom} entry (ZT1-10 §1.6): "ip/bits"; without "/bits" it matches
     * every address of its family, as in 1.14.1 (quirk Q5).
     */
    record Cidr(byte[] network, int bits) {
        static Optional<Cidr> parse(String text) {
            int slash = text.indexOf('/');
            String ip = slash < 0 ? text : text.substring(0, slash);
            int bits = 0;
            try {
                if (slash >= 0) {
                    bits = Integer.parseInt(text.substring(slash + 1));
                }
                if (!ip.matches("[0-9a-fA-F.:]+")) {
                    return Optional.empty(); // never a name lookup
                }
                byte[] b = InetAddress.getByName(ip).getAddress();
                if (bits < 0 || bits > b.length * 8) {
                    return Optional.empty();
                }
                return Optional.of(new Cidr(b, bits));
            } catch (NumberFormatException | java.net.UnknownHostException e) {
                return Optional.empty();
            }
        }

        boolean contains(InetAddress a) {
            byte[] b = a.getAddress();
            if (b.length != network.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >>> (i % 8);
                if ((b[i / 8] & mask) != (network[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }
}
