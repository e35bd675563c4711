package org.medfed.site.train;

import smile.classification.LogisticRegression;

/** Centrally fitted models that the federated result is compared with. */
public final class ReferenceModels {
  private static final double TOLERANCE = 1e-8;
  private static final int MAX_ITERATIONS = 1000;

  private ReferenceModels() {}

  /**
   * Fits an L2-regularised logistic regression with smile.
   *
   * <p>Smile minimises the summed cross-entropy plus {@code lambda/2 ||w||²}, without penalising
   * the intercept, so {@code lambda = 1/C} reproduces scikit-learn's {@code LogisticRegression(C)}.
   *
   * @param y labels, 0 or 1; both classes must occur
   * @return the model in our layout, {@code [w_1..w_d, bias]}
   */
  public static double[] fitL2LogisticRegression(double[][] x, int[] y, double lambda) {
    if (!(lambda >= 0.0) || !Double.isFinite(lambda)) {
      throw new IllegalArgumentException("lambda must be >= 0 and finite, got " + lambda);
    }
    Logistic.checkData(x, y, x.length == 0 ? 0 : x[0].length);
    int positives = 0;
    for (int label : y) {
      positives += label;
    }
    if (positives == 0 || positives == y.length) {
      throw new IllegalArgumentException("both classes must occur in the labels");
    }
    LogisticRegression.Binomial model =
        LogisticRegression.binomial(
            x, y, new LogisticRegression.Options(lambda, TOLERANCE, MAX_ITERATIONS));
    // smile's coefficients are [w_1..w_d, intercept], which is already our layout.
    return model.coefficients().clone();
  }
}
