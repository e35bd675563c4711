package org.medfed.crypto.dp;

/**
 * An (epsilon, delta) differential-privacy guarantee and the Rényi order that gave it.
 *
 * @param epsilon at least 0; {@code +inf} when no order gives a finite bound
 * @param delta in (0, 1)
 * @param order the Rényi order at which the conversion was tightest
 */
public record PrivacySpent(double epsilon, double delta, double order) {
  public PrivacySpent {
    if (!(epsilon >= 0.0)) {
      throw new IllegalArgumentException("epsilon must be at least 0, got " + epsilon);
    }
    if (!(delta > 0.0 && delta < 1.0)) {
      throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
    }
  }
}
