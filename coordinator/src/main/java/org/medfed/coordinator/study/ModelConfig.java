package org.medfed.coordinator.study;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The model a study trains.
 *
 * @param type the model family; {@value #LOGISTIC_REGRESSION} is the only one so far
 * @param features the model's inputs in weight order: a column name such as {@code age} (used as a
 *     number) or {@code column=level} such as {@code cp=2} (1 when the column equals the level,
 *     else 0)
 * @param labelColumn the column holding the outcome
 * @param labelPositiveAbove a record is a positive example when its label exceeds this
 */
public record ModelConfig(
    String type, List<String> features, String labelColumn, double labelPositiveAbove) {

  public static final String LOGISTIC_REGRESSION = "logistic-regression";

  static final Pattern COLUMN = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  static final Pattern FEATURE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(=[A-Za-z0-9_.+-]+)?");

  public ModelConfig {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(labelColumn, "labelColumn");
    if (!type.equals(LOGISTIC_REGRESSION)) {
      throw new IllegalArgumentException(
          "type '" + type + "' is not supported: " + LOGISTIC_REGRESSION + " is the only model");
    }
    features = List.copyOf(features);
    if (features.isEmpty()) {
      throw new IllegalArgumentException("features must not be empty");
    }
    Set<String> seen = new HashSet<>();
    for (String feature : features) {
      if (!FEATURE.matcher(feature).matches()) {
        throw new IllegalArgumentException("feature '" + feature + "' is malformed");
      }
      if (!seen.add(feature)) {
        throw new IllegalArgumentException("feature '" + feature + "' appears twice");
      }
      if (column(feature).equals(labelColumn)) {
        throw new IllegalArgumentException("feature '" + feature + "' uses the label column");
      }
    }
    if (!COLUMN.matcher(labelColumn).matches()) {
      throw new IllegalArgumentException("labelColumn '" + labelColumn + "' is malformed");
    }
    if (!Double.isFinite(labelPositiveAbove)) {
      throw new IllegalArgumentException(
          "labelPositiveAbove must be finite, got " + labelPositiveAbove);
    }
  }

  /** The number of weights: one per feature plus the bias. */
  public int parameterCount() {
    return features.size() + 1;
  }

  /** The data column a feature reads: {@code cp} for {@code cp=2}. */
  static String column(String feature) {
    int equals = feature.indexOf('=');
    return equals < 0 ? feature : feature.substring(0, equals);
  }
}
