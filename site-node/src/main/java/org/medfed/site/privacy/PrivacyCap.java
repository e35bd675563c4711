package org.medfed.site.privacy;

/**
 * The most a hospital lets all studies together spend of its records' privacy: every record's
 * influence on everything that leaves the site stays within (epsilon, delta)-DP.
 *
 * @param epsilon positive and finite
 * @param delta in (0, 1); a ledger also requires it below 1 / records
 */
public record PrivacyCap(double epsilon, double delta) {
  public PrivacyCap {
    if (!(epsilon > 0.0) || !Double.isFinite(epsilon)) {
      throw new IllegalArgumentException(
          "privacy cap epsilon must be positive and finite, got " + epsilon);
    }
    if (!(delta > 0.0 && delta < 1.0)) {
      throw new IllegalArgumentException("privacy cap delta must be in (0, 1), got " + delta);
    }
  }
}
