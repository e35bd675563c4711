package org.medfed.crypto.dp;

import java.security.SecureRandom;

/**
 * Continuous Gaussian noise for DP-SGD, drawn from a cryptographically secure generator by the
 * Box–Muller transform on 53-bit uniforms.
 *
 * <p>Floating-point noise is what DP-SGD implementations use for model updates; it is not exact
 * (Mironov 2012 shows how low-order bits of floating-point samplers can leak). Where exactness
 * matters, such as integer noise for secure aggregation, use {@link DiscreteGaussian}. Safe for use
 * from several threads when the generator is (as {@link SecureRandom} is).
 */
public final class GaussianNoise {
  private final SecureRandom random;

  /** Noise from a fresh, self-seeded {@link SecureRandom}. */
  public GaussianNoise() {
    this(new SecureRandom());
  }

  /** Noise from the given generator, which must be a cryptographically secure one. */
  public GaussianNoise(SecureRandom random) {
    if (random == null) {
      throw new NullPointerException("random");
    }
    this.random = random;
  }

  /** One sample of N(0, standardDeviation^2); {@code standardDeviation} must be at least 0. */
  public double sample(double standardDeviation) {
    requireDeviation(standardDeviation);
    return standardDeviation * standardNormal();
  }

  /** Adds independent N(0, standardDeviation^2) noise to each entry of {@code values}. */
  public void addTo(double[] values, double standardDeviation) {
    requireDeviation(standardDeviation);
    for (int k = 0; k < values.length; k++) {
      values[k] += standardDeviation * standardNormal();
    }
  }

  private double standardNormal() {
    // u1 in (0, 1] so that the logarithm is finite.
    double u1 = 1.0 - random.nextDouble();
    double u2 = random.nextDouble();
    return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
  }

  private static void requireDeviation(double standardDeviation) {
    if (!(standardDeviation >= 0.0) || !Double.isFinite(standardDeviation)) {
      throw new IllegalArgumentException(
          "noise standard deviation must be at least 0 and finite, got " + standardDeviation);
    }
  }
}
