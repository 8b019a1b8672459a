package dev.zerokube.operator.webhook;

// Goal: the operator's certificates are renewed before they expire, never needlessly, and a CA
// rotation keeps the old CA trusted until it expires. Method: a fake clock (plain Instants) walked
// through the lifetimes; each certificate checked with the JDK's own X.509 code.

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class CertificateRotationTest {

  static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");
  static final Duration CA = Duration.ofDays(300);
  static final Duration SERVER = Duration.ofDays(30);
  static final List<String> DNS = CertificateRotation.serviceDnsNames(List.of("zerokube-join"), "zerokube-system", "cluster.local");

  static CertificateRotation rotation(List<String> dns) {
    return new CertificateRotation(CA, SERVER, dns, List.of("127.0.0.1"), new SecureRandom());
  }

  @Test
  void freshMaterialIsAValidChainForTheServiceNames() throws Exception {
    TlsMaterial m = rotation(DNS).next(Optional.empty(), T0);
    X509Certificate ca = m.currentCa();
    X509Certificate server = m.serverCertificate();
    ca.verify(ca.getPublicKey());
    server.verify(ca.getPublicKey());
    server.checkValidity(java.util.Date.from(T0));
    assertEquals(0, ca.getBasicConstraints());
    assertEquals(-1, server.getBasicConstraints());
    assertEquals(List.of("1.3.6.1.5.5.7.3.1"), server.getExtendedKeyUsage());
    Set<String> sans = new TreeSet<>();
    server.getSubjectAlternativeNames().forEach(san -> sans.add(san.get(1).toString()));
    assertEquals(new TreeSet<>(List.of("zerokube-join", "zerokube-join.zerokube-system",
        "zerokube-join.zerokube-system.svc", "zerokube-join.zerokube-system.svc.cluster.local", "127.0.0.1")), sans);
    assertEquals(T0.plus(SERVER), server.getNotAfter().toInstant());
    assertEquals(T0.plus(CA), ca.getNotAfter().toInstant());
  }

  @Test
  void servingCertificateRenewsAtTwoThirdsOfItsLifeUnderTheSameCa() {
    CertificateRotation r = rotation(DNS);
    TlsMaterial m = r.next(Optional.empty(), T0);
    // Lifetime counts from notBefore, which is back-dated by the clock skew allowance.
    Duration life = SERVER.plus(CertificateRotation.CLOCK_SKEW);
    Instant due = T0.minus(CertificateRotation.CLOCK_SKEW).plusMillis(life.toMillis() * CertificateRotation.RENEW_AFTER_PERCENT / 100);
    assertSame(m, r.next(Optional.of(m), T0.plusSeconds(1)));
    assertSame(m, r.next(Optional.of(m), due.minusMillis(1)));
    TlsMaterial renewed = r.next(Optional.of(m), due);
    assertNotEquals(m.serverCertificate(), renewed.serverCertificate());
    assertNotEquals(m.serverKey(), renewed.serverKey());
    assertEquals(m.caCertificates(), renewed.caCertificates());
    assertSame(renewed, r.next(Optional.of(renewed), due.plusSeconds(60)));
  }

  @Test
  void caRotationKeepsTheOldCaTrustedUntilItExpires() throws Exception {
    CertificateRotation r = rotation(DNS);
    TlsMaterial m = r.next(Optional.empty(), T0);
    Instant t = T0;
    // Walk a day at a time, as the periodic reconcile would, renewing as told.
    TlsMaterial rotated = null;
    while (rotated == null) {
      t = t.plus(Duration.ofDays(1));
      TlsMaterial next = r.next(Optional.of(m), t);
      if (!next.currentCa().equals(m.currentCa())) {
        rotated = next;
      } else {
        m = next;
      }
      m.serverCertificate().checkValidity(java.util.Date.from(t)); // never served expired
    }
    assertTrue(t.isBefore(T0.plus(CA)), "the CA is renewed before it expires");
    assertEquals(List.of(rotated.currentCa(), m.currentCa()), rotated.caCertificates());
    rotated.serverCertificate().verify(rotated.currentCa().getPublicKey());
    // The old CA leaves the bundle once it has expired.
    Instant afterOldExpiry = m.currentCa().getNotAfter().toInstant().plusSeconds(1);
    TlsMaterial later = rotated;
    for (Instant u = t; u.isBefore(afterOldExpiry); u = u.plus(Duration.ofDays(1))) {
      later = r.next(Optional.of(later), u);
    }
    later = r.next(Optional.of(later), afterOldExpiry);
    assertEquals(List.of(rotated.currentCa()), later.caCertificates());
  }

  @Test
  void everythingIsReissuedAfterALongOutageAndWhenTheNamesChange() {
    TlsMaterial m = rotation(DNS).next(Optional.empty(), T0);
    TlsMaterial afterOutage = rotation(DNS).next(Optional.of(m), T0.plus(CA).plusSeconds(1));
    assertNotEquals(m.currentCa(), afterOutage.currentCa());
    assertEquals(1, afterOutage.caCertificates().size());

    List<String> more = CertificateRotation.serviceDnsNames(List.of("zerokube-join", "zerokube-webhook"), "zerokube-system", "cluster.local");
    TlsMaterial renamed = rotation(more).next(Optional.of(m), T0.plusSeconds(5));
    assertEquals(m.currentCa(), renamed.currentCa());
    assertNotEquals(m.serverCertificate(), renamed.serverCertificate());
  }

  @Test
  void secretRoundTripAndDamagedSecrets() {
    TlsMaterial m = rotation(DNS).next(Optional.empty(), T0);
    TlsMaterial back = TlsMaterial.fromSecretData(m.toSecretData());
    assertEquals(m.caCertificates(), back.caCertificates());
    assertEquals(m.serverCertificate(), back.serverCertificate());
    assertTrue(Arrays.equals(m.serverKey().getEncoded(), back.serverKey().getEncoded()));
    assertTrue(Arrays.equals(m.caKey().getEncoded(), back.caKey().getEncoded()));
    assertTrue(new String(java.util.Base64.getDecoder().decode(m.toSecretData().get(TlsMaterial.TLS_KEY))).startsWith("-----BEGIN PRIVATE KEY-----"));

    for (String key : m.toSecretData().keySet()) {
      Map<String, String> missing = new java.util.HashMap<>(m.toSecretData());
      missing.remove(key);
      assertThrows(IllegalArgumentException.class, () -> TlsMaterial.fromSecretData(missing), key);
      Map<String, String> garbage = new java.util.HashMap<>(m.toSecretData());
      garbage.put(key, "not base64!");
      assertThrows(IllegalArgumentException.class, () -> TlsMaterial.fromSecretData(garbage), key);
      Map<String, String> swapped = new java.util.HashMap<>(m.toSecretData());
      swapped.put(key, m.toSecretData().get(key.endsWith("key") ? TlsMaterial.TLS_CRT : TlsMaterial.TLS_KEY));
      assertThrows(IllegalArgumentException.class, () -> TlsMaterial.fromSecretData(swapped), key);
    }
    assertThrows(IllegalArgumentException.class, () -> TlsMaterial.fromSecretData(null));
  }

  @Test
  void settingsThatCannotWorkAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new CertificateRotation(SERVER, CA, DNS, List.of(), new SecureRandom()));
    assertThrows(IllegalArgumentException.class, () -> new CertificateRotation(CA, SERVER, List.of(), List.of(), new SecureRandom()));
  }
}
