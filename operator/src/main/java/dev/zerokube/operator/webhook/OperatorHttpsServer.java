package dev.zerokube.operator.webhook;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The operator's HTTPS server (JDK {@code HttpsServer}): the mutating webhook, the join endpoint
 * and {@code /healthz} on one port (8443, Service {@code zerokube-join}), TLS 1.2/1.3 with the
 * operator-made certificate from a {@link RotatingKeyManager}. Every replica serves (the webhook
 * and the join endpoint need no leader).
 *
 * <p>Limits: request bodies above {@link #BODY_BYTES_MAX} are refused with 413, and at most
 * {@link #CONCURRENT_MAX} requests are handled at once (others get 503 at once, so a flood cannot
 * queue up behind the API server's webhook timeout).
 */
public final class OperatorHttpsServer implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(OperatorHttpsServer.class.getName());

  /** The largest request body read: an AdmissionReview of a big pod fits; anything larger is not ours. */
  public static final int BODY_BYTES_MAX = 1 << 20;

  /** Requests handled at once. */
  public static final int CONCURRENT_MAX = 64;

  /** The webhook's path, as the MutatingWebhookConfiguration names it. */
  public static final String MUTATE_PODS_PATH = "/mutate-pods";

  /** Handles a request body; returns status and JSON body. Throwing IllegalArgumentException answers 400. */
  @FunctionalInterface
  public interface JsonHandler {
    /** The answer to one POST. */
    Response handle(Request request);
  }

  /** One POST: its body and the client's IP (the join endpoint may compare it with the pod's). */
  public record Request(String body, String remoteAddress) {}

  /** Status, JSON body and extra headers. */
  public record Response(int status, String body, Map<String, String> headers) {
    public Response(int status, String body) {
      this(status, body, Map.of());
    }
  }

  private final HttpsServer server;
  private final ExecutorService executor;
  private final Semaphore permits = new Semaphore(CONCURRENT_MAX);

  private OperatorHttpsServer(HttpsServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Binds and starts.
   *
   * @param routes path to handler for POST requests ({@code /healthz} answers GET itself)
   */
  public static OperatorHttpsServer start(InetSocketAddress address, RotatingKeyManager keys,
      Map<String, JsonHandler> routes) throws IOException {
    SSLContext tls;
    try {
      tls = SSLContext.getInstance("TLS");
      tls.init(new KeyManager[] {keys}, null, null);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("TLS is not available", e);
    }
    HttpsServer server = HttpsServer.create(address, 128);
    server.setHttpsConfigurator(new HttpsConfigurator(tls) {
      @Override
      public void configure(HttpsParameters params) {
        SSLParameters parameters = tls.getDefaultSSLParameters();
        parameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        params.setSSLParameters(parameters);
      }
    });
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    server.setExecutor(executor);
    OperatorHttpsServer result = new OperatorHttpsServer(server, executor);
    server.createContext("/healthz", exchange -> result.respond(exchange, 200, "{\"status\":\"ok\"}", Map.of()));
    for (Map.Entry<String, JsonHandler> route : new LinkedHashMap<>(routes).entrySet()) {
      server.createContext(route.getKey(), exchange -> result.serve(exchange, route.getKey(), route.getValue()));
    }
    server.start();
    return result;
  }

  /** The bound address (the port, when 0 was asked for). */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  private void serve(HttpExchange exchange, String path, JsonHandler handler) throws IOException {
    if (!permits.tryAcquire()) {
      respond(exchange, 503, error("busy; retry"), Map.of("Retry-After", "1"));
      return;
    }
    try {
      if (!exchange.getRequestURI().getPath().equals(path)) {
        respond(exchange, 404, error("no such path"), Map.of());
        return;
      }
      if (!"POST".equals(exchange.getRequestMethod())) {
        respond(exchange, 405, error("use POST"), Map.of("Allow", "POST"));
        return;
      }
      String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
      if (contentType == null || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
        respond(exchange, 415, error("send Content-Type: application/json"), Map.of());
        return;
      }
      byte[] body = readBody(exchange.getRequestBody());
      if (body == null) {
        respond(exchange, 413, error("request body over " + BODY_BYTES_MAX + " bytes"), Map.of());
        return;
      }
      Response response;
      try {
        response = handler.handle(new Request(new String(body, StandardCharsets.UTF_8),
            exchange.getRemoteAddress().getAddress().getHostAddress()));
      } catch (IllegalArgumentException e) {
        response = new Response(400, error(e.getMessage()));
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "request to " + path + " failed", e);
        response = new Response(500, error("internal error; see the operator's log"));
      }
      respond(exchange, response.status(), response.body(), response.headers());
    } finally {
      permits.release();
    }
  }

  private static byte[] readBody(InputStream in) throws IOException {
    byte[] bytes = in.readNBytes(BODY_BYTES_MAX + 1);
    return bytes.length > BODY_BYTES_MAX ? null : bytes;
  }

  private void respond(HttpExchange exchange, int status, String body, Map<String, String> headers) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** {@code {"error": message}}, the error body of API.md. */
  public static String error(String message) {
    return JsonNodeFactory.instance.objectNode().put("error", message).toString();
  }

  @Override
  public void close() {
    server.stop(1);
    executor.shutdown();
  }
}
