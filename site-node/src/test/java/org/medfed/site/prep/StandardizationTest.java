package org.medfed.site.prep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class StandardizationTest {
  @Test
  void fitsMeanAndUnbiasedStd() {
    Standardization s = Standardization.fit(new double[][] {{1, 5}, {2, 5}, {3, 5}});
    assertArrayEquals(new double[] {2, 5}, s.mean(), 1e-12);
    // Unbiased: sum of squares 2 over n - 1 = 2 gives 1, where the biased std would be 0.816.
    assertArrayEquals(new double[] {1, 0}, s.std(), 1e-12);
  }

  @Test
  void transformAddsEpsilonToStd() {
    Standardization s = new Standardization(new double[] {2, 5}, new double[] {1, 0});
    assertArrayEquals(new double[] {1 / (1 + 1e-9), 0}, s.apply(new double[] {3, 5}), 1e-15);
    // A constant train column is 0 for train values and huge elsewhere, as in FLamby.
    assertEquals(1e9, s.apply(new double[] {2, 6})[1], 1);
  }

  @Test
  void needsTwoRowsForAnUnbiasedStd() {
    assertThrows(IllegalArgumentException.class, () -> Standardization.fit(new double[][] {{1.0}}));
  }

  @Test
  void rejectsRowsOfTheWrongWidth() {
    Standardization s = new Standardization(new double[] {0}, new double[] {1});
    assertThrows(IllegalArgumentException.class, () -> s.apply(new double[] {1, 2}));
  }
}
