package dev.zerokube.sidecar.node;

// Goal: the sidecar's join client speaks POST /v1/join as API.md says, over HTTPS trusting only
// the injected CA, and sorts the answers: 200 with our network and address is a join, 4xx a
// refusal with the endpoint's reason, 429/5xx and unreachable or untrusted endpoints a retry
// (honouring Retry-After); the warm-up connection is reused by the join. Method: the JDK's
// HttpsServer on 127.0.0.1 with a certificate made by keytool (answers with Content-Length or
// chunked); a second certificate the client does not trust; the server records what it received
// and on how many connections.

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.node.sim.SimIdentities;
import dev.zerokube.overlay.runtime.JsonText;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JoinClientTest {
    private static final Identity ID = SimIdentities.get(3);
    private static final String NWID = "8056c2e21c000001";
    @TempDir
    static Path dir;
    private static HttpsServer server;
    private static String trustedPem;
    private static String otherPem;
    /** What the next POST answers: status, body, Retry-After (or null). */
    private static volatile Object[] answer;
    private static final List<Map<String, Object>> RECEIVED = new CopyOnWriteArrayList<>();
    private static final Set<String> CONNECTIONS = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void start() throws Exception {
        trustedPem = keyPair("join");
        otherPem = keyPair("other");
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(dir.resolve("join.p12").toFile())) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "changeit".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/", x -> {
            try (x) {
                CONNECTIONS.add(x.getRemoteAddress().toString());
                byte[] in = x.getRequestBody().readAllBytes();
                Object[] a = x.getRequestURI().getPath().equals("/healthz") ? new Object[] {200, "ok", null} : answer;
                if (x.getRequestMethod().equals("POST")) {
                    try {
                        RECEIVED.add(JsonText.parseObject(in));
                    } catch (JsonText.JsonSyntaxException e) {
                        throw new IOException(e);
                    }
                }
                if (a[2] != null) {
                    x.getResponseHeaders().set("Retry-After", (String) a[2]);
                }
                byte[] body = ((String) a[1]).getBytes(StandardCharsets.UTF_8);
                boolean chunked = a.length > 3 && (boolean) a[3];
                x.sendResponseHeaders((int) a[0], chunked ? 0 : body.length);
                try (OutputStream out = x.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    private static String keyPair(String alias) throws Exception {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Path p12 = dir.resolve(alias + ".p12");
        run(keytool, "-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-keystore", p12.toString(),
                "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit");
        Path pem = dir.resolve(alias + ".pem");
        run(keytool, "-exportcert", "-rfc", "-alias", alias, "-keystore", p12.toString(), "-storepass", "changeit",
                "-file", pem.toString());
        return Files.readString(pem);
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
    }

    private static JoinClient client(String pem) {
        return new JoinClient(URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/v1/join"), pem);
    }

    @Test
    void aJoinSendsThePublicIdentityAndReusesTheWarmConnection() throws Exception {
        JoinClient client = client(trustedPem);
        answer = new Object[] {200, "{\"networkId\":\"" + NWID + "\",\"address\":\"" + ID.address()
                + "\",\"member\":\"web-1-prod\"}", null};
        CONNECTIONS.clear();
        RECEIVED.clear();
        client.warmUp();
        JoinClient.Joined joined = client.join("prod", ID, "tok\"en");
        assertEquals(new JoinClient.Joined(NWID, ID.address().toString(), "web-1-prod"), joined);
        assertEquals(List.of(Map.of("network", "prod", "identity", ID.publicOnly().toString(), "token", "tok\"en")),
                RECEIVED);
        assertEquals(1, CONNECTIONS.size(), "warm-up and join on one connection: " + CONNECTIONS);
    }

    @Test
    void answersAreSorted() {
        JoinClient client = client(trustedPem);
        answer = new Object[] {403, "{\"error\":\"network prod is closed\"}", null};
        JoinClient.Refused refused = assertThrows(JoinClient.Refused.class, () -> client.join("prod", ID, "t"));
        assertEquals(403, refused.status());
        assertEquals("network prod is closed", refused.getMessage());
        answer = new Object[] {403, "{\"error\":\"chunked\"}", null, true};
        assertEquals("chunked", assertThrows(JoinClient.Refused.class, () -> client.join("prod", ID, "t")).getMessage());
        answer = new Object[] {404, "not json", null};
        assertEquals("HTTP 404", assertThrows(JoinClient.Refused.class, () -> client.join("prod", ID, "t")).getMessage());
        answer = new Object[] {503, "{\"error\":\"busy\"}", "3"};
        JoinClient.Retry retry = assertThrows(JoinClient.Retry.class, () -> client.join("prod", ID, "t"));
        assertEquals(Duration.ofSeconds(3), retry.after());
        assertEquals("503: busy", retry.getMessage());
        answer = new Object[] {429, "{}", "soon"};
        assertEquals(Duration.ZERO, assertThrows(JoinClient.Retry.class, () -> client.join("prod", ID, "t")).after());
        answer = new Object[] {200, "{\"networkId\":\"" + NWID + "\",\"address\":\"0000000001\"}", null};
        assertTrue(assertThrows(JoinClient.Retry.class, () -> client.join("prod", ID, "t")).getMessage()
                .contains("without our network ID and address"));
    }

    @Test
    void anUntrustedOrUnreachableEndpointIsRetried() throws Exception {
        answer = new Object[] {200, "{}", null};
        assertTrue(assertThrows(JoinClient.Retry.class, () -> client(otherPem).join("prod", ID, "t")).getMessage()
                .startsWith("cannot reach 127.0.0.1:"));
        int closed;
        try (var s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        JoinClient nowhere = new JoinClient(URI.create("https://127.0.0.1:" + closed + "/v1/join"), trustedPem);
        nowhere.warmUp(); // says nothing
        assertThrows(JoinClient.Retry.class, () -> nowhere.join("prod", ID, "t"));
    }
}
