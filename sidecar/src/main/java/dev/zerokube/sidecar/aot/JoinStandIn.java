package dev.zerokube.sidecar.aot;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.zerokube.overlay.runtime.JsonText;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A stand-in for the operator's join endpoint ({@code POST /v1/join}, API.md) on 127.0.0.1, for
 * training only: HTTPS with a throw-away certificate, no token check, every join of the one
 * network it knows answered with that network's id and the caller's address (as the operator
 * answers once it has created the Member), any other network refused with 404 as the operator
 * refuses an unknown one. {@code GET /healthz} answers 200 (the sidecar's warm-up request).
 *
 * <p>The certificate comes from the JRE's own {@code keytool} (run once, into a directory the
 * caller owns): the JDK has no public API to make one, and the image's JRE has keytool.
 */
final class JoinStandIn implements AutoCloseable {
    private static final String PASSWORD = "aot-train";

    private final HttpsServer server;
    private final String caPem;

    private JoinStandIn(HttpsServer server, String caPem) {
        this.server = server;
        this.caPem = caPem;
    }

    /**
     * Makes a key pair and self-signed certificate for 127.0.0.1 in {@code dir} with keytool and
     * serves on an ephemeral port.
     *
     * @param network the network name the endpoint knows
     * @param networkId its 16-digit id
     * @param timeout how long keytool may take
     */
    static JoinStandIn start(Path dir, String network, String networkId, Duration timeout)
            throws IOException, InterruptedException {
        Path store = dir.resolve("join.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        if (!Files.isExecutable(keytool)) {
            throw new IOException("no keytool at " + keytool + ": the stand-in join endpoint's certificate is made with it");
        }
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "join", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
                "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD)
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("keytool.out").toFile())
                .start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            throw new IOException("keytool did not finish within the timeout");
        }
        if (p.exitValue() != 0) {
            throw new IOException("keytool failed (exit " + p.exitValue() + "): "
                    + Files.readString(dir.resolve("keytool.out"), StandardCharsets.UTF_8).strip());
        }
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                keys.load(in, PASSWORD.toCharArray());
            }
            String pem = "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(keys.getCertificate("join").getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, PASSWORD.toCharArray());
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(kmf.getKeyManagers(), null, null);
            HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            server.setHttpsConfigurator(new HttpsConfigurator(tls));
            server.createContext("/healthz", x -> answer(x, 200, Map.of("status", "ok")));
            server.createContext("/v1/join", x -> join(x, network, networkId));
            server.start();
            return new JoinStandIn(server, pem);
        } catch (GeneralSecurityException e) {
            throw new IOException("the stand-in join endpoint's certificate: " + e.getMessage(), e);
        }
    }

    private static void join(HttpExchange x, String network, String networkId) throws IOException {
        Map<String, Object> request;
        try {
            request = JsonText.parseObject(x.getRequestBody().readAllBytes());
        } catch (JsonText.JsonSyntaxException e) {
            answer(x, 400, Map.of("error", "the body is not a JSON object"));
            return;
        }
        Object name = request.get("network");
        Object identity = request.get("identity");
        if (!(identity instanceof String id) || id.length() < 10) {
            answer(x, 400, Map.of("error", "no identity"));
        } else if (!network.equals(name)) {
            answer(x, 404, Map.of("error", "network " + name + " not found (the stand-in knows only " + network + ")"));
        } else {
            Map<String, Object> joined = new LinkedHashMap<>();
            joined.put("networkId", networkId);
            joined.put("address", id.substring(0, 10));
            joined.put("member", "aot-train-" + network);
            answer(x, 200, joined);
        }
    }

    private static void answer(HttpExchange x, int status, Map<String, Object> body) throws IOException {
        try (x) {
            byte[] bytes = JsonText.write(body);
            x.getResponseHeaders().set("Content-Type", "application/json");
            x.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = x.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** The join URL, e.g. {@code https://127.0.0.1:40123/v1/join}. */
    URI endpoint() {
        return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/v1/join");
    }

    /** The certificate to trust (PEM), as the webhook injects the operator's CA bundle. */
    String caPem() {
        return caPem;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
