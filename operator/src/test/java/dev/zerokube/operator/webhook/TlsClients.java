package dev.zerokube.operator.webhook;

import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** Clients that trust exactly a PEM CA bundle, as the API server (caBundle) and sidecars do. */
public final class TlsClients {

  private TlsClients() {}

  /** A TLS context trusting only the certificates in {@code caBundlePem}. */
  public static SSLContext trusting(String caBundlePem) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    int i = 0;
    for (Certificate c : CertificateFactory.getInstance("X.509")
        .generateCertificates(new ByteArrayInputStream(caBundlePem.getBytes(StandardCharsets.US_ASCII)))) {
      store.setCertificateEntry("ca" + i++, c);
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }

  /** A fresh HTTP client (no pooled connection) trusting the bundle. */
  public static HttpClient client(String caBundlePem) throws Exception {
    return HttpClient.newBuilder().sslContext(trusting(caBundlePem)).connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** POSTs JSON to {@code https://127.0.0.1:port/path}. */
  public static HttpResponse<String> post(HttpClient client, InetSocketAddress server, String path, String contentType,
      String body) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.getPort() + path))
        .timeout(Duration.ofSeconds(10)).header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** The certificate the server presents in a new handshake. */
  public static X509Certificate served(String caBundlePem, InetSocketAddress server) throws Exception {
    try (SSLSocket socket = (SSLSocket) trusting(caBundlePem).getSocketFactory().createSocket("127.0.0.1", server.getPort())) {
      socket.startHandshake();
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }
}
