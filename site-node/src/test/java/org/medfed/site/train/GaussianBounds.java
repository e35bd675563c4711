package org.medfed.site.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Acceptance bounds for i.i.d. N(0, s^2) samples that fail a correct sampler with probability at
 * most 1e-6: the Chernoff bound {@code P[|mean| >= s z / sqrt(n)] <= 2 exp(-z^2 / 2)} for the mean
 * and Laurent and Massart (2000, lemma 1) for the chi-square of the second moment, each with half
 * the budget.
 */
final class GaussianBounds {
  private static final double FALSE_FAILURE = 1e-6;

  private GaussianBounds() {}

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
    assertTrue(Math.abs(mean) < meanBound, "mean " + mean + " outside +-" + meanBound);
    double x = Math.log(2.0 / FALSE_FAILURE);
    double q = sumSquares / (standardDeviation * standardDeviation);
    assertTrue(
        q > n - 2.0 * Math.sqrt(n * x) && q < n + 2.0 * Math.sqrt(n * x) + 2.0 * x,
        "second moment " + sumSquares / n + " is not " + standardDeviation * standardDeviation);
  }
}
