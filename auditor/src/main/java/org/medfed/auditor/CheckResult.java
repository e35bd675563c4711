package org.medfed.auditor;

import java.util.List;
import java.util.Objects;

/**
 * The result of one named check: its status, a one-line summary of what it covered (or, when
 * skipped, why), the failures that made it fail, and warnings that do not.
 */
public record CheckResult(
    String name,
    CheckStatus status,
    String summary,
    List<Finding> failures,
    List<Finding> warnings) {

  public CheckResult {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(summary, "summary");
    failures = List.copyOf(failures);
    warnings = List.copyOf(warnings);
    if ((status == CheckStatus.FAILED) != !failures.isEmpty()) {
      throw new IllegalArgumentException(
          "check " + name + " is " + status + " but has " + failures.size() + " failures");
    }
  }

  /** Passed when there are no failures, failed otherwise. */
  static CheckResult of(
      String name, String summary, List<Finding> failures, List<Finding> warnings) {
    CheckStatus status = failures.isEmpty() ? CheckStatus.PASSED : CheckStatus.FAILED;
    return new CheckResult(name, status, summary, failures, warnings);
  }

  static CheckResult skipped(String name, String reason) {
    return new CheckResult(name, CheckStatus.SKIPPED, reason, List.of(), List.of());
  }
}
