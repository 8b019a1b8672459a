package dev.zerokube.overlay.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.NetworkId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: the controller API answers as 1.14.1's (ZT1-10 §4: routes, shapes, revision rule, auth)
 * where tools depend on it, and refuses bad input with a clear 400 that changes nothing. Method:
 * requests through {@link ControllerHttpApi#handle} with a fixed clock over a real file store;
 * the examples of ZT1-10 §4.4/§4.5 compared byte for byte; for each bad body, every file under the
 * store is compared before and after; one test over a real loopback socket (no Host header, HEAD,
 * /metrics).
 */
class ControllerHttpApiTest {
    static final Address CONTROLLER = Address.parse("89e92ceee5");
    static final String TOKEN = "abcdefghijklmnopqrstuvwx";
    static final String METRICS_TOKEN = "metricsmetricsmetrics123";
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    static final long NOW = 1_700_000_000_000L;

    @TempDir
    Path dir;
    FilePolicyStore store;
    ControllerHttpApi api;

    @BeforeEach
    void open() throws IOException {
        store = FilePolicyStore.open(dir);
        api = new ControllerHttpApi(store, CONTROLLER, TOKEN, Optional.of(METRICS_TOKEN), List.of("198.18.0.0/15"),
                new ControllerMetrics(store), () -> NOW, new SplittableRandom(1));
    }

    @AfterEach
    void close() throws IOException {
        api.close();
        store.close();
    }

    ControllerHttpApi.Response call(String method, String path, String body) {
        return call(method, path, body, Map.of("X-ZT1-Auth", TOKEN), LOOPBACK);
    }

    ControllerHttpApi.Response call(String method, String path, String body, Map<String, String> headers, InetAddress from) {
        Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        h.putAll(headers);
        return api.handle(method, URI.create(path), h::get, from, body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void networkAndMemberObjectsAreThoseOf114() {
        // ZT1-10 §4.4 and §4.5 examples, byte for byte, but for one cosmetic difference: 1.14.1 keeps
        // its default rule as the literal {"not":false,"or":false,"type":"ACTION_ACCEPT"} until rules
        // are posted, while zerokube always stores rules in the canonical rendering (actions without
        // not/or), which is what 1.14.1 stores for any posted rule; the binary rule is the same.
        ControllerHttpApi.Response n = call("POST", "/controller/network/89e92ceee5a1b2c3", "{\"name\":\"net1\"}");
        assertEquals(200, n.status());
        assertEquals("{\"authTokens\":[null],\"authorizationEndpoint\":\"\",\"capabilities\":[],\"clientId\":\"\",\"creationTime\":1700000000000,\"dns\":[],\"enableBroadcast\":true,\"id\":\"89e92ceee5a1b2c3\",\"ipAssignmentPools\":[],\"mtu\":2800,\"multicastLimit\":32,\"name\":\"net1\",\"nwid\":\"89e92ceee5a1b2c3\",\"objtype\":\"network\",\"private\":true,\"remoteTraceLevel\":0,\"remoteTraceTarget\":null,\"revision\":1,\"routes\":[],\"rules\":[{\"type\":\"ACTION_ACCEPT\"}],\"rulesSource\":\"\",\"ssoEnabled\":false,\"tags\":[],\"v4AssignMode\":{\"zt\":false},\"v6AssignMode\":{\"6plane\":false,\"rfc4193\":false,\"zt\":false}}",
                n.text());
        ControllerHttpApi.Response m = call("POST", "/controller/network/89e92ceee5a1b2c3/member/0123456789",
                "{\"authorized\":true}");
        assertEquals(200, m.status());
        assertEquals("{\"activeBridge\":false,\"address\":\"0123456789\",\"authenticationExpiryTime\":0,\"authorized\":true,\"capabilities\":[],\"creationTime\":1700000000000,\"id\":\"0123456789\",\"ipAssignments\":[],\"lastAuthorizedCredential\":null,\"lastAuthorizedCredentialType\":\"api\",\"lastAuthorizedTime\":1700000000000,\"lastDeauthorizedTime\":0,\"noAutoAssignIps\":false,\"nwid\":\"89e92ceee5a1b2c3\",\"objtype\":\"member\",\"remoteTraceLevel\":0,\"remoteTraceTarget\":null,\"revision\":1,\"ssoExempt\":false,\"tags\":[],\"vMajor\":-1,\"vMinor\":-1,\"vProto\":-1,\"vRev\":-1}",
                m.text());
        assertEquals("application/json", m.contentType());
    }

    @Test
    void ztnetStyleSession() {
        ControllerHttpApi.Response status = call("GET", "/controller", "");
        assertEquals("{\n\t\"controller\": true,\n\t\"apiVersion\": 4,\n\t\"clock\": " + NOW + ",\n\t\"databaseReady\": true\n}\n",
                status.text());
        ControllerHttpApi.Response created = call("POST", "/controller/network/89e92ceee5______",
                "{\"name\":\"lab\",\"private\":true,\"v4AssignMode\":{\"zt\":true},"
                        + "\"ipAssignmentPools\":[{\"ipRangeStart\":\"10.147.17.1\",\"ipRangeEnd\":\"10.147.17.254\"}],"
                        + "\"routes\":[{\"target\":\"10.147.17.0/24\",\"via\":null}]}");
        assertEquals(200, created.status(), created.text());
        String id = (String) json(created).get("id");
        assertTrue(id.startsWith("89e92ceee5") && !id.endsWith("000000"), id);
        assertEquals("[\"" + id + "\"]", call("GET", "/controller/network", "").text());
        assertEquals("{}", call("GET", "/controller/network/" + id + "/member", "").text());
        assertEquals(400, call("POST", "/controller/network/1111111111______", "{}").status(), "foreign prefix");

        assertEquals(200, call("POST", "/controller/network/" + id + "/member/a1b2c3d4e5", "{\"authorized\":true,"
                + "\"ipAssignments\":[\"10.147.17.9/24\"]}").status());
        assertEquals("{\"a1b2c3d4e5\":1}", call("GET", "/controller/network/" + id + "/member", "").text());
        Map<String, Object> member = json(call("GET", "/controller/network/" + id + "/member/A1B2C3D4E5", ""));
        assertEquals(List.of("10.147.17.9"), member.get("ipAssignments"));
        // Unchanged POST keeps the revision, a change increments it.
        assertEquals(1L, json(call("POST", "/controller/network/" + id + "/member/a1b2c3d4e5", "{\"authorized\":true}"))
                .get("revision"));
        assertEquals(2L, json(call("POST", "/controller/network/" + id + "/member/a1b2c3d4e5", "{\"name\":\"laptop\"}"))
                .get("revision"));
        // A GET object posted back (as UIs do) is accepted.
        assertEquals(200, call("POST", "/controller/network/" + id + "/member/a1b2c3d4e5",
                call("GET", "/controller/network/" + id + "/member/a1b2c3d4e5", "").text()).status());
        assertEquals(200, call("POST", "/controller/network/" + id, call("GET", "/controller/network/" + id, "").text()).status());
        Map<String, Object> unstable = json(call("GET", "/unstable/controller/network/" + id + "/member", ""));
        assertEquals(Map.of("authorizedCount", 1L, "totalCount", 1L), unstable.get("meta"));

        ControllerHttpApi.Response deleted = call("DELETE", "/controller/network/" + id + "/member/a1b2c3d4e5", "");
        assertEquals("laptop", json(deleted).get("name"));
        assertEquals(404, call("GET", "/controller/network/" + id + "/member/a1b2c3d4e5", "").status());
        assertEquals(0, call("GET", "/controller/network/" + id + "/member/a1b2c3d4e5", "").body().length);
        assertEquals(404, call("POST", "/controller/network/89e92ceee5000999/member/a1b2c3d4e5", "{}").status());
        assertEquals(200, call("DELETE", "/controller/network/" + id, "").status());
        assertEquals(404, call("GET", "/controller/network/" + id, "").status());
        assertEquals("[]", call("GET", "/controller/network", "").text());
    }

    @Test
    void rulesSourceIsCompiled() {
        ControllerHttpApi.Response r = call("POST", "/controller/network/89e92ceee5000001",
                "{\"rulesSource\":\"drop not ethertype ipv4 and not ethertype arp;\\naccept;\\n\"}");
        assertEquals(200, r.status(), r.text());
        Map<String, Object> n = json(r);
        assertEquals("drop not ethertype ipv4 and not ethertype arp;\naccept;\n", n.get("rulesSource"));
        List<?> rules = (List<?>) n.get("rules");
        assertEquals(4, rules.size(), rules.toString());
        assertEquals("ACTION_DROP", ((Map<?, ?>) rules.get(2)).get("type"));
    }

    /** A bad body and what the 400 must say. */
    record Bad(String name, String path, String body, String field, String reason) {}

    @TestFactory
    Stream<DynamicTest> badInputIsRefusedAndChangesNothing() {
        String net = "/controller/network/89e92ceee5000001";
        String mem = net + "/member/0123456789";
        List<Bad> cases = List.of(
                new Bad("malformed JSON", net, "{\"name\":", null, "malformed JSON"),
                new Bad("empty body", net, "", null, "empty body"),
                new Bad("not an object", net, "[1,2]", null, "expected a JSON object"),
                new Bad("duplicate key", net, "{\"name\":\"a\",\"name\":\"b\"}", null, "Duplicate field"),
                new Bad("unknown field", net, "{\"nmae\":\"typo\"}", "nmae", "unknown field"),
                new Bad("route without bits", net, "{\"routes\":[{\"target\":\"10.1.0.0\"}]}", "routes[0].target", "no prefix length"),
                new Bad("route host bits", net, "{\"routes\":[{\"target\":\"10.1.0.1/16\"}]}", "routes[0].target", "did you mean 10.1.0.0/16"),
                new Bad("route too long", net, "{\"routes\":[{\"target\":\"10.1.0.0/33\"}]}", "routes[0].target", "0..32"),
                new Bad("route bad ip", net, "{\"routes\":[{\"target\":\"10.1.0.256/24\"}]}", "routes[0].target", "not an IPv4 or IPv6"),
                new Bad("route via family", net, "{\"routes\":[{\"target\":\"10.1.0.0/16\",\"via\":\"fd00::1\"}]}", "routes[0].via", "family"),
                new Bad("pools overlap", net, "{\"ipAssignmentPools\":[{\"ipRangeStart\":\"10.0.0.1\",\"ipRangeEnd\":\"10.0.0.100\"},"
                        + "{\"ipRangeStart\":\"10.0.0.50\",\"ipRangeEnd\":\"10.0.0.200\"}]}", "ipAssignmentPools[1]", "overlaps ipAssignmentPools[0]"),
                new Bad("pool reversed", net, "{\"ipAssignmentPools\":[{\"ipRangeStart\":\"10.0.0.9\",\"ipRangeEnd\":\"10.0.0.1\"}]}",
                        "ipAssignmentPools[0]", "after end"),
                new Bad("pool bad ip", net, "{\"ipAssignmentPools\":[{\"ipRangeStart\":\"10.0.0\",\"ipRangeEnd\":\"10.0.0.1\"}]}",
                        "ipAssignmentPools[0].ipRangeStart", "not an IPv4"),
                new Bad("rules do not compile", net, "{\"rulesSource\":\"accept;\\ndrop ethertype;\\n\"}", "rulesSource", "line 2"),
                new Bad("unknown rule type", net, "{\"rules\":[{\"type\":\"ACTION_MAYBE\"}]}", "rules[0].type", "unknown rule type"),
                new Bad("mtu out of range", net, "{\"mtu\":100}", "mtu", "between 1280 and 10000"),
                new Bad("private not a boolean", net, "{\"private\":\"yes\"}", "private", "expected true or false"),
                new Bad("dns domain too long", net, "{\"dns\":{\"domain\":\"" + "a".repeat(128) + "\",\"servers\":[]}}", "dns.domain", "127"),
                new Bad("member unknown field", mem, "{\"authorised\":true}", "authorised", "unknown field"),
                new Bad("member ip not a string", mem, "{\"ipAssignments\":[10]}", "ipAssignments[0]", "expected a string"),
                new Bad("member ip malformed", mem, "{\"ipAssignments\":[\"10.0.0.x\"]}", "ipAssignments[0]", "not an IPv4"),
                new Bad("member ip taken", mem, "{\"ipAssignments\":[\"10.0.0.7\"]}", "ipAssignments[0]", "already assigned"),
                new Bad("member tags", mem, "{\"tags\":[[1]]}", "tags[0]", "pair"),
                new Bad("member malformed", mem, "{\"authorized\":tru}", null, "malformed JSON"));
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            seed();
            Map<Path, byte[]> before = files();
            ControllerHttpApi.Response r = call("POST", c.path(), c.body());
            assertEquals(400, r.status(), r.text());
            Map<String, Object> error = json(r);
            assertEquals(400L, error.get("error"));
            assertTrue(((String) error.get("description")).contains(c.reason()), r.text());
            if (c.field() != null) {
                assertEquals(c.field(), error.get("field"), r.text());
            }
            if (c.name().equals("rules do not compile")) {
                assertEquals(2L, error.get("line"), r.text());
                assertTrue(error.containsKey("column"), r.text());
            }
            Map<Path, byte[]> after = files();
            assertEquals(before.keySet(), after.keySet(), "files created or deleted");
            before.forEach((p, b) -> assertArrayEquals(b, after.get(p), p + " changed"));
        }));
    }

    /** A network with two members, one holding 10.0.0.7; idempotent. */
    void seed() {
        call("POST", "/controller/network/89e92ceee5000001", "{\"name\":\"seed\",\"ipAssignmentPools\":"
                + "[{\"ipRangeStart\":\"10.0.0.1\",\"ipRangeEnd\":\"10.0.0.254\"}]}");
        call("POST", "/controller/network/89e92ceee5000001/member/0123456789", "{\"authorized\":true}");
        call("POST", "/controller/network/89e92ceee5000001/member/0000000002", "{\"ipAssignments\":[\"10.0.0.7\"]}");
    }

    Map<Path, byte[]> files() throws IOException {
        Map<Path, byte[]> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).filter(p -> !p.endsWith(".lock")).toList()) {
                out.put(p, Files.readAllBytes(p));
            }
        }
        return out;
    }

    @Test
    void authenticationAs114() throws IOException {
        String path = "/controller/network";
        assertEquals(401, call("GET", path, "", Map.of(), LOOPBACK).status());
        assertEquals("{}", call("GET", path, "", Map.of(), LOOPBACK).text());
        assertEquals(200, call("GET", path + "?auth=" + TOKEN, "", Map.of(), LOOPBACK).status());
        assertEquals(401, call("GET", path + "?auth=" + TOKEN, "", Map.of("X-ZT1-Auth", "wrong"), LOOPBACK).status(),
                "the first credential present decides");
        assertEquals(200, call("GET", path, "", Map.of("Authorization", "bearer " + TOKEN), LOOPBACK).status());
        assertEquals(200, call("GET", path, "", Map.of("Authorization", "Bearer " + TOKEN), LOOPBACK).status());
        assertEquals(401, call("GET", path, "", Map.of("Authorization", "Basic " + TOKEN), LOOPBACK).status());
        assertEquals(401, call("GET", path, "", Map.of("X-ZT1-Auth", METRICS_TOKEN), LOOPBACK).status());
        InetAddress outside = InetAddress.getByName("203.0.113.9");
        InetAddress allowed = InetAddress.getByName("198.19.1.1");
        assertEquals(401, call("GET", path, "", Map.of("X-ZT1-Auth", TOKEN), outside).status());
        assertEquals(200, call("GET", path, "", Map.of("X-ZT1-Auth", TOKEN), allowed).status());
        ControllerHttpApi.Response metrics = call("GET", "/metrics", "", Map.of("X-ZT1-Auth", METRICS_TOKEN), outside);
        assertEquals(200, metrics.status());
        assertTrue(metrics.text().contains("controller_network_count"), metrics.text());
        assertTrue(metrics.text().contains("controller_api_requests_total{method=\"GET\",status=\"401\"}"), metrics.text());
    }

    @Test
    void overARealSocketWithoutHostHeader() throws IOException {
        api.start(new InetSocketAddress(LOOPBACK, 0));
        int port = api.address().getPort();
        String answer = raw(port, "GET /controller/network HTTP/1.1\r\nX-ZT1-Auth: " + TOKEN + "\r\nConnection: close\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        assertTrue(answer.endsWith("[]"), answer);
        String posted = raw(port, "POST /controller/network/89e92ceee5000007 HTTP/1.1\r\nX-ZT1-Auth: " + TOKEN
                + "\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
        assertTrue(posted.startsWith("HTTP/1.1 200") && posted.contains("\"id\":\"89e92ceee5000007\""), posted);
        String head = raw(port, "HEAD /controller/network/89e92ceee5000007 HTTP/1.1\r\nX-ZT1-Auth: " + TOKEN
                + "\r\nConnection: close\r\n\r\n");
        assertTrue(head.startsWith("HTTP/1.1 200") && !head.contains("\"id\""), head);
        String missing = raw(port, "GET /controller/network/89e92ceee5000008 HTTP/1.1\r\nX-ZT1-Auth: " + TOKEN
                + "\r\nConnection: close\r\n\r\n");
        assertTrue(missing.startsWith("HTTP/1.1 404"), missing);
        assertFalse(missing.toLowerCase().contains("content-type"), missing);
    }

    static String raw(int port, String request) throws IOException {
        try (Socket s = new Socket(LOOPBACK, port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(ControllerHttpApi.Response r) {
        try {
            return JsonText.parseObject(r.body());
        } catch (JsonText.JsonSyntaxException e) {
            throw new AssertionError(r.status() + " " + r.text(), e);
        }
    }

    @Test
    void randomIdsCarryTheControllerAndAvoidTakenOnes() {
        for (int i = 0; i < 20; i++) {
            ControllerHttpApi.Response r = call("POST", "/controller/network", "{}");
            NetworkId id = NetworkId.parse((String) json(r).get("id"));
            assertEquals(CONTROLLER, id.controller());
            assertTrue((id.value() & 0xffffff) != 0);
        }
        assertEquals(20, store.networkCount());
    }
}
