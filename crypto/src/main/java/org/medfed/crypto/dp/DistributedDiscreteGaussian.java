package org.medfed.crypto.dp;

import java.security.SecureRandom;
import java.util.Locale;
import org.medfed.crypto.secagg.Quantizer;

/**
 * One round of FedSGD with distributed discrete-Gaussian noise under secure aggregation (Kairouz,
 * Liu and Steinke 2021, "The Distributed Discrete Gaussian Mechanism for Federated Learning with
 * Secure Aggregation"): each of the round's n sites adds a share of the noise to its own integer
 * vector, so the unmasked sum carries the study's noise while nobody sees an un-noised sum.
 *
 * <p>Each site Poisson-samples a batch (rate q), clips each record's gradient at the global model
 * to L2 norm C and sums them; a count coordinate adds C per sampled record, so one record changes
 * the vector {@code u = [clip(g), C]} by at most {@code Δ = C·√2} (c0 = C: the count gets the same
 * share of the sensitivity as the gradient, so neither the numerator nor the denominator of the
 * averaged gradient is starved of signal). The site scales by the public {@code scale} s, rounds
 * each coordinate stochastically to an integer and adds N_Z(0, σ_site²) per coordinate with {@code
 * σ_site = σ·s·Δ/√n}. Secure aggregation sums the integers mod 2^32.
 *
 * <p><b>Accounting</b> ({@link #mechanism(int)}): with t contributors (secure aggregation unmasks
 * only with at least its threshold), the sum carries t independent N_Z(0, σ_site²) per coordinate.
 * Coupling both rounding draws through one shared uniform per coordinate, one record moves the
 * rounded integer vector by at most {@code s·Δ + √D} in L2 (D coordinates, each rounding difference
 * below |difference| + 1), and a mixture over the rounding draws is no less private than its worst
 * pair (joint convexity of Rényi divergence). The sum of t discrete Gaussians is not itself a
 * discrete Gaussian; Kairouz et al. (Theorem 1) bound it as ½ε²-concentrated DP with {@code ε² =
 * Δ_Z²/(t·σ_site²) + 2τD}, {@code τ = 10·Σ_{k=1}^{t-1} exp(−2π²σ_site²·k/(k+1))}. We account it as
 * the Gaussian with the same concentrated-DP curve, noise multiplier {@code z = (Δ_Z²/(t σ_site²) +
 * 2τD)^(-1/2)}, subsampled at rate q with the sampled-Gaussian bound of Mironov et al. That last
 * step is an approximation: the sampled-Gaussian bound is proved for the continuous Gaussian, and
 * the discrete one matches its unsampled curve only up to τ (exponentially small in σ_site²: below
 * 1e-100 at σ_site = 5; it underflows to 0 at the σ_site of thousands that a useful scale gives).
 *
 * @param noiseMultiplier σ: the noise on the sum of all n sites over the sensitivity Δ, positive
 * @param clippingNorm C, positive
 * @param samplingRate q, in (0, 1]
 * @param scale s: integer units per unit of gradient, positive
 * @param sites n: the sites the round was opened with, each adding σ_site
 * @param dimension D: the integer vector's length (model parameters plus the count), at least 2
 */
