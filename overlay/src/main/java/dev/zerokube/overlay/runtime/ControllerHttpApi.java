package dev.zerokube.overlay.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.zerokube.overlay.controller.ApiInput;
import dev.zerokube.overlay.controller.ApiInputException;
import dev.zerokube.overlay.controller.ControllerJson;
import dev.zerokube.overlay.controller.MemberRecord;
import dev.zerokube.overlay.controller.NetworkRecord;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ZeroTier One 1.14.1's controller HTTP API (ZT1-10 §4) over a {@link FilePolicyStore}, so that
 * ztnet, zero-ui and scripts written for it drive zerokube unchanged, plus {@code /metrics}.
 *
 * <p>Routes: {@code GET /controller}; {@code GET, POST /controller/network} (POST creates a
 * network with a random id); {@code POST /controller/network/<controller address>______} (the
 * same, legacy form; {@code ######} is accepted too); {@code GET, POST, DELETE
 * /controller/network/<nwid>}; {@code GET /controller/network/<nwid>/member} ({@code {address:
 * revision}}); {@code GET, POST, DELETE /controller/network/<nwid>/member/<address>};
 * {@code GET /unstable/controller/network[/<nwid>/member]}. PUT is POST. Bodies and answers are
 * 1.14.1's JSON objects ({@link ControllerJson}), compact with sorted keys.
 *
 * <p>Authentication as 1.14.1 (ZT1-10 §1.4): the first present of {@code X-ZT1-Auth},
 * {@code ?auth=}, {@code Authorization: Bearer} must equal the token (compared in constant
 * time), and the client must be on loopback or in {@code allowManagementFrom}; {@code /metrics}
 * also takes the metrics token and skips the address check. Failures answer 401 {@code {}}.
 *
 * <p>Errors, where zerokube is deliberately clearer than 1.14.1: a body that is not a JSON
 * object, an unknown field or a bad value answers <b>400</b> {@code {"error":400,
 * "description":..., "field":...}} (plus {@code line} and {@code column} for rules that do not
 * compile) and changes nothing ({@link ApiInput} lists the rules); a record whose file was
 * unreadable at start answers 409; not found answers 404 with an empty body, as 1.14.1.
 */
public final class ControllerHttpApi implements AutoCloseable {
    /** {@code ZT_NETCONF_CONTROLLER_API_VERSION}. */
    public static final int API_VERSION = 4;
    /** Largest request body read; bigger ones answer 413 (1.14.1 has no limit). */
    public static final int BODY_BYTES_MAX = 8 << 20;
    /** 1.14.1's number of tries to find an unused random network id. */
    static final int NETWORK_ID_TRIES_MAX = 100_000;

    private static final Pattern NETWORK = Pattern.compile("/controller/network/([0-9a-fA-F]{16})");
    private static final Pattern NETWORK_LEGACY_CREATE = Pattern.compile("/controller/network/([0-9a-fA-F]{10})(?:______|######)");
    private static final Pattern MEMBERS = Pattern.compile("/controller/network/([0-9a-fA-F]{16})/member");
    private static final Pattern MEMBER = Pattern.compile("/controller/network/([0-9a-fA-F]{16})/member/([0-9a-fA-F]{10})");
    private static final Pattern UNSTABLE_MEMBERS = Pattern.compile("/unstable/controller/network/([0-9a-fA-F]{16})/member");

    /** An HTTP answer; {@code contentType} null for an empty body. */
    public record Response(int status, String contentType, byte[] body) {
        static Response json(int status, Object value) {
            return new Response(status, "application/json", JsonText.write(value));
        }

        static Response empty(int status) {
            return new Response(status, null, new byte[0]);
        }

        static Response error(int status, String description, Map<String, Object> extra) {
            Map<String, Object> m = new TreeMap<>(extra);
            m.put("error", status);
            m.put("description", description);
            return json(status, m);
        }

        /** The body as text (tests). */
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final FilePolicyStore store;
    private final Address controller;
    private final byte[] authToken;
    private final Optional<byte[]> metricsToken;
    private final List<InetEndpoint> allowManagementFrom;
    private final ControllerMetrics metrics;
    private final LongSupplier clockMs;
    private final RandomGenerator random;
    private HttpServer server;
    private ExecutorService executor;

    /**
     * @param controller the controller's address: random network ids get it as prefix
     * @param authToken the content of {@code authtoken.secret} (trimmed)
     * @param metricsToken the content of {@code metricstoken.secret}, if any
     * @param allowManagementFrom {@code ip/bits} networks besides loopback that may use the API
     */
    public ControllerHttpApi(FilePolicyStore store, Address controller, String authToken, Optional<String> metricsToken,
            List<String> allowManagementFrom, ControllerMetrics metrics, LongSupplier clockMs, RandomGenerator random) {
        this.store = store;
        this.controller = controller;
        if (authToken.isBlank()) {
            throw new IllegalArgumentException("an empty auth token would let anyone in");
        }
        this.authToken = authToken.strip().getBytes(StandardCharsets.UTF_8);
        this.metricsToken = metricsToken.map(t -> t.strip().getBytes(StandardCharsets.UTF_8));
        List<InetEndpoint> allowed = new ArrayList<>();
        for (String cidr : allowManagementFrom) {
            InetEndpoint e = InetEndpoint.parse(cidr.contains("/") ? cidr : cidr + "/" + (cidr.contains(":") ? 128 : 32));
            if (e.port() > (e.isIpv4() ? 32 : 128)) {
                throw new IllegalArgumentException("bad prefix length in " + cidr);
            }
            allowed.add(e);
        }
        this.allowManagementFrom = List.copyOf(allowed);
        this.metrics = metrics;
        this.clockMs = clockMs;
        this.random = random;
    }

    /** Starts serving on {@code bind} (port 0: any free port). */
    public synchronized void start(InetSocketAddress bind) throws IOException {
        server = HttpServer.create(bind, 64);
        executor = Executors.newFixedThreadPool(4, Thread.ofPlatform().name("controller-api-", 0).daemon().factory());
        server.setExecutor(executor);
        server.createContext("/", this::exchange);
        server.start();
    }

    /**
     * The API as a handler, to serve it from another server (1.14.1 serves {@code /controller} on
     * the node's API port): mount it at {@code /controller} and {@code /unstable/controller}.
     */
    public HttpHandler handler() {
        return this::exchange;
    }

    /** Where the API listens (after {@link #start}). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    private void exchange(HttpExchange ex) throws IOException {
        try (ex) {
            Response r;
            try {
                byte[] body = readBody(ex.getRequestBody());
                r = body == null ? Response.error(413, "body larger than " + BODY_BYTES_MAX + " bytes", Map.of())
                        : handle(ex.getRequestMethod(), ex.getRequestURI(), ex.getRequestHeaders()::getFirst,
                                ex.getRemoteAddress().getAddress(), body);
            } catch (RuntimeException e) {
                r = Response.error(500, e.toString(), Map.of());
            }
            boolean head = ex.getRequestMethod().equals("HEAD");
            if (r.contentType() != null) {
                ex.getResponseHeaders().set("Content-Type", r.contentType());
            }
            ex.sendResponseHeaders(r.status(), head || r.body().length == 0 ? -1 : r.body().length);
            if (!head && r.body().length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(r.body());
                }
            }
        }
    }

    private static byte[] readBody(InputStream in) throws IOException {
        byte[] b = in.readNBytes(BODY_BYTES_MAX + 1);
        return b.length > BODY_BYTES_MAX ? null : b;
    }

    /**
     * Answers one request (no sockets: the HTTP adapter and tests call this).
     *
     * @param header a request header by name (case-insensitive), or null if absent
     */
    public Response handle(String method, URI uri, Function<String, String> header, InetAddress remote, byte[] body) {
        String path = uri.getPath() == null ? "" : uri.getPath();
        Map<String, String> query = query(uri.getRawQuery());
        String m = method.equals("HEAD") ? "GET" : method.equals("PUT") ? "POST" : method;
        Response r;
        if (!authenticated(path, query, header, remote)) {
            r = Response.json(401, Map.of());
        } else {
            try {
                r = route(m, path, body);
            } catch (FilePolicyStore.RecordBlockedException e) {
                r = Response.error(409, e.getMessage(), Map.of());
            } catch (UncheckedIOException e) {
                r = Response.error(500, e.getMessage(), Map.of());
            }
        }
        if (metrics != null) {
            metrics.onApiRequest(m, r.status());
        }
        return r;
    }

    // ------------------------------------------------------------------ authentication

    private boolean authenticated(String path, Map<String, String> query, Function<String, String> header,
            InetAddress remote) {
        String presented = header.apply("X-ZT1-Auth");
        boolean viaBearer = false;
        if (presented == null) {
            presented = query.get("auth");
        }
        if (presented == null && header.apply("Authorization") != null) {
            presented = header.apply("Authorization");
            viaBearer = true;
        }
        if (presented == null) {
            return false;
        }
        if (viaBearer) {
            String[] parts = presented.trim().split(" +");
            if (parts.length != 2 || !parts[0].equalsIgnoreCase("bearer")) {
                return false;
            }
            presented = parts[1];
        }
        byte[] p = presented.getBytes(StandardCharsets.UTF_8);
        if (path.equals("/metrics")) {
            return MessageDigest.isEqual(p, authToken) || metricsToken.map(t -> MessageDigest.isEqual(p, t)).orElse(false);
        }
        return addressAllowed(remote) && MessageDigest.isEqual(p, authToken);
    }

    private boolean addressAllowed(InetAddress remote) {
        if (remote.isLoopbackAddress()) {
            return true;
        }
        InetEndpoint ip = InetEndpoint.of(remote, 0);
        for (InetEndpoint net : allowManagementFrom) {
            if (net.isIpv4() == ip.isIpv4() && prefixMatches(net.ip(), ip.ip(), net.port())) {
                return true;
            }
        }
        return false;
    }

    private static boolean prefixMatches(byte[] net, byte[] ip, int bits) {
        for (int i = 0; i < net.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - 8 * i));
            int mask = (0xff00 >>> keep) & 0xff;
            if ((net[i] & mask) != (ip[i] & mask)) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new TreeMap<>();
        if (raw == null) {
            return out;
        }
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
            out.putIfAbsent(k, eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    // ------------------------------------------------------------------ routes

    private Response route(String method, String path, byte[] body) {
        Matcher x;
        if (path.equals("/metrics") && method.equals("GET")) {
            return metrics == null ? Response.json(500, Map.of())
                    : new Response(200, "text/plain; version=0.0.4; charset=utf-8",
                            metrics.scrape().getBytes(StandardCharsets.UTF_8));
        }
        if (path.equals("/controller") && method.equals("GET")) {
            String text = "{\n\t\"controller\": true,\n\t\"apiVersion\": " + API_VERSION + ",\n\t\"clock\": "
                    + clockMs.getAsLong() + ",\n\t\"databaseReady\": true\n}\n";
            return new Response(200, "application/json", text.getBytes(StandardCharsets.UTF_8));
        }
        if (path.equals("/controller/network")) {
            return switch (method) {
                case "GET" -> Response.json(200, store.networkIds().stream().map(NetworkId::toString).toList());
                case "POST" -> createNetwork(body);
                default -> Response.empty(404);
            };
        }
        if ((x = NETWORK_LEGACY_CREATE.matcher(path)).matches() && method.equals("POST")) {
            if (!x.group(1).equals(controller.toString())) {
                return Response.error(400, "networks of this controller start with " + controller, Map.of());
            }
            return createNetwork(body);
        }
        if ((x = NETWORK.matcher(path)).matches()) {
            NetworkId id = NetworkId.parse(x.group(1).toLowerCase(Locale.ROOT));
            return switch (method) {
                case "GET" -> store.network(id).map(n -> Response.json(200, ControllerJson.toJson(n)))
                        .orElse(Response.empty(404));
                case "POST" -> postNetwork(id, body);
                case "DELETE" -> store.deleteNetwork(id)
                        .map(c -> Response.json(200, ControllerJson.toJson(((dev.zerokube.overlay.controller.PolicyChange.NetworkDeleted) c).network())))
                        .orElse(Response.empty(404));
                default -> Response.empty(404);
            };
        }
        if ((x = MEMBERS.matcher(path)).matches() && method.equals("GET")) {
            NetworkId id = NetworkId.parse(x.group(1).toLowerCase(Locale.ROOT));
            if (store.network(id).isEmpty()) {
                return Response.empty(404);
            }
            Map<String, Object> out = new TreeMap<>();
            for (MemberRecord m : store.members(id)) {
                out.put(m.address().toString(), m.revision());
            }
            return Response.json(200, out);
        }
        if ((x = MEMBER.matcher(path)).matches()) {
            NetworkId id = NetworkId.parse(x.group(1).toLowerCase(Locale.ROOT));
            Address address = Address.parse(x.group(2).toLowerCase(Locale.ROOT));
            return switch (method) {
                case "GET" -> store.member(id, address).map(mr -> Response.json(200, ControllerJson.toJson(mr)))
                        .orElse(Response.empty(404));
                case "POST" -> postMember(id, address, body);
                case "DELETE" -> store.deleteMember(id, address)
                        .map(c -> Response.json(200, ControllerJson.toJson(((dev.zerokube.overlay.controller.PolicyChange.MemberDeleted) c).before())))
                        .orElse(Response.empty(404));
                default -> Response.empty(404);
            };
        }
        if (path.equals("/unstable/controller/network") && method.equals("GET")) {
            List<Object> data = new ArrayList<>();
            for (NetworkId id : store.networkIds()) {
                store.network(id).ifPresent(n -> {
                    Map<String, Object> o = new TreeMap<>(ControllerJson.toJson(n));
                    List<MemberRecord> members = store.members(id);
                    o.put("meta", Map.of("authorizedMemberCount", members.stream().filter(MemberRecord::authorized).count(),
                            "totalMemberCount", members.size()));
                    data.add(o);
                });
            }
            return Response.json(200, Map.of("data", data, "meta", Map.of("networkCount", data.size())));
        }
        if ((x = UNSTABLE_MEMBERS.matcher(path)).matches() && method.equals("GET")) {
            NetworkId id = NetworkId.parse(x.group(1).toLowerCase(Locale.ROOT));
            if (store.network(id).isEmpty()) {
                return Response.empty(404);
            }
            List<MemberRecord> members = store.members(id);
            return Response.json(200, Map.of("data", members.stream().map(ControllerJson::toJson).toList(),
                    "meta", Map.of("authorizedCount", members.stream().filter(MemberRecord::authorized).count(),
                            "totalCount", members.size())));
        }
        return Response.empty(404);
    }

    private Response createNetwork(byte[] body) {
        Optional<Map<String, Object>> parsed = Optional.empty();
        Response bad = null;
        try {
            parsed = Optional.of(JsonText.parseObject(body));
        } catch (JsonText.JsonSyntaxException e) {
            bad = Response.error(400, e.getMessage(), Map.of());
        }
        if (bad != null) {
            return bad;
        }
        long prefix = controller.value() << 24;
        for (int i = 0; i < NETWORK_ID_TRIES_MAX; i++) {
            long low = random.nextLong() & 0xff_ffffL;
            NetworkId id = new NetworkId(prefix | (low == 0 ? 1 : low));
            if (!store.networkIdTaken(id)) {
                return postNetwork(id, parsed.get());
            }
        }
        return Response.empty(503);
    }

    private Response postNetwork(NetworkId id, byte[] body) {
        try {
            return postNetwork(id, JsonText.parseObject(body));
        } catch (JsonText.JsonSyntaxException e) {
            return Response.error(400, e.getMessage(), Map.of());
        }
    }

    private Response postNetwork(NetworkId id, Map<String, Object> body) {
        long now = clockMs.getAsLong();
        try {
            NetworkRecord saved = store.updateNetwork(id, stored -> ApiInput.applyToNetwork(id, stored, body, now));
            return Response.json(200, ControllerJson.toJson(saved));
        } catch (ApiInputException e) {
            return inputError(e);
        }
    }

    private Response postMember(NetworkId id, Address address, byte[] body) {
        if (store.network(id).isEmpty()) {
            return Response.empty(404);
        }
        Map<String, Object> parsed;
        try {
            parsed = JsonText.parseObject(body);
        } catch (JsonText.JsonSyntaxException e) {
            return Response.error(400, e.getMessage(), Map.of());
        }
        long now = clockMs.getAsLong();
        try {
            MemberRecord saved = store.updateMember(id, address,
                    stored -> ApiInput.applyToMember(id, address, stored, parsed, store.summary(id), now));
            return Response.json(200, ControllerJson.toJson(saved));
        } catch (ApiInputException e) {
            return inputError(e);
        } catch (IllegalArgumentException e) {
            // the network went away between the check and the write
            return Response.empty(404);
        }
    }

    private static Response inputError(ApiInputException e) {
        Map<String, Object> extra = new TreeMap<>();
        if (!e.field().isEmpty()) {
            extra.put("field", e.field());
        }
        e.line().ifPresent(l -> extra.put("line", l));
        e.column().ifPresent(c -> extra.put("column", c));
        return Response.error(400, e.getMessage(), extra);
    }
}
