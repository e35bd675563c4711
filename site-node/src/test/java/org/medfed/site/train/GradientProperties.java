package org.medfed.site.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

class GradientProperties {
  @Property(tries = 200)
  void gradientMatchesCentralFiniteDifferences(
      @ForAll long seed,
      @ForAll @IntRange(min = 1, max = 6) int dimension,
      @ForAll @IntRange(min = 1, max = 9) int records,
      @ForAll @DoubleRange(min = 0.0, max = 2.0) double mu) {
    SplittableRandom random = new SplittableRandom(seed);
    double[][] x = new double[records][dimension];
    int[] y = new int[records];
    int[] batch = new int[records];
    for (int i = 0; i < records; i++) {
      for (int j = 0; j < dimension; j++) {
        x[i][j] = random.nextDouble(-3, 3);
      }
      y[i] = random.nextInt(2);
      batch[i] = i;
    }
    double[] w = new double[dimension + 1];
    double[] start = new double[dimension + 1];
    for (int j = 0; j <= dimension; j++) {
      w[j] = random.nextDouble(-2, 2);
      start[j] = random.nextDouble(-2, 2);
    }
    double[] gradient = new double[dimension + 1];
    Logistic.objective(w, x, y, batch, 0, records, start, mu, gradient);

    double h = 1e-6;
    double[] scratch = new double[dimension + 1];
    for (int j = 0; j <= dimension; j++) {
      double[] plus = w.clone();
      double[] minus = w.clone();
      plus[j] += h;
      minus[j] -= h;
      double numeric =
          (Logistic.objective(plus, x, y, batch, 0, records, start, mu, scratch)
                  - Logistic.objective(minus, x, y, batch, 0, records, start, mu, scratch))
              / (2 * h);
      assertEquals(numeric, gradient[j], 1e-6, "parameter " + j);
    }
  }
}
