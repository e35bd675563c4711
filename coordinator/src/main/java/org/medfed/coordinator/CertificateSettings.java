package org.medfed.coordinator;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How the coordinator handles the certificate lifecycle (issue #6).
 *
 * @param pkiDirectory the consortium's PKI directory, holding the CA key, when this coordinator
 *     issues certificates (Enrol and Renew); null when it does not. Setting it is an explicit
 *     choice to keep the consortium CA key on the coordinator host.
 * @param revocationList the signed revocation list (CRL) to enforce; null for the one in {@code
 *     pkiDirectory}, or none when that is null too
 * @param certificateValidity how long certificates issued by Enrol and Renew are valid
 * @param revocationCheckInterval how often the revocation list file is checked for changes
 */
public record CertificateSettings(
    Path pkiDirectory,
    Path revocationList,
    Duration certificateValidity,
    Duration revocationCheckInterval) {
  public static final Duration DEFAULT_VALIDITY = Duration.ofDays(30);
  public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(5);

  public CertificateSettings {
    Objects.requireNonNull(certificateValidity, "certificateValidity");
    Objects.requireNonNull(revocationCheckInterval, "revocationCheckInterval");
  }

  /** No enrolment and no revocation list: client certificates from the CA are all that count. */
  public static CertificateSettings none() {
    return new CertificateSettings(null, null, DEFAULT_VALIDITY, DEFAULT_CHECK_INTERVAL);
  }

  /** The revocation list in force: the explicit one, else the PKI directory's, else none. */
  public Path effectiveRevocationList() {
    if (revocationList != null) {
      return revocationList;
    }
    return pkiDirectory == null ? null : pkiDirectory.resolve("crl.pem");
  }
}
