package dev.zerokube.operator.webhook;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A server key manager whose certificate can be replaced while the server runs: new TLS
 * handshakes use the material last {@link #set}, connections already open keep theirs. This is how
 * a rotated certificate takes effect without restarting the HTTPS server.
 */
public final class RotatingKeyManager extends X509ExtendedKeyManager {

  private static final String ALIAS = "zerokube";

  private volatile TlsMaterial material;

  /** Starts serving {@code initial}. */
  public RotatingKeyManager(TlsMaterial initial) {
    this.material = Objects.requireNonNull(initial, "initial");
  }

  /** Serves {@code next} from the next handshake on. */
  public void set(TlsMaterial next) {
    this.material = Objects.requireNonNull(next, "next");
  }

  /** The material being served. */
  public TlsMaterial current() {
    return material;
  }

  private String alias(String keyType) {
    return keyType == null || keyType.equals(material.serverKey().getAlgorithm()) ? ALIAS : null;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return alias(keyType);
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return alias(keyType);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    String alias = alias(keyType);
    return alias == null ? null : new String[] {alias};
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    TlsMaterial m = material;
    return ALIAS.equals(alias) ? new X509Certificate[] {m.serverCertificate(), m.currentCa()} : null;
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return ALIAS.equals(alias) ? material.serverKey() : null;
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return null;
  }
}
