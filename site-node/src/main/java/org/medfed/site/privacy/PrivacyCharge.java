package org.medfed.site.privacy;

import java.time.Instant;
import java.util.Objects;

/**
 * One round's DP-SGD training, as the site's ledger records it.
 *
 * @param study the study's id
 * @param round the round number, at least 0
 * @param steps DP-SGD steps taken, at least 1
 * @param samplingRate q of each step
 * @param noiseMultiplier sigma of each step
 * @param epsilonSpent epsilon of everything charged so far, this round included, at {@code delta}
 *     under the conversion of Balle et al. (2020)
 * @param delta the delta at which {@code epsilonSpent} holds
 * @param time when the charge was made
 */
public record PrivacyCharge(
    String study,
    long round,
    long steps,
    double samplingRate,
    double noiseMultiplier,
    double epsilonSpent,
    double delta,
    Instant time) {
  public PrivacyCharge {
    if (study == null || study.isBlank()) {
      throw new IllegalArgumentException("a privacy charge needs a study id");
    }
    if (round < 0) {
      throw new IllegalArgumentException("round must be at least 0, got " + round);
    }
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be at least 1, got " + steps);
    }
    Objects.requireNonNull(time, "time");
  }
}
