package org.medfed.crypto.dp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.medfed.crypto.secagg.Quantizer;

class DistributedDiscreteGaussianTest {
  private final SecureRandom random = new SecureRandom();

  @Property(tries = 20)
  void stochasticRoundingIsUnbiased(@ForAll @DoubleRange(min = -1e6, max = 1e6) double value) {
    int draws = 40_000;
    double[] values = new double[draws];
    java.util.Arrays.fill(values, value);
    long[] rounded = DistributedDiscreteGaussian.round(values, random);
    double sum = 0;
    for (long r : rounded) {
      double error = r - value;
      assertTrue(Math.abs(error) < 1.0, "rounding error " + error);
      sum += error;
    }
    // Each error is in (-1, 1) with mean 0: Hoeffding, P[|mean| >= b] <= 2 exp(-n b^2 / 2).
    double bound = Math.sqrt(2.0 * Math.log(2.0 / StatisticalBounds.FALSE_FAILURE) / draws);
    assertTrue(Math.abs(sum / draws) < bound, "mean rounding error " + sum / draws);
  }

  @Property(tries = 100)
  void sumOfSitesDecodesWithinTheRoundingBound(
      @ForAll @IntRange(min = 2, max = 12) int sites,
      @ForAll @IntRange(min = 2, max = 40) int dimension,
      @ForAll @DoubleRange(min = 0.1, max = 10) double clippingNorm,
      @ForAll @LongRange(min = 1, max = 100_000) long maxRecords) {
    DistributedDiscreteGaussian noise =
        DistributedDiscreteGaussian.fitting(2.0, clippingNorm, 0.1, sites, dimension, maxRecords);
    double[] exact = new double[dimension - 1];
    double[] integerSum = new double[dimension];
    long count = 0;
    for (int site = 0; site < sites; site++) {
      double[] gradient = new double[dimension - 1];
      long records = 1 + random.nextLong(maxRecords);
      for (int i = 0; i < gradient.length; i++) {
        // A sum of `records` clipped gradients has each coordinate within records * C.
        gradient[i] = (random.nextDouble() * 2 - 1) * records * clippingNorm;
        exact[i] += gradient[i];
      }
      count += records;
      long[] rounded = DistributedDiscreteGaussian.round(noise.scaled(gradient, records), random);
      for (int i = 0; i < dimension; i++) {
        integerSum[i] += rounded[i];
      }
    }
    for (int i = 0; i < exact.length; i++) {
      assertTrue(
          Math.abs(integerSum[i] / noise.scale() - exact[i]) < sites / noise.scale(),
          "coordinate " + i);
    }
    assertTrue(
        Math.abs(integerSum[dimension - 1] / (noise.scale() * clippingNorm) - count)
            < sites / (noise.scale() * clippingNorm));
  }

  @Property(tries = 100)
  void fittedScaleLeavesHeadroomForEverySitesLargestBatchAndNoise(
      @ForAll @IntRange(min = 2, max = 200) int sites,
      @ForAll @IntRange(min = 2, max = 1000) int dimension,
      @ForAll @DoubleRange(min = 0.3, max = 50) double sigma,
      @ForAll @LongRange(min = 1, max = 20_000) long maxRecords) {
    DistributedDiscreteGaussian noise;
    try {
      noise = DistributedDiscreteGaussian.fitting(sigma, 1.0, 0.1, sites, dimension, maxRecords);
    } catch (IllegalArgumentException refused) {
      assertTrue(refused.getMessage().contains("record-scale"), refused.getMessage());
      return;
    }
    long range = DistributedDiscreteGaussian.siteRange(sites);
    assertTrue(noise.siteBound(maxRecords) <= range);
    assertTrue((long) sites * range <= Integer.MAX_VALUE, "n sites' sum fits 32 bits");
  }

