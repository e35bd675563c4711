package org.medfed.coordinator.round;

import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;

/** The history of one round: who took part, what the coordinator decided, and the metrics. */
public record RoundRecord(
    int round,
    Status status,
    String reason,
    Instant openedAt,
    Instant closedAt,
    long modelVersion,
    List<SiteRoundResult> sites) {

  /** A round either produced a new global model or failed with a reason. */
  public enum Status {
    COMPLETED,
    FAILED
  }

  public RoundRecord {
    sites = List.copyOf(sites);
  }

  /** Mean over reporting sites of their test accuracy ("client average", as FLamby reports). */
  public OptionalDouble clientAverageAccuracy() {
    return sites.stream()
        .filter(s -> s.evaluation() != null)
        .mapToDouble(s -> s.evaluation().accuracy())
        .average();
  }
}
