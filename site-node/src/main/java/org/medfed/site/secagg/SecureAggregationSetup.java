package org.medfed.site.secagg;

import java.io.IOException;
import java.security.InvalidKeyException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.function.Supplier;
import org.medfed.crypto.pki.IssuedCredential;
import org.medfed.crypto.sign.Signatures;

/**
 * What a site needs to take part in secure aggregation: its current identity (whose key signs its
 * round keys; it changes when the certificate is renewed) and the consortium CA that every other
 * site's certificate must chain to.
 */
public record SecureAggregationSetup(Supplier<IssuedCredential> credential, X509Certificate ca) {

  public SecureAggregationSetup {
    Objects.requireNonNull(credential, "credential");
    Objects.requireNonNull(ca, "ca");
  }

  /** The current key and certificate, as one consistent pair. */
  public SigningIdentity identity() throws IOException {
    IssuedCredential current = credential.get();
    try {
      return new SigningIdentity(
          Signatures.signer(current.privateKey()), current.certificate().getEncoded());
    } catch (InvalidKeyException | CertificateEncodingException e) {
      throw new IOException("the site's key or certificate is unusable: " + e.getMessage(), e);
    }
  }
}
