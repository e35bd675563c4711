package org.medfed.site.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.medfed.crypto.dp.RdpAccountant;
import org.medfed.crypto.dp.RdpConversion;
import org.medfed.site.data.DataException;
import org.medfed.site.prep.PreparedData;

class DpSgdTrainerTest {
  private final SecureRandom random = new SecureRandom();

  private static double distance(double[] a, double[] b) {
    double sum = 0;
    for (int j = 0; j < a.length; j++) {
      sum += (a[j] - b[j]) * (a[j] - b[j]);
    }
    return Math.sqrt(sum);
  }

  @Test
  void withoutNoiseClippingBoundsTheInfluenceOfOneRecord() {
    // Neighbouring datasets: the last record replaced by an extreme one. With q = 1, sigma = 0 and
    // one SGD step of rate lr, the models can differ by at most lr * 2C / N.
    double[][] x = {{0.5, -1.0}, {-0.3, 0.8}, {1.2, 0.1}, {-0.7, -0.4}};
    double[][] neighbour = {{0.5, -1.0}, {-0.3, 0.8}, {1.2, 0.1}, {400.0, -900.0}};
    int[] y = {1, 0, 1, 0};
    int[] neighbourY = {1, 0, 1, 0}; // misclassified at the start: a gradient of norm ~ 985
    double[] start = {0.2, -0.1, 0.05};
    TrainingPlan plan = new TrainingPlan(1, 4, 0.5, LocalOptimizer.SGD, 0.0);
    double c = 0.1;
    double[] a = noiseless(start, x, y, plan, c);
    double[] b = noiseless(start, neighbour, neighbourY, plan, c);
    double bound = plan.learningRate() * 2 * c / x.length;
    assertTrue(distance(a, b) <= bound + 1e-15, distance(a, b) + " > " + bound);

    // The same step without clipping moves far more: the bound above is clipping's doing.
    double[] plainA = LocalTrainer.train(start, x, y, plan, 0).weights();
    double[] plainB = LocalTrainer.train(start, neighbour, neighbourY, plan, 0).weights();
    assertTrue(distance(plainA, plainB) > 100 * bound);
  }

  @Test
  void withoutNoiseAndWithSmallGradientsDpSgdIsPlainFullBatchSgd() {
    // Nothing is clipped when C exceeds every gradient, and q = 1 divides by N: plain SGD.
    double[][] x = {{0.5, -1.0}, {-0.3, 0.8}, {1.2, 0.1}};
    int[] y = {1, 0, 1};
    TrainingPlan plan = new TrainingPlan(5, 3, 0.3, LocalOptimizer.SGD, 0.2);
    double[] start = {0.1, 0.2, -0.3};
    assertArrayEquals(
        LocalTrainer.train(start, x, y, plan, 0).weights(),
        noiseless(start, x, y, plan, 1e6),
        1e-12);
  }

  private double[] noiseless(double[] start, double[][] x, int[] y, TrainingPlan plan, double c) {
    RecordGradient model =
        (w, i, g) -> {
          double z = Logistic.logit(w, x[i]);
          double r = Logistic.sigmoid(z) - y[i];
          g[0] = r * x[i][0];
          g[1] = r * x[i][1];
          g[2] = r;
          return 0.0;
        };
    return DpSgdTrainer.run(start, x.length, model, plan, c, 0.0, 1.0, random).weights();
  }

  @Test
  void noiseHasStandardDeviationSigmaTimesClipOverExpectedBatch() {
    // A model whose gradients are all zero: one SGD step of rate 1 moves the weights by exactly
    // minus the noise divided by q N, whatever batch was drawn.
    int parameters = 100_000;
    int records = 10;
    DpSgdSettings dp = new DpSgdSettings(0.7, 1.3, 0.5);
    TrainingPlan plan = new TrainingPlan(1, 1, 1.0, LocalOptimizer.SGD, 0.0);
    double[] w =
        DpSgdTrainer.train(new double[parameters], records, (v, i, g) -> 0.0, plan, dp, random)
            .weights();
    GaussianBounds.assertMeanAndVarianceMatch(w, 1.3 * 0.7 / (0.5 * records));
  }

  @Test
  void eachRecordJoinsEachBatchWithTheSamplingRate() {
    int records = 200;
    int steps = 500;
    double q = 0.1;
    int[] perRecord = new int[records];
    int[] perStep = new int[steps + 1];
    int[] step = {0};
    RecordGradient counting =
        (w, i, g) -> {
          perRecord[i]++;
          perStep[step[0]]++;
          return 0.0;
        };
    TrainingPlan plan = new TrainingPlan(1, 1, 0.1, LocalOptimizer.SGD, 0.0);
    DpSgdSettings dp = new DpSgdSettings(1.0, 1.0, q);
    for (step[0] = 1; step[0] <= steps; step[0]++) {
      DpSgdTrainer.train(new double[2], records, counting, plan, dp, random);
    }
    long total = 0;
    for (int c : perRecord) {
      total += c;
    }
    // Hoeffding over records * steps Bernoulli(q) draws: fails with probability 1e-6.
    double n = (double) records * steps;
    double t = Math.sqrt(Math.log(2.0 / 1e-6) / (2.0 * n));
    assertEquals(q, total / n, t);
    // Poisson batches vary in size; a fixed-size batch would give the same count every step.
    int min = Integer.MAX_VALUE;
    int max = 0;
    for (int s = 1; s <= steps; s++) {
      min = Math.min(min, perStep[s]);
      max = Math.max(max, perStep[s]);
    }
    assertTrue(max > min, "every batch had " + min + " records");
  }

