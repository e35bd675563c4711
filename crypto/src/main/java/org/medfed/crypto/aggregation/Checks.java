package org.medfed.crypto.aggregation;

/** Argument checks shared by the strategies and their configuration; messages name the value. */
final class Checks {
  private Checks() {}

  static double positiveFinite(String name, double value) {
    if (!(value > 0) || !Double.isFinite(value)) {
      throw new IllegalArgumentException(name + " must be a positive finite number, got " + value);
    }
    return value;
  }

  static double nonNegativeFinite(String name, double value) {
    if (!(value >= 0) || !Double.isFinite(value)) {
      throw new IllegalArgumentException(
          name + " must be a non-negative finite number, got " + value);
    }
    return value;
  }

  /** Decay rates live in [0, 1): at 1 the moment would never move from its initial value. */
  static double decayRate(String name, double value) {
    if (!(value >= 0 && value < 1)) {
      throw new IllegalArgumentException(name + " must be in [0, 1), got " + value);
    }
    return value;
  }
}
