package org.medfed.site.data;

import java.util.Arrays;

/**
 * One data row as read from the source file, before any preprocessing.
 *
 * @param lineNumber the 1-based line of the source file, kept so that errors and fixed splits can
 *     point at the original row
 * @param values one value per mapped column, in the table's column order; {@link Double#NaN} means
 *     the cell held a missing-value marker
 */
public record RawRow(int lineNumber, double[] values) {

  public RawRow {
    if (lineNumber < 1) {
      throw new IllegalArgumentException("lineNumber must be >= 1, got " + lineNumber);
    }
    values = values.clone();
  }

  /** Returns a copy, so that a row cannot be changed after it was read. */
  @Override
  public double[] values() {
    return values.clone();
  }

  /** Returns the value of one column, {@link Double#NaN} if it was missing. */
  public double value(int column) {
    return values[column];
  }

  /** Returns the number of values. */
  public int size() {
    return values.length;
  }

  public boolean hasMissing() {
    for (double v : values) {
      if (Double.isNaN(v)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RawRow r && r.lineNumber == lineNumber && Arrays.equals(r.values, values);
  }

  @Override
  public int hashCode() {
    return 31 * lineNumber + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return "RawRow[line " + lineNumber + ": " + Arrays.toString(values) + "]";
  }
}