  @Test
  void proximalTermIsAddedAfterClippingAndNoiseUnscaled() {
    // One record with gradient (10, 0): clipped to (1, 0). SGD with lr 0.1 and mu 1:
    // w1 = w0 - 0.1 (1, 0); w2 = w1 - 0.1 ((1, 0) + (w1 - w0)) = w0 - (0.19, 0).
    RecordGradient constant =
        (w, i, g) -> {
          g[0] = 10.0;
          g[1] = 0.0;
          return 0.0;
        };
    TrainingPlan plan = new TrainingPlan(2, 1, 0.1, LocalOptimizer.SGD, 1.0);
    double[] w =
        DpSgdTrainer.run(new double[] {1.0, 2.0}, 1, constant, plan, 1.0, 0.0, 1.0, random)
            .weights();
    assertArrayEquals(new double[] {1.0 - 0.19, 2.0}, w, 1e-15);
  }

  @Test
  void learnsOnClevelandWhenEpsilonIsLarge() throws DataException {
    PreparedData data = HeartData.prepared("cleveland");
    double[] zero = new double[data.featureNames().size() + 1];
    DpSgdSettings dp = new DpSgdSettings(1.0, 1.0, 0.2);
    // Non-private training reaches test accuracy 0.74 and loss 0.49 here; DP-SGD at this epsilon
    // typically 0.76 and 0.51.
    TrainingPlan plan = new TrainingPlan(300, 1, 0.05, LocalOptimizer.SGD, 0.0);
    TrainingResult result =
        LocalTrainer.train(zero, data.trainX(), data.trainY(), plan, dp, random);
    double epsilon =
        RdpAccountant.create()
            .plus(dp.mechanism(), result.steps())
            .privacySpent(1e-3, RdpConversion.BALLE_2020)
            .epsilon();
    Metrics test = Evaluation.evaluate(result.weights(), data.testX(), data.testY());
    assertTrue(
        test.accuracy() > 0.7 && test.loss() < 0.6,
        "epsilon " + epsilon + ": test accuracy " + test.accuracy() + ", loss " + test.loss());
    assertEquals(300, result.steps());
    assertTrue(Double.isNaN(result.meanLoss()), "the un-noised loss must not be reported");
  }

  @Test
  void modelOfTheWrongSizeIsRefused() {
    DpSgdSettings dp = new DpSgdSettings(1.0, 1.0, 0.5);
    TrainingPlan plan = new TrainingPlan(1, 1, 0.1, LocalOptimizer.SGD, 0.0);
    assertThrows(
        IllegalArgumentException.class,
        () ->
            LocalTrainer.train(
                new double[2], new double[][] {{1.0, 2.0}}, new int[] {1}, plan, dp, random));
  }

  @Test
  void nonFiniteRecordGradientStopsTraining() {
    DpSgdSettings dp = new DpSgdSettings(1.0, 1.0, 1.0);
    TrainingPlan plan = new TrainingPlan(1, 1, 0.1, LocalOptimizer.SGD, 0.0);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                DpSgdTrainer.train(
                    new double[1],
                    3,
                    (w, i, g) -> {
                      g[0] = Double.NaN;
                      return 0.0;
                    },
                    plan,
                    dp,
                    random));
    assertEquals("a per-record gradient is not finite", e.getMessage());
  }

  @Test
  void gradientSumAtRateOneSumsEveryRecordsClippedGradientAndCountsThem() {
    double[][] x = {{0.5, -1.0}, {-0.3, 0.8}, {400.0, -900.0}};
    int[] y = {1, 0, 0};
    double[] w = {0.2, -0.1, 0.05};
    double c = 0.5;
    ClippedGradientSum sum = DpSgdTrainer.clippedGradientSum(w, x, y, c, 1.0, random);
    assertEquals(3, sum.count());
    double[] expected = new double[3];
    for (int i = 0; i < x.length; i++) {
      double z = w[0] * x[i][0] + w[1] * x[i][1] + w[2];
      double residual = 1 / (1 + Math.exp(-z)) - y[i];
      double[] g = {residual * x[i][0], residual * x[i][1], residual};
      double norm = Math.sqrt(g[0] * g[0] + g[1] * g[1] + g[2] * g[2]);
      for (int j = 0; j < 3; j++) {
        expected[j] += g[j] * Math.min(1, c / norm);
      }
    }
    assertArrayEquals(expected, sum.sum(), 1e-12);
  }

  @Test
  void gradientSumCountsAPoissonBatchOfExpectedSizeQTimesRecords() {
    int n = 4000;
    double[][] x = new double[n][1];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      x[i][0] = i % 7 - 3;
      y[i] = i % 2;
    }
    ClippedGradientSum sum =
        DpSgdTrainer.clippedGradientSum(new double[] {0, 0}, x, y, 1.0, 0.1, random);
    // Binomial(4000, 0.1): mean 400, sd 19; 6 sd is a one-in-a-billion false failure.
    assertTrue(Math.abs(sum.count() - 400) < 6 * 19, "count " + sum.count());
    // Each sampled record adds at most C in norm.
    assertTrue(distance(sum.sum(), new double[2]) <= sum.count() * 1.0 + 1e-9);
  }
}
