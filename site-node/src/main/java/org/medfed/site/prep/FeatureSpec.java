package org.medfed.site.prep;

/**
 * One model input derived from one canonical column.
 *
 * <p>Written as {@code age} for a numeric column or {@code cp=2} for an indicator that is 1.0 when
 * the column equals the level and 0.0 otherwise.
 *
 * @param column the canonical column name
 * @param indicatorLevel the level of an indicator feature, or null for a numeric feature; the level
 *     is compared numerically, so "2" matches 2.0
 */
public record FeatureSpec(String column, String indicatorLevel) {

  public FeatureSpec {
    if (column == null || column.isBlank() || column.contains("=")) {
      throw new IllegalArgumentException(
          "feature column must be a non-blank name without '=', got '" + column + "'");
    }
    if (indicatorLevel != null && indicatorLevel.isEmpty()) {
      indicatorLevel = null;
    }
    if (indicatorLevel != null) {
      parseLevel(indicatorLevel);
    }
  }

  /** Parses {@code age} or {@code cp=2}; the inverse of {@link #toString()}. */
  public static FeatureSpec parse(String s) {
    int eq = s.indexOf('=');
    return eq < 0
        ? new FeatureSpec(s.strip(), null)
        : new FeatureSpec(s.substring(0, eq).strip(), s.substring(eq + 1).strip());
  }

  public boolean isIndicator() {
    return indicatorLevel != null;
  }

  /** Returns the feature value for a column value that is not missing. */
  public double encode(double columnValue) {
    if (indicatorLevel == null) {
      return columnValue;
    }
    return columnValue == parseLevel(indicatorLevel) ? 1.0 : 0.0;
  }

  private static double parseLevel(String level) {
    try {
      double d = Double.parseDouble(level);
      if (Double.isFinite(d)) {
        return d;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("indicator level must be a number, got '" + level + "'");
  }

  @Override
  public String toString() {
    return indicatorLevel == null ? column : column + "=" + indicatorLevel;
  }
}
