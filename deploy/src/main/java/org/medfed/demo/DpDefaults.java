package org.medfed.demo;

/**
 * The demo's DP-SGD settings with {@code --dp-epsilon}: the noise multiplier is then derived so the
 * whole study spends the target ε.
 */
final class DpDefaults {
  /** Each record joins a step's batch with this probability (about 10 records at Cleveland). */
  static final double SAMPLING_RATE = 0.05;

  static final double CLIPPING_NORM = 1.0;

  /** Below 1/records at every site (the smallest trains on 30 records). */
  static final double DELTA = 1e-5;

  /** The local steps per round of the shipped study. */
  static final int LOCAL_STEPS = 100;

  /**
   * With {@code --dp-distributed} each round is one noisy gradient step (FedSGD), so the study
   * needs more rounds than FedAvg's 15 of 100 local steps; 60 full-batch-like steps reach a
   * logistic regression's plateau on this data at this learning rate.
   */
  static final int DISTRIBUTED_ROUNDS = 60;

  /**
   * FedSGD's batch: about 97 of the 486 training records per round over all sites, so the summed
   * noise is small next to the summed gradient (the noise multiplier grows only like √q for a fixed
   * ε once q is this large, the signal like q).
   */
  static final double DISTRIBUTED_SAMPLING_RATE = 0.2;

  /** FedSGD's step on the mean clipped gradient, applied by FedAvg with server learning rate 1. */
  static final double DISTRIBUTED_LEARNING_RATE = 0.5;

  /** FedSGD's plain SGD step needs no adaptive server optimiser. */
  static final String DISTRIBUTED_STRATEGY = "fedavg";

  private DpDefaults() {}
}
