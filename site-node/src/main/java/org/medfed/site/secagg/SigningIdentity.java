package org.medfed.site.secagg;

import org.medfed.crypto.sign.Signer;

/**
 * The site's identity key and certificate, as its TLS connection presents them: secure aggregation
 * binds the round keys it advertises to this certificate.
 */
public record SigningIdentity(Signer signer, byte[] certificateDer) {

  public SigningIdentity {
    certificateDer = certificateDer.clone();
  }

  @Override
  public byte[] certificateDer() {
    return certificateDer.clone();
  }
}
