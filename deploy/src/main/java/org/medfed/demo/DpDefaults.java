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

  private DpDefaults() {}
}
