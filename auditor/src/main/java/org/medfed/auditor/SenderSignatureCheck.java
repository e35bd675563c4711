package org.medfed.auditor;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.medfed.auditor.LogAuditor.AuditedEntry;
import org.medfed.crypto.merkle.LogKeyVerifier;
import org.medfed.crypto.pki.CertificateCheck;
import org.medfed.crypto.pki.PartyIdentity;
import org.medfed.crypto.pki.PartyRole;
import org.medfed.crypto.pki.PkiException;
import org.medfed.crypto.sign.MessageStatement;
import org.medfed.crypto.sign.Verifier;
import org.medfed.proto.v1.ExchangedMessage;
import org.medfed.proto.v1.LogEntry;
import org.medfed.proto.v1.SiteCertified;

/**
 * {@code sender-signatures}: every message a site sent carries that site's own signature, made with
 * the key of the latest certificate the log recorded for it (a SiteCertified decision before the
 * message) — a certificate the consortium CA issued to that site and valid when it was logged. An
 * accepted message without a valid signature fails; a refused one may lack it (it was refused
 * before the coordinator acted on it) but, if it carries one, it must verify.
 *
 * <p>Signatures are verified on all cores: they are independent and dominate this check's cost.
 */
final class SenderSignatureCheck {
  static final String NAME = "sender-signatures";

  private SenderSignatureCheck() {}

  static CheckResult run(List<AuditedEntry> entries, X509Certificate ca, String coordinator) {
    List<Finding> failures = new ArrayList<>();
    Map<String, Verifier> current = new HashMap<>();
    List<Job> jobs = new ArrayList<>();
    int certificates = 0;
    for (AuditedEntry audited : entries) {
      LogEntry entry = audited.entry();
      if (entry.hasDecision() && entry.getDecision().hasSiteCertified()) {
        SiteCertified certified = entry.getDecision().getSiteCertified();
        certificates++;
        try {
          current.put(
              certified.getSite(),
              certify(certified, ca, Instant.ofEpochMilli(entry.getTimeUnixMillis())));
        } catch (GeneralSecurityException e) {
          current.remove(certified.getSite());
          failures.add(
              audited.finding(
                  "the certificate logged for site \""
                      + certified.getSite()
                      + "\" is refused: "
                      + e.getMessage()));
        }
        continue;
      }
      if (!entry.hasMessage() || entry.getMessage().getSender().equals(coordinator)) {
        continue;
      }
      ExchangedMessage message = entry.getMessage();
      boolean accepted = message.getOutcome().equals("accepted");
      if (message.getSenderSignature().isEmpty()) {
        if (accepted) {
          failures.add(
              audited.finding(
                  message.getRpc() + " from " + message.getSender() + " is accepted but unsigned"));
        }
        continue;
      }
      Verifier verifier = current.get(message.getSender());
      if (verifier == null) {
        failures.add(
            audited.finding(
                message.getRpc()
                    + " from "
                    + message.getSender()
                    + " is signed, but no valid certificate of that site was logged before it"));
        continue;
      }
      jobs.add(new Job(audited, verifier));
    }
    AtomicLong verified = new AtomicLong();
    List<Finding> bad =
        jobs.parallelStream()
            .filter(
                job -> {
                  boolean ok = job.verify();
                  if (ok) {
                    verified.incrementAndGet();
                  }
                  return !ok;
                })
            .map(
                job ->
                    job.audited()
                        .finding(
                            job.message().getRpc()
                                + " from "
                                + job.message().getSender()
                                + ": the signature does not match the logged digest under the"
                                + " site's certificate"))
            .toList();
    failures.addAll(bad);
    return CheckResult.of(
        NAME,
        verified.get()
            + " site messages with valid signatures, "
            + certificates
            + " site certificates checked against the consortium CA",
        failures,
        List.of());
  }

  private static Verifier certify(SiteCertified certified, X509Certificate ca, Instant at)
      throws GeneralSecurityException {
    X509Certificate certificate =
        (X509Certificate)
            CertificateFactory.getInstance("X.509")
                .generateCertificate(
                    new ByteArrayInputStream(certified.getCertificate().toByteArray()));
    PartyIdentity identity = CertificateCheck.verify(certificate, ca, at);
    if (identity.role() != PartyRole.SITE || !identity.name().equals(certified.getSite())) {
      throw new PkiException(
          "it names " + identity.role() + " \"" + identity.name() + "\", not this site");
    }
    // Answers exactly as Signatures.verifier(certificate); reuses the key's precomputed tables
    // across all of the site's messages.
    return LogKeyVerifier.forCertificate(certificate);
  }

  private record Job(AuditedEntry audited, Verifier verifier) {
    ExchangedMessage message() {
      return audited.entry().getMessage();
    }

    boolean verify() {
      byte[] sha = message().getPayloadSha256().toByteArray();
      if (sha.length != 32) {
        return false;
      }
      return verifier.verify(
          message().getSenderSignature().toByteArray(),
          MessageStatement.of(message().getRpc(), sha));
    }
  }
}
