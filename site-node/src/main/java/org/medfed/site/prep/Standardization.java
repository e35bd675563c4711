package org.medfed.site.prep;

import java.util.Arrays;

/**
 * A per-feature z-score transform, {@code x -> (x - mean) / (std + 1e-9)}, as FLamby applies it.
 *
 * @param mean the per-feature mean of the rows it was fitted on
 * @param std the per-feature unbiased standard deviation of those rows
 */
public record Standardization(double[] mean, double[] std) {

  /** FLamby's epsilon, which keeps constant columns (e.g. Swiss cholesterol, all 0) finite. */
  static final double EPSILON = 1e-9;

  public Standardization {
    if (mean.length != std.length) {
      throw new IllegalArgumentException(
          "mean has " + mean.length + " entries but std has " + std.length);
    }
    for (int j = 0; j < mean.length; j++) {
      if (!Double.isFinite(mean[j]) || !Double.isFinite(std[j]) || std[j] < 0) {
        throw new IllegalArgumentException(
            "feature " + j + " has mean " + mean[j] + " and std " + std[j]);
      }
    }
    mean = mean.clone();
    std = std.clone();
  }

  /** Fits the mean and the unbiased (n - 1) standard deviation of each column. */
  public static Standardization fit(double[][] rows) {
    if (rows.length < 2) {
      throw new IllegalArgumentException(
          "an unbiased std needs at least 2 rows, got " + rows.length);
    }
    int d = rows[0].length;
    double[] mean = new double[d];
    for (double[] r : rows) {
      if (r.length != d) {
        throw new IllegalArgumentException("rows have different lengths");
      }
      for (int j = 0; j < d; j++) {
        mean[j] += r[j];
      }
    }
    for (int j = 0; j < d; j++) {
      mean[j] /= rows.length;
    }
    double[] std = new double[d];
    for (double[] r : rows) {
      for (int j = 0; j < d; j++) {
        double dev = r[j] - mean[j];
        std[j] += dev * dev;
      }
    }
    for (int j = 0; j < d; j++) {
      std[j] = Math.sqrt(std[j] / (rows.length - 1));
    }
    return new Standardization(mean, std);
  }

  public int dimension() {
    return mean.length;
  }

  /** Returns transformed copies of the rows. */
  public double[][] apply(double[][] rows) {
    double[][] out = new double[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      out[i] = apply(rows[i]);
    }
    return out;
  }

  /** Returns a transformed copy of one row. */
  public double[] apply(double[] row) {
    if (row.length != mean.length) {
      throw new IllegalArgumentException(
          "row has " + row.length + " features, expected " + mean.length);
    }
    double[] out = new double[row.length];
    for (int j = 0; j < row.length; j++) {
      out[j] = (row[j] - mean[j]) / (std[j] + EPSILON);
    }
    return out;
  }

  @Override
  public double[] mean() {
    return mean.clone();
  }

  @Override
  public double[] std() {
    return std.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Standardization s
        && Arrays.equals(s.mean, mean)
        && Arrays.equals(s.std, std);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
  }

  @Override
  public String toString() {
    return "Standardization[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
  }
}
