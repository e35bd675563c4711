package org.medfed.site.train;

import org.medfed.crypto.dp.SampledGaussian;

/**
 * How a study asks a site to train with record-level differential privacy (DP-SGD, Abadi et al.
 * 2016).
 *
 * @param clippingNorm C: each record's gradient is scaled down to at most this L2 norm, positive
 * @param noiseMultiplier sigma: each noisy batch sum gets N(0, sigma^2 C^2) noise, positive
 * @param samplingRate q: each record joins each batch independently with this probability, in (0,
 *     1]
 */
public record DpSgdSettings(double clippingNorm, double noiseMultiplier, double samplingRate) {

  public DpSgdSettings {
    if (!(clippingNorm > 0.0) || !Double.isFinite(clippingNorm)) {
      throw new IllegalArgumentException(
          "clipping norm must be positive and finite, got " + clippingNorm);
    }
    if (!(noiseMultiplier > 0.0) || !Double.isFinite(noiseMultiplier)) {
      throw new IllegalArgumentException(
          "noise multiplier must be positive and finite, got " + noiseMultiplier);
    }
    if (!(samplingRate > 0.0 && samplingRate <= 1.0)) {
      throw new IllegalArgumentException("sampling rate must be in (0, 1], got " + samplingRate);
    }
  }

  /** What one training step costs, for the accountant. */
  public SampledGaussian mechanism() {
    return new SampledGaussian(samplingRate, noiseMultiplier);
  }
}
