package org.medfed.site.train;

import java.util.Arrays;

/**
 * The outcome of one round of local training.
 *
 * @param weights the updated model, {@code [w_1..w_d, bias]}
 * @param meanLoss the mean over all steps of the mini-batch objective (mean cross-entropy plus the
 *     proximal term), each evaluated before its step, as a PyTorch loop would log it
 * @param steps the number of optimiser steps taken
 */
public record TrainingResult(double[] weights, double meanLoss, int steps) {

  public TrainingResult {
    weights = weights.clone();
    if (steps < 0) {
      throw new IllegalArgumentException("steps must be >= 0, got " + steps);
    }
  }

  @Override
  public double[] weights() {
    return weights.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrainingResult r
        && Arrays.equals(r.weights, weights)
        && Double.compare(r.meanLoss, meanLoss) == 0
        && r.steps == steps;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(weights) * 31 + Double.hashCode(meanLoss) * 17 + steps;
  }

  @Override
  public String toString() {
    return "TrainingResult[weights="
        + Arrays.toString(weights)
        + ", meanLoss="
        + meanLoss
        + ", steps="
        + steps
        + "]";
  }
}
