package org.medfed.site.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.medfed.crypto.dp.SampledGaussian;

class DpSgdSettingsTest {
  private static String refusal(double c, double sigma, double q) {
    return assertThrows(IllegalArgumentException.class, () -> new DpSgdSettings(c, sigma, q))
        .getMessage();
  }

  @Test
  void nonPositiveClippingNormIsRefusedInOneSentence() {
    assertEquals("clipping norm must be positive and finite, got 0.0", refusal(0.0, 1.0, 0.1));
    assertEquals("clipping norm must be positive and finite, got -1.0", refusal(-1.0, 1.0, 0.1));
    assertEquals(
        "clipping norm must be positive and finite, got Infinity",
        refusal(Double.POSITIVE_INFINITY, 1.0, 0.1));
  }

  @Test
  void nonPositiveNoiseMultiplierIsRefusedInOneSentence() {
    assertEquals("noise multiplier must be positive and finite, got 0.0", refusal(1.0, 0.0, 0.1));
    assertEquals(
        "noise multiplier must be positive and finite, got NaN", refusal(1.0, Double.NaN, 0.1));
  }

  @Test
  void samplingRateOutsideTheUnitIntervalIsRefusedInOneSentence() {
    assertEquals("sampling rate must be in (0, 1], got 0.0", refusal(1.0, 1.0, 0.0));
    assertEquals("sampling rate must be in (0, 1], got 1.01", refusal(1.0, 1.0, 1.01));
  }

  @Test
  void mechanismCarriesTheRateAndNoiseToTheAccountant() {
    assertEquals(new SampledGaussian(0.2, 1.5), new DpSgdSettings(3.0, 1.5, 0.2).mechanism());
  }
}
