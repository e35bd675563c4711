package org.medfed.crypto.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class GaussianNoiseTest {
  @Test
  void samplesHaveMeanZeroAndTheRequestedVariance() {
    GaussianNoise noise = new GaussianNoise();
    double[] samples = new double[400_000];
    for (int i = 0; i < samples.length; i++) {
      samples[i] = noise.sample(2.5);
    }
    StatisticalBounds.assertMeanAndVarianceMatch(samples, 2.5);
  }

  @Test
  void addToNoisesEveryEntryWithTheRequestedVariance() {
    double[] values = new double[400_000];
    new GaussianNoise().addTo(values, 0.3);
    StatisticalBounds.assertMeanAndVarianceMatch(values, 0.3);
  }

  @Test
  void zeroDeviationAddsNothing() {
    double[] values = {1.0, -2.0};
    new GaussianNoise().addTo(values, 0.0);
    assertEquals(1.0, values[0]);
    assertEquals(-2.0, values[1]);
  }

  @Test
  void negativeOrNonFiniteDeviationIsRefusedInOneSentence() {
    GaussianNoise noise = new GaussianNoise();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> noise.sample(-1.0));
    assertEquals(
        "noise standard deviation must be at least 0 and finite, got -1.0", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> noise.sample(Double.NaN));
    assertThrows(
        IllegalArgumentException.class, () -> noise.addTo(new double[1], Double.POSITIVE_INFINITY));
  }
}
