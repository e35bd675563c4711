package org.medfed.site.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.medfed.site.data.DataException;
import org.medfed.site.prep.EncodedRows;
import org.medfed.site.prep.PreparedData;
import org.medfed.site.prep.Standardization;

class ReferenceModelsTest {
  private static final List<String> SITES = List.of("cleveland", "hungarian", "switzerland", "va");

  @Test
  void fitIsAStationaryPointOfSummedLossPlusHalfLambdaNorm() throws DataException {
    PreparedData data = HeartData.prepared("cleveland");
    double[][] x = data.trainX();
    int[] y = data.trainY();
    double lambda = 1.0;
    double[] w = ReferenceModels.fitL2LogisticRegression(x, y, lambda);
    assertEquals(x[0].length + 1, w.length);
    // The gradient of sum(loss) + lambda/2 ||w_1..w_d||² vanishes at the optimum; this pins
    // down both the layout (bias last) and what smile's lambda means.
    int[] all = new int[x.length];
    Arrays.setAll(all, i -> i);
    double[] gradient = new double[w.length];
    Logistic.objective(w, x, y, all, 0, x.length, new double[w.length], 0.0, gradient);
    for (int j = 0; j < w.length; j++) {
      double total = gradient[j] * x.length + (j < w.length - 1 ? lambda * w[j] : 0.0);
      assertEquals(0.0, total, 1e-3, "parameter " + j);
    }
  }

  @Test
  void pooledModelReproducesTheAccuraciesInProvenance() throws DataException {
    // PROVENANCE.md: L2 logistic regression (C = 1) on pooled-normalised train rows gives
    // Cleveland 0.7981, Hungary 0.7640, Switzerland 0.7500 and VA 0.6444 on per-centre
    // normalised tests, and 0.7953 on the pooled test.
    List<double[]> pooledTrain = new ArrayList<>();
    List<Integer> pooledTrainY = new ArrayList<>();
    List<double[]> pooledTest = new ArrayList<>();
    List<Integer> pooledTestY = new ArrayList<>();
    for (String site : SITES) {
      EncodedRows rows = HeartData.encoded(site);
      pooledTrain.addAll(List.of(rows.trainX()));
      pooledTest.addAll(List.of(rows.testX()));
      Arrays.stream(rows.trainY()).forEach(pooledTrainY::add);
      Arrays.stream(rows.testY()).forEach(pooledTestY::add);
    }
    double[][] trainX = pooledTrain.toArray(double[][]::new);
    Standardization pooled = Standardization.fit(trainX);
    double[] w =
        ReferenceModels.fitL2LogisticRegression(
            pooled.apply(trainX), pooledTrainY.stream().mapToInt(Integer::intValue).toArray(), 1.0);

    double[] expected = {0.7981, 0.7640, 0.7500, 0.6444};
    for (int s = 0; s < SITES.size(); s++) {
      PreparedData site = HeartData.prepared(SITES.get(s));
      assertEquals(
          expected[s],
          Evaluation.evaluate(w, site.testX(), site.testY()).accuracy(),
          5e-5,
          SITES.get(s));
    }
    Metrics pooledTestMetrics =
        Evaluation.evaluate(
            w,
            pooled.apply(pooledTest.toArray(double[][]::new)),
            pooledTestY.stream().mapToInt(Integer::intValue).toArray());
    assertEquals(254, pooledTestMetrics.records());
    assertEquals(0.7953, pooledTestMetrics.accuracy(), 5e-5);
  }

  @Test
  void oneClassLabelsAreRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            ReferenceModels.fitL2LogisticRegression(
                new double[][] {{1}, {2}}, new int[] {1, 1}, 1.0));
  }
}
