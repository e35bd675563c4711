package org.medfed.site.train;

import smile.validation.metric.AUC;

/** Scores a logistic-regression model on labelled records. */
public final class Evaluation {
  private Evaluation() {}

  /**
   * Computes accuracy, AUC and mean cross-entropy.
   *
   * <p>A record counts as predicted positive when its probability is strictly above 0.5, as in
   * FLamby's metric. AUC is undefined when the records hold only one class (a small test split can
   * be all positive); it is then reported as NaN rather than as a misleading 0.5 or 1.
   *
   * @param weights the model, {@code [w_1..w_d, bias]}
   */
  public static Metrics evaluate(double[] weights, double[][] x, int[] y) {
    Logistic.checkData(x, y, weights.length - 1);
    int n = x.length;
    double[] probability = new double[n];
    int correct = 0;
    int positives = 0;
    double loss = 0.0;
    for (int i = 0; i < n; i++) {
      double z = Logistic.logit(weights, x[i]);
      probability[i] = Logistic.sigmoid(z);
      int predicted = probability[i] > 0.5 ? 1 : 0;
      if (predicted == y[i]) {
        correct++;
      }
      positives += y[i];
      loss += Logistic.logLoss(z, y[i]);
    }
    double auc = positives == 0 || positives == n ? Double.NaN : AUC.of(y, probability);
    return new Metrics(n, (double) correct / n, auc, loss / n);
  }
}
