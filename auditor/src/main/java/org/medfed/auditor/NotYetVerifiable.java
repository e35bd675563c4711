package org.medfed.auditor;

import java.util.List;
import org.medfed.auditor.LogAuditor.AuditedEntry;

/**
 * The checks issue #5 asks for whose evidence the coordinator does not produce yet. They are
 * reported as skipped, with the reason, rather than passed: an auditor must not vouch for what it
 * could not see. Each becomes a real check when its evidence lands in the log.
 */
final class NotYetVerifiable {

  private NotYetVerifiable() {}

  static List<CheckResult> checks(List<AuditedEntry> entries) {
    long signed =
        entries.stream()
            .filter(
                e ->
                    e.entry().hasMessage()
                        && !e.entry().getMessage().getSenderSignature().isEmpty())
            .count();
    long withEpsilon =
        entries.stream()
            .filter(e -> e.entry().hasMessage() && e.entry().getMessage().getEpsilonSpent() != 0)
            .count();
    return List.of(
        CheckResult.skipped(
            "sender-signatures",
            "sites do not sign their messages yet, and the log holds no site certificates to check"
                + " a signature against"
                + (signed == 0
                    ? ""
                    : " (" + signed + " entries carry a signature left unchecked)")),
        CheckResult.skipped(
            "privacy-budget",
            "the log records no privacy budget caps yet (issue #4), so ε spent cannot be checked"
                + " against them"
                + (withEpsilon == 0 ? "" : " (" + withEpsilon + " entries record ε spent)")),
        CheckResult.skipped(
            "receipts",
            "sites verify and keep their receipts (state-dir/receipts), but verify takes no --receipts directory yet"),
        CheckResult.skipped(
            "aggregate-recomputation",
            "secure aggregation is not integrated and no masked contributions are retained, so no"
                + " round's aggregate can be recomputed"));
  }
}
