package org.medfed.crypto.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Scale;
import org.junit.jupiter.api.Test;

class QuantizerTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  @Test
  void refusesConfigurationWithoutHeadroomForTheSites() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Quantizer(1.0, 25, 200));
    assertTrue(e.getMessage().contains("no headroom: 200 sites"), e.getMessage());
    assertTrue(e.getMessage().contains("use at most 24 bits"), e.getMessage());
  }

  @Test
  void headroomQuantizerIsTheFinestThatFits() {
    Quantizer q = Quantizer.withHeadroom(2.0, 100);
    assertEquals(25, q.bits());
    assertTrue(100L * ((1L << (q.bits() - 1)) - 1) <= Integer.MAX_VALUE);
    assertTrue(100L * ((1L << q.bits()) - 1) > Integer.MAX_VALUE);
  }

  @Test
  void refusesNonFiniteValues() {
    Quantizer q = new Quantizer(1.0, 16, 4);
    assertThrows(IllegalArgumentException.class, () -> q.encode(new double[] {Double.NaN}, RANDOM));
  }

  @Test
  void clipsAndEncodesNegativesAsTwosComplement() {
    Quantizer q = new Quantizer(1.0, 8, 4);
    int[] encoded = q.encode(new double[] {-5.0, 5.0, -1.0, 0.0}, RANDOM);
    assertArrayEquals(new int[] {-127, 127, -127, 0}, encoded);
    assertEquals(0xFFFFFF81, encoded[0]);
  }

  @Test
  void decodeRefusesSumOutsideWhatTheSitesCouldProduce() {
    Quantizer q = new Quantizer(1.0, 8, 4);
    assertThrows(IllegalArgumentException.class, () -> q.decode(new int[] {255}, 2));
    assertEquals(254 / q.scale(), q.decode(new int[] {254}, 2)[0]);
  }

  @Test
  void stochasticRoundingIsUnbiased() {
    Quantizer q = new Quantizer(1.0, 4, 1); // scale 7: coarse, so bias would show
    double value = 0.3;
    int draws = 200_000;
    double[] many = new double[draws];
    java.util.Arrays.fill(many, value);
    int[] encoded = q.encode(many, RANDOM);
    long total = 0;
    for (int e : encoded) {
      assertTrue(e == 2 || e == 3, "rounds only to the neighbours of 2.1");
      total += e;
    }
    double mean = total / (double) draws;
    // Bernoulli(0.1) per draw: standard error sqrt(0.09 / draws) ~ 0.00067; allow 6 sigma.
    assertEquals(value * q.scale(), mean, 0.004);
  }

  @Property(tries = 300)
  void decodedSumOfSitesIsWithinBoundOfClippedSum(
      @ForAll @IntRange(min = 1, max = 50) int sites,
      @ForAll @IntRange(min = 2, max = 31) int bits,
      @ForAll @DoubleRange(min = 1e-3, max = 1e3) @Scale(4) double clip,
      @ForAll long seed) {
    int usable = bits;
    while ((long) sites * ((1L << (usable - 1)) - 1) > Integer.MAX_VALUE) {
      usable--;
    }
    Quantizer q = new Quantizer(clip, usable, sites);
    Random data = new Random(seed);
    int d = 16;
    int[] sum = new int[d];
    double[] clippedSum = new double[d];
    for (int s = 0; s < sites; s++) {
      double[] values = new double[d];
      for (int i = 0; i < d; i++) {
        values[i] = (data.nextDouble() * 2 - 1) * 2 * clip;
        clippedSum[i] += Math.max(-clip, Math.min(clip, values[i]));
      }
      int[] encoded = q.encode(values, RANDOM);
      for (int i = 0; i < d; i++) {
        sum[i] += encoded[i];
      }
    }
    double[] decoded = q.decode(sum, sites);
    for (int i = 0; i < d; i++) {
      assertTrue(
          Math.abs(decoded[i] - clippedSum[i]) < q.errorBound(sites) * (1 + 1e-9),
          decoded[i] + " vs " + clippedSum[i] + " bound " + q.errorBound(sites));
    }
  }
}
