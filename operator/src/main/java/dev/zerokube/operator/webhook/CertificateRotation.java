package dev.zerokube.operator.webhook;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Decides when the operator's CA and serving certificate are renewed, and issues them (Bouncy
 * Castle, ECDSA P-256). Time is an argument, so rotation is tested with a fake clock.
 *
 * <p>Rules, applied to the material found in the Secret at {@code now}:
 * <ul>
 *   <li>nothing usable: a new CA and serving certificate;
 *   <li>the CA is past {@value #RENEW_AFTER_PERCENT}% of its lifetime: a new CA, and the old one stays
 *       in the bundle until it expires, so API servers and sidecars that still hold the old bundle
 *       keep trusting the endpoint while the new bundle propagates;
 *   <li>the serving certificate is past {@value #RENEW_AFTER_PERCENT}% of its lifetime, was not issued
 *       by the current CA, or does not name exactly the wanted DNS names and IPs: a new one;
 *   <li>expired CAs leave the bundle;
 *   <li>otherwise the same material (so every replica agrees and nothing is written).
 * </ul>
 *
 * @param dnsNames the serving certificate's DNS names (the Services' in-cluster names)
 * @param ipAddresses its IP addresses (tests use 127.0.0.1)
 */
public record CertificateRotation(
    Duration caValidity, Duration serverValidity, List<String> dnsNames, List<String> ipAddresses, SecureRandom random) {

  /** Renew a certificate once this share of its lifetime has passed. */
  public static final int RENEW_AFTER_PERCENT = 66;

  /** Back-dating of notBefore, for clocks that are a little behind ours. */
  public static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

  static final String CA_NAME = "CN=zerokube operator CA";

  public CertificateRotation {
    Objects.requireNonNull(caValidity, "caValidity");
    Objects.requireNonNull(serverValidity, "serverValidity");
    dnsNames = List.copyOf(dnsNames);
    ipAddresses = List.copyOf(ipAddresses);
    Objects.requireNonNull(random, "random");
    if (dnsNames.isEmpty()) {
      throw new IllegalArgumentException("the serving certificate needs a DNS name");
    }
    if (serverValidity.compareTo(caValidity) > 0) {
      throw new IllegalArgumentException("the serving certificate cannot outlive its CA");
    }
  }

  /**
   * The DNS names of Services in a namespace, in the forms clients use: {@code name},
   * {@code name.ns}, {@code name.ns.svc} and {@code name.ns.svc.<clusterDomain>}.
   */
  public static List<String> serviceDnsNames(Collection<String> services, String namespace, String clusterDomain) {
    List<String> names = new ArrayList<>();
    for (String service : services) {
      names.add(service);
      names.add(service + "." + namespace);
      names.add(service + "." + namespace + ".svc");
      names.add(service + "." + namespace + ".svc." + clusterDomain);
    }
    return names;
  }

  /** The material to use from {@code now} on: {@code current} itself when nothing needs renewing. */
  public TlsMaterial next(Optional<TlsMaterial> current, Instant now) {
    if (current.isEmpty() || expired(current.get().currentCa(), now)) {
      KeyPair ca = newKeyPair();
      X509Certificate caCert = issueCa(ca, now);
      return serving(List.of(caCert), ca, now);
    }
    TlsMaterial material = current.get();
    List<X509Certificate> trusted = material.caCertificates().stream().filter(c -> !expired(c, now)).toList();
    if (due(material.currentCa(), now)) {
      KeyPair ca = newKeyPair();
      List<X509Certificate> bundle = new ArrayList<>();
      bundle.add(issueCa(ca, now));
      bundle.addAll(trusted);
      return serving(bundle, ca, now);
    }
    X509Certificate server = material.serverCertificate();
    boolean serverOk = !due(server, now)
        && server.getIssuerX500Principal().equals(material.currentCa().getSubjectX500Principal())
        && verifies(server, material.currentCa())
        && names(server).equals(wantedNames());
    if (!serverOk) {
      return serving(trusted, new KeyPair(material.currentCa().getPublicKey(), material.caKey()), now);
    }
    if (trusted.size() != material.caCertificates().size()) {
      return new TlsMaterial(trusted, material.caKey(), server, material.serverKey());
    }
    return material;
  }

  private TlsMaterial serving(List<X509Certificate> bundle, KeyPair ca, Instant now) {
    KeyPair server = newKeyPair();
    return new TlsMaterial(bundle, ca.getPrivate(), issueServer(server, bundle.get(0), ca, now), server.getPrivate());
  }

  private static boolean due(X509Certificate c, Instant now) {
    long start = c.getNotBefore().getTime();
    long end = c.getNotAfter().getTime();
    return now.toEpochMilli() >= start + (end - start) * RENEW_AFTER_PERCENT / 100;
  }

  private static boolean expired(X509Certificate c, Instant now) {
    return !now.isBefore(c.getNotAfter().toInstant());
  }

  private static boolean verifies(X509Certificate c, X509Certificate issuer) {
    try {
      c.verify(issuer.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private Set<String> wantedNames() {
    Set<String> names = new TreeSet<>();
    dnsNames.forEach(n -> names.add("dns:" + n));
    ipAddresses.forEach(n -> names.add("ip:" + n));
    return names;
  }

  private static Set<String> names(X509Certificate c) {
    Set<String> names = new TreeSet<>();
    try {
      if (c.getSubjectAlternativeNames() != null) {
        for (List<?> san : c.getSubjectAlternativeNames()) {
          int type = (Integer) san.get(0);
          if (type == GeneralName.dNSName) {
            names.add("dns:" + san.get(1));
          } else if (type == GeneralName.iPAddress) {
            names.add("ip:" + san.get(1));
          }
        }
      }
    } catch (java.security.cert.CertificateParsingException e) {
      return Set.of();
    }
    return names;
  }

  private KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), random);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no P-256", e);
    }
  }

  private X509Certificate issueCa(KeyPair ca, Instant now) {
    // A unique subject per CA, so a serving certificate names exactly the CA that issued it.
    X500Name name = new X500Name(CA_NAME + " " + now.getEpochSecond());
    try {
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(),
          Date.from(now.minus(CLOCK_SKEW)), Date.from(now.plus(caValidity)), name, ca.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(ca.getPublic()));
      return sign(builder, ca);
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot issue the CA certificate", e);
    }
  }

  private X509Certificate issueServer(KeyPair server, X509Certificate caCert, KeyPair ca, Instant now) {
    try {
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      List<GeneralName> sans = new ArrayList<>();
      dnsNames.forEach(n -> sans.add(new GeneralName(GeneralName.dNSName, n)));
      ipAddresses.forEach(n -> sans.add(new GeneralName(GeneralName.iPAddress, n)));
      Instant notAfter = now.plus(serverValidity);
      if (notAfter.isAfter(caCert.getNotAfter().toInstant())) {
        notAfter = caCert.getNotAfter().toInstant();
      }
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(caCert, serial(),
          Date.from(now.minus(CLOCK_SKEW)), Date.from(notAfter), new X500Name("CN=" + dnsNames.get(0)), server.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
          .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)))
          .addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(caCert));
      return sign(builder, ca);
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot issue the serving certificate", e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer) throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private BigInteger serial() {
    return new BigInteger(127, random).add(BigInteger.ONE);
  }
}
