package org.medfed.site.enrolment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.medfed.crypto.pki.CertificateAuthority;

class CertificateRenewalTest {
  @Test
  void renewalIsDueTwoThirdsIntoTheValidity() {
    X509Certificate certificate =
        CertificateAuthority.create("test", Duration.ofDays(400))
            .issueSite("charite", Duration.ofDays(30))
            .certificate();
    Instant notBefore = certificate.getNotBefore().toInstant();
    Instant notAfter = certificate.getNotAfter().toInstant();

    Instant due = CertificateRenewal.dueAt(certificate);

    assertEquals(
        Duration.between(notBefore, notAfter).multipliedBy(2).dividedBy(3),
        Duration.between(notBefore, due));
  }
}
