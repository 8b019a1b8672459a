package dev.zerokube.operator.webhook;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/**
 * The webhook's and join endpoint's TLS state, as kept in a Secret: the CA that signs (its
 * certificate and key), older CA certificates still trusted during a CA rotation, and the serving
 * certificate and key.
 *
 * <p>Secret layout (type {@code kubernetes.io/tls}, PEM in each key): {@code tls.crt} the serving
 * certificate, {@code tls.key} its PKCS#8 key, {@code ca.crt} the CA bundle (current CA first),
 * {@code ca.key} the current CA's PKCS#8 key.
 *
 * @param caCertificates the current CA first, then older CAs that have not expired
 */
public record TlsMaterial(
    List<X509Certificate> caCertificates, PrivateKey caKey, X509Certificate serverCertificate, PrivateKey serverKey) {

  /** Secret keys. */
  public static final String TLS_CRT = "tls.crt";
  public static final String TLS_KEY = "tls.key";
  public static final String CA_CRT = "ca.crt";
  public static final String CA_KEY = "ca.key";

  public TlsMaterial {
    caCertificates = List.copyOf(caCertificates);
    if (caCertificates.isEmpty()) {
      throw new IllegalArgumentException("no CA certificate");
    }
    Objects.requireNonNull(caKey, "caKey");
    Objects.requireNonNull(serverCertificate, "serverCertificate");
    Objects.requireNonNull(serverKey, "serverKey");
  }

  /** The CA that signs now. */
  public X509Certificate currentCa() {
    return caCertificates.get(0);
  }

  /** Every trusted CA certificate in PEM: what goes into {@code caBundle} and to sidecars. */
  public String caBundlePem() {
    return pem(caCertificates.toArray());
  }

  /** The Secret's data (base64 of PEM, as Secret.data holds it). */
  public Map<String, String> toSecretData() {
    Map<String, String> data = new LinkedHashMap<>();
    data.put(TLS_CRT, base64(pem(serverCertificate)));
    data.put(TLS_KEY, base64(pem(serverKey)));
    data.put(CA_CRT, base64(caBundlePem()));
    data.put(CA_KEY, base64(pem(caKey)));
    return data;
  }

  /**
   * Reads a Secret's data back.
   *
   * @throws IllegalArgumentException if a key is missing or does not hold what it should (the
   *     caller then issues fresh material)
   */
  public static TlsMaterial fromSecretData(Map<String, String> data) {
    if (data == null) {
      throw new IllegalArgumentException("Secret has no data");
    }
    List<X509Certificate> server = certificates(decode(data, TLS_CRT));
    List<X509Certificate> cas = certificates(decode(data, CA_CRT));
    if (server.isEmpty() || cas.isEmpty()) {
      throw new IllegalArgumentException("Secret lacks a certificate in " + (server.isEmpty() ? TLS_CRT : CA_CRT));
    }
    return new TlsMaterial(cas, privateKey(decode(data, CA_KEY)), server.get(0), privateKey(decode(data, TLS_KEY)));
  }

  static String pem(Object... objects) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      for (Object o : objects) {
        // PKCS#8 ("PRIVATE KEY"), which Go and the JDK both read, rather than SEC1 ("EC PRIVATE KEY").
        writer.writeObject(o instanceof PrivateKey key ? new JcaPKCS8Generator(key, null) : o);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** The certificates in a PEM text, in order. */
  public static List<X509Certificate> certificates(String pem) {
    List<X509Certificate> out = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        if (!(o instanceof X509CertificateHolder holder)) {
          throw new IllegalArgumentException("expected certificates, found " + o.getClass().getSimpleName());
        }
        out.add(converter.getCertificate(holder));
      }
    } catch (IOException | CertificateException e) {
      throw new IllegalArgumentException("unreadable certificate: " + e.getMessage());
    }
    return out;
  }

  private static PrivateKey privateKey(String pem) {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object o = parser.readObject();
      if (!(o instanceof PrivateKeyInfo info)) {
        throw new IllegalArgumentException("expected a PKCS#8 private key");
      }
      return new JcaPEMKeyConverter().getPrivateKey(info);
    } catch (IOException e) {
      throw new IllegalArgumentException("unreadable private key: " + e.getMessage());
    }
  }

  private static String decode(Map<String, String> data, String key) {
    String value = data.get(key);
    if (value == null) {
      throw new IllegalArgumentException("Secret lacks " + key);
    }
    try {
      return new String(Base64.getDecoder().decode(value), StandardCharsets.US_ASCII);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Secret key " + key + " is not base64");
    }
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
  }
}
