package dev.zerokube.sidecar.node;

import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.runtime.JsonText;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The sidecar's side of {@code POST /v1/join} (API.md): presents {@code {network, identity,
 * token}} over HTTPS to the operator, trusting only the CA bundle the webhook injected, and reads
 * {@code {networkId, address, member}} back. Only the public identity is sent; the token is never
 * logged or put in an exception message.
 *
 * <p>HTTP/1.1 written here on one kept-alive {@link SSLSocket} (the warm-up's connection carries
 * the join) and {@link JsonText}, not the JDK's {@code java.net.http} client and Jackson: two
 * small requests do not need them, and they were some 700 classes and three threads in every
 * idle sidecar's memory (docs/performance.md, "Pod sidecar start and memory").
 * {@code HttpsURLConnection} was no lighter: it loads the JDK's default trust store first.
 */
public final class JoinClient {

  /** Per-request timeout (the endpoint does a TokenReview and a few cached reads). */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  /** The endpoint's answer to a successful join. */
  public record Joined(String networkId, String address, String member) {}

  /**
   * The endpoint refused the join (4xx other than 429): retrying the same request cannot help.
   *
   * @param status the HTTP status
   */
  public static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;

    Refused(int status, String message) {
      super(message);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  /** The endpoint asked to retry (503, 429) or could not be reached. */
  public static final class Retry extends Exception {
    private static final long serialVersionUID = 1L;
    private final Duration after;

    Retry(String message, Duration after) {
      super(message);
      this.after = after;
    }

    /** How long the endpoint asked to wait (zero when it did not say). */
    public Duration after() {
      return after;
    }
  }

  private final URI endpoint;
  private final SSLSocketFactory sockets;
  /** The connection left open by the last exchange, if the endpoint kept it alive (guarded by this). */
  private SSLSocket kept;

  /**
   * @param endpoint the join URL, e.g. {@code https://zerokube-join.zerokube-system.svc:8443/v1/join}
   * @param caPem the PEM certificates to trust (nothing else is trusted)
   */
  public JoinClient(URI endpoint, String caPem) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    if (!"https".equals(endpoint.getScheme())) {
      throw new IllegalArgumentException("the join endpoint must be an https URL, not " + endpoint);
    }
    this.sockets = trusting(caPem).getSocketFactory();
  }

  /** An HTTP response: status, body, and the Retry-After header (or null). */
  private record Response(int status, byte[] body, String retryAfter, boolean keepAlive) {}

  /** Bounds on what the endpoint may send back (its answers are a few hundred bytes). */
  private static final int LINE_MAX = 8 * 1024;
  private static final int HEADERS_MAX = 100;
  private static final int BODY_MAX = 1024 * 1024;

  /**
   * One HTTP/1.1 exchange (GET without a body, else a POST of JSON) on the kept-alive connection
   * if there is one, else on a new one. A kept connection the endpoint has closed meanwhile fails
   * at once; the request is then sent once more on a new connection (it changes nothing unless it
   * arrives, and an unanswered join is retried anyway).
   */
  private synchronized Response exchange(String path, byte[] body) throws IOException {
    for (int attempt = 0;; attempt++) {
      SSLSocket s = kept;
      kept = null;
      boolean reused = s != null;
      if (s == null) {
        s = connect();
      }
      try {
        Response r = exchange(s, path, body);
        if (r.keepAlive()) {
          kept = s;
        } else {
          s.close();
        }
        return r;
      } catch (IOException e) {
        closeQuietly(s);
        if (!reused || attempt > 0) {
          throw e;
        }
      }
    }
  }

