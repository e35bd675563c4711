package org.medfed.coordinator.study;

import java.util.List;
import java.util.Objects;

/**
 * What each site does with the global model in a round.
 *
 * @param steps local optimiser steps per round, at least 1
 * @param batchSize records per step, at least 1
 * @param learningRate the sites' learning rate, positive and finite
 * @param optimizer one of {@link #OPTIMIZERS}
 */
public record LocalTrainingConfig(int steps, int batchSize, double learningRate, String optimizer) {

  /** The local optimisers a site implements. */
  public static final List<String> OPTIMIZERS = List.of("sgd", "adam");

  public LocalTrainingConfig {
    Objects.requireNonNull(optimizer, "optimizer");
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be at least 1, got " + steps);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
    }
    if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
      throw new IllegalArgumentException(
          "learningRate must be a positive finite number, got " + learningRate);
    }
    if (!OPTIMIZERS.contains(optimizer)) {
      throw new IllegalArgumentException(
          "optimizer '" + optimizer + "' is not one of " + String.join(", ", OPTIMIZERS));
    }
  }
}
