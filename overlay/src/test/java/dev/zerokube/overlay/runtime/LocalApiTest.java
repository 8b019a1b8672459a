package dev.zerokube.overlay.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.sim.SimIdentities;
import dev.zerokube.overlay.testing.LoopbackRig;
import dev.zerokube.overlay.wire.World;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/*
 * Goal: the local API answers as ZeroTier One 1.14.1's does (ZT1-10): zerotier-cli-shaped JSON
 * for /status, /peer, /network, join and leave with their files, orbit and deorbit of a moon
 * (fetched from its seed, saved in moons.d, removed again), the authentication rules, 401 {}
 * and 404 empty, requests without Host, and /metrics with the node's counters. Method: a root and
 * a leaf started from home directories (HomeNode, as `zerokube root` and `zerokube node` run them)
 * on 127.0.0.1; plain HTTP requests to the leaf's API once the leaf is online.
 */
class LocalApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    @TempDir
    static Path tmp;
    static HomeNode root;
    static HomeNode leaf;
    static String token;
    static String base;
    static World planet;
    static final List<String> LOG = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Identity rootId = SimIdentities.get(0);
        int rootPort = LoopbackRig.freeUdpPort();
        planet = LoopbackRig.planet(rootId, rootPort, 5);
        Path rootHome = Files.createDirectories(tmp.resolve("root"));
        Files.writeString(rootHome.resolve("identity.secret"), rootId.toString(true));
        Path leafHome = Files.createDirectories(tmp.resolve("leaf"));
        Files.writeString(leafHome.resolve("identity.secret"), SimIdentities.get(4).toString(true));
        HomeNode.Settings s = HomeNode.Settings.defaults(LOG::add).withPlanet(planet).withLoopbackPaths(true);
        root = HomeNode.start(rootHome, s.withPort(rootPort).asRoot());
        leaf = HomeNode.start(leafHome, s.withPort(0).withMetrics(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        token = leaf.home().authToken();
        base = "http://127.0.0.1:" + leaf.api().address().getPort();
        long ms = LoopbackRig.await(15_000, () -> leaf.service().call(n -> n.isOnline()).join());
        assertTrue(ms >= 0, "leaf online");
    }

    @AfterAll
    static void stop() {
        if (leaf != null) {
            leaf.close();
        }
        if (root != null) {
            root.close();
        }
    }

    @Test
    void statusIsZeroTierShaped() throws Exception {
        JsonNode s = getJson("/status", 200);
        assertEquals(leaf.service().address().toString(), s.get("address").asText());
        assertEquals(leaf.home().identity().toString(false), s.get("publicIdentity").asText());
        assertTrue(s.get("online").asBoolean());
        assertEquals("1.14.1", s.get("version").asText());
        assertEquals(1, s.get("versionMajor").asInt());
        assertEquals(LoopbackRig.PLANET_ID, s.get("planetWorldId").asLong());
        assertFalse(s.get("tcpFallbackActive").asBoolean());
        JsonNode settings = s.get("config").get("settings");
        assertEquals(leaf.service().primaryPort(), settings.get("primaryPort").asInt());
        assertEquals("127.0.0.1/" + leaf.service().primaryPort(), settings.get("listeningOn").get(0).asText()
                .replace("0.0.0.0", "127.0.0.1"));
        assertEquals(leaf.home().dir().toAbsolutePath().toString(), settings.get("homeDir").asText());
        assertEquals(List.of("address", "clock", "config", "online", "planetWorldId", "planetWorldTimestamp",
                "publicIdentity", "tcpFallbackActive", "version", "versionBuild", "versionMajor", "versionMinor",
                "versionRev"), names(s), "1.14.1's keys, in ascending order");
        assertEquals(Integer.toString(leaf.service().primaryPort()),
                Files.readString(leaf.home().dir().resolve(NodeHome.PORT_FILE)), "port file, no newline");
    }

    @Test
    void peersListTheRootAsPlanetWithItsPath() throws Exception {
        JsonNode peers = getJson("/peer", 200);
        assertTrue(peers.isArray());
        JsonNode r = null;
        for (JsonNode p : peers) {
            if (p.get("address").asText().equals(root.service().address().toString())) {
                r = p;
            }
        }
        assertTrue(r != null, peers.toString());
        assertEquals("PLANET", r.get("role").asText());
        assertEquals("1.14.1", r.get("version").asText());
        assertTrue(r.get("latency").asInt() >= 0, r.toString());
        JsonNode path = r.get("paths").get(0);
        assertEquals("127.0.0.1/" + root.service().primaryPort(), path.get("address").asText());
        assertTrue(path.get("preferred").asBoolean());
        assertTrue(path.get("lastReceive").asLong() > 0);
        assertEquals(leaf.service().primaryPort(), path.get("localPort").asInt());
        assertEquals(List.of("address", "isBonded", "latency", "paths", "role", "tunneled", "version", "versionMajor",
                "versionMinor", "versionRev"), names(r));
        assertEquals(r, getJson("/peer/" + root.service().address(), 200));
        assertEquals("{}", get("/peer/0123456789", 200), "unknown peer: 200 {} (quirk Q6)");
    }

    @Test
    void joinListAndLeaveANetwork() throws Exception {
        String nwid = "8056c2e21c000001";
        JsonNode joined = sendJson("POST", "/network/" + nwid, "", 200);
        assertEquals(nwid, joined.get("id").asText());
        assertEquals(nwid, joined.get("nwid").asText());
        assertEquals("REQUESTING_CONFIGURATION", joined.get("status").asText());
        assertEquals("ztmjfmfyq5", joined.get("portDeviceName").asText(), "ZT1-10 §2.4's example");
        assertTrue(joined.get("allowManaged").asBoolean());
        assertTrue(joined.get("dns").get("servers").isArray());
        assertEquals(2800, joined.get("mtu").asInt());
        assertTrue(Files.exists(leaf.home().dir().resolve("networks.d/" + nwid + ".conf")));

        JsonNode set = sendJson("POST", "/network/" + nwid, "{\"allowDNS\":true,\"allowGlobal\":\"yes\"}", 200);
        assertTrue(set.get("allowDNS").asBoolean());
        assertFalse(set.get("allowGlobal").asBoolean(), "only JSON booleans count");
        assertEquals(set, getJson("/network/" + nwid, 200));
        JsonNode list = getJson("/network", 200);
        assertEquals(1, list.size());
        assertEquals(nwid, list.get(0).get("id").asText());

        assertEquals(400, send("POST", "/network/" + nwid, "{nope", token).statusCode(), "bad JSON is a 400");
        assertTrue(send("POST", "/network/" + nwid, "[1]", token).body().contains("error"));

        assertEquals("{\"result\":true}", send("DELETE", "/network/" + nwid, "", token).body());
        assertEquals("{}", send("DELETE", "/network/" + nwid, "", token).body(), "not joined: 200 {}");
        assertEquals("{}", get("/network/" + nwid, 404));
        assertFalse(Files.exists(leaf.home().dir().resolve("networks.d/" + nwid + ".conf")));
    }

    @Test
    void orbitFetchesAMoonFromItsSeedAndDeorbitRemovesIt() throws Exception {
        // A third node is the moon's only root and holds the moon file, as a moon root is set up.
        Identity moonRootId = SimIdentities.get(5);
        int moonPort = LoopbackRig.freeUdpPort();
        World moon = dev.zerokube.overlay.root.RootWorlds.first(World.Type.MOON, moonRootId.address().value(), 2_000L,
                List.of(dev.zerokube.overlay.root.RootWorlds.root(moonRootId, List.of(LoopbackRig.loopback(moonPort)))),
                dev.zerokube.overlay.crypto.C25519.generate(new java.util.SplittableRandom(7)));
        String id10 = moonRootId.address().toString();
        String id16 = String.format("%016x", moon.id());
        Path moonHome = Files.createDirectories(tmp.resolve("moon-root"));
        Files.writeString(moonHome.resolve("identity.secret"), moonRootId.toString(true));
        Files.createDirectories(moonHome.resolve("moons.d"));
        Files.write(moonHome.resolve("moons.d/" + id16 + ".moon"), moon.toBytes());
        HomeNode.Settings s = HomeNode.Settings.defaults(LOG::add).withPlanet(planet).withLoopbackPaths(true);
        try (HomeNode moonRoot = HomeNode.start(moonHome, s.withPort(moonPort))) {
            assertEquals("{}", get("/moon/" + id10, 200), "not orbited: 200 {}");
            assertEquals("{}", sendJson("POST", "/moon/" + id10, "", 200).toString(), "no seed, unknown moon: {}");
            assertEquals(400, send("POST", "/moon/" + id10, "{nope", token).statusCode(), "bad JSON is a 400");
            assertEquals(400, send("POST", "/moon/" + id10, "{\"seed\":\"xyz\"}", token).statusCode());
            assertEquals(400, send("POST", "/moon/" + id10, "{\"seed\":\"ff00000000\"}", token).statusCode(),
                    "a reserved seed address");

            JsonNode waiting = sendJson("POST", "/moon/" + id10, "{\"seed\":\"" + id10 + "\"}", 200);
            assertEquals(id16, waiting.get("id").asText());
            assertTrue(waiting.get("waiting").asBoolean());
            assertTrue(waiting.get("signature").isNull() && waiting.get("roots").isEmpty(), waiting.toString());

            Path saved = leaf.home().dir().resolve("moons.d/" + id16 + ".moon");
            long ms = LoopbackRig.await(30_000, () -> Files.exists(saved));
            assertTrue(ms >= 0, "the leaf fetched the moon from its seed and saved it; log: " + LOG);
            assertEquals(java.util.HexFormat.of().formatHex(moon.toBytes()),
                    java.util.HexFormat.of().formatHex(Files.readAllBytes(saved)));
            JsonNode held = getJson("/moon/" + id10, 200);
            assertFalse(held.get("waiting").asBoolean());
            assertEquals(moonRootId.toString(false), held.get("roots").get(0).get("identity").asText());
            assertEquals(held, sendJson("POST", "/moon/" + id10, "{\"seed\":\"" + id10 + "\"}", 200),
                    "orbiting a held moon answers it");
            assertTrue(LoopbackRig.await(15_000, () -> {
                try {
                    return getJson("/peer/" + id10, 200).path("role").asText().equals("MOON");
                } catch (Exception e) {
                    return false;
                }
            }) >= 0, "the moon's root is an upstream of role MOON");

            assertEquals("{\"result\":true}", send("DELETE", "/moon/" + id10, "", token).body());
            assertFalse(Files.exists(saved));
            assertEquals("[]", get("/moon", 200));
            assertEquals("", get("/moon/" + id16, 404), "the 16-digit form is not a route (quirk Q8)");
        }
    }

    @Test
    void authenticationFollows1141() throws Exception {
        assertEquals("{}", body(send("GET", "/status", null, null), 401));
        assertEquals("{}", body(send("GET", "/status", null, "wrong"), 401));
        assertEquals(401, HTTP.send(HttpRequest.newBuilder(URI.create(base + "/status?auth=" + token))
                .header("X-ZT1-Auth", "wrong").build(), HttpResponse.BodyHandlers.ofString()).statusCode(),
                "a wrong header is not rescued by a right ?auth= (Q3)");
        assertEquals(200, HTTP.send(HttpRequest.newBuilder(URI.create(base + "/status?auth=" + token)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(200, HTTP.send(HttpRequest.newBuilder(URI.create(base + "/status"))
                .header("Authorization", "BEARER " + token).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(200, send("GET", "/health", null, null).statusCode(), "/health needs no token from loopback");
        assertEquals("", body(send("GET", "/nothing", null, token), 404), "unknown path: 404, empty");
        assertEquals("{}", body(send("GET", "/nothing", null, null), 401), "unauthenticated first");
        HttpResponse<String> jsonp = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/health?jsonp=cb")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(jsonp.body().startsWith("cb({") && jsonp.body().endsWith("});"), jsonp.body());
    }

    @Test
    void aRequestWithoutHostIsServed() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), leaf.api().address().getPort())) {
            OutputStream out = s.getOutputStream();
            out.write(("GET /status HTTP/1.1\r\nX-ZT1-Auth: " + token + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            assertTrue(response.contains("\"address\":\"" + leaf.service().address() + "\""), response);
        }
    }

    @Test
    void metricsCarryTheCounters() throws Exception {
        String text = get("/metrics", 200);
        assertTrue(counter(text, "zerokube_node_packets_total{direction=\"rx\"}") > 0, text);
        assertTrue(counter(text, "zerokube_node_bytes_total{direction=\"tx\"}") > 0, text);
        assertTrue(text.contains("zerokube_node_drops_total{reason=\"bad_mac\"}"), text);
        int direct = 0; // the root, and the moon root if the orbit test ran first
        for (JsonNode p : getJson("/peer", 200)) {
            direct += p.get("paths").isEmpty() ? 0 : 1;
        }
        assertTrue(direct >= 1);
        assertEquals(direct, counter(text, "zerokube_node_peers{path=\"direct\"}"), text);
        assertEquals(1, counter(text, "zerokube_node_online"), text);
        InetSocketAddress m = leaf.metricsServer().orElseThrow().address();
        HttpResponse<String> plain = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + m.getPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, plain.statusCode());
        assertTrue(counter(plain.body(), "zerokube_node_packets_total{direction=\"tx\"}") > 0);
        assertTrue(LOG.stream().anyMatch(l -> l.contains("event=started") && l.contains("root=true")), LOG.toString());
        assertTrue(LOG.stream().anyMatch(l -> l.contains("event=online")), LOG.toString());
    }

    @Test
    void echoCarriesAChosenPayloadToAPeerAndBack() throws Exception {
        String rootAddress = root.service().address().toString();
        String payload = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
        JsonNode r = sendJson("POST", "/zerokube/echo/" + rootAddress,
                "{\"payload\": \"" + payload + "\", \"waitMs\": 3000}", 200);
        assertEquals(rootAddress, r.get("address").asText());
        assertEquals(payload, r.get("payload").asText());
        assertEquals(1, r.get("sent").asInt());
        assertEquals(1, r.get("answers").size(), "the root sent the 32 bytes back: " + r);
        JsonNode answer = r.get("answers").get(0);
        assertEquals(0, answer.get("hops").asInt(), "over the direct path");
        assertTrue(answer.get("afterMs").asDouble() < 3000, r.toString());

        assertTrue(sendJson("POST", "/zerokube/echo/" + rootAddress, "{\"payload\": \"abc\"}", 400)
                .get("error").asText().contains("hex"));
        assertTrue(sendJson("POST", "/zerokube/echo/" + rootAddress, "{\"count\": 0}", 400)
                .get("error").asText().contains("count"));
        assertTrue(sendJson("POST", "/zerokube/echo/" + rootAddress, "{\"count\": 1.5}", 400)
                .get("error").asText().contains("whole number"));
        assertTrue(sendJson("POST", "/zerokube/echo/" + rootAddress, "{\"count\": 100, \"intervalMs\": 10000}", 400)
                .get("error").asText().contains("more than"));
        assertTrue(sendJson("POST", "/zerokube/echo/" + rootAddress,
                "{\"payload\": \"" + "00".repeat(dev.zerokube.overlay.node.Node.ECHO_PAYLOAD_MAX + 1) + "\"}", 400)
                .get("error").asText().contains("payload"));
        assertTrue(sendJson("POST", "/zerokube/echo/" + leaf.service().address(), "{}", 400)
                .get("error").asText().contains("cannot send an ECHO"), "not to itself");
        assertEquals(404, send("GET", "/zerokube/echo/" + rootAddress, null, token).statusCode(), "POST only");
    }

    // ---- helpers

    private static double counter(String text, String series) {
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        throw new AssertionError("no " + series + " in\n" + text);
    }

    private static List<String> names(JsonNode o) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = o.fieldNames(); it.hasNext();) {
            out.add(it.next());
        }
        return out;
    }

    private static HttpResponse<String> send(String method, String path, String body, String auth) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (auth != null) {
            b.header("X-ZT1-Auth", auth);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String body(HttpResponse<String> r, int status) {
        assertEquals(status, r.statusCode(), r.body());
        return r.body();
    }

    private static String get(String path, int status) throws Exception {
        return body(send("GET", path, null, token), status);
    }

    private static JsonNode getJson(String path, int status) throws Exception {
        return JSON.readTree(get(path, status));
    }

    private static JsonNode sendJson(String method, String path, String body, int status) throws Exception {
        return JSON.readTree(body(send(method, path, body, token), status));
    }

}