  @Test
  void scaleThatCannotFitTheRecordScaleIsRefusedWithWhatToChange() {
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class,
            () -> DistributedDiscreteGaussian.fitting(1.0, 1.0, 0.1, 100, 100_000, 10_000_000));
    assertTrue(refused.getMessage().contains("lower secure-aggregation.record-scale"));
    assertEquals(1, refused.getMessage().lines().count());
  }

  @Test
  void integersPassTheRoundsScaleOneQuantiserUnchangedAndSumExactly() {
    int sites = 5;
    long range = DistributedDiscreteGaussian.siteRange(sites);
    Quantizer quantizer = Quantizer.withHeadroom(1.0, sites);
    Quantizer identity = new Quantizer(range, quantizer.bits(), sites);
    assertEquals(1.0, identity.scale());
    double[] values = {0, 1, -1, range, -range, 123_456_789, -98_765};
    int[] sum = new int[values.length];
    for (int site = 0; site < sites; site++) {
      int[] encoded = identity.encode(values, random);
      for (int i = 0; i < values.length; i++) {
        assertEquals((long) values[i], encoded[i]);
        sum[i] += encoded[i];
      }
    }
    double[] decoded = identity.decode(sum, sites);
    for (int i = 0; i < values.length; i++) {
      assertEquals(sites * values[i], decoded[i]);
    }
  }

  @Test
  void sitesNoiseSumsToTheStudysNoiseOnTheSum() {
    // A small scale keeps σ_site small enough to sample many rounds quickly.
    int sites = 4;
    DistributedDiscreteGaussian noise =
        new DistributedDiscreteGaussian(1.5, 1.0, 0.1, 8.0, sites, 6);
    int rounds = 3_000;
    double[] noiseOnSum = new double[rounds * 6];
    for (int r = 0; r < rounds; r++) {
      for (int site = 0; site < sites; site++) {
        // No records: the scaled vector is exactly 0, so what is left is the noise alone.
        long[] encoded = noise.encode(new double[5], 0, random);
        for (int i = 0; i < 6; i++) {
          noiseOnSum[r * 6 + i] += encoded[i];
        }
      }
    }
    // σ·s·Δ on the sum of all n sites; the discrete Gaussian's variance is within e^-100 of it.
    StatisticalBounds.assertMeanAndVarianceMatch(noiseOnSum, 1.5 * 8.0 * Math.sqrt(2.0));
  }

  @Property(tries = 50)
  void withoutSamplingEachRoundCostsOrderOverTwiceTheSquaredEffectiveMultiplier(
      @ForAll @DoubleRange(min = 0.5, max = 20) double sigma,
      @ForAll @IntRange(min = 2, max = 50) int sites,
      @ForAll @IntRange(min = 2, max = 64) int order) {
    DistributedDiscreteGaussian noise =
        DistributedDiscreteGaussian.fitting(sigma, 1.0, 1.0, sites, 15, 1000);
    for (int t : new int[] {1, (sites + 1) / 2, sites}) {
      // Closed form: t·σ_site² of noise over the integer sensitivity s·Δ + √D (τ is below 1e-300).
      double z = noise.siteStddev() * Math.sqrt(t) / noise.integerSensitivity();
      double rdp = RdpAccountant.withOrders(order).plus(noise.mechanism(t), 1).rdp()[0];
      assertEquals(order / (2 * z * z), rdp, 1e-12 * rdp);
    }
  }

  @Property(tries = 50)
  void droppingToTSitesScalesTheNoiseMultiplierBySqrtTOverN(
      @ForAll @DoubleRange(min = 0.5, max = 20) double sigma,
      @ForAll @IntRange(min = 2, max = 50) int sites,
      @ForAll @IntRange(min = 1, max = 50) int contributors) {
    int t = Math.min(contributors, sites);
    DistributedDiscreteGaussian noise =
        DistributedDiscreteGaussian.fitting(sigma, 1.0, 0.05, sites, 15, 1000);
    double rounding = noise.scale() * noise.sensitivity() / noise.integerSensitivity();
    assertEquals(
        sigma * Math.sqrt((double) t / sites) * rounding,
        noise.mechanism(t).noiseMultiplier(),
        1e-9 * sigma);
    assertEquals(0.05, noise.mechanism(t).samplingRate());
  }

  @Test
  void collusionLeavesOnlyTheSitesOwnShare() {
    DistributedDiscreteGaussian noise =
        DistributedDiscreteGaussian.fitting(4.0, 1.0, 0.05, 4, 15, 10_000);
    assertEquals(noise.mechanism(1), noise.mechanismIfOthersCollude());
    // sigma / sqrt(n) = 2, less the rounding inflation (s·Δ is 65536 here).
    assertEquals(
        2.0 * 65_536 / (65_536 + Math.sqrt(15)), noise.mechanism(1).noiseMultiplier(), 1e-9);
  }

  @Test
  void tauIsNegligibleAtUsefulNoiseButNotForTinySigma() {
    // σ_site = 1·8·√2/2 ≈ 5.7: τ ≈ 10·e^(-π²·32) ≈ 1e-136, far below what a double adds to 1.
    DistributedDiscreteGaussian useful = new DistributedDiscreteGaussian(1.0, 1.0, 0.1, 8, 4, 15);
    assertTrue(useful.tau(4) < 1e-100, "tau " + useful.tau(4));
    assertEquals(0.0, useful.tau(1));
    DistributedDiscreteGaussian tiny =
        new DistributedDiscreteGaussian(0.2, 1.0, 0.1, 1.0, 2, 3); // σ_site ≈ 0.2
    double tau = tiny.tau(2);
    double sigma = tiny.siteStddev();
    assertEquals(10 * Math.exp(-Math.PI * Math.PI * sigma * sigma), tau, 1e-12);
    // τ makes the effective multiplier smaller, never larger.
    double withoutTau = sigma * Math.sqrt(2) / tiny.integerSensitivity();
    assertTrue(tiny.mechanism(2).noiseMultiplier() < withoutTau);
  }

  @Test
  void descentStepIsMinusEtaTimesTheMeanGradient() {
    DistributedDiscreteGaussian noise = new DistributedDiscreteGaussian(1.0, 2.0, 0.1, 10, 3, 3);
    // Σ gradients (3, -1.5) and 5 records: integers s·(3, -1.5, C·5) = (30, -15, 100).
    assertArrayEquals(
        new double[] {-0.5 * 3 / 5, 0.5 * 1.5 / 5},
        noise.descentStep(new double[] {30, -15, 100}, 0.5),
        1e-12);
    // A noisy count below one record divides by one, not by a tiny or negative number.
    assertArrayEquals(
        new double[] {-0.5 * 3, 0.5 * 1.5},
        noise.descentStep(new double[] {30, -15, -7}, 0.5),
        1e-12);
  }

  @Test
  void encodingRefusesAWrongLengthOrNonFiniteGradient() {
    DistributedDiscreteGaussian noise = new DistributedDiscreteGaussian(1.0, 1.0, 0.1, 10, 3, 3);
    assertThrows(IllegalArgumentException.class, () -> noise.encode(new double[3], 1, random));
    assertThrows(
        IllegalArgumentException.class,
        () -> noise.encode(new double[] {Double.NaN, 0}, 1, random));
  }

  @Test
  void nonPositiveNoiseOrClippingIsRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new DistributedDiscreteGaussian(0, 1.0, 0.1, 10, 3, 3));
    assertThrows(
        IllegalArgumentException.class,
        () -> new DistributedDiscreteGaussian(1.0, -1.0, 0.1, 10, 3, 3));
  }
}
