package org.medfed.coordinator.study;

/**
 * The study's record-level DP-SGD settings, which every site applies to its own training.
 *
 * @param noiseMultiplier σ: the noise standard deviation is σ·C
 * @param clippingNorm C: every record's gradient is clipped to this L2 norm
 * @param samplingRate q: each record joins a step's batch independently with this probability
 * @param delta the δ of the (ε, δ) guarantee the sites account
 * @param distributedNoise false: every site runs DP-SGD with its full noise. True: the study trains
 *     FedSGD-style under secure aggregation and each site adds only its share of discrete Gaussian
 *     noise, σ being the target on the sum (docs/differential-privacy.md)
 */
public record PrivacyConfig(
    double noiseMultiplier,
    double clippingNorm,
    double samplingRate,
    double delta,
    boolean distributedNoise) {

  /** Local DP-SGD noise at every site. */
  public PrivacyConfig(
      double noiseMultiplier, double clippingNorm, double samplingRate, double delta) {
    this(noiseMultiplier, clippingNorm, samplingRate, delta, false);
  }

  public PrivacyConfig {
    if (!(noiseMultiplier > 0) || !Double.isFinite(noiseMultiplier)) {
      throw new IllegalArgumentException(
          "privacy.noise-multiplier must be a positive number, got " + noiseMultiplier);
    }
    if (!(clippingNorm > 0) || !Double.isFinite(clippingNorm)) {
      throw new IllegalArgumentException(
          "privacy.clipping-norm must be a positive number, got " + clippingNorm);
    }
    if (!(samplingRate > 0 && samplingRate <= 1)) {
      throw new IllegalArgumentException(
          "privacy.sampling-rate must be in (0, 1], got " + samplingRate);
    }
    if (!(delta > 0 && delta < 1)) {
      throw new IllegalArgumentException("privacy.delta must be in (0, 1), got " + delta);
    }
  }
}
