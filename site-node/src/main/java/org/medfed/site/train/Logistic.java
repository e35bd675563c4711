package org.medfed.site.train;

import java.util.Arrays;

/** Logistic-regression maths on the {@code [w_1..w_d, bias]} layout. */
final class Logistic {
  private Logistic() {}

  static double logit(double[] weights, double[] x) {
    int d = x.length;
    double z = weights[d];
    for (int j = 0; j < d; j++) {
      z += weights[j] * x[j];
    }
    return z;
  }

  /** A sigmoid that neither overflows nor loses the small tail for large |z|. */
  static double sigmoid(double z) {
    if (z >= 0) {
      return 1.0 / (1.0 + Math.exp(-z));
    }
    double e = Math.exp(z);
    return e / (1.0 + e);
  }

  /**
   * Binary cross-entropy of a logit, {@code log(1 + e^z) - y z}, computed from the logit rather
   * than from a probability so that it stays finite and exact when the sigmoid saturates.
   */
  static double logLoss(double z, int y) {
    return Math.max(z, 0.0) + Math.log1p(Math.exp(-Math.abs(z))) - y * z;
  }

  /**
   * Computes the mini-batch objective and writes its gradient into {@code gradient}.
   *
   * <p>Objective: mean cross-entropy over {@code batch[from..to)} plus {@code mu/2 ||w - start||²}
   * over all parameters, bias included, as FLamby's FedProx does.
   */
  static double objective(
      double[] weights,
      double[][] x,
      int[] y,
      int[] batch,
      int from,
      int to,
      double[] start,
      double mu,
      double[] gradient) {
    int d = weights.length - 1;
    Arrays.fill(gradient, 0.0);
    double loss = 0.0;
    int size = to - from;
    for (int k = from; k < to; k++) {
      int i = batch[k];
      double z = logit(weights, x[i]);
      loss += logLoss(z, y[i]);
      double residual = sigmoid(z) - y[i];
      for (int j = 0; j < d; j++) {
        gradient[j] += residual * x[i][j];
      }
      gradient[d] += residual;
    }
    loss /= size;
    for (int j = 0; j <= d; j++) {
      gradient[j] /= size;
    }
    if (mu > 0.0) {
      double distance = 0.0;
      for (int j = 0; j <= d; j++) {
        double diff = weights[j] - start[j];
        distance += diff * diff;
        gradient[j] += mu * diff;
      }
      loss += 0.5 * mu * distance;
    }
    return loss;
  }

  static void checkData(double[][] x, int[] y, int dimension) {
    if (x.length == 0) {
      throw new IllegalArgumentException("no records");
    }
    if (x.length != y.length) {
      throw new IllegalArgumentException(x.length + " rows but " + y.length + " labels");
    }
    for (int i = 0; i < x.length; i++) {
      if (x[i].length != dimension) {
        throw new IllegalArgumentException(
            "row " + i + " has " + x[i].length + " features, the model has " + dimension);
      }
      for (double v : x[i]) {
        if (!Double.isFinite(v)) {
          throw new IllegalArgumentException("row " + i + " has a non-finite feature");
        }
      }
      if (y[i] != 0 && y[i] != 1) {
        throw new IllegalArgumentException("labels must be 0 or 1, got " + y[i]);
      }
    }
  }
}
