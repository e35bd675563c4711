package org.medfed.auditor;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.medfed.auditor.LogAuditor.AuditedEntry;
import org.medfed.crypto.merkle.LogKeyVerifier;
import org.medfed.crypto.pki.PartyIdentity;
import org.medfed.crypto.pki.PartyRole;
import org.medfed.crypto.pki.PkiException;
import org.medfed.crypto.sign.Verifier;
import org.medfed.proto.v1.LogEntry;
import org.medfed.proto.v1.LogOpened;

/**
 * {@code coordinator-identity}: the log's first entry is a {@code LogOpened} decision whose
 * certificate was issued by the consortium CA, was valid when the log was opened, names the
 * COORDINATOR role and may sign; no later entry opens the log again (which could swap the key).
 */
final class IdentityCheck {
  static final String NAME = "coordinator-identity";

  /**
   * The check's result and, only when it passed, what the later checks trust: the coordinator's
   * certificate, its signature verifier, its name and the log's origin.
   */
  record Result(
      CheckResult result,
      Optional<X509Certificate> certificate,
      Optional<Verifier> verifier,
      String coordinatorName,
      String origin,
      Instant openedAt) {
    boolean trusted() {
      return verifier.isPresent();
    }

    /**
     * This result once the rest of the log has been read: a later LogOpened (which could swap the
     * key) fails the check and withdraws the trust.
     *
     * @param laterOpenings the entries after the first that hold a LogOpened decision
     */
    Result withLaterOpenings(List<AuditedEntry> laterOpenings) {
      if (laterOpenings.isEmpty()) {
        return this;
      }
      List<Finding> failures = new ArrayList<>();
      for (AuditedEntry later : laterOpenings) {
        failures.add(
            later.finding("a second LogOpened decision: a log is opened once, by its first entry"));
      }
      failures.addAll(result.failures());
      return new Result(
          CheckResult.of(NAME, result.summary(), failures, result.warnings()),
          certificate,
          Optional.empty(),
          coordinatorName,
          origin,
          openedAt);
    }
  }

  /**
   * Who the log's first entry says keeps the log, and when it opened it, before any of it is
   * verified: what the protocol and signature checks need to start while {@link #run} verifies it.
   * The same name and time as {@link #run}'s result: empty and the epoch when there is no usable
   * LogOpened, an empty name when its certificate names no MedFed party.
   */
  record Claim(String coordinatorName, Instant openedAt) {
    static Claim of(Optional<AuditedEntry> first) {
      if (first.isEmpty() || first.get().index() != 0 || !opensLog(first.get().entry())) {
        return new Claim("", Instant.EPOCH);
      }
      LogEntry entry = first.get().entry();
      Instant openedAt = Instant.ofEpochMilli(entry.getTimeUnixMillis());
      X509Certificate certificate;
      try {
        certificate = certificate(entry.getDecision().getLogOpened());
      } catch (CertificateException e) {
        return new Claim("", Instant.EPOCH);
      }
      try {
        return new Claim(PartyIdentity.of(certificate).name(), openedAt);
      } catch (PkiException e) {
        return new Claim("", openedAt);
      }
    }
  }

  private static X509Certificate certificate(LogOpened opened) throws CertificateException {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(
                new ByteArrayInputStream(opened.getCoordinatorCertificate().toByteArray()));
  }

  /** Whether {@code entry} opens the log: the first entry must, no other may. */
  static boolean opensLog(LogEntry entry) {
    return entry.hasDecision() && entry.getDecision().hasLogOpened();
  }

  private IdentityCheck() {}

  /**
   * Judges the log's first entry; the later ones are judged by {@link Result#withLaterOpenings}.
   *
   * @param first entry 0 if it decoded
   */
  static Result run(Optional<AuditedEntry> first, X509Certificate ca) {
    List<Finding> failures = new ArrayList<>();
    if (first.isEmpty() || first.get().index() != 0) {
      failures.add(
          Finding.of("the log has no readable first entry, so nobody is named as its keeper"));
      return failed(failures);
    }
    return run(first.get(), ca, failures);
  }

