package org.medfed.site.train;

/**
 * What one round of local training does.
 *
 * @param localSteps the number of optimiser steps (mini-batches), at least 1
 * @param batchSize the mini-batch size, at least 1
 * @param learningRate the step size, positive and finite
 * @param optimizer SGD or Adam
 * @param proximalMu the FedProx coefficient, 0 for plain FedAvg
 */
public record TrainingPlan(
    int localSteps,
    int batchSize,
    double learningRate,
    LocalOptimizer optimizer,
    double proximalMu) {

  public TrainingPlan {
    if (localSteps < 1) {
      throw new IllegalArgumentException("localSteps must be >= 1, got " + localSteps);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    }
    if (!(learningRate > 0.0) || !Double.isFinite(learningRate)) {
      throw new IllegalArgumentException(
          "learningRate must be positive and finite, got " + learningRate);
    }
    if (optimizer == null) {
      throw new NullPointerException("optimizer");
    }
    if (!(proximalMu >= 0.0) || !Double.isFinite(proximalMu)) {
      throw new IllegalArgumentException("proximalMu must be >= 0 and finite, got " + proximalMu);
    }
  }
}
