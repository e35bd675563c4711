package org.medfed.site.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.medfed.site.data.DataException;
import org.medfed.site.prep.PreparedData;

class LocalTrainerTest {
  private static final double[][] SEPARABLE = {
    {-2.0, 1.0},
    {-1.5, -0.5},
    {-1.0, 0.3},
    {-0.6, -1.2},
    {0.6, 1.1},
    {1.0, -0.4},
    {1.4, 0.2},
    {2.1, -1.0}
  };
  private static final int[] SEPARABLE_Y = {0, 0, 0, 0, 1, 1, 1, 1};

  private static double distance(double[] a, double[] b) {
    double sum = 0;
    for (int j = 0; j < a.length; j++) {
      sum += (a[j] - b[j]) * (a[j] - b[j]);
    }
    return Math.sqrt(sum);
  }

  @Test
  void separableDataIsLearnedPerfectly() {
    for (LocalOptimizer optimizer : LocalOptimizer.values()) {
      TrainingResult result =
          LocalTrainer.train(
              new double[3],
              SEPARABLE,
              SEPARABLE_Y,
              new TrainingPlan(300, 3, 0.1, optimizer, 0.0),
              1);
      assertEquals(
          1.0,
          Evaluation.evaluate(result.weights(), SEPARABLE, SEPARABLE_Y).accuracy(),
          optimizer.name());
      assertEquals(300, result.steps());
    }
  }

  @Test
  void proximalTermKeepsTheModelCloserToTheStart() {
    double[] start = {0.5, -0.5, 0.2};
    TrainingResult free =
        LocalTrainer.train(
            start,
            SEPARABLE,
            SEPARABLE_Y,
            new TrainingPlan(100, 4, 0.1, LocalOptimizer.SGD, 0.0),
            3);
    TrainingResult prox =
        LocalTrainer.train(
            start,
            SEPARABLE,
            SEPARABLE_Y,
            new TrainingPlan(100, 4, 0.1, LocalOptimizer.SGD, 1.0),
            3);
    assertTrue(
        distance(prox.weights(), start) < distance(free.weights(), start),
        "prox " + distance(prox.weights(), start) + " free " + distance(free.weights(), start));
  }

  @Test
  void sgdAndAdamReduceLossOnClevelandTrainSplit() throws DataException {
    PreparedData data = HeartData.prepared("cleveland");
    double[] zero = new double[data.featureNames().size() + 1];
    double before = Evaluation.evaluate(zero, data.trainX(), data.trainY()).loss();
    assertEquals(Math.log(2), before, 1e-12);
    for (TrainingPlan plan :
        new TrainingPlan[] {
          new TrainingPlan(100, 4, 0.001, LocalOptimizer.SGD, 0.0),
          new TrainingPlan(100, 4, 0.001, LocalOptimizer.ADAM, 0.0)
        }) {
      TrainingResult result = LocalTrainer.train(zero, data.trainX(), data.trainY(), plan, 42);
      double after = Evaluation.evaluate(result.weights(), data.trainX(), data.trainY()).loss();
      assertTrue(after < before - 0.01, plan.optimizer() + ": " + before + " -> " + after);
    }
  }

  @Test
  void sameSeedGivesIdenticalWeightsAndOtherSeedsDiffer() throws DataException {
    PreparedData data = HeartData.prepared("hungarian");
    double[] start = new double[data.featureNames().size() + 1];
    TrainingPlan plan = new TrainingPlan(50, 4, 0.01, LocalOptimizer.ADAM, 0.01);
    TrainingResult a = LocalTrainer.train(start, data.trainX(), data.trainY(), plan, 7);
    TrainingResult b = LocalTrainer.train(start, data.trainX(), data.trainY(), plan, 7);
    TrainingResult c = LocalTrainer.train(start, data.trainX(), data.trainY(), plan, 8);
    assertArrayEquals(a.weights(), b.weights(), 0.0);
    assertEquals(a, b);
    assertFalse(Arrays.equals(a.weights(), c.weights()));
  }

  @Test
  void fullBatchEpochsDoNotDependOnTheSeed() {
    // With one batch per epoch holding every record, the order cannot matter up to rounding:
    // this pins down that the last, partial batch of an epoch is kept rather than dropped.
    TrainingPlan plan = new TrainingPlan(20, 8, 0.5, LocalOptimizer.SGD, 0.0);
    double[] a = LocalTrainer.train(new double[3], SEPARABLE, SEPARABLE_Y, plan, 1).weights();
    double[] b = LocalTrainer.train(new double[3], SEPARABLE, SEPARABLE_Y, plan, 2).weights();
    assertArrayEquals(a, b, 1e-12);
  }

  @Test
  void oneSgdStepMatchesAHandComputedGradient() {
    // At w = 0 every probability is 0.5, so the gradient is mean((0.5 - y) * [x, 1]).
    double[][] x = {{2.0}, {-1.0}};
    int[] y = {1, 0};
    TrainingResult r =
        LocalTrainer.train(
            new double[2], x, y, new TrainingPlan(1, 2, 1.0, LocalOptimizer.SGD, 0.0), 0);
    // gradient w: ((-0.5)(2) + (0.5)(-1)) / 2 = -0.75; bias: (-0.5 + 0.5) / 2 = 0
    assertArrayEquals(new double[] {0.75, 0.0}, r.weights(), 1e-15);
    assertEquals(Math.log(2), r.meanLoss(), 1e-15);
  }

  @Test
  void firstAdamStepMovesEachWeightByTheLearningRate() {
    // Bias-corrected Adam's first step is lr * g / (|g| + eps): a signed step of size lr.
    double[][] x = {{2.0}, {-1.0}};
    int[] y = {1, 1};
    TrainingResult r =
        LocalTrainer.train(
            new double[2], x, y, new TrainingPlan(1, 2, 0.01, LocalOptimizer.ADAM, 0.0), 0);
    assertArrayEquals(new double[] {0.01, 0.01}, r.weights(), 1e-9);
  }

  @Test
  void planRejectsNonsense() {
    assertThrows(
        IllegalArgumentException.class, () -> new TrainingPlan(0, 4, 0.1, LocalOptimizer.SGD, 0));
    assertThrows(
        IllegalArgumentException.class, () -> new TrainingPlan(1, 0, 0.1, LocalOptimizer.SGD, 0));
    assertThrows(
        IllegalArgumentException.class, () -> new TrainingPlan(1, 4, 0.0, LocalOptimizer.SGD, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> new TrainingPlan(1, 4, Double.POSITIVE_INFINITY, LocalOptimizer.SGD, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> new TrainingPlan(1, 4, 0.1, LocalOptimizer.SGD, -0.1));
  }

  @Test
  void modelOfTheWrongSizeIsRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            LocalTrainer.train(
                new double[2],
                SEPARABLE,
                SEPARABLE_Y,
                new TrainingPlan(1, 1, 0.1, LocalOptimizer.SGD, 0),
                0));
  }
}
