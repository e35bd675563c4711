package org.medfed.crypto.aggregation;

import java.util.Arrays;
import java.util.Objects;

/**
 * What a strategy carries from one round to the next, enough to checkpoint and resume an adaptive
 * optimiser exactly. FedAvg keeps no moments and uses empty arrays.
 *
 * @param firstMoment m, the running mean of the aggregated deltas
 * @param secondMoment v, the running magnitude of the aggregated deltas (never negative)
 * @param step how many rounds have been aggregated
 */
public record ServerState(double[] firstMoment, double[] secondMoment, long step) {

  public ServerState {
    Objects.requireNonNull(firstMoment, "firstMoment");
    Objects.requireNonNull(secondMoment, "secondMoment");
    if (firstMoment.length != secondMoment.length) {
      throw new IllegalArgumentException(
          "firstMoment has "
              + firstMoment.length
              + " coordinates but secondMoment has "
              + secondMoment.length);
    }
    if (step < 0) {
      throw new IllegalArgumentException("step must not be negative, got " + step);
    }
    for (int i = 0; i < firstMoment.length; i++) {
      if (!Double.isFinite(firstMoment[i])) {
        throw new IllegalArgumentException("firstMoment[" + i + "] is " + firstMoment[i]);
      }
      // v feeds a square root: a negative or infinite value means a corrupt checkpoint.
      if (!(secondMoment[i] >= 0) || !Double.isFinite(secondMoment[i])) {
        throw new IllegalArgumentException("secondMoment[" + i + "] is " + secondMoment[i]);
      }
    }
    firstMoment = firstMoment.clone();
    secondMoment = secondMoment.clone();
  }

  /** The state of a strategy without moments (FedAvg) before its first round. */
  public static ServerState empty() {
    return new ServerState(new double[0], new double[0], 0);
  }

  @Override
  public double[] firstMoment() {
    return firstMoment.clone();
  }

  @Override
  public double[] secondMoment() {
    return secondMoment.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ServerState other
        && Arrays.equals(firstMoment, other.firstMoment)
        && Arrays.equals(secondMoment, other.secondMoment)
        && step == other.step;
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(firstMoment), Arrays.hashCode(secondMoment), step);
  }

  @Override
  public String toString() {
    return "ServerState[firstMoment="
        + Arrays.toString(firstMoment)
        + ", secondMoment="
        + Arrays.toString(secondMoment)
        + ", step="
        + step
        + "]";
  }
}
