package org.medfed.site.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EvaluationTest {
  @Test
  void handComputedExample() {
    // w = 1, bias = 0: logits -2, -1, 1, 2; predictions 0, 0, 1, 1 against labels 0, 1, 0, 1.
    double[][] x = {{-2}, {-1}, {1}, {2}};
    int[] y = {0, 1, 0, 1};
    Metrics m = Evaluation.evaluate(new double[] {1, 0}, x, y);
    assertEquals(4, m.records());
    assertEquals(0.5, m.accuracy());
    // Positive scores {-1, 2} beat negative scores {-2, 1} in 3 of 4 pairs.
    assertEquals(0.75, m.auc(), 1e-12);
    double expectedLoss = (2 * Math.log1p(Math.exp(-2)) + 2 * Math.log1p(Math.E)) / 4;
    assertEquals(expectedLoss, m.loss(), 1e-12);
  }

  @Test
  void probabilityOfExactlyOneHalfCountsAsNegative() {
    Metrics m =
        Evaluation.evaluate(new double[] {0, 0}, new double[][] {{1}, {2}}, new int[] {0, 1});
    assertEquals(0.5, m.accuracy());
    assertEquals(0.5, m.auc(), 1e-12);
  }

  @Test
  void aucIsNanWhenOnlyOneClassIsPresent() {
    Metrics m =
        Evaluation.evaluate(new double[] {1, 0}, new double[][] {{1}, {2}}, new int[] {1, 1});
    assertTrue(Double.isNaN(m.auc()));
    assertEquals(1.0, m.accuracy());
  }

  @Test
  void lossStaysFiniteForConfidentMistakes() {
    Metrics m =
        Evaluation.evaluate(new double[] {1000, 0}, new double[][] {{1}, {-1}}, new int[] {0, 1});
    assertEquals(1000.0, m.loss(), 1e-9);
  }
}
