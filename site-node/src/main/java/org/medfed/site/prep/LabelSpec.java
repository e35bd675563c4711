package org.medfed.site.prep;

/**
 * How the binary label is derived: 1 when the column's value is above a threshold, else 0.
 *
 * @param column the canonical column name
 * @param positiveAbove the threshold; for UCI heart disease, {@code num > 0} means disease
 */
public record LabelSpec(String column, double positiveAbove) {

  public LabelSpec {
    if (column == null || column.isBlank()) {
      throw new IllegalArgumentException("label column must be a non-blank name");
    }
    if (!Double.isFinite(positiveAbove)) {
      throw new IllegalArgumentException("positiveAbove must be finite, got " + positiveAbove);
    }
  }

  public int label(double value) {
    return value > positiveAbove ? 1 : 0;
  }
}
