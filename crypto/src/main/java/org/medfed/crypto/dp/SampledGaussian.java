package org.medfed.crypto.dp;

/**
 * One step of the Poisson-subsampled Gaussian mechanism: each record joins the batch independently
 * with probability {@code samplingRate}, and Gaussian noise of standard deviation {@code
 * noiseMultiplier} times the sensitivity (the clipping norm) is added to the batch's sum.
 *
 * @param samplingRate q, in (0, 1]
 * @param noiseMultiplier sigma, the noise standard deviation over the sensitivity, positive
 */
public record SampledGaussian(double samplingRate, double noiseMultiplier) {
  /** The fractional-order series stops once both of its terms fall below e^-30. */
  private static final double SERIES_CUTOFF = -30.0;

  private static final int MAX_SERIES_TERMS = 1_000_000;

  public SampledGaussian {
    if (!(samplingRate > 0.0 && samplingRate <= 1.0)) {
      throw new IllegalArgumentException("sampling rate must be in (0, 1], got " + samplingRate);
    }
    if (!(noiseMultiplier > 0.0) || !Double.isFinite(noiseMultiplier)) {
      throw new IllegalArgumentException(
          "noise multiplier must be positive and finite, got " + noiseMultiplier);
    }
  }

  /**
   * The Rényi differential privacy of one step at {@code order} (Mironov, Talwar and Zhang 2019):
   * exact by the binomial expansion for integer orders; for fractional ones an upper bound by their
   * series (within about 1e-9 of Google's dp_accounting); never above {@code order / (2 sigma^2)},
   * its value when {@code q = 1}.
   *
   * @param order the Rényi order alpha, greater than 1 and finite
   */
  public double rdp(double order) {
    if (!(order > 1.0) || !Double.isFinite(order)) {
      throw new IllegalArgumentException("Rényi order must be finite and above 1, got " + order);
    }
    double unsampled = order / (2.0 * noiseMultiplier * noiseMultiplier);
    if (samplingRate == 1.0) {
      return unsampled;
    }
    double logA =
        order == Math.rint(order) && order < Integer.MAX_VALUE
            ? logAIntegerOrder((int) order)
            : logAFractionalOrder(order);
    // Subsampling never increases Rényi divergence (it is jointly quasi-convex), so the unsampled
    // Gaussian's value is also a bound. The fractional series, summed by magnitude, can exceed it
    // when q is above about 1/2.
    return Math.min(logA / (order - 1.0), unsampled);
  }

  /**
   * {@code log A_alpha = log sum_i C(alpha, i) q^i (1-q)^(alpha-i) e^{(i^2 - i) / (2 sigma^2)}}.
   */
  private double logAIntegerOrder(int alpha) {
    double logQ = Math.log(samplingRate);
    double log1mQ = Math.log1p(-samplingRate);
    double twoSigma2 = 2.0 * noiseMultiplier * noiseMultiplier;
    double logA = Double.NEGATIVE_INFINITY;
    double logBinomial = 0.0; // log C(alpha, 0)
    for (int i = 0; i <= alpha; i++) {
      if (i > 0) {
        logBinomial += Math.log(alpha - i + 1) - Math.log(i);
      }
      double term =
          logBinomial + i * logQ + (alpha - i) * log1mQ + ((double) i * i - i) / twoSigma2;
      logA = LogMath.logAdd(logA, term);
    }
    return logA;
  }

  /**
   * The series of Mironov, Talwar and Zhang (2019, section 3.3) for fractional alpha, split at
   * {@code z0 = sigma^2 log(1/q - 1) + 1/2}.
   *
   * <p>Binomial coefficients of a fractional alpha alternate in sign once {@code i > alpha + 1}.
   * Like Google's current dp_accounting (and unlike the original TF-Privacy and Opacus code, which
   * subtract them), every term is added by its magnitude: the result is an upper bound on the true
   * A_alpha, so the accountant can only overstate the privacy spent, never understate it. The sum
   * stops once both terms are falling and below e^-30.
   */
  private double logAFractionalOrder(double alpha) {
    double sigma = noiseMultiplier;
    double logQ = Math.log(samplingRate);
    double log1mQ = Math.log1p(-samplingRate);
    double twoSigma2 = 2.0 * sigma * sigma;
    double sqrt2Sigma = Math.sqrt(2.0) * sigma;
    double z0 = sigma * sigma * Math.log(1.0 / samplingRate - 1.0) + 0.5;
    double logHalf = Math.log(0.5);
    double logA0 = Double.NEGATIVE_INFINITY;
    double logA1 = Double.NEGATIVE_INFINITY;
    double lastS0 = Double.NEGATIVE_INFINITY;
    double lastS1 = Double.NEGATIVE_INFINITY;
    double logBinomial = 0.0; // log |C(alpha, i)|
    for (int i = 0; i < MAX_SERIES_TERMS; i++) {
      if (i > 0) {
        logBinomial += Math.log(Math.abs((alpha - i + 1) / i));
      }
      double j = alpha - i;
      double logT0 = logBinomial + i * logQ + j * log1mQ;
      double logT1 = logBinomial + j * logQ + i * log1mQ;
      double logE0 = logHalf + LogMath.logErfc((i - z0) / sqrt2Sigma);
      double logE1 = logHalf + LogMath.logErfc((z0 - j) / sqrt2Sigma);
      double logS0 = logT0 + ((double) i * i - i) / twoSigma2 + logE0;
      double logS1 = logT1 + (j * j - j) / twoSigma2 + logE1;
      logA0 = LogMath.logAdd(logA0, logS0);
      logA1 = LogMath.logAdd(logA1, logS1);
      if (logS0 < lastS0 && logS1 < lastS1 && Math.max(logS0, logS1) < SERIES_CUTOFF) {
        return LogMath.logAdd(logA0, logA1);
      }
      lastS0 = logS0;
      lastS1 = logS1;
    }
    throw new ArithmeticException(
        "the RDP series did not converge for order " + alpha + " and " + this);
  }
}
