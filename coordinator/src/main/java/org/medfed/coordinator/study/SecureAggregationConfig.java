package org.medfed.coordinator.study;

import java.time.Duration;
import java.util.Objects;

/**
 * How a study aggregates securely (Bonawitz et al. 2017; SecAgg+ of Bell et al. 2020 when {@code
 * neighbours} is positive). With it the coordinator receives only masked updates and learns their
 * sum.
 *
 * @param threshold sites needed to finish a round; 0 means ⌊2n/3⌋ + 1 of the round's n participants
 *     (never below 2)
 * @param neighbours 0 for the complete masking graph; k &gt; 0 for SecAgg+ with k neighbours (at
 *     most n − 1 in a round, and then the threshold is at most k + 1)
 * @param clip every element of a site's weighted update is clipped to [−clip, clip]
 * @param recordScale a site's weight is its record count divided by this; a site with more records
 *     declines the round rather than be mis-weighted
 * @param phaseDeadline how long each of the three phases after training stays open
 */
public record SecureAggregationConfig(
    int threshold, int neighbours, double clip, long recordScale, Duration phaseDeadline) {

  public static final double DEFAULT_CLIP = 1.0;
  public static final long DEFAULT_RECORD_SCALE = 10_000;
  public static final Duration DEFAULT_PHASE_DEADLINE = Duration.ofSeconds(10);

  public SecureAggregationConfig {
    Objects.requireNonNull(phaseDeadline, "phaseDeadline");
    if (threshold < 0 || threshold == 1) {
      throw new IllegalArgumentException(
          "secure-aggregation.threshold must be at least 2, got " + threshold);
    }
    if (neighbours < 0) {
      throw new IllegalArgumentException(
          "secure-aggregation.neighbours must not be negative, got " + neighbours);
    }
    if (!(clip > 0) || !Double.isFinite(clip)) {
      throw new IllegalArgumentException(
          "secure-aggregation.clip must be a positive number, got " + clip);
    }
    if (recordScale < 1) {
      throw new IllegalArgumentException(
          "secure-aggregation.record-scale must be at least 1, got " + recordScale);
    }
    if (phaseDeadline.isNegative() || phaseDeadline.isZero()) {
      throw new IllegalArgumentException("secure-aggregation.phase-deadline must be positive");
    }
  }

  /** The protocol name the demo reports: "secagg" or "secagg+". */
  public String protocol() {
    return neighbours == 0 ? "secagg" : "secagg+";
  }

  /** The threshold for a round of {@code participants} sites. */
  public int thresholdFor(int participants) {
    if (threshold > 0) {
      return threshold;
    }
    int holders = neighbours == 0 ? participants : Math.min(participants, neighbours + 1);
    return Math.max(2, Math.min(holders, 2 * participants / 3 + 1));
  }
}
