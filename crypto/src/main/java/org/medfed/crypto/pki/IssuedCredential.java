package org.medfed.crypto.pki;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * A certificate and the private key for its public key, as issued by {@link CertificateAuthority}.
 * {@link #toString} never shows the key.
 */
public record IssuedCredential(X509Certificate certificate, PrivateKey privateKey) {

  public IssuedCredential {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(privateKey, "privateKey");
    if (!KeyPairs.matches(privateKey, certificate.getPublicKey())) {
      throw new IllegalArgumentException(
          "private key does not belong to the certificate for "
              + certificate.getSubjectX500Principal().getName());
    }
  }

  public String certificatePem() {
    return Pem.encode(certificate);
  }

  /** Unencrypted PKCS#8 PEM: write it only to a file readable by its owner alone. */
  public String privateKeyPem() {
    return Pem.encode(privateKey);
  }

  @Override
  public String toString() {
    return "IssuedCredential[subject="
        + certificate.getSubjectX500Principal().getName()
        + ", privateKey=<redacted>]";
  }
}
