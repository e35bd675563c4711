package org.medfed.site.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The PEM files for the site's mutual-TLS connection to the coordinator.
 *
 * @param certificate the site's certificate chain
 * @param privateKey the site's private key
 * @param caCertificate the network CA that signed the coordinator's certificate
 */
public record TlsFiles(Path certificate, Path privateKey, Path caCertificate) {

  public TlsFiles {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(caCertificate, "caCertificate");
  }
}
