package org.medfed.site.prep;

/** Copy helpers, so that the public records own their arrays. */
final class Matrices {
  private Matrices() {}

  static double[][] copy(double[][] m) {
    double[][] out = new double[m.length][];
    for (int i = 0; i < m.length; i++) {
      out[i] = m[i].clone();
    }
    return out;
  }

  static void checkShape(double[][] x, int[] y, int d, String what) {
    if (x.length != y.length) {
      throw new IllegalArgumentException(
          what + " has " + x.length + " rows but " + y.length + " labels");
    }
    for (double[] row : x) {
      if (row.length != d) {
        throw new IllegalArgumentException(
            what + " has a row with " + row.length + " features, expected " + d);
      }
    }
    for (int v : y) {
      if (v != 0 && v != 1) {
        throw new IllegalArgumentException(what + " labels must be 0 or 1, got " + v);
      }
    }
  }
}
