package org.medfed.crypto.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class DiscreteGaussianTest {
  private final SecureRandom random = new SecureRandom();

  @Test
  void samplesHaveMeanZeroAndVarianceSigmaSquared() {
    // For sigma = 3 the variance differs from sigma^2 by about e^-177: nothing a test can see.
    DiscreteGaussian gaussian = DiscreteGaussian.withSigma(3.0);
    double[] samples = new double[150_000];
    for (int i = 0; i < samples.length; i++) {
      samples[i] = gaussian.sample(random);
    }
    StatisticalBounds.assertMeanAndVarianceMatch(samples, 3.0);
  }

  @Test
  void largeSigmaStillHasTheRequestedSpread() {
    DiscreteGaussian gaussian = DiscreteGaussian.withSigma(1000.25);
    double[] samples = new double[30_000];
    for (int i = 0; i < samples.length; i++) {
      samples[i] = gaussian.sample(random);
    }
    StatisticalBounds.assertMeanAndVarianceMatch(samples, 1000.25);
  }

  @Test
  void smallSigmaHitsZeroWithTheExactProbability() {
    // sigma = 1/2: P[0] = 1 / sum_x exp(-2 x^2).
    double normaliser = 0.0;
    for (int x = -20; x <= 20; x++) {
      normaliser += Math.exp(-2.0 * x * x);
    }
    double p = 1.0 / normaliser;
    int n = 100_000;
    int zeros = 0;
    DiscreteGaussian gaussian = DiscreteGaussian.withSigma(0.5);
    for (int i = 0; i < n; i++) {
      if (gaussian.sample(random) == 0) {
        zeros++;
      }
    }
    // Hoeffding: P[|count/n - p| >= t] <= 2 exp(-2 n t^2) = 1e-6.
    double t = Math.sqrt(Math.log(2.0 / 1e-6) / (2.0 * n));
    assertTrue(Math.abs((double) zeros / n - p) < t, zeros + " zeros of " + n + ", p = " + p);
  }

  @Test
  void nonPositiveSigmaIsRefusedInOneSentence() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DiscreteGaussian.withSigma(0.0));
    assertEquals("discrete Gaussian sigma must be positive and finite, got 0.0", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> DiscreteGaussian.withSigma(Double.NaN));
  }

  @Test
  void sigmaIsKeptExactly() {
    assertEquals(3.0, DiscreteGaussian.withSigma(3.0).sigma());
    assertEquals(0.1, DiscreteGaussian.withSigma(0.1).sigma(), 1e-17);
  }
}
