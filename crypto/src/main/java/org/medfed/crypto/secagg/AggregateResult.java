package org.medfed.crypto.secagg;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome of a completed round: the decoded sum of the contributors' clipped updates and who
 * dropped in which phase.
 *
 * @param sum per-element sum, within {@code errorBound} of the sum of the clipped updates
 * @param contributors sites whose masked input is in the sum (at least the threshold)
 * @param dropped for each phase, the sites that completed the previous phase but not this one
 * @param errorBound per-element quantisation error bound for this many contributors
 */
public record AggregateResult(
    long round,
    double[] sum,
    List<String> contributors,
    Map<Phase, List<String>> dropped,
    double errorBound) {
  public AggregateResult {
    sum = sum.clone();
    contributors = List.copyOf(contributors);
    dropped = Map.copyOf(Objects.requireNonNull(dropped, "dropped"));
  }

  @Override
  public double[] sum() {
    return sum.clone();
  }

  @Override
  public String toString() {
    return "AggregateResult[round="
        + round
        + ", length="
        + sum.length
        + ", contributors="
        + contributors
        + ", dropped="
        + dropped
        + "]";
  }
}
