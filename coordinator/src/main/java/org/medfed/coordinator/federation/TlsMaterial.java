package org.medfed.coordinator.federation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import org.medfed.coordinator.ConfigurationException;
import org.medfed.crypto.pki.PartyIdentity;
import org.medfed.crypto.pki.Pem;
import org.medfed.crypto.pki.PkiException;

/** The coordinator's TLS identity and the consortium CA it trusts for client certificates. */
public record TlsMaterial(X509Certificate certificate, PrivateKey privateKey, X509Certificate ca) {

  /** The coordinator's name as its certificate states it, used as its identity in the log. */
  public String name() {
    try {
      return PartyIdentity.of(certificate).name();
    } catch (PkiException e) {
      return certificate.getSubjectX500Principal().getName();
    }
  }

  /** Reads the three PEM files; a missing or malformed file stops start-up with its path. */
  public static TlsMaterial load(Path certificate, Path privateKey, Path caCertificate)
      throws ConfigurationException {
    String what = "TLS certificate";
    Path file = certificate;
    try {
      X509Certificate own = Pem.parseCertificate(read(file, what));
      what = "TLS private key";
      file = privateKey;
      PrivateKey key = Pem.parsePrivateKey(read(file, what));
      what = "CA certificate";
      file = caCertificate;
      return new TlsMaterial(own, key, Pem.parseCertificate(read(file, what)));
    } catch (PkiException e) {
      throw new ConfigurationException(
          "the coordinator's " + what + " " + file + " is unusable: " + e.getMessage());
    }
  }

  private static String read(Path file, String what) throws ConfigurationException {
    if (!Files.isReadable(file)) {
      throw new ConfigurationException(
          "the coordinator's " + what + " " + file + " does not exist or cannot be read");
    }
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new ConfigurationException("cannot read the " + what + " " + file + ": " + e);
    }
  }
}