  private static Result run(AuditedEntry first, X509Certificate ca, List<Finding> failures) {
    LogEntry entry = first.entry();
    if (!opensLog(entry)) {
      failures.add(first.finding("the first entry is not a LogOpened decision"));
      return failed(failures);
    }
    LogOpened opened = entry.getDecision().getLogOpened();
    Instant openedAt = Instant.ofEpochMilli(entry.getTimeUnixMillis());
    if (!entry.getStudyId().isEmpty() || entry.getRound() != 0) {
      failures.add(first.finding("LogOpened must belong to no study and no round"));
    }
    if (opened.getOrigin().isEmpty()) {
      failures.add(first.finding("LogOpened names no checkpoint origin"));
    }
    X509Certificate certificate;
    try {
      certificate = certificate(opened);
    } catch (CertificateException e) {
      failures.add(
          first.finding("LogOpened's coordinator certificate is not DER X.509: " + e.getMessage()));
      return failed(failures);
    }
    String subject = certificate.getSubjectX500Principal().getName();
    Date at = Date.from(openedAt);
    if (ca.getBasicConstraints() < 0) {
      failures.add(
          Finding.of(
              "the --ca certificate "
                  + ca.getSubjectX500Principal().getName()
                  + " is not a CA certificate"));
    }
    try {
      ca.checkValidity(at);
    } catch (CertificateException e) {
      failures.add(
          first.finding("the consortium CA was not valid when the log was opened, " + openedAt));
    }
    if (!certificate.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
      failures.add(
          first.finding(
              "coordinator certificate "
                  + subject
                  + " was issued by "
                  + certificate.getIssuerX500Principal().getName()
                  + ", not by the consortium CA "
                  + ca.getSubjectX500Principal().getName()));
    }
    try {
      certificate.verify(ca.getPublicKey());
    } catch (GeneralSecurityException e) {
      failures.add(
          first.finding(
              "coordinator certificate "
                  + subject
                  + " does not carry a valid signature by the consortium CA's key"));
    }
    try {
      certificate.checkValidity(at);
    } catch (CertificateException e) {
      failures.add(
          first.finding(
              "coordinator certificate "
                  + subject
                  + " was not valid when the log was opened ("
                  + openedAt
                  + "; valid "
                  + certificate.getNotBefore().toInstant()
                  + " to "
                  + certificate.getNotAfter().toInstant()
                  + ")"));
    }
    String name = "";
    try {
      PartyIdentity identity = PartyIdentity.of(certificate);
      name = identity.name();
      if (identity.role() != PartyRole.COORDINATOR) {
        failures.add(
            first.finding(
                "certificate "
                    + subject
                    + " names the role "
                    + identity.role()
                    + ", not COORDINATOR: a site cannot keep the log"));
      }
    } catch (PkiException e) {
      failures.add(
          first.finding("coordinator certificate names no MedFed party: " + e.getMessage()));
    }
    Verifier verifier = null;
    try {
      verifier = LogKeyVerifier.forCertificate(certificate);
    } catch (InvalidKeyException e) {
      failures.add(
          first.finding("coordinator certificate cannot verify signatures: " + e.getMessage()));
    }
    if (!failures.isEmpty()) {
      return new Result(
          CheckResult.of(NAME, "coordinator certificate " + subject, failures, List.of()),
          Optional.of(certificate),
          Optional.empty(),
          name,
          opened.getOrigin(),
          openedAt);
    }
    String summary =
        "entry 0 opens log \""
            + opened.getOrigin()
            + "\" kept by \""
            + name
            + "\" ("
            + subject
            + "), certificate signed by "
            + ca.getSubjectX500Principal().getName()
            + " and valid at "
            + openedAt;
    return new Result(
        CheckResult.of(NAME, summary, failures, List.of()),
        Optional.of(certificate),
        Optional.of(verifier),
        name,
        opened.getOrigin(),
        openedAt);
  }

  private static Result failed(List<Finding> failures) {
    return new Result(
        CheckResult.of(NAME, "no usable LogOpened entry", failures, List.of()),
        Optional.empty(),
        Optional.empty(),
        "",
        "",
        Instant.EPOCH);
  }
}
