package org.medfed.crypto.aggregation;

import java.util.Arrays;
import java.util.Objects;

/**
 * The outcome of one round's aggregation.
 *
 * @param newGlobal the next global weights
 * @param state the server state to pass to the next round (and to checkpoint)
 * @param meanDelta the example-weighted mean of the sites' deltas, before any server optimiser
 */
public record AggregationResult(double[] newGlobal, ServerState state, double[] meanDelta) {

  public AggregationResult {
    Objects.requireNonNull(newGlobal, "newGlobal");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(meanDelta, "meanDelta");
    if (newGlobal.length != meanDelta.length) {
      throw new IllegalArgumentException(
          "newGlobal has "
              + newGlobal.length
              + " coordinates but meanDelta has "
              + meanDelta.length);
    }
    newGlobal = newGlobal.clone();
    meanDelta = meanDelta.clone();
  }

  @Override
  public double[] newGlobal() {
    return newGlobal.clone();
  }

  @Override
  public double[] meanDelta() {
    return meanDelta.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AggregationResult other
        && Arrays.equals(newGlobal, other.newGlobal)
        && state.equals(other.state)
        && Arrays.equals(meanDelta, other.meanDelta);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(newGlobal), state, Arrays.hashCode(meanDelta));
  }

  @Override
  public String toString() {
    return "AggregationResult[newGlobal="
        + Arrays.toString(newGlobal)
        + ", state="
        + state
        + ", meanDelta="
        + Arrays.toString(meanDelta)
        + "]";
  }
}
