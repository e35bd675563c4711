package org.medfed.crypto.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Scale;

class RdpAccountantPropertyTest {
  @Property(tries = 60)
  void balleConversionIsNeverLooserThanTheClassicOne(
      @ForAll @DoubleRange(min = 0.001, max = 1.0) @Scale(4) double q,
      @ForAll @DoubleRange(min = 0.5, max = 5.0) double sigma,
      @ForAll @IntRange(min = 1, max = 5000) int steps,
      @ForAll @DoubleRange(min = 1e-9, max = 1e-2) @Scale(12) double delta) {
    RdpAccountant accountant = RdpAccountant.create().plus(new SampledGaussian(q, sigma), steps);
    double classic = accountant.privacySpent(delta, RdpConversion.CLASSIC).epsilon();
    double balle = accountant.privacySpent(delta, RdpConversion.BALLE_2020).epsilon();
    assertTrue(balle <= classic, balle + " > " + classic);
  }

  // Only below q = 0.45: above about 1/2 the fractional-order series, summed by magnitude, is an
  // upper bound whose looseness varies with q, so the bound (not the privacy loss) can fall as q
  // rises. DP-SGD samples far below that.
  @Property(tries = 60)
  void moreStepsOrLessNoiseNeverSpendLess(
      @ForAll @DoubleRange(min = 0.001, max = 0.45) @Scale(4) double q,
      @ForAll @DoubleRange(min = 0.5, max = 5.0) double sigma,
      @ForAll @IntRange(min = 1, max = 5000) int steps) {
    double base = epsilon(q, sigma, steps);
    assertTrue(epsilon(q, sigma, steps + 1) >= base);
    assertTrue(epsilon(q, sigma * 0.9, steps) >= base);
    assertTrue(epsilon(Math.min(1.0, q * 1.1), sigma, steps) >= base);
  }

  @Property(tries = 200)
  void subsamplingNeverCostsMoreThanTheFullBatch(
      @ForAll @DoubleRange(min = 0.001, max = 0.999) @Scale(4) double q,
      @ForAll @DoubleRange(min = 0.5, max = 5.0) double sigma,
      @ForAll @IntRange(min = 11, max = 640) int tenTimesOrder) {
    double order = tenTimesOrder / 10.0;
    double fullBatch = new SampledGaussian(1.0, sigma).rdp(order);
    assertTrue(new SampledGaussian(q, sigma).rdp(order) <= fullBatch);
  }

  @Property(tries = 40)
  void fractionalOrdersJoinIntegerOrdersContinuously(
      @ForAll @DoubleRange(min = 0.001, max = 0.5) @Scale(4) double q,
      @ForAll @DoubleRange(min = 0.6, max = 4.0) double sigma,
      @ForAll @IntRange(min = 2, max = 40) int order) {
    SampledGaussian mechanism = new SampledGaussian(q, sigma);
    double exact = mechanism.rdp(order);
    double near = mechanism.rdp(order + 1e-7);
    assertEquals(exact, near, 1e-5 * exact + 1e-12);
  }

  private static double epsilon(double q, double sigma, int steps) {
    return RdpAccountant.create()
        .plus(new SampledGaussian(q, sigma), steps)
        .privacySpent(1e-5, RdpConversion.BALLE_2020)
        .epsilon();
  }
}
