package org.medfed.auditor;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.medfed.auditor.LogAuditor.AuditedEntry;
import org.medfed.proto.v1.AnswerInvitationRequest;
import org.medfed.proto.v1.ExchangedMessage;
import org.medfed.proto.v1.LogEntry;
import org.medfed.proto.v1.PrivacyCap;

/**
 * {@code privacy-budget}: each site's reported privacy loss stays within the cap it declared. A
 * site declares its cap when it answers an invitation (the retained request, authenticated by its
 * digest in the log); every later message from it that reports ε spent must report at most that
 * cap, and a site's total never decreases (its ledger only grows). A site that declared no cap is
 * bound by nothing the log could check and is listed as such.
 */
final class PrivacyBudgetCheck {
  static final String NAME = "privacy-budget";
  private static final double SLACK = 1e-9;

  private PrivacyBudgetCheck() {}

  /** Whether the check reads {@code entry}: accepted messages that declare a cap or report ε. */
  static boolean reads(LogEntry entry) {
    if (!entry.hasMessage() || !entry.getMessage().getOutcome().equals("accepted")) {
      return false;
    }
    ExchangedMessage message = entry.getMessage();
    return message.getRpc().equals("AnswerInvitation") || message.getEpsilonSpent() != 0;
  }

  /**
   * @param entries every entry {@link #reads} in log order (more do no harm)
   */
  static CheckResult run(
      List<AuditedEntry> entries, RetainedPayloads retained, String coordinator) {
    if (!retained.available()) {
      return CheckResult.skipped(
          NAME, "no contributions folder next to the log, so the sites' declared caps are unknown");
    }
    List<Finding> failures = new ArrayList<>();
    Map<String, PrivacyCap> caps = new TreeMap<>();
    Map<String, Double> spent = new TreeMap<>();
    int reports = 0;
    for (AuditedEntry audited : entries) {
      if (!audited.entry().hasMessage()) {
        continue;
      }
      ExchangedMessage message = audited.entry().getMessage();
      String site = message.getSender();
      if (site.equals(coordinator) || !message.getOutcome().equals("accepted")) {
        continue;
      }
      if (message.getRpc().equals("AnswerInvitation")) {
        try {
          Optional<byte[]> payload = retained.get(message.getPayloadSha256().toByteArray());
          if (payload.isEmpty()) {
            failures.add(audited.finding("the invitation answer of " + site + " was not retained"));
            continue;
          }
          AnswerInvitationRequest answer = AnswerInvitationRequest.parseFrom(payload.get());
          if (answer.hasPrivacyCap()) {
            caps.put(site, answer.getPrivacyCap());
          }
        } catch (IOException | RetainedPayloads.TamperedPayload e) {
          failures.add(audited.finding("the invitation answer of " + site + ": " + e.getMessage()));
        }
        continue;
      }
      double epsilon = message.getEpsilonSpent();
      if (epsilon == 0) {
        continue;
      }
      reports++;
      Double before = spent.put(site, epsilon);
      if (before != null && epsilon < before - SLACK) {
        failures.add(
            audited.finding(
                site + " reports ε spent " + epsilon + ", less than the " + before + " before"));
      }
      PrivacyCap cap = caps.get(site);
      if (cap != null && epsilon > cap.getEpsilon() + SLACK) {
        failures.add(
            audited.finding(
                site
                    + " reports ε spent "
                    + epsilon
                    + " with "
                    + message.getRpc()
                    + ", above its declared cap of "
                    + cap.getEpsilon()));
      }
    }
    StringBuilder summary = new StringBuilder();
    summary.append(reports).append(" ε reports; ");
    if (spent.isEmpty()) {
      summary.append("no site reported privacy loss");
    } else {
      List<String> parts = new ArrayList<>();
      spent.forEach(
          (site, epsilon) ->
              parts.add(
                  site
                      + " ε "
                      + String.format(java.util.Locale.ROOT, "%.3f", epsilon)
                      + (caps.containsKey(site)
                          ? " of cap " + caps.get(site).getEpsilon()
                          : " (no declared cap)")));
      summary.append(String.join(", ", parts));
    }
    return CheckResult.of(NAME, summary.toString(), failures, List.of());
  }
}
