package org.medfed.site.enrolment;

import com.google.protobuf.ByteString;
import java.io.ByteArrayInputStream;
import java.security.KeyPair;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import org.medfed.crypto.pki.CertificateCheck;
import org.medfed.crypto.pki.IssuedCredential;
import org.medfed.crypto.pki.PartyIdentity;
import org.medfed.crypto.pki.PartyRole;
import org.medfed.crypto.pki.PkiException;

/** Checks a certificate the coordinator returned before the site stores or uses it. */
final class IssuedCertificates {
  private IssuedCertificates() {}

  /**
   * The certificate as a credential with the site's own key, if it is from the site's CA, valid
   * now, names the site, and certifies exactly the key the site generated.
   *
   * @throws PkiException naming what is wrong with it
   */
  static IssuedCredential accept(
      ByteString der, X509Certificate ca, String siteId, KeyPair keys, Instant now)
      throws PkiException {
    X509Certificate certificate;
    try {
      certificate =
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(new ByteArrayInputStream(der.toByteArray()));
    } catch (CertificateException | ClassCastException e) {
      throw new PkiException("the coordinator returned no X.509 certificate", e);
    }
    PartyIdentity identity = CertificateCheck.verify(certificate, ca, now);
    if (!identity.equals(new PartyIdentity(siteId, PartyRole.SITE))) {
      throw new PkiException(
          "the coordinator returned a certificate for " + identity + ", not for site " + siteId);
    }
    if (!Arrays.equals(certificate.getPublicKey().getEncoded(), keys.getPublic().getEncoded())) {
      throw new PkiException("the coordinator returned a certificate for another key");
    }
    return new IssuedCredential(certificate, keys.getPrivate());
  }
}
