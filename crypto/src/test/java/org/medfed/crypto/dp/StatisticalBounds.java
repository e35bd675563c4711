package org.medfed.crypto.dp;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Acceptance bounds for i.i.d. samples of a zero-mean (sub-)Gaussian with standard deviation s,
 * each failing a correct sampler with probability at most {@link #FALSE_FAILURE}.
 *
 * <p>Mean: the Chernoff bound {@code P[|mean| >= s z / sqrt(n)] <= 2 exp(-z^2 / 2)}, valid for any
 * s^2-sub-Gaussian variable (the discrete Gaussian is one, CKS 2020). Second moment: Laurent and
 * Massart (2000, lemma 1) for {@code Q = sum x_i^2 / s^2 ~ chi^2_n}: {@code P[Q - n >= 2 sqrt(n x)
 * + 2x] <= e^-x} and {@code P[n - Q >= 2 sqrt(n x)] <= e^-x}, with {@code e^-x} half the budget.
 */
final class StatisticalBounds {
  static final double FALSE_FAILURE = 1e-6;

  private StatisticalBounds() {}

  static void assertMeanAndVarianceMatch(double[] samples, double standardDeviation) {
    int n = samples.length;
    double sum = 0.0;
    double sumSquares = 0.0;
    for (double x : samples) {
      sum += x;
      sumSquares += x * x;
    }
    double mean = sum / n;
    double z = Math.sqrt(2.0 * Math.log(2.0 / FALSE_FAILURE));
    double meanBound = standardDeviation * z / Math.sqrt(n);
    assertTrue(Math.abs(mean) < meanBound, "sample mean " + mean + " outside +-" + meanBound);

    double x = Math.log(2.0 / FALSE_FAILURE);
    double q = sumSquares / (standardDeviation * standardDeviation);
    double upper = n + 2.0 * Math.sqrt(n * x) + 2.0 * x;
    double lower = n - 2.0 * Math.sqrt(n * x);
    assertTrue(
        q > lower && q < upper,
        "second moment "
            + sumSquares / n
            + " outside ["
            + lower / n * standardDeviation * standardDeviation
            + ", "
            + upper / n * standardDeviation * standardDeviation
            + "]");
  }
}
