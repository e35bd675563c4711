package org.medfed.coordinator.enrolment;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import org.medfed.coordinator.CertificateSettings;
import org.medfed.coordinator.ConfigurationException;
import org.medfed.coordinator.exchangelog.ExchangeLog;
import org.medfed.coordinator.federation.CertificateLifecycle;
import org.medfed.coordinator.federation.TlsMaterial;
import org.medfed.coordinator.revocation.CertificateGate;
import org.medfed.coordinator.revocation.RevocationWatcher;
import org.medfed.crypto.pki.CertificateAuthority;
import org.medfed.crypto.pki.PkiException;
import org.medfed.proto.v1.EnrolmentGrpc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets up the certificate lifecycle of one coordinator from its settings: the revocation list it
 * enforces and, when it is given the consortium's PKI directory, the Enrolment service. Everything
 * is checked before the endpoint opens.
 */
public final class CertificateServices {
  private static final Logger log = LoggerFactory.getLogger(CertificateServices.class);

  private CertificateServices() {}

  /**
   * @param invitedSites the study's invited sites: with a PKI directory, each must be a member
   * @throws ConfigurationException if the revocation list or the PKI directory is unusable, its CA
   *     is not the one the coordinator trusts, or the study invites a site that is not a member
   */
  public static CertificateLifecycle start(
      CertificateSettings settings,
      TlsMaterial tls,
      ExchangeLog exchangeLog,
      List<String> invitedSites)
      throws ConfigurationException {
    Path crl = settings.effectiveRevocationList();
    RevocationWatcher watcher;
    if (crl == null) {
      watcher = RevocationWatcher.none();
    } else {
      try {
        watcher =
            RevocationWatcher.start(crl, tls.ca(), exchangeLog, settings.revocationCheckInterval());
      } catch (IOException | PkiException e) {
        throw new ConfigurationException(
            "the revocation list " + crl + " is unusable: " + e.getMessage());
      }
    }
    CertificateGate gate = new CertificateGate(tls.ca(), watcher, Clock.systemUTC());
    if (settings.pkiDirectory() == null) {
      return new CertificateLifecycle(gate, List.of(), Set.of(), watcher);
    }
    try {
      CertificateIssuer issuer =
          issuer(
              settings, tls, gate, invitedSites, new ConsortiumDirectory(settings.pkiDirectory()));
      return new CertificateLifecycle(
          gate,
          List.of(new EnrolmentService(issuer).bindService()),
          Set.of(EnrolmentGrpc.getEnrolMethod().getFullMethodName()),
          watcher);
    } catch (ConfigurationException | RuntimeException e) {
      watcher.close();
      throw e;
    }
  }

  private static CertificateIssuer issuer(
      CertificateSettings settings,
      TlsMaterial tls,
      CertificateGate gate,
      List<String> invitedSites,
      ConsortiumDirectory directory)
      throws ConfigurationException {
    String where = "medfed.enrolment.pki-dir " + directory.root();
    if (!directory.exists()) {
      throw new ConfigurationException(
          where
              + " is not a consortium PKI directory: "
              + directory.caCertificateFile()
              + " is missing");
    }
    CertificateAuthority ca;
    SortedSet<String> members;
    try {
      ca = directory.certificateAuthority();
      members = directory.members();
    } catch (IOException | PkiException e) {
      throw new ConfigurationException(where + " is unusable: " + e.getMessage());
    }
    if (!ca.certificate().equals(tls.ca())) {
      throw new ConfigurationException(
          where
              + " holds a different CA from medfed.tls.ca-certificate: the coordinator would issue"
              + " certificates it does not trust");
    }
    for (String site : invitedSites) {
      if (!members.contains(site)) {
        throw new ConfigurationException(
            "the study invites site \""
                + site
                + "\", which is not a member of the consortium (see "
                + directory.membersFile()
                + "; it was removed, or never added)");
      }
    }
    log.atWarn()
        .setMessage("certificate enrolment enabled: this coordinator holds the consortium CA key")
        .addKeyValue("pkiDir", directory.root())
        .addKeyValue("certificateValidity", settings.certificateValidity())
        .log();
    return new CertificateIssuer(
        directory, ca, gate, settings.certificateValidity(), Clock.systemUTC());
  }
}