public record DistributedDiscreteGaussian(
    double noiseMultiplier,
    double clippingNorm,
    double samplingRate,
    double scale,
    int sites,
    int dimension) {

  /**
   * A site's noise is taken to stay within this many σ_site when fitting 32-bit sums: exceeding it
   * has probability below 2·e^(−TAIL²/2) ≈ 1e-347 per coordinate.
   */
  public static final double TAIL = 40.0;

  /**
   * The integer resolution s·Δ is capped here: beyond it the rounding inflation √D/(s·Δ) is already
   * negligible and larger integers only eat headroom.
   */
  public static final double MAX_RESOLUTION = 65_536.0;

  /** Below this many √D integer units per sensitivity, rounding would inflate Δ by over 1/16. */
  public static final double MIN_RESOLUTION_PER_SQRT_D = 16.0;

  public DistributedDiscreteGaussian {
    new SampledGaussian(samplingRate, noiseMultiplier); // validates q and σ with the same words
    if (!(clippingNorm > 0) || !Double.isFinite(clippingNorm)) {
      throw new IllegalArgumentException(
          "clipping norm must be positive and finite, got " + clippingNorm);
    }
    if (!(scale > 0) || !Double.isFinite(scale)) {
      throw new IllegalArgumentException("scale must be positive and finite, got " + scale);
    }
    if (sites < 1) {
      throw new IllegalArgumentException("sites must be at least 1, got " + sites);
    }
    if (dimension < 2) {
      throw new IllegalArgumentException(
          "dimension must be at least 2 (a gradient and the count), got " + dimension);
    }
  }

  /**
   * The round's mechanism with the largest scale that fits: n sites' sums of up to {@code
   * maxRecords} clipped gradients each, plus their noise up to {@link #TAIL} σ_site, in the
   * per-site range of 32-bit sums ({@link #siteRange}).
   *
   * @throws IllegalArgumentException with one sentence saying what to change if even the smallest
   *     acceptable resolution does not fit
   */
  public static DistributedDiscreteGaussian fitting(
      double noiseMultiplier,
      double clippingNorm,
      double samplingRate,
      int sites,
      int dimension,
      long maxRecords) {
    if (maxRecords < 1) {
      throw new IllegalArgumentException("maxRecords must be at least 1, got " + maxRecords);
    }
    double sensitivity = clippingNorm * Math.sqrt(2.0);
    // Per site and coordinate: s·C·maxRecords (data) + 1 (rounding) + TAIL·σ·s·Δ/√n (noise).
    double perUnitScale =
        clippingNorm * maxRecords + TAIL * noiseMultiplier * sensitivity / Math.sqrt(sites);
    // One unit below the range for rounding, one more so floating-point error cannot cross it.
    double fits = (siteRange(sites) - 2.0) / perUnitScale;
    double scale = Math.min(fits, MAX_RESOLUTION / sensitivity);
    if (scale * sensitivity < MIN_RESOLUTION_PER_SQRT_D * Math.sqrt(dimension)) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "distributed noise cannot fit %d sites' sums of up to %d records in 32 bits at a"
                  + " useful resolution (%.1f integer units per sensitivity, at least %.1f needed):"
                  + " lower secure-aggregation.record-scale or the noise multiplier",
              sites,
              maxRecords,
              scale * sensitivity,
              MIN_RESOLUTION_PER_SQRT_D * Math.sqrt(dimension)));
    }
    return new DistributedDiscreteGaussian(
        noiseMultiplier, clippingNorm, samplingRate, scale, sites, dimension);
  }

  /**
   * The largest magnitude one site's integer may have so that n sites' sum fits a signed 32-bit
   * integer: the range of {@link Quantizer#withHeadroom} for n sites. Secure aggregation runs with
   * that quantiser at scale 1 (clip = range), which leaves such integers unchanged.
   */
  public static long siteRange(int sites) {
    return (1L << (Quantizer.withHeadroom(1.0, sites).bits() - 1)) - 1;
  }

  /** Δ = C·√2: one record's largest change to {@code [clip(g), C·count]}. */
  public double sensitivity() {
    return clippingNorm * Math.sqrt(2.0);
  }

  /** σ_site = σ·s·Δ/√n: the discrete Gaussian each site adds per coordinate, in integer units. */
  public double siteStddev() {
    return noiseMultiplier * scale * sensitivity() / Math.sqrt(sites);
  }

  /** Δ_Z = s·Δ + √D: one record's largest change to the rounded integer vector. */
  public double integerSensitivity() {
    return scale * sensitivity() + Math.sqrt(dimension);
  }

  /**
   * The largest magnitude a site's integer reaches with a batch of at most {@code maxRecords}
   * records, noise within {@link #TAIL} σ_site.
   */
  public double siteBound(long maxRecords) {
    return scale * clippingNorm * maxRecords + 1.0 + TAIL * siteStddev();
  }

  /**
   * τ of Kairouz et al. (Theorem 1) for a sum of {@code summands} discrete Gaussians of σ_site: how
   * far the sum is from being a discrete Gaussian itself; 0 for one summand.
   */
  public double tau(int summands) {
    double s2 = siteStddev() * siteStddev();
    double sum = 0.0;
    for (int k = 1; k < summands; k++) {
      sum += Math.exp(-2.0 * Math.PI * Math.PI * s2 * k / (k + 1.0));
    }
    return 10.0 * sum;
  }

  /**
   * What one round costs each site when at least {@code contributors} sites' noise is in the
   * unmasked sum: one step of the sampled Gaussian at rate q with the effective noise multiplier
   * {@code (Δ_Z²/(t σ_site²) + 2τD)^(-1/2)}; see the class comment for where this is approximate.
   *
   * @param contributors t, between 1 and n: secure aggregation's threshold for the honest-sites
   *     guarantee, 1 for the site's own noise alone
   */
  public SampledGaussian mechanism(int contributors) {
    if (contributors < 1 || contributors > sites) {
      throw new IllegalArgumentException(
          "contributors must be in 1.." + sites + ", got " + contributors);
    }
    double sigma = siteStddev();
    double inverseSquare =
        integerSensitivity() * integerSensitivity() / (contributors * sigma * sigma)
            + 2.0 * tau(contributors) * dimension;
    return new SampledGaussian(samplingRate, 1.0 / Math.sqrt(inverseSquare));
  }

  /**
   * The worst case for one site: the coordinator colludes with every other site, subtracts their
   * contributions, and only the site's own σ_site protects its records.
   */
  public SampledGaussian mechanismIfOthersCollude() {
    return mechanism(1);
  }

  /**
   * A site's contribution: {@code [clippedGradientSum, C·count]} times s, each coordinate rounded
   * stochastically (up with probability equal to its fractional part, so unbiased), plus N_Z(0,
   * σ_site²). Rounding and noise both come from {@code random}.
   *
   * @param clippedGradientSum the sum of the sampled records' clipped gradients, D − 1 values
   * @param count how many records were sampled
   * @throws IllegalArgumentException if the length is wrong, a value is not finite, or a coordinate
   *     exceeds the range of 32-bit sums for n sites (the batch is larger than the round allows)
   */
  public long[] encode(double[] clippedGradientSum, long count, SecureRandom random) {
    long[] out = round(scaled(clippedGradientSum, count), random);
    DiscreteGaussian noise = DiscreteGaussian.withSigma(siteStddev());
    long range = siteRange(sites);
    for (int i = 0; i < out.length; i++) {
      out[i] += noise.sample(random);
      if (Math.abs(out[i]) > range) {
        throw new IllegalArgumentException(
            "coordinate " + i + " exceeds the per-site range " + range + " of 32-bit sums");
      }
    }
    return out;
  }

  /** {@code s·[clippedGradientSum, C·count]}, checked. */
  double[] scaled(double[] clippedGradientSum, long count) {
    if (clippedGradientSum.length != dimension - 1) {
      throw new IllegalArgumentException(
          "the gradient sum has "
              + clippedGradientSum.length
              + " values, the round expects "
              + (dimension - 1));
    }
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative, got " + count);
    }
    double[] scaled = new double[dimension];
    for (int i = 0; i < clippedGradientSum.length; i++) {
      if (!Double.isFinite(clippedGradientSum[i])) {
        throw new IllegalArgumentException("gradient value " + i + " is not finite");
      }
      scaled[i] = scale * clippedGradientSum[i];
    }
    scaled[dimension - 1] = scale * clippingNorm * count;
    return scaled;
  }

  /**
   * Stochastic rounding: {@code ⌊x⌋ + 1} with probability {@code x − ⌊x⌋}, else {@code ⌊x⌋}; the
   * expectation is x and the error is below 1.
   */
  static long[] round(double[] values, SecureRandom random) {
    long[] out = new long[values.length];
    for (int i = 0; i < values.length; i++) {
      double floor = Math.floor(values[i]);
      out[i] = (long) floor + (random.nextDouble() < values[i] - floor ? 1 : 0);
    }
    return out;
  }

  /**
   * The round's model update from the unmasked integer sum of the contributors: {@code −η · (Σ
   * gradient sums) / max(Σ counts, 1)}, the noisy sums read back by dividing by s (and by C for the
   * count). The guard keeps a round whose noisy count is below one record from blowing up the step.
   *
   * @param integerSum the contributors' sum as signed integers, D values
   * @param learningRate η, positive
   * @return D − 1 values: the change to the global model
   */
  public double[] descentStep(double[] integerSum, double learningRate) {
    if (integerSum.length != dimension) {
      throw new IllegalArgumentException(
          "the sum has " + integerSum.length + " values, the round expects " + dimension);
    }
    if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
      throw new IllegalArgumentException(
          "learning rate must be positive and finite, got " + learningRate);
    }
    double count = Math.max(integerSum[dimension - 1] / (scale * clippingNorm), 1.0);
    double[] step = new double[dimension - 1];
    for (int i = 0; i < step.length; i++) {
      step[i] = -learningRate * (integerSum[i] / scale) / count;
    }
    return step;
  }
}