  /** A TLS connection to the endpoint, its certificate checked against the host name (or IP) of the URL. */
  private SSLSocket connect() throws IOException {
    String host = endpoint.getHost();
    int port = endpoint.getPort() < 0 ? 443 : endpoint.getPort();
    SSLSocket s = (SSLSocket) sockets.createSocket();
    try {
      s.connect(new InetSocketAddress(host, port), (int) REQUEST_TIMEOUT.toMillis());
      s.setSoTimeout((int) REQUEST_TIMEOUT.toMillis());
      SSLParameters p = s.getSSLParameters();
      p.setEndpointIdentificationAlgorithm("HTTPS");
      if (!host.isEmpty() && !host.startsWith("[") && !host.matches("[0-9.]+")) {
        p.setServerNames(List.of(new SNIHostName(host)));
      }
      s.setSSLParameters(p);
      s.startHandshake();
      return s;
    } catch (IOException | RuntimeException e) {
      closeQuietly(s);
      throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
    }
  }

  private Response exchange(SSLSocket s, String path, byte[] body) throws IOException {
    String hostHeader = endpoint.getRawAuthority();
    StringBuilder head = new StringBuilder(body == null ? "GET " : "POST ").append(path).append(" HTTP/1.1\r\n")
        .append("Host: ").append(hostHeader).append("\r\n");
    if (body != null) {
      head.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
    }
    head.append("\r\n");
    OutputStream out = s.getOutputStream();
    out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
    if (body != null) {
      out.write(body);
    }
    out.flush();
    InputStream in = new BufferedInputStream(s.getInputStream());
    String status = line(in);
    String[] parts = status.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || !parts[1].matches("[0-9]{3}")) {
      throw new IOException("not an HTTP response: " + status);
    }
    int code = Integer.parseInt(parts[1]);
    boolean keepAlive = parts[0].equals("HTTP/1.1");
    long length = -1;
    boolean chunked = false;
    String retryAfter = null;
    for (int n = 0;; n++) {
      String h = line(in);
      if (h.isEmpty()) {
        break;
      }
      if (n >= HEADERS_MAX) {
        throw new IOException("more than " + HEADERS_MAX + " response headers");
      }
      int colon = h.indexOf(':');
      if (colon <= 0) {
        throw new IOException("bad response header: " + h);
      }
      String name = h.substring(0, colon).strip().toLowerCase(Locale.ROOT);
      String value = h.substring(colon + 1).strip();
      switch (name) {
        case "content-length" -> {
          try {
            length = Long.parseLong(value);
          } catch (NumberFormatException e) {
            throw new IOException("bad Content-Length: " + value);
          }
        }
        case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
        case "connection" -> keepAlive &= !value.toLowerCase(Locale.ROOT).contains("close");
        case "retry-after" -> retryAfter = value;
        default -> { }
      }
    }
    byte[] bytes;
    if (code == 204 || code == 304 || code / 100 == 1) {
      bytes = new byte[0];
    } else if (chunked) {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      while (true) {
        String size = line(in);
        int semicolon = size.indexOf(';');
        long chunk;
        try {
          chunk = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).strip(), 16);
        } catch (NumberFormatException e) {
          throw new IOException("bad chunk size: " + size);
        }
        if (chunk == 0) {
          while (!line(in).isEmpty()) {
            // trailers: none expected, none used
          }
          break;
        }
        if (chunk < 0 || all.size() + chunk > BODY_MAX) {
          throw new IOException("response body over " + BODY_MAX + " bytes");
        }
        all.write(exactly(in, (int) chunk));
        line(in);
      }
      bytes = all.toByteArray();
    } else if (length >= 0) {
      if (length > BODY_MAX) {
        throw new IOException("response body over " + BODY_MAX + " bytes");
      }
      bytes = exactly(in, (int) length);
    } else {
      keepAlive = false;
      bytes = in.readNBytes(BODY_MAX);
    }
    return new Response(code, bytes, retryAfter, keepAlive);
  }

  /** One header line without its CRLF (a bare LF accepted). */
  private static String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new EOFException("the join endpoint closed the connection");
      }
      if (c == '\n') {
        int end = b.length();
        return end > 0 && b.charAt(end - 1) == '\r' ? b.substring(0, end - 1) : b.toString();
      }
      if (b.length() >= LINE_MAX) {
        throw new IOException("response line over " + LINE_MAX + " bytes");
      }
      b.append((char) c);
    }
  }

  private static byte[] exactly(InputStream in, int n) throws IOException {
    byte[] b = in.readNBytes(n);
    if (b.length < n) {
      throw new EOFException("the join endpoint closed the connection inside a response body");
    }
    return b;
  }

  private static void closeQuietly(SSLSocket s) {
    try {
      s.close();
    } catch (IOException e) {
      // nothing left to do with it
    }
  }

  /** Closes the kept-alive connection, if any (the client stays usable: the next request opens one). */
  public synchronized void close() {
    if (kept != null) {
      closeQuietly(kept);
      kept = null;
    }
  }

  /** An SSL context trusting exactly the certificates in {@code pem}. */
  static SSLContext trusting(String pem) {
    try {
      Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
      if (certificates.isEmpty()) {
        throw new IllegalArgumentException("the join CA bundle holds no certificate");
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate c : certificates) {
        store.setCertificateEntry("ca-" + i++, c);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("the join CA bundle is not PEM certificates: " + e.getMessage());
    }
  }

  /**
   * Opens the TLS connection early (a GET of the endpoint's {@code /healthz}, which the operator's
   * HTTPS server answers), so the join itself reuses a warm, kept-alive connection. Failures are
   * ignored: the join reports its own.
   */
  public void warmUp() {
    try {
      exchange("/healthz", null);
    } catch (IOException e) {
      // the join will say why
    }
  }

  /**
   * One join attempt.
   *
   * @param identity the node's identity; only its public part is sent
   * @throws Refused on 4xx (the body's error says why)
   * @throws Retry on 5xx, 429 or a connection failure
   */
  public Joined join(String network, Identity identity, String token) throws Refused, Retry, InterruptedException {
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("network", network);
    request.put("identity", identity.publicOnly().toString());
    request.put("token", token);
    Response response;
    try {
      String path = endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath();
      response = exchange(endpoint.getRawQuery() == null ? path : path + "?" + endpoint.getRawQuery(),
          JsonText.write(request));
    } catch (IOException e) {
      throw new Retry("cannot reach " + endpoint.getHost() + ":" + endpoint.getPort() + ": " + e, Duration.ZERO);
    }
    int status = response.status();
    Map<String, Object> json;
    try {
      json = JsonText.parseObject(response.body());
    } catch (JsonText.JsonSyntaxException e) {
      json = Map.of();
    }
    if (status == 200) {
      String networkId = text(json, "networkId", "");
      String address = text(json, "address", "");
      if (!networkId.matches("[0-9a-f]{16}") || !address.equals(identity.address().toString())) {
        throw new Retry("the join endpoint answered 200 without our network ID and address", Duration.ZERO);
      }
      return new Joined(networkId, address, text(json, "member", ""));
    }
    String error = text(json, "error", "HTTP " + status);
    if (status == 429 || status >= 500) {
      Duration after = response.retryAfter() == null ? Duration.ZERO
          : seconds(response.retryAfter()).orElse(Duration.ZERO);
      throw new Retry(status + ": " + error, after);
    }
    throw new Refused(status, error);
  }

  /** A member of the answer as text: a string as it is, another value as JSON, absent or null as {@code otherwise}. */
  private static String text(Map<String, Object> json, String key, String otherwise) {
    Object v = json.get(key);
    return switch (v) {
      case null -> otherwise;
      case String s -> s;
      default -> new String(JsonText.write(v), StandardCharsets.UTF_8);
    };
  }

  private static java.util.Optional<Duration> seconds(String s) {
    try {
      long v = Long.parseLong(s.strip());
      return v >= 0 && v <= 300 ? java.util.Optional.of(Duration.ofSeconds(v)) : java.util.Optional.empty();
    } catch (NumberFormatException e) {
      return java.util.Optional.empty();
    }
  }
}
