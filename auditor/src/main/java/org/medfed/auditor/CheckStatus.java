package org.medfed.auditor;

/** The outcome of one audit check. */
public enum CheckStatus {
  /** Everything the check covers verified. */
  PASSED,
  /**
   * At least one thing the check covers did not verify; the check's failures say what and where.
   */
  FAILED,
  /**
   * The check could not run because the log does not carry what it needs yet; the summary says why.
   * Not a failure: the exit code stays 0.
   */
  SKIPPED;

  /** Lower-case name, as in the JSON report. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
