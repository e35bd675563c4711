package org.medfed.site.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class RawRowTest {
  @Test
  void nanMeansMissing() {
    assertTrue(new RawRow(1, new double[] {1, Double.NaN}).hasMissing());
    assertFalse(new RawRow(1, new double[] {1, 0}).hasMissing());
  }

  @Test
  void valuesCannotBeChangedFromOutside() {
    double[] values = {1, 2};
    RawRow row = new RawRow(4, values);
    values[0] = 9;
    row.values()[1] = 9;
    assertEquals(new RawRow(4, new double[] {1, 2}), row);
  }

  @Test
  void tableRejectsRowsOfTheWrongWidth() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new RawTable(
                Path.of("t.csv"), List.of("a", "b"), List.of(new RawRow(1, new double[] {1}))));
  }
}
