package org.medfed.site.train;

import java.util.Arrays;

/**
 * The sum of a Poisson-sampled batch's clipped per-record gradients, before any noise: it never
 * leaves the site as it is.
 *
 * @param sum the summed clipped gradients, {@code [w_1..w_d, bias]}
 * @param count how many records the batch sampled
 */
public record ClippedGradientSum(double[] sum, long count) {
  public ClippedGradientSum {
    sum = sum.clone();
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative, got " + count);
    }
  }

  @Override
  public double[] sum() {
    return sum.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClippedGradientSum c && Arrays.equals(c.sum, sum) && c.count == count;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(sum) * 31 + Long.hashCode(count);
  }

  @Override
  public String toString() {
    return "ClippedGradientSum[length=" + sum.length + ", count=" + count + "]";
  }
}
