package org.medfed.site.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

class ClippingPropertyTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  @Property(tries = 200)
  void oneReplacedRecordMovesOneNoiselessStepByAtMostTwoClipsOverN(
      @ForAll long seed,
      @ForAll @IntRange(min = 1, max = 5) int dimension,
      @ForAll @IntRange(min = 1, max = 12) int records,
      @ForAll @DoubleRange(min = 0.01, max = 5.0) double clippingNorm,
      @ForAll @DoubleRange(min = 0.01, max = 2.0) double learningRate,
      @ForAll @DoubleRange(min = 1.0, max = 1000.0) double outlierScale) {
    SplittableRandom random = new SplittableRandom(seed);
    double[][] x = new double[records][dimension];
    int[] y = new int[records];
    for (int i = 0; i < records; i++) {
      for (int j = 0; j < dimension; j++) {
        x[i][j] = random.nextDouble(-3, 3);
      }
      y[i] = random.nextInt(2);
    }
    double[][] neighbour = x.clone();
    int[] neighbourY = y.clone();
    int replaced = random.nextInt(records);
    neighbour[replaced] = new double[dimension];
    for (int j = 0; j < dimension; j++) {
      neighbour[replaced][j] = outlierScale * random.nextDouble(-1, 1);
    }
    neighbourY[replaced] = 1 - y[replaced];
    double[] start = new double[dimension + 1];
    for (int j = 0; j <= dimension; j++) {
      start[j] = random.nextDouble(-1, 1);
    }
    TrainingPlan plan = new TrainingPlan(1, 1, learningRate, LocalOptimizer.SGD, 0.0);
    double[] a = step(start, x, y, plan, clippingNorm);
    double[] b = step(start, neighbour, neighbourY, plan, clippingNorm);
    double distance = 0;
    for (int j = 0; j <= dimension; j++) {
      distance += (a[j] - b[j]) * (a[j] - b[j]);
    }
    distance = Math.sqrt(distance);
    double bound = learningRate * 2 * clippingNorm / records;
    assertTrue(distance <= bound * (1 + 1e-12), distance + " > " + bound);
  }

  private static double[] step(
      double[] start, double[][] x, int[] y, TrainingPlan plan, double clippingNorm) {
    RecordGradient model =
        (w, i, g) -> {
          double z = Logistic.logit(w, x[i]);
          double r = Logistic.sigmoid(z) - y[i];
          for (int j = 0; j < x[i].length; j++) {
            g[j] = r * x[i][j];
          }
          g[x[i].length] = r;
          return 0.0;
        };
    return DpSgdTrainer.run(start, x.length, model, plan, clippingNorm, 0.0, 1.0, RANDOM).weights();
  }
}
